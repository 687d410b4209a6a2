use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use proptest::prelude::*;

use super::*;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn options(ids: &[&str]) -> Vec<PollOption> {
    ids.iter()
        .map(|id| PollOption {
            id: (*id).to_owned(),
            label: format!("Label of {id}"),
        })
        .collect()
}

fn definition() -> CreatePoll {
    CreatePoll {
        id: "favourite-feature".into(),
        question: "Which feature should we build next?".into(),
        options: options(&["dark-mode", "mobile-app", "events-calendar"]),
        multiple: false,
        max_choices: None,
        closes_at: None,
        results: ResultsVisibility::Always,
        anonymous: true,
        allow_change: true,
        points: 5,
        ip_limit: None,
    }
}

fn poll() -> Poll {
    validate_poll(definition()).unwrap()
}

fn member(id: &str) -> Voter {
    Voter::Member(MemberId::parse(id).unwrap())
}

fn visitor(id: &str) -> Voter {
    Voter::Visitor(VisitorId::parse(id).unwrap())
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn set(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn defaults_are_filled_in() {
    let single = poll();
    assert_eq!(single.max_choices, 1);
    assert_eq!(single.ip_limit, DEFAULT_IP_LIMIT);
    let multiple = validate_poll(CreatePoll {
        multiple: true,
        ..definition()
    })
    .unwrap();
    assert_eq!(multiple.max_choices, 3);
}

#[test]
fn text_is_kept_verbatim() {
    let poll = validate_poll(CreatePoll {
        question: "  <b>Which</b> one?\n ".into(),
        options: vec![
            PollOption {
                id: "a".into(),
                label: " <script>x</script> ".into(),
            },
            PollOption {
                id: "b".into(),
                label: "名字 & \"quotes\"".into(),
            },
        ],
        ..definition()
    })
    .unwrap();
    assert_eq!(poll.question, "  <b>Which</b> one?\n ");
    assert_eq!(poll.options[0].label, " <script>x</script> ");
    assert_eq!(poll.options[1].label, "名字 & \"quotes\"");
}

#[test]
fn invalid_definitions_name_the_field() {
    let check = |change: &dyn Fn(&mut CreatePoll), field: &str| {
        let mut definition = definition();
        change(&mut definition);
        let error = validate_poll(definition).expect_err(field);
        assert!(
            error.to_string().starts_with(field),
            "'{error}' should start with '{field}'"
        );
    };
    check(&|d| d.id = "Not A Slug".into(), "id");
    check(&|d| d.id = String::new(), "id");
    check(&|d| d.question = String::new(), "question");
    check(&|d| d.question = " \n ".into(), "question");
    check(&|d| d.question = "q".repeat(501), "question");
    check(&|d| d.options = options(&["only"]), "options");
    check(
        &|d| d.options = options(&(0..21).map(|_| "x").collect::<Vec<_>>()),
        "options",
    );
    check(&|d| d.options[1].id = "Mobile App".into(), "options[1].id");
    check(&|d| d.options[2].id = "dark-mode".into(), "options[2].id");
    check(&|d| d.options[0].label = String::new(), "options[0].label");
    check(
        &|d| d.options[0].label = "l".repeat(201),
        "options[0].label",
    );
    check(&|d| d.max_choices = Some(2), "max_choices");
    check(&|d| d.max_choices = Some(0), "max_choices");
    check(
        &|d| {
            d.multiple = true;
            d.max_choices = Some(4);
        },
        "max_choices",
    );
    check(&|d| d.points = -1, "points");
    check(&|d| d.points = MAX_POINTS + 1, "points");
    check(&|d| d.ip_limit = Some(0), "ip_limit");
    // The limits themselves are accepted.
    let mut edge = definition();
    edge.question = "q".repeat(500);
    edge.options = options(&(0..20).map(|_| "x").collect::<Vec<_>>());
    for (i, option) in edge.options.iter_mut().enumerate() {
        option.id = format!("o{i}");
        option.label = "名".repeat(200);
    }
    edge.points = MAX_POINTS;
    edge.multiple = true;
    edge.max_choices = Some(20);
    assert!(validate_poll(edge).is_ok());
}

#[test]
fn edits() {
    let now = at("2026-11-20T02:00:00Z");
    let poll = poll();
    let mut tally = Tally::default();
    tally.votes.insert("mobile-app".into(), 2);
    let check = |update: UpdatePoll, expect: Result<&dyn Fn(&Poll) -> bool, PollError>| {
        let result = apply_update(&poll, update.clone(), &tally, now);
        match (result, expect) {
            (Ok(updated), Ok(holds)) => assert!(holds(&updated), "{update:?} gave {updated:?}"),
            (Err(error), Err(expected)) => assert_eq!(error, expected, "{update:?}"),
            (other, _) => panic!("{update:?} gave {other:?}"),
        }
    };
    check(UpdatePoll::default(), Ok(&|p| *p == poll));
    check(
        UpdatePoll {
            question: Some("New?".into()),
            points: Some(7),
            ..UpdatePoll::default()
        },
        Ok(&|p| p.question == "New?" && p.points == 7 && p.options == poll.options),
    );
    check(
        UpdatePoll {
            closed: Some(true),
            ..UpdatePoll::default()
        },
        Ok(&|p| p.closes_at == Some(now) && is_closed(p, now)),
    );
    check(
        UpdatePoll {
            closes_at: Some(None),
            ..UpdatePoll::default()
        },
        Ok(&|p| p.closes_at.is_none()),
    );
    // Switching to multiple choice without a maximum allows every option.
    check(
        UpdatePoll {
            multiple: Some(true),
            ..UpdatePoll::default()
        },
        Ok(&|p| p.multiple && p.max_choices == 3),
    );
    // Relabelling, reordering and adding options, and removing one without votes.
    let mut renamed = options(&["events-calendar", "mobile-app", "member-directory"]);
    renamed[1].label = "An app".into();
    check(
        UpdatePoll {
            options: Some(renamed.clone()),
            ..UpdatePoll::default()
        },
        Ok(&|p| p.options == renamed),
    );
    check(
        UpdatePoll {
            options: Some(options(&["dark-mode", "events-calendar"])),
            ..UpdatePoll::default()
        },
        Err(PollError::OptionHasVotes {
            option: "mobile-app".into(),
        }),
    );
    check(
        UpdatePoll {
            closed: Some(false),
            ..UpdatePoll::default()
        },
        Err(PollError::Reopen),
    );
    check(
        UpdatePoll {
            closed: Some(true),
            closes_at: Some(None),
            ..UpdatePoll::default()
        },
        Err(PollError::ClosedAndClosesAt),
    );
    check(
        UpdatePoll {
            max_choices: Some(2),
            ..UpdatePoll::default()
        },
        Err(PollError::MaxChoices {
            max_choices: 2,
            allowed: 1,
        }),
    );
}

#[test]
fn closing_a_closed_poll_keeps_its_close_time() {
    let earlier = at("2026-11-01T00:00:00Z");
    let closed = Poll {
        closes_at: Some(earlier),
        ..poll()
    };
    let update = UpdatePoll {
        closed: Some(true),
        ..UpdatePoll::default()
    };
    let now = at("2026-11-20T02:00:00Z");
    let again = apply_update(&closed, update, &Tally::default(), now).unwrap();
    assert_eq!(again.closes_at, Some(earlier));
}

#[test]
fn update_bodies_tell_null_from_absent() {
    let absent: UpdatePoll = serde_json::from_str(r#"{"points": 3}"#).unwrap();
    assert_eq!(absent.closes_at, None);
    let null: UpdatePoll = serde_json::from_str(r#"{"closes_at": null}"#).unwrap();
    assert_eq!(null.closes_at, Some(None));
    let time: UpdatePoll =
        serde_json::from_str(r#"{"closes_at": "2026-12-01T00:00:00Z"}"#).unwrap();
    assert_eq!(time.closes_at, Some(Some(at("2026-12-01T00:00:00Z"))));
    assert!(serde_json::from_str::<UpdatePoll>(r#"{"id": "x"}"#).is_err());
}

#[test]
#[rustfmt::skip] // One case per line reads as a table.
fn votes() {
    let now = at("2026-11-20T02:00:00Z");
    let base = poll();
    let members_only = Poll { anonymous: false, ..poll() };
    let no_change = Poll { allow_change: false, ..poll() };
    let closed = Poll { closes_at: Some(now), ..poll() };
    let multiple = Poll { multiple: true, max_choices: 2, ..poll() };
    let alice = member("alice");
    let anon = visitor("visitor-1-abcdefghijklmn");
    let previous = set(&["dark-mode"]);
    let check = |poll: &Poll,
                 voter: Option<&Voter>,
                 choices: &[&str],
                 previous: Option<&BTreeSet<String>>,
                 from_ip: u32,
                 expect: Result<VoteDecision, VoteError>| {
        let choices = strings(choices);
        let attempt = VoteAttempt { voter, choices: &choices, previous, anonymous_votes_from_ip: from_ip };
        assert_eq!(check_vote(poll, attempt, now), expect, "{voter:?} {choices:?} {previous:?}");
    };
    use VoteDecision::*;
    use VoteError::*;
    let dark = || Ok(Cast(set(&["dark-mode"])));
    check(&base, Some(&alice), &["dark-mode"], None, 0, dark());
    check(&base, Some(&anon), &["dark-mode"], None, 19, dark());
    check(&base, Some(&anon), &["dark-mode"], None, 20, Err(IpLimitReached { limit: 20 }));
    // Members are not counted against the IP limit.
    check(&base, Some(&alice), &["dark-mode"], None, 500, dark());
    check(&base, None, &["dark-mode"], None, 0, Err(MissingVisitorId));
    check(&members_only, None, &["dark-mode"], None, 0, Err(MembersOnly));
    check(&members_only, Some(&anon), &["dark-mode"], None, 0, Err(MembersOnly));
    check(&members_only, Some(&alice), &["dark-mode"], None, 0, dark());
    check(&base, Some(&alice), &[], None, 0, Err(NoChoice));
    check(&base, Some(&alice), &["nope"], None, 0, Err(InvalidChoice { choice: "nope".into() }));
    check(&multiple, Some(&alice), &["dark-mode", "dark-mode"], None, 0, Err(DuplicateChoice { choice: "dark-mode".into() }));
    check(&base, Some(&alice), &["dark-mode", "mobile-app"], None, 0, Err(TooManyChoices { max: 1, given: 2 }));
    check(&multiple, Some(&alice), &["mobile-app", "dark-mode"], None, 0, Ok(Cast(set(&["dark-mode", "mobile-app"]))));
    check(&multiple, Some(&alice), &["mobile-app", "dark-mode", "events-calendar"], None, 0, Err(TooManyChoices { max: 2, given: 3 }));
    check(&closed, Some(&alice), &["dark-mode"], None, 0, Err(Closed { closed_at: now }));
    // Changing, repeating, and repeating after close.
    check(&base, Some(&alice), &["mobile-app"], Some(&previous), 0, Ok(Change(set(&["mobile-app"]))));
    check(&no_change, Some(&alice), &["mobile-app"], Some(&previous), 0, Err(AlreadyVoted));
    check(&no_change, Some(&alice), &["dark-mode"], Some(&previous), 0, Ok(Unchanged));
    check(&closed, Some(&alice), &["dark-mode"], Some(&previous), 0, Ok(Unchanged));
    check(&closed, Some(&alice), &["mobile-app"], Some(&previous), 0, Err(Closed { closed_at: now }));
    // A changed anonymous vote is not a new vote from the IP.
    check(&base, Some(&anon), &["mobile-app"], Some(&previous), 20, Ok(Change(set(&["mobile-app"]))));
}

#[test]
fn visibility() {
    let now = at("2026-11-20T02:00:00Z");
    let later = at("2026-11-21T02:00:00Z");
    let check = |results, closes_at: Option<Timestamp>, voted, expect| {
        let poll = Poll {
            results,
            closes_at,
            ..poll()
        };
        assert_eq!(
            results_visible(&poll, voted, now),
            expect,
            "{results:?} {closes_at:?} voted={voted}"
        );
    };
    use ResultsVisibility::*;
    check(Always, None, false, true);
    check(AfterVote, None, false, false);
    check(AfterVote, None, true, true);
    check(AfterClose, None, true, false);
    check(AfterClose, Some(later), true, false);
    check(AfterClose, Some(now), false, true);
    check(AfterVote, Some(now), false, true);
}

#[test]
fn views_hide_counts_unless_visible() {
    let now = at("2026-11-20T02:00:00Z");
    let poll = Poll {
        results: ResultsVisibility::AfterVote,
        ..poll()
    };
    let votes = [
        StoredVote {
            voter: member("alice"),
            option: "dark-mode".into(),
        },
        StoredVote {
            voter: visitor("visitor-1-abcdefghijklmn"),
            option: "mobile-app".into(),
        },
    ];
    let tally = tally(&votes, &poll.options);
    let hidden = poll_view(&poll, &tally, &BTreeSet::new(), now);
    assert!(!hidden.results_visible);
    assert_eq!(hidden.total_votes, None);
    assert!(hidden.options.iter().all(|o| o.votes.is_none()));
    assert!(hidden.my_choices.is_empty());
    let json = serde_json::to_value(&hidden).unwrap();
    assert!(json.get("total_votes").is_none());
    assert!(json["options"][0].get("votes").is_none());
    assert_eq!(json["closes_at"], serde_json::Value::Null);
    assert_eq!(json["results"], "after_vote");

    let shown = poll_view(&poll, &tally, &set(&["dark-mode"]), now);
    assert!(shown.results_visible);
    assert_eq!(shown.total_votes, Some(2));
    let counts: Vec<_> = shown.options.iter().map(|o| o.votes).collect();
    assert_eq!(counts, [Some(1), Some(1), Some(0)]);
    assert_eq!(shown.my_choices, ["dark-mode"]);
    assert_eq!(shown.ip_limit, None);

    let owner = owner_poll_view(&poll, &tally, now);
    assert!(owner.results_visible);
    assert_eq!(owner.total_votes, Some(2));
    assert_eq!(owner.ip_limit, Some(DEFAULT_IP_LIMIT));
}

/// One step of a random history: a voter (0–5 members, 6–11 visitors) sends choices.
fn arb_step() -> impl Strategy<Value = (usize, Vec<usize>)> {
    (0..12usize, prop::collection::vec(0..4usize, 0..4))
}

proptest! {
    /// Whatever sequence of casts, changes and refusals, the tally of the stored rows counts each
    /// option once per voter whose current vote holds it, and `voters` is the distinct voters.
    #[test]
    fn the_tally_counts_stored_choices(
        steps in prop::collection::vec(arb_step(), 0..60),
        multiple in any::<bool>(),
        allow_change in any::<bool>(),
        ip_limit in 1u32..8,
    ) {
        let poll = Poll {
            options: options(&["a", "b", "c", "d"]),
            multiple,
            max_choices: if multiple { 3 } else { 1 },
            allow_change,
            ip_limit,
            ..poll()
        };
        let now = at("2026-11-20T02:00:00Z");
        let ids = ["a", "b", "c", "d", "zz"];
        // The store: rows of (voter, option), replaced as the decisions say.
        let mut rows: Vec<StoredVote> = Vec::new();
        // What each voter's current vote is, kept apart from the rows.
        let mut current: BTreeMap<Voter, BTreeSet<String>> = BTreeMap::new();
        for (who, picks) in steps {
            let voter = if who < 6 {
                member(&format!("m{who}"))
            } else {
                visitor(&format!("visitor-{who}-abcdefghijklmn"))
            };
            let choices: Vec<String> = picks.iter().map(|&i| ids[i].to_owned()).collect();
            let previous = current.get(&voter).cloned();
            let from_ip = u32::try_from(
                current.keys().filter(|v| matches!(v, Voter::Visitor(_))).count(),
            ).unwrap();
            let attempt = VoteAttempt {
                voter: Some(&voter),
                choices: &choices,
                previous: previous.as_ref(),
                anonymous_votes_from_ip: from_ip,
            };
            match check_vote(&poll, attempt, now) {
                Ok(VoteDecision::Cast(chosen) | VoteDecision::Change(chosen)) => {
                    prop_assert!(!chosen.is_empty());
                    prop_assert!(chosen.len() <= poll.max_choices as usize);
                    rows.retain(|row| row.voter != voter);
                    rows.extend(chosen.iter().map(|option| StoredVote {
                        voter: voter.clone(),
                        option: option.clone(),
                    }));
                    current.insert(voter, chosen);
                }
                Ok(VoteDecision::Unchanged) => {
                    prop_assert_eq!(previous.as_ref(), Some(&validate_choices(&poll, &choices).unwrap()));
                }
                Err(VoteError::AlreadyVoted) => prop_assert!(!allow_change && previous.is_some()),
                Err(VoteError::IpLimitReached { .. }) => prop_assert!(from_ip >= ip_limit),
                Err(_) => {}
            }
        }
        let counted = tally(&rows, &poll.options);
        let mut total_choices = 0;
        for option in &poll.options {
            let holding = current.values().filter(|c| c.contains(&option.id)).count() as u64;
            prop_assert_eq!(counted.votes_for(&option.id), holding, "{}", option.id);
            total_choices += counted.votes_for(&option.id);
        }
        prop_assert_eq!(total_choices, rows.len() as u64);
        prop_assert_eq!(counted.voters, current.len() as u64);
        let anonymous = current.keys().filter(|v| matches!(v, Voter::Visitor(_))).count();
        prop_assert!(anonymous as u32 <= ip_limit);
    }
}
