//! The JSON request bodies: every request shape of `engage_core::api` (and the server's own)
//! read with serde_json from the same bytes, then handed to the check the server runs on it,
//! against a fixed poll, lottery, rules and clock. Also the lottery proof that
//! `engage-server verify-lottery` and the verify page read from anywhere.

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::sync::LazyLock;

use engage_core::api::feedback::{SendFeedback, SendReply, UpdateFeedback};
use engage_core::api::lottery::{CreateLottery, LotteryProof};
use engage_core::api::{CreatePoll, MakeupRequest, PollOption, UpdatePoll, VoteRequest};
use engage_core::checkin::makeup_cost;
use engage_core::feedback::{FeedbackRules, check_feedback, check_reply};
use engage_core::jiff::Timestamp;
use engage_core::jiff::civil::{Date, date};
use engage_core::lottery::{
    Outcome, PrizeStock, Seed, SpinAttempt, decide_entry, decide_spin, draw_winners, lottery_view,
    validate_lottery, verify_proof,
};
use engage_core::poll::{
    MAX_OPTIONS, MIN_OPTIONS, Poll, StoredVote, Tally, VoteAttempt, VoteDecision, Voter,
    apply_update, check_vote, owner_poll_view, poll_view, tally, validate_poll,
};
use engage_core::rules::{Rules, RulesFormat, parse_rules};
use engage_core::{MemberId, VisitorId};
use engage_server::extract::JsonObject;
use engage_server::routes::admin::SetWebhook;
use engage_server::routes::demo::DemoTokenRequest;
use engage_server::routes::events::HostEventRequest;
use engage_server::webhooks::valid_webhook_url;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The fixed world the bodies meet.
struct World {
    now: Timestamp,
    today: Date,
    /// Stars, anonymous, no categories (the defaults); and NPS, members only, categories and
    /// blocked words.
    rules: [Rules; 2],
    /// Multiple choice (at most 2 of `a`, `b`, `c`), anonymous, changes allowed.
    poll: Poll,
    /// One vote each for `a` and `b`.
    tally: Tally,
    voters: [Option<Voter>; 3],
    seed: Seed,
}

static WORLD: LazyLock<World> = LazyLock::new(|| {
    let strict = r#"
[feedback]
anonymous = false
scale = "nps"
max_length = 50
max_links = 0
blocked_words = ["casino", "ｖｉａｇｒａ"]
categories = [{ id = "bug", label = "Bug" }, { id = "idea", label = "Idea" }]
"#;
    let option = |id: &str| PollOption {
        id: id.to_owned(),
        label: id.to_uppercase(),
    };
    let poll = validate_poll(CreatePoll {
        id: "feature".into(),
        question: "Which one?".into(),
        options: vec![option("a"), option("b"), option("c")],
        multiple: true,
        max_choices: Some(2),
        closes_at: None,
        results: Default::default(),
        anonymous: true,
        allow_change: true,
        points: 5,
        ip_limit: None,
    })
    .expect("the fixture poll is valid");
    let member = Voter::Member(MemberId::parse("alice").expect("a member id"));
    let visitor = Voter::Visitor(VisitorId::parse("v-0123456789abcdefghijkl").expect("an id"));
    let votes = [
        StoredVote {
            voter: member.clone(),
            option: "a".into(),
        },
        StoredVote {
            voter: visitor.clone(),
            option: "b".into(),
        },
    ];
    World {
        now: "2026-11-20T02:00:00Z".parse().expect("an instant"),
        today: date(2026, 11, 20),
        rules: [
            Rules::default(),
            parse_rules(strict, RulesFormat::Toml).expect("the fixture rules are valid"),
        ],
        tally: tally(&votes, &poll.options),
        poll,
        voters: [None, Some(member), Some(visitor)],
        seed: Seed::from_bytes([7; 32]),
    }
});

/// Reads `data` as every request body and checks what each check accepts.
pub fn check_bodies(data: &[u8]) {
    let world = &*WORLD;
    if let Some(request) = read::<MakeupRequest>(data) {
        let days: BTreeSet<Date> = [date(2026, 11, 1), date(2026, 11, 18)].into();
        let checkin = &world.rules[0].checkin;
        if let Ok(cost) = makeup_cost(checkin, &days, world.today, request.date, 0, 1_000) {
            assert_eq!(cost, checkin.makeup.cost);
            assert!(request.date < world.today && !days.contains(&request.date));
        }
    }
    if let Some(definition) = read::<CreatePoll>(data)
        && let Ok(poll) = validate_poll(definition)
    {
        check_poll(&poll);
        let empty = tally(&[], &poll.options);
        owner_poll_view(&poll, &empty, world.now);
        poll_view(&poll, &empty, &BTreeSet::new(), world.now);
        let unchanged = apply_update(&poll, UpdatePoll::default(), &empty, world.now);
        assert_eq!(
            unchanged.as_ref(),
            Ok(&poll),
            "an empty edit changed the poll"
        );
    }
    if let Some(update) = read::<UpdatePoll>(data)
        && let Ok(poll) = apply_update(&world.poll, update, &world.tally, world.now)
    {
        check_poll(&poll);
        assert_eq!(poll.id, world.poll.id);
        for voted in ["a", "b"] {
            assert!(
                poll.options.iter().any(|o| o.id == voted),
                "{voted} removed"
            );
        }
    }
    if let Some(request) = read::<VoteRequest>(data) {
        check_votes(world, &request.choices);
    }
    if let Some(definition) = read::<CreateLottery>(data)
        && let Ok(lottery) = validate_lottery(definition)
    {
        check_lottery(world, &lottery);
    }
    if let Some(request) = body::<SendFeedback>(data) {
        // Not compared after a round trip: `context` may hold floats, which serde_json reads
        // back only to within a unit in the last place.
        check_sent_feedback(world, &request);
    }
    read::<UpdateFeedback>(data);
    if let Some(reply) = read::<SendReply>(data)
        && check_reply(&reply.text).is_ok()
    {
        assert!(!reply.text.trim().is_empty());
    }
    // `verify-lottery` reads a proof as any JSON document, not as a request body.
    if let Ok(proof) = serde_json::from_slice::<LotteryProof>(data) {
        let report = verify_proof(&proof);
        assert!(report.spins_checked <= proof.spins.len());
        report
            .mismatches
            .iter()
            .for_each(|m| assert!(!m.to_string().is_empty()));
    }
    // The server's own request shapes: only reading, plus the webhook URL check.
    if let Some(request) = body::<SetWebhook>(data) {
        valid_webhook_url(request.url.trim());
    }
    body::<HostEventRequest>(data);
    body::<DemoTokenRequest>(data);
}

/// Reads `T` from `data` as the server reads a request body (a JSON object only).
fn body<T: DeserializeOwned>(data: &[u8]) -> Option<T> {
    serde_json::from_slice::<JsonObject<T>>(data)
        .ok()
        .map(|JsonObject(value)| value)
}

/// Reads `T` as a request body; what reads must write back as JSON that reads as the same
/// value (this covers the hand-written date and instant codecs).
fn read<T: DeserializeOwned + Serialize + PartialEq + Debug>(data: &[u8]) -> Option<T> {
    let value: T = body(data)?;
    let json = serde_json::to_string(&value).expect("a request serializes");
    let again: T = body(json.as_bytes()).unwrap_or_else(|| panic!("{json} does not read back"));
    assert_eq!(again, value, "changed through JSON: {json}");
    Some(value)
}

/// What `validate_poll` promises of a poll it accepts.
fn check_poll(poll: &Poll) {
    let options = poll.options.len();
    assert!(
        (MIN_OPTIONS..=MAX_OPTIONS).contains(&options),
        "{options} options"
    );
    let allowed = if poll.multiple { options } else { 1 };
    assert!((1..=allowed).contains(&(poll.max_choices as usize)));
    assert!(poll.ip_limit >= 1);
}

fn check_votes(world: &World, choices: &[String]) {
    let previous: BTreeSet<String> = ["a".to_owned()].into();
    for voter in &world.voters {
        for previous in [None, Some(&previous)] {
            let attempt = VoteAttempt {
                voter: voter.as_ref(),
                choices,
                previous,
                anonymous_votes_from_ip: 3,
            };
            match check_vote(&world.poll, attempt, world.now) {
                Ok(VoteDecision::Cast(chosen) | VoteDecision::Change(chosen)) => {
                    assert!(voter.is_some());
                    assert!((1..=world.poll.max_choices as usize).contains(&chosen.len()));
                    assert!(
                        chosen
                            .iter()
                            .all(|c| world.poll.options.iter().any(|o| o.id == *c))
                    );
                    assert_eq!(
                        chosen.len(),
                        choices.len(),
                        "a repeated choice was accepted"
                    );
                }
                Ok(VoteDecision::Unchanged) => assert_eq!(previous.map(BTreeSet::len), Some(1)),
                Err(error) => assert!(!error.to_string().is_empty()),
            }
        }
    }
}

/// A lottery `validate_lottery` accepted, opened and spun: a spin never wins a prize that is
/// gone or weighs nothing.
fn check_lottery(world: &World, lottery: &engage_core::lottery::Lottery) {
    let stock: Vec<PrizeStock> = lottery
        .prizes
        .iter()
        .enumerate()
        .map(|(i, prize)| PrizeStock {
            weight: prize.weight,
            // Every other prize is gone.
            left: if i % 2 == 0 { prize.stock } else { 0 },
        })
        .collect();
    let lefts: Vec<u32> = stock.iter().map(|s| s.left).collect();
    let seed = Some(&world.seed);
    for now in [lottery.opens_at, world.now, lottery.closes_at] {
        lottery_view(lottery, &lefts, seed, None, now);
        let attempt = SpinAttempt {
            seed,
            closed_at: None,
            member: "alice",
            spin: 1,
            spins_today: 0,
            balance: 1_000_000,
            stock: &stock,
        };
        if let Ok(Outcome::Prize(index)) = decide_spin(lottery, attempt, now) {
            assert!(
                stock[index].left > 0 && stock[index].weight > 0,
                "prize {index} won"
            );
        }
        let _ = decide_entry(lottery, seed, None, false, 1_000_000, now);
    }
    let winners = draw_winners(
        &world.seed,
        lottery.id.as_str(),
        ["a", "b", "c"],
        lottery.winners,
    );
    assert!(winners.len() <= 3 && winners.len() <= lottery.winners as usize);
}

fn check_sent_feedback(world: &World, request: &SendFeedback) {
    for rules in &world.rules {
        let feedback: &FeedbackRules = &rules.feedback;
        for sender in &world.voters {
            let Ok(accepted) = check_feedback(feedback, sender.clone(), request.clone()) else {
                continue;
            };
            assert_eq!(accepted.text, request.text);
            let length = accepted.text.trim().chars().count();
            assert!(length >= 1 && length <= feedback.max_length as usize);
            assert!(accepted.rating.is_none_or(|r| (1..=5).contains(&r)));
            assert!(accepted.nps.is_none_or(|n| n <= 10));
            assert!(accepted.context.as_ref().is_none_or(|c| c.len() <= 2048));
        }
    }
}
