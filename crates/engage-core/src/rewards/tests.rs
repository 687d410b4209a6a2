use std::collections::BTreeSet;

use jiff::Timestamp;
use proptest::prelude::*;

use super::*;
use crate::api::rewards::{CreateReward, RedemptionStatus, RewardKind, UpdateReward};
use crate::ledger::{Entry, Ledger, Source};

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn definition(kind: RewardKind) -> CreateReward {
    CreateReward {
        id: "sticker-pack".into(),
        name: "Sticker pack".into(),
        description: Some("Five stickers".into()),
        image_url: Some("/img/stickers.png".into()),
        price: 30,
        stock: if kind == RewardKind::Code {
            None
        } else {
            Some(10)
        },
        per_member: Some(2),
        opens_at: Some(at("2026-11-01T00:00:00Z")),
        closes_at: Some(at("2026-12-01T00:00:00Z")),
        kind,
    }
}

fn reward(kind: RewardKind) -> Reward {
    validate_reward(definition(kind)).unwrap()
}

#[test]
fn validation_names_the_field() {
    let check = |edit: fn(&mut CreateReward), field: &str| {
        let mut bad = definition(RewardKind::Item);
        edit(&mut bad);
        let error = validate_reward(bad).unwrap_err().to_string();
        assert!(
            error.starts_with(field),
            "{error} should start with {field}"
        );
    };
    check(|d| d.id = "Bad Id".into(), "id");
    check(|d| d.id = "redemptions".into(), "id");
    check(|d| d.name = "   ".into(), "name");
    check(|d| d.name = "x".repeat(101), "name");
    check(|d| d.description = Some("x".repeat(1001)), "description");
    check(
        |d| d.image_url = Some("javascript:alert(1)".into()),
        "image_url",
    );
    check(|d| d.price = 0, "price");
    check(|d| d.price = -5, "price");
    check(|d| d.stock = Some(MAX_STOCK + 1), "stock");
    check(|d| d.per_member = Some(0), "per_member");
    check(|d| d.closes_at = d.opens_at, "closes_at");
    check(
        |d| {
            d.kind = RewardKind::Code;
            d.stock = Some(3);
        },
        "stock",
    );
    assert!(validate_reward(definition(RewardKind::Code)).is_ok());
    let mut unlimited = definition(RewardKind::Item);
    unlimited.stock = None;
    unlimited.per_member = None;
    unlimited.opens_at = None;
    unlimited.closes_at = None;
    assert!(validate_reward(unlimited).is_ok());
}

#[test]
fn an_edit_is_checked_like_a_new_reward() {
    let current = reward(RewardKind::Item);
    let edited = update_reward(
        &current,
        UpdateReward {
            price: Some(40),
            stock: Some(None),
            description: Some(None),
            archived: Some(true),
            ..UpdateReward::default()
        },
    )
    .unwrap();
    assert_eq!(edited.price, 40);
    assert_eq!(edited.stock, None);
    assert_eq!(edited.description, None);
    assert!(edited.archived);
    assert_eq!(edited.name, current.name);
    let refused = update_reward(
        &current,
        UpdateReward {
            price: Some(0),
            ..UpdateReward::default()
        },
    );
    assert_eq!(refused, Err(RewardError::Price { price: 0 }));
    let code = reward(RewardKind::Code);
    let refused = update_reward(
        &code,
        UpdateReward {
            stock: Some(Some(5)),
            ..UpdateReward::default()
        },
    );
    assert_eq!(refused, Err(RewardError::CodeStock));
}

fn attempt(balance: i64, redeemed_by_member: u32, codes_left: u32) -> RedeemAttempt {
    RedeemAttempt {
        balance,
        redeemed_by_member,
        codes_left,
    }
}

#[test]
fn redemption_decisions() {
    let item = reward(RewardKind::Item);
    let open = at("2026-11-20T00:00:00Z");
    assert_eq!(
        decide_redemption(&item, attempt(100, 0, 0), at("2026-10-31T23:59:59Z")),
        Err(RedeemError::NotOpen {
            opens_at: at("2026-11-01T00:00:00Z")
        })
    );
    assert_eq!(
        decide_redemption(&item, attempt(100, 0, 0), at("2026-12-01T00:00:00Z")),
        Err(RedeemError::Closed)
    );
    assert_eq!(
        decide_redemption(&item, attempt(29, 0, 0), open),
        Err(RedeemError::InsufficientPoints {
            price: 30,
            balance: 29
        })
    );
    assert_eq!(
        decide_redemption(&item, attempt(100, 2, 0), open),
        Err(RedeemError::LimitReached { limit: 2 })
    );
    let mut sold_out = item.clone();
    sold_out.stock = Some(0);
    // Out of stock is said before the limit and the balance: nothing the member can change.
    assert_eq!(
        decide_redemption(&sold_out, attempt(0, 2, 0), open),
        Err(RedeemError::OutOfStock)
    );
    let decided = decide_redemption(&item, attempt(30, 1, 0), open).unwrap();
    assert_eq!(
        decided,
        RedeemDecision {
            price: 30,
            takes_stock: true,
            takes_code: false,
            grants_freeze: false,
            status: RedemptionStatus::Pending,
        }
    );
    let code = reward(RewardKind::Code);
    assert_eq!(
        decide_redemption(&code, attempt(100, 0, 0), open),
        Err(RedeemError::OutOfStock)
    );
    let decided = decide_redemption(&code, attempt(100, 0, 1), open).unwrap();
    assert!(decided.takes_code && !decided.takes_stock);
    assert_eq!(decided.status, RedemptionStatus::Fulfilled);
    let mut freeze = reward(RewardKind::StreakFreeze);
    freeze.stock = None;
    let decided = decide_redemption(&freeze, attempt(100, 0, 0), open).unwrap();
    assert!(decided.grants_freeze && !decided.takes_stock && !decided.takes_code);
    assert_eq!(decided.status, RedemptionStatus::Fulfilled);
}

fn state(status: RedemptionStatus, kind: RewardKind, freezes_held: u32) -> RedemptionState {
    RedemptionState {
        status,
        kind,
        price: 30,
        finite_stock: true,
        freezes_held,
    }
}

#[test]
fn status_changes() {
    use RedemptionStatus::{Cancelled, Fulfilled, Pending};
    let item = |status| state(status, RewardKind::Item, 0);
    assert_eq!(
        decide_status_change(item(Pending), Fulfilled),
        Ok(StatusChange::Fulfil)
    );
    assert_eq!(
        decide_status_change(item(Fulfilled), Fulfilled),
        Ok(StatusChange::Unchanged)
    );
    assert_eq!(
        decide_status_change(item(Pending), Cancelled),
        Ok(StatusChange::Cancel {
            refund: 30,
            returns_stock: true,
            takes_back_freeze: false
        })
    );
    // Cancelling again is a repeat: no second refund.
    assert_eq!(
        decide_status_change(item(Cancelled), Cancelled),
        Ok(StatusChange::Unchanged)
    );
    assert_eq!(
        decide_status_change(item(Cancelled), Fulfilled),
        Err(StatusError::Cancelled { to: Fulfilled })
    );
    assert_eq!(
        decide_status_change(item(Fulfilled), Pending),
        Err(StatusError::BackToPending)
    );
    // A code never goes back to the pool.
    assert_eq!(
        decide_status_change(state(Fulfilled, RewardKind::Code, 0), Cancelled),
        Ok(StatusChange::Cancel {
            refund: 30,
            returns_stock: false,
            takes_back_freeze: false
        })
    );
    // A used freeze cannot be cancelled; a held one can.
    assert_eq!(
        decide_status_change(state(Fulfilled, RewardKind::StreakFreeze, 0), Cancelled),
        Err(StatusError::FreezeUsed)
    );
    assert_eq!(
        decide_status_change(state(Fulfilled, RewardKind::StreakFreeze, 1), Cancelled),
        Ok(StatusChange::Cancel {
            refund: 30,
            returns_stock: true,
            takes_back_freeze: true
        })
    );
}

#[test]
fn codes_from_lines_and_csv() {
    let text =
        "\u{feff}AAA-1\r\n\r\n  BBB-2  \n\"CC,C\",first column only\nDDD,extra\n\"E\"\"E\"\n";
    let codes: Vec<(usize, String)> = clean_codes(
        codes_from_text(text)
            .iter()
            .map(|(line, code)| (*line, code.as_str())),
    )
    .unwrap();
    assert_eq!(
        codes,
        vec![
            (1, "AAA-1".to_owned()),
            (3, "BBB-2".to_owned()),
            (4, "CC,C".to_owned()),
            (5, "DDD".to_owned()),
            (6, "E\"E".to_owned()),
        ]
    );
    assert_eq!(clean_codes([(1, "  "), (2, "")]), Err(CodeError::Empty));
    assert_eq!(
        clean_codes([(1, "ok"), (2, "bad\u{7}code")]),
        Err(CodeError::Invalid { index: 1, line: 2 })
    );
    let long = "x".repeat(MAX_CODE_CHARS + 1);
    assert!(clean_codes([(1, long.as_str())]).is_err());
}

#[test]
fn idempotency_keys() {
    assert!(idempotency_key_ok("click-1f3a"));
    assert!(!idempotency_key_ok(""));
    assert!(!idempotency_key_ok("has space"));
    assert!(!idempotency_key_ok(&"k".repeat(101)));
}

/// One redemption request in a simulated shop: who asks.
#[derive(Debug, Clone, Copy)]
enum Step {
    Redeem { member: usize },
    Cancel { redemption: usize },
    Fulfil { redemption: usize },
}

fn arb_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0usize..5).prop_map(|member| Step::Redeem { member }),
        1 => (0usize..40).prop_map(|redemption| Step::Cancel { redemption }),
        1 => (0usize..40).prop_map(|redemption| Step::Fulfil { redemption }),
    ]
}

/// A redemption in the simulation.
struct Simulated {
    member: usize,
    status: RedemptionStatus,
    code: Option<usize>,
}

proptest! {
    /// Any sequence of redemptions, fulfilments and cancellations, applied as the decisions
    /// say with the ledger in memory: the stock never goes below zero and units given out plus
    /// units left is the stock at the start; no member passes the limit; no code goes to two
    /// redemptions; balances never go negative and equal points given minus price of every
    /// redemption not cancelled; each cancellation refunds exactly once.
    #[test]
    fn stock_limits_codes_and_refunds_hold(
        kind in prop_oneof![Just(RewardKind::Item), Just(RewardKind::Code)],
        stock in 0u32..8,
        per_member in prop::option::of(1u32..4),
        gifts in prop::collection::vec(0i64..120, 5),
        steps in prop::collection::vec(arb_step(), 0..60),
    ) {
        let mut reward = reward(kind);
        reward.stock = (kind == RewardKind::Item).then_some(stock);
        reward.per_member = per_member;
        let now = at("2026-11-20T00:00:00Z");
        let mut ledgers: Vec<Ledger> = gifts
            .iter()
            .map(|&gift| {
                let mut ledger = Ledger::new();
                ledger.apply(Entry { source: Source::HostEvent, amount: gift, key: "gift".into() }).unwrap();
                ledger
            })
            .collect();
        let pool = stock as usize;
        let mut next_code = 0usize;
        let mut left = stock;
        let mut redemptions: Vec<Simulated> = Vec::new();
        for step in steps {
            match step {
                Step::Redeem { member } => {
                    let mine = redemptions.iter()
                        .filter(|r| r.member == member && r.status != RedemptionStatus::Cancelled)
                        .count() as u32;
                    let codes_left = (pool - next_code) as u32;
                    let attempt = RedeemAttempt {
                        balance: ledgers[member].balance(),
                        redeemed_by_member: mine,
                        codes_left,
                    };
                    let Ok(decision) = decide_redemption(&reward, attempt, now) else { continue };
                    let key = format!("redemption:{}", redemptions.len());
                    ledgers[member]
                        .apply(Entry { source: Source::Redemption, amount: -decision.price, key })
                        .expect("a decision never overspends");
                    if decision.takes_stock {
                        left -= 1;
                        reward.stock = Some(left);
                    }
                    let code = decision.takes_code.then(|| {
                        next_code += 1;
                        next_code - 1
                    });
                    redemptions.push(Simulated { member, status: decision.status, code });
                }
                Step::Cancel { redemption } | Step::Fulfil { redemption } => {
                    let Some(r) = redemptions.get_mut(redemption) else { continue };
                    let to = if matches!(step, Step::Cancel { .. }) {
                        RedemptionStatus::Cancelled
                    } else {
                        RedemptionStatus::Fulfilled
                    };
                    let current = RedemptionState {
                        status: r.status,
                        kind,
                        price: reward.price,
                        finite_stock: reward.stock.is_some(),
                        freezes_held: 0,
                    };
                    match decide_status_change(current, to) {
                        Ok(StatusChange::Cancel { refund, returns_stock, .. }) => {
                            let key = format!("redemption:{redemption}:refund");
                            ledgers[r.member]
                                .apply(Entry { source: Source::Redemption, amount: refund, key })
                                .unwrap();
                            if returns_stock {
                                left += 1;
                                reward.stock = Some(left);
                            }
                            r.status = RedemptionStatus::Cancelled;
                        }
                        Ok(StatusChange::Fulfil) => r.status = RedemptionStatus::Fulfilled,
                        Ok(StatusChange::Unchanged) | Err(_) => {}
                    }
                }
            }
        }
        let active = |r: &&Simulated| r.status != RedemptionStatus::Cancelled;
        let active_ref = |r: &&&Simulated| r.status != RedemptionStatus::Cancelled;
        match kind {
            RewardKind::Item => {
                prop_assert_eq!(left as usize + redemptions.iter().filter(active).count(), stock as usize);
            }
            _ => {
                // Codes are never put back: given out plus unused is the pool, cancelled or not.
                prop_assert!(redemptions.len() <= pool);
                let codes: BTreeSet<usize> = redemptions.iter().filter_map(|r| r.code).collect();
                prop_assert_eq!(codes.len(), redemptions.len());
            }
        }
        for (member, ledger) in ledgers.iter().enumerate() {
            let mine: Vec<&Simulated> = redemptions.iter().filter(|r| r.member == member).collect();
            if let Some(limit) = per_member {
                prop_assert!(mine.iter().filter(active_ref).count() as u32 <= limit);
            }
            let kept = mine.iter().filter(active_ref).count() as i64;
            prop_assert!(ledger.balance() >= 0);
            prop_assert_eq!(ledger.balance(), gifts[member] - kept * reward.price);
            let refunds = ledger.entries().iter().filter(|e| e.amount > 0 && e.source == Source::Redemption).count();
            prop_assert_eq!(refunds, mine.len() - kept as usize);
        }
    }
}
