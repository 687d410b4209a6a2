use jiff::Timestamp;
use proptest::prelude::*;

use super::*;
use crate::api::lottery::ProofSpin;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn prize(id: &str, weight: u32, stock: u32) -> PrizeDefinition {
    PrizeDefinition {
        id: id.into(),
        name: format!("Name of {id}"),
        weight,
        stock,
        image: None,
    }
}

fn definition() -> CreateLottery {
    CreateLottery {
        id: "spring-wheel".into(),
        mode: LotteryMode::Wheel,
        prizes: vec![
            prize("sticker", 30, 100),
            prize("t-shirt", 8, 10),
            prize("mug", 12, 20),
            prize("keyboard", 1, 1),
        ],
        no_prize_weight: 49,
        cost: 10,
        daily_spins: 5,
        opens_at: at("2026-11-01T00:00:00Z"),
        closes_at: at("2026-12-01T00:00:00Z"),
        winners: 1,
    }
}

fn lottery() -> Lottery {
    validate_lottery(definition()).unwrap()
}

fn seed(byte: u8) -> Seed {
    Seed::from_bytes([byte; SEED_BYTES])
}

fn stock_of(lottery: &Lottery) -> Vec<PrizeStock> {
    lottery
        .prizes
        .iter()
        .map(|p| PrizeStock {
            weight: p.weight,
            left: p.stock,
        })
        .collect()
}

#[test]
fn invalid_definitions_name_the_field() {
    let check = |change: &dyn Fn(&mut CreateLottery), field: &str| {
        let mut definition = definition();
        change(&mut definition);
        let error = validate_lottery(definition).expect_err(field);
        assert!(
            error.to_string().starts_with(field),
            "'{error}' should start with '{field}'"
        );
    };
    check(&|d| d.id = "Spring Wheel".into(), "id");
    check(&|d| d.prizes.clear(), "prizes");
    check(&|d| d.prizes = vec![prize("x", 1, 1); 51], "prizes");
    check(&|d| d.prizes[1].id = "T-Shirt".into(), "prizes[1].id");
    check(&|d| d.prizes[2].id = "sticker".into(), "prizes[2].id");
    check(&|d| d.prizes[0].name = " ".into(), "prizes[0].name");
    check(&|d| d.prizes[0].name = "n".repeat(101), "prizes[0].name");
    check(&|d| d.prizes[3].weight = 1_000_001, "prizes[3].weight");
    check(&|d| d.prizes[3].stock = 1_000_001, "prizes[3].stock");
    for bad in [
        "javascript:alert(1)",
        "//evil.example/x.png",
        "/a b.png",
        "/a\".png",
    ] {
        check(&|d| d.prizes[0].image = Some(bad.into()), "prizes[0].image");
    }
    check(&|d| d.no_prize_weight = 1_000_001, "no_prize_weight");
    check(
        &|d| d.prizes.iter_mut().for_each(|p| p.weight = 0),
        "prizes",
    );
    check(&|d| d.cost = -1, "cost");
    check(&|d| d.cost = 1_000_001, "cost");
    check(&|d| d.daily_spins = 0, "daily_spins");
    check(&|d| d.daily_spins = 1001, "daily_spins");
    check(&|d| d.winners = 0, "winners");
    check(&|d| d.closes_at = d.opens_at, "closes_at");
}

#[test]
fn valid_edges_are_accepted() {
    let names = |d: &mut CreateLottery| {
        d.prizes[0].name = "名".repeat(100);
        d.prizes[0].image = Some("https://cdn.example.com/sticker.png".into());
        d.prizes[1].image = Some("/img/shirt.png".into());
        d.prizes[2].stock = 0;
        d.cost = 0;
        d.daily_spins = 1000;
    };
    let mut d = definition();
    names(&mut d);
    assert!(validate_lottery(d).is_ok());
    // A giveaway needs no prize, and its weights are not used.
    let giveaway = CreateLottery {
        mode: LotteryMode::Giveaway,
        prizes: vec![],
        no_prize_weight: 0,
        winners: 3,
        ..definition()
    };
    assert_eq!(validate_lottery(giveaway).unwrap().winners, 3);
}

#[test]
fn the_seed_is_hex_and_hashes_with_sha256() {
    // SHA-256 of 32 zero bytes, a well-known value.
    assert_eq!(
        seed(0).hash_hex(),
        "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
    );
    let text = "00".repeat(31) + "Ab";
    assert_eq!(
        Seed::from_hex(&text).unwrap().to_hex(),
        "00".repeat(31) + "ab"
    );
    for bad in [
        "",
        "00",
        &"0".repeat(63),
        &"zz".repeat(32),
        &"00".repeat(33),
    ] {
        assert!(Seed::from_hex(bad).is_none(), "{bad}");
    }
    assert_eq!(format!("{:?}", seed(7)), "Seed(…)");
}

#[test]
fn the_draw_is_the_documented_hmac() {
    // Recomputed by hand from the documented message and rejection rule.
    let seed = seed(1);
    let mut mac = Hmac::<Sha256>::new_from_slice(&[1; 32]).unwrap();
    mac.update(b"spring-wheel\0alice\x0042");
    let digest = mac.finalize().into_bytes();
    let first = u64::from_be_bytes(digest[..8].try_into().unwrap());
    assert_eq!(
        draw_number(&seed, "spring-wheel", "alice", 42, 100),
        first % 100
    );
    // A power of two never rejects; a total of 1 is always 0.
    assert_eq!(
        draw_number(&seed, "spring-wheel", "alice", 42, 1 << 20),
        first % (1 << 20)
    );
    assert_eq!(draw_number(&seed, "x", "y", 1, 1), 0);
}

#[test]
fn outcomes_follow_cumulative_weights_in_published_order() {
    // With one unit of weight per slot, the number picks the slot directly.
    let stock = [
        PrizeStock { weight: 1, left: 1 },
        PrizeStock { weight: 0, left: 5 },
        PrizeStock { weight: 1, left: 0 },
        PrizeStock { weight: 1, left: 3 },
    ];
    for spin in 1..200 {
        let number = draw_number(&seed(2), "l", "m", spin, 3);
        let expected = match number {
            0 => Outcome::Prize(0),
            1 => Outcome::Prize(3),
            _ => Outcome::NoPrize,
        };
        assert_eq!(
            spin_outcome(&seed(2), "l", "m", spin, &stock, 1),
            Some(expected)
        );
    }
    let gone = [PrizeStock { weight: 5, left: 0 }];
    assert_eq!(spin_outcome(&seed(2), "l", "m", 1, &gone, 0), None);
}

/// The χ² statistic of observed counts against expected proportions.
fn chi_square(observed: &[u64], weights: &[u64]) -> f64 {
    let n: u64 = observed.iter().sum();
    let total: u64 = weights.iter().sum();
    observed
        .iter()
        .zip(weights)
        .map(|(&o, &w)| {
            let expected = n as f64 * w as f64 / total as f64;
            (o as f64 - expected).powi(2) / expected
        })
        .sum()
}

/// With a fixed seed the draw is deterministic, so this cannot flake: over 100,000 spins the
/// slots come up in proportion to their weights (χ² below the p = 0.001 critical value).
#[test]
fn outcomes_match_the_weights() {
    let lottery = lottery();
    // Stock large enough never to run out, so the weights stay fixed.
    let stock: Vec<PrizeStock> = lottery
        .prizes
        .iter()
        .map(|p| PrizeStock {
            weight: p.weight,
            left: u32::MAX,
        })
        .collect();
    let mut counts = [0u64; 5];
    for i in 0..100_000u32 {
        let member = format!("member-{}", i % 997);
        let outcome = spin_outcome(&seed(3), "spring-wheel", &member, i / 997 + 1, &stock, 49);
        let slot = match outcome.unwrap() {
            Outcome::Prize(index) => index,
            Outcome::NoPrize => 4,
        };
        counts[slot] += 1;
    }
    let statistic = chi_square(&counts, &[30, 8, 12, 1, 49]);
    // 4 degrees of freedom, p = 0.001.
    assert!(statistic < 18.467, "χ² = {statistic}, counts {counts:?}");
    assert!(counts.iter().all(|&c| c > 0), "{counts:?}");
}

/// The uniform number itself, for a total that is not a power of two.
#[test]
fn draw_numbers_are_uniform() {
    let mut counts = [0u64; 7];
    for spin in 0..70_000 {
        counts[draw_number(&seed(4), "l", "m", spin, 7) as usize] += 1;
    }
    let statistic = chi_square(&counts, &[1; 7]);
    // 6 degrees of freedom, p = 0.001.
    assert!(statistic < 22.458, "χ² = {statistic}, counts {counts:?}");
}

#[test]
fn status_follows_open_close_and_times() {
    let lottery = lottery();
    let before = at("2026-10-31T23:59:59Z");
    let during = at("2026-11-15T00:00:00Z");
    let after = lottery.closes_at;
    assert_eq!(
        lottery_status(&lottery, true, None, before),
        LotteryStatus::Scheduled
    );
    assert_eq!(
        lottery_status(&lottery, false, None, during),
        LotteryStatus::Scheduled
    );
    assert_eq!(
        lottery_status(&lottery, true, None, during),
        LotteryStatus::Open
    );
    assert_eq!(
        lottery_status(&lottery, true, None, after),
        LotteryStatus::Closed
    );
    assert_eq!(
        lottery_status(&lottery, false, None, after),
        LotteryStatus::Closed
    );
    assert_eq!(
        lottery_status(&lottery, true, Some(during), during),
        LotteryStatus::Closed
    );
}

#[test]
fn spins_are_refused_in_order() {
    let lottery = lottery();
    let stock = stock_of(&lottery);
    let seed = seed(5);
    let during = at("2026-11-15T00:00:00Z");
    let attempt = SpinAttempt {
        seed: Some(&seed),
        closed_at: None,
        member: "alice",
        spin: 1,
        spins_today: 0,
        balance: 10,
        stock: &stock,
    };
    let check = |attempt: SpinAttempt<'_>, now: &str, expect: Result<(), SpinError>| {
        let decided = decide_spin(&lottery, attempt, at(now)).map(|_| ());
        assert_eq!(decided, expect, "{now}");
    };
    check(attempt, "2026-11-15T00:00:00Z", Ok(()));
    let opens_at = lottery.opens_at;
    check(
        attempt,
        "2026-10-01T00:00:00Z",
        Err(SpinError::NotOpen { opens_at }),
    );
    check(
        SpinAttempt {
            seed: None,
            ..attempt
        },
        "2026-11-15T00:00:00Z",
        Err(SpinError::NotOpen { opens_at }),
    );
    check(attempt, "2026-12-01T00:00:00Z", Err(SpinError::Closed));
    check(
        SpinAttempt {
            closed_at: Some(during),
            ..attempt
        },
        "2026-11-15T00:00:00Z",
        Err(SpinError::Closed),
    );
    check(
        SpinAttempt {
            spins_today: 5,
            balance: 0,
            ..attempt
        },
        "2026-11-15T00:00:00Z",
        Err(SpinError::DailyLimitReached { limit: 5 }),
    );
    check(
        SpinAttempt {
            balance: 9,
            ..attempt
        },
        "2026-11-15T00:00:00Z",
        Err(SpinError::InsufficientPoints {
            cost: 10,
            balance: 9,
        }),
    );
    let none_left: Vec<PrizeStock> = stock.iter().map(|p| PrizeStock { left: 0, ..*p }).collect();
    let sold_out = Lottery {
        no_prize_weight: 0,
        ..lottery.clone()
    };
    assert_eq!(
        decide_spin(
            &sold_out,
            SpinAttempt {
                stock: &none_left,
                ..attempt
            },
            during
        ),
        Err(SpinError::SoldOut)
    );
    let giveaway = Lottery {
        mode: LotteryMode::Giveaway,
        ..lottery.clone()
    };
    assert_eq!(
        decide_spin(&giveaway, attempt, during),
        Err(SpinError::Giveaway)
    );
}

#[test]
fn entries_are_decided_once() {
    let giveaway = Lottery {
        mode: LotteryMode::Giveaway,
        ..lottery()
    };
    let seed = seed(6);
    let during = at("2026-11-15T00:00:00Z");
    let after = at("2026-12-02T00:00:00Z");
    let decide =
        |already, balance, now| decide_entry(&giveaway, Some(&seed), None, already, balance, now);
    assert_eq!(decide(false, 10, during), Ok(EntryDecision::Enter));
    assert_eq!(decide(true, 0, after), Ok(EntryDecision::Already));
    assert_eq!(decide(false, 10, after), Err(EntryError::Closed));
    assert_eq!(
        decide(false, 9, during),
        Err(EntryError::InsufficientPoints {
            cost: 10,
            balance: 9
        })
    );
    assert_eq!(
        decide_entry(&giveaway, None, None, false, 10, during),
        Err(EntryError::NotOpen {
            opens_at: giveaway.opens_at
        })
    );
    assert_eq!(
        decide_entry(&lottery(), Some(&seed), None, false, 10, during),
        Err(EntryError::Wheel)
    );
}

/// The seed is in no view before close, and in the view once closed.
#[test]
fn views_reveal_the_seed_only_after_close() {
    let lottery = lottery();
    let seed = seed(9);
    let during = at("2026-11-15T00:00:00Z");
    let scheduled = lottery_view(&lottery, &[100, 10, 20, 1], None, None, during);
    assert_eq!(scheduled.seed_hash, None);
    assert_eq!(scheduled.seed, None);
    let open = lottery_view(&lottery, &[99, 10, 20, 0], Some(&seed), None, during);
    assert_eq!(open.status, LotteryStatus::Open);
    assert_eq!(open.seed_hash.as_deref(), Some(seed.hash_hex().as_str()));
    assert_eq!(open.seed, None);
    assert_eq!(open.prizes[3].stock, 0);
    let text = serde_json::to_string(&open).unwrap();
    assert!(!text.contains(&seed.to_hex()), "{text}");
    // Past the close time but not yet finalized: closed, still no seed.
    let late = lottery_view(&lottery, &[0; 4], Some(&seed), None, lottery.closes_at);
    assert_eq!(late.status, LotteryStatus::Closed);
    assert_eq!(late.seed, None);
    let closed = lottery_view(&lottery, &[0; 4], Some(&seed), Some(during), during);
    assert_eq!(closed.seed.as_deref(), Some(seed.to_hex().as_str()));
}

/// What an honest server would record: each spin decided against the stock the spins before it
/// left, in order.
fn honest_proof(
    lottery: &Lottery,
    seed: &Seed,
    spinners: &[&str],
    entrants: &[&str],
) -> LotteryProof {
    let mut stock = stock_of(lottery);
    let mut numbers: BTreeMap<&str, u32> = BTreeMap::new();
    let mut spins = Vec::new();
    for member in spinners {
        let spin = numbers.entry(member).or_default();
        *spin += 1;
        let Some(outcome) = spin_outcome(
            seed,
            lottery.id.as_str(),
            member,
            *spin,
            &stock,
            lottery.no_prize_weight,
        ) else {
            break;
        };
        let prize = match outcome {
            Outcome::Prize(index) => {
                stock[index].left -= 1;
                Some(lottery.prizes[index].id.clone())
            }
            Outcome::NoPrize => None,
        };
        spins.push(ProofSpin {
            seq: spins.len() as u64 + 1,
            member: (*member).to_owned(),
            spin: *spin,
            prize,
        });
    }
    let entrants: Vec<String> = entrants.iter().map(|m| (*m).to_owned()).collect();
    let drawn = draw_winners(
        seed,
        lottery.id.as_str(),
        entrants.iter().map(String::as_str),
        lottery.winners,
    );
    lottery_proof(lottery, seed, spins, entrants, drawn)
}

#[test]
fn a_tampered_seed_or_hash_fails() {
    let lottery = lottery();
    let proof = honest_proof(&lottery, &seed(1), &["alice", "bob", "alice"], &[]);
    assert!(verify_proof(&proof).passed());
    let other_seed = LotteryProof {
        seed: seed(2).to_hex(),
        ..proof.clone()
    };
    let report = verify_proof(&other_seed);
    assert!(!report.seed_matches_hash);
    assert!(matches!(report.mismatches[0], Mismatch::SeedHash { .. }));
    let bad = LotteryProof {
        seed: "not hex".into(),
        ..proof.clone()
    };
    assert_eq!(verify_proof(&bad).mismatches, [Mismatch::InvalidSeed]);
    // Skipping an unfavourable spin number is caught.
    let mut skipped = proof.clone();
    skipped.spins[2].spin = 3;
    assert!(verify_proof(&skipped).mismatches.iter().any(|m| matches!(
        m,
        Mismatch::SpinNumber {
            expected: 2,
            published: 3,
            ..
        }
    )));
}

#[test]
fn mismatches_read_as_sentences() {
    let mismatch = Mismatch::Spin {
        seq: 7,
        member: "alice".into(),
        spin: 2,
        expected: Some("mug".into()),
        published: None,
    };
    assert_eq!(
        mismatch.to_string(),
        "seq 7: member 'alice' spin 2: expected 'mug', published no prize"
    );
    let json = serde_json::to_value(&mismatch).unwrap();
    assert_eq!(json["kind"], "spin");
    assert_eq!(json["expected"], "mug");
}

#[test]
fn giveaway_winners_are_distinct_and_independent_of_entry_order() {
    let entrants = ["alice", "bob", "xiaoming", "mei", "lin"];
    let winners = draw_winners(&seed(8), "raffle", entrants, 3);
    assert_eq!(winners.len(), 3);
    assert_eq!(winners.iter().collect::<BTreeSet<_>>().len(), 3);
    let mut reversed = entrants;
    reversed.reverse();
    assert_eq!(draw_winners(&seed(8), "raffle", reversed, 3), winners);
    // Asking for more winners than entrants draws everyone.
    assert_eq!(draw_winners(&seed(8), "raffle", entrants, 10).len(), 5);
    assert!(draw_winners(&seed(8), "raffle", [], 3).is_empty());
}

fn arbitrary_lottery() -> impl Strategy<Value = Lottery> {
    (
        prop::collection::vec((0u32..20, 0u32..4), 1..6),
        0u32..20,
        any::<bool>(),
        1u32..4,
    )
        .prop_filter_map(
            "a wheel needs a positive weight",
            |(prizes, no_prize, giveaway, winners)| {
                let definition = CreateLottery {
                    id: "prop".into(),
                    mode: if giveaway {
                        LotteryMode::Giveaway
                    } else {
                        LotteryMode::Wheel
                    },
                    prizes: prizes
                        .iter()
                        .enumerate()
                        .map(|(i, &(weight, stock))| prize(&format!("p{i}"), weight, stock))
                        .collect(),
                    no_prize_weight: no_prize,
                    winners,
                    ..definition()
                };
                validate_lottery(definition).ok()
            },
        )
}

const MEMBERS: [&str; 5] = ["alice", "bob", "小明", "mei", "lin"];

proptest! {
    /// A draw never picks a prize that is gone (or has no weight), and draws nothing only when
    /// nothing has weight left.
    #[test]
    fn an_exhausted_prize_is_never_drawn(
        stock in prop::collection::vec((0u32..5, 0u32..3), 1..8),
        no_prize in 0u32..5,
        seed_bytes in any::<[u8; 32]>(),
        member in 0usize..5,
        spin in 1u32..1000,
    ) {
        let stock: Vec<PrizeStock> = stock.iter().map(|&(weight, left)| PrizeStock { weight, left }).collect();
        let outcome = spin_outcome(&Seed::from_bytes(seed_bytes), "l", MEMBERS[member], spin, &stock, no_prize);
        match outcome {
            Some(Outcome::Prize(index)) => {
                prop_assert!(stock[index].left > 0);
                prop_assert!(stock[index].weight > 0);
            }
            Some(Outcome::NoPrize) => prop_assert!(no_prize > 0),
            None => prop_assert_eq!(available_weight(&stock, no_prize), 0),
        }
    }

    /// Replaying an honest proof never oversells and always verifies; changing any single
    /// outcome, or any single winner, always fails.
    #[test]
    fn honest_proofs_pass_and_any_tampered_outcome_fails(
        lottery in arbitrary_lottery(),
        seed_bytes in any::<[u8; 32]>(),
        spinners in prop::collection::vec(0usize..5, 0..40),
        entrants in prop::collection::btree_set(0usize..5, 0..5),
        tamper in any::<prop::sample::Index>(),
        replacement in any::<prop::sample::Index>(),
    ) {
        let seed = Seed::from_bytes(seed_bytes);
        let spinners: Vec<&str> = spinners.iter().map(|&i| MEMBERS[i]).collect();
        let entrants: Vec<&str> = entrants.iter().map(|&i| MEMBERS[i]).collect();
        let proof = honest_proof(&lottery, &seed, &spinners, &entrants);
        for (index, prize) in proof.prizes.iter().enumerate() {
            let won = proof.spins.iter().filter(|s| s.prize.as_deref() == Some(prize.id.as_str())).count();
            prop_assert!(won <= prize.stock as usize, "{} oversold", index);
        }
        let report = verify_proof(&proof);
        prop_assert!(report.passed(), "{:?}", report.mismatches);
        prop_assert_eq!(report.spins_checked, proof.spins.len());

        if !proof.spins.is_empty() {
            let mut tampered = proof.clone();
            let spin = &mut tampered.spins[tamper.index(proof.spins.len())];
            // Every other possible published value: another prize, or no prize.
            let choices: Vec<Option<String>> = std::iter::once(None)
                .chain(proof.prizes.iter().map(|p| Some(p.id.clone())))
                .filter(|choice| *choice != spin.prize)
                .collect();
            spin.prize = choices[replacement.index(choices.len())].clone();
            prop_assert!(!verify_proof(&tampered).passed());
        }
        if lottery.mode == LotteryMode::Giveaway && !proof.drawn_winners.is_empty() {
            let mut tampered = proof.clone();
            let others: Vec<&str> = MEMBERS.iter().copied()
                .filter(|m| !proof.drawn_winners.iter().any(|w| w == m))
                .collect();
            let slot = tamper.index(proof.drawn_winners.len());
            if others.is_empty() {
                tampered.drawn_winners.swap(0, slot);
                tampered.drawn_winners.reverse();
            } else {
                tampered.drawn_winners[slot] = others[replacement.index(others.len())].to_owned();
            }
            if tampered.drawn_winners != proof.drawn_winners {
                prop_assert!(!verify_proof(&tampered).passed());
            }
        }
    }
}

#[test]
fn an_update_keeps_what_it_leaves_out_and_is_checked_like_a_definition() {
    let current = lottery();
    assert_eq!(
        update_lottery(&current, UpdateLottery::default()),
        Ok(current.clone())
    );
    let edited = update_lottery(
        &current,
        UpdateLottery {
            cost: Some(7),
            prizes: Some(vec![prize("mug", 3, 2)]),
            ..UpdateLottery::default()
        },
    )
    .unwrap();
    assert_eq!((edited.cost, edited.prizes.len()), (7, 1));
    assert_eq!(
        (edited.id, edited.opens_at),
        (current.id.clone(), current.opens_at)
    );
    assert_eq!(
        update_lottery(
            &current,
            UpdateLottery {
                closes_at: Some(current.opens_at),
                ..UpdateLottery::default()
            },
        ),
        Err(LotteryError::ClosesBeforeOpens)
    );
    assert!(matches!(
        update_lottery(
            &current,
            UpdateLottery {
                prizes: Some(Vec::new()),
                ..UpdateLottery::default()
            },
        ),
        Err(LotteryError::PrizeCount { .. })
    ));
}
