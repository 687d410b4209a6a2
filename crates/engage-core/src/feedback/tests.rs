use super::*;
use crate::{MemberId, VisitorId};
use proptest::prelude::*;

fn member() -> Option<Voter> {
    Some(Voter::Member(MemberId::parse("alice").unwrap()))
}

fn visitor() -> Option<Voter> {
    Some(Voter::Visitor(
        VisitorId::parse("visitor-01-abcdefghijkl").unwrap(),
    ))
}

fn rules() -> FeedbackRules {
    FeedbackRules {
        categories: ["bug", "idea"]
            .map(|id| FeedbackCategory {
                id: id.into(),
                label: id.to_uppercase(),
            })
            .to_vec(),
        blocked_words: vec!["casino".into(), "sex".into(), "免费领取".into()],
        ..FeedbackRules::default()
    }
}

fn text(text: &str) -> SendFeedback {
    SendFeedback {
        text: text.into(),
        ..SendFeedback::default()
    }
}

/// Checks `request` from a member under `rules` and compares the error's message (or "ok").
fn check(rules: &FeedbackRules, request: SendFeedback, expect: &str) {
    let got = match check_feedback(rules, member(), request.clone()) {
        Ok(_) => "ok".to_owned(),
        Err(e) => e.to_string(),
    };
    assert_eq!(got, expect, "{request:?}");
}

#[test]
fn who_may_send() {
    let rules = rules();
    assert!(check_feedback(&rules, member(), text("hi")).is_ok());
    assert!(check_feedback(&rules, visitor(), text("hi")).is_ok());
    assert_eq!(
        check_feedback(&rules, None, text("hi")),
        Err(FeedbackError::MissingVisitorId)
    );
    let members_only = FeedbackRules {
        anonymous: false,
        ..rules
    };
    assert!(check_feedback(&members_only, member(), text("hi")).is_ok());
    for sender in [visitor(), None] {
        assert_eq!(
            check_feedback(&members_only, sender, text("hi")),
            Err(FeedbackError::MembersOnly)
        );
    }
}

#[test]
fn fields_are_checked_and_named() {
    let stars = rules();
    let nps = FeedbackRules {
        scale: FeedbackScale::Nps,
        ..rules()
    };
    let with = |change: fn(&mut SendFeedback)| {
        let mut request = text("The search is slow");
        change(&mut request);
        request
    };
    check(
        &stars,
        text(""),
        "text must have 1 to 2000 characters after trimming",
    );
    check(
        &stars,
        text(" \n\t "),
        "text must have 1 to 2000 characters after trimming",
    );
    check(&stars, text(&"字".repeat(2000)), "ok");
    check(&stars, text(&format!("  {}  \n", "a".repeat(2000))), "ok");
    check(
        &stars,
        text(&"a".repeat(2001)),
        "text must have 1 to 2000 characters after trimming",
    );
    check(&stars, with(|r| r.rating = Some(5)), "ok");
    check(
        &stars,
        with(|r| r.rating = Some(0)),
        "rating must be between 1 and 5, not 0",
    );
    check(
        &stars,
        with(|r| r.rating = Some(6)),
        "rating must be between 1 and 5, not 6",
    );
    check(
        &stars,
        with(|r| r.rating = Some(-300)),
        "rating must be between 1 and 5, not -300",
    );
    check(
        &stars,
        with(|r| r.nps = Some(9)),
        "nps: this site asks for a star rating (rating, 1 to 5), not an NPS score",
    );
    check(&nps, with(|r| r.nps = Some(0)), "ok");
    check(&nps, with(|r| r.nps = Some(10)), "ok");
    check(
        &nps,
        with(|r| r.nps = Some(11)),
        "nps must be between 0 and 10, not 11",
    );
    check(
        &nps,
        with(|r| r.rating = Some(4)),
        "rating: this site asks for an NPS score (nps, 0 to 10), not stars",
    );
    check(&stars, with(|r| r.category = Some("bug".into())), "ok");
    check(
        &stars,
        with(|r| r.category = Some("Bug".into())),
        "category 'Bug' is not one of this site's categories",
    );
    check(
        &stars,
        with(|r| r.contact = Some("a@example.com".into())),
        "ok",
    );
    check(
        &stars,
        with(|r| r.contact = Some("x".repeat(201))),
        "contact must have at most 200 characters",
    );
    let url_error = "page_url must be an http:// or https:// URL of at most 2000 characters";
    check(
        &stars,
        with(|r| r.page_url = Some("https://forum.example.com/t/1?a=b#c".into())),
        "ok",
    );
    check(
        &stars,
        with(|r| r.page_url = Some("HTTP://localhost:8080/".into())),
        "ok",
    );
    for bad in [
        "javascript:alert(1)",
        "data:text/html,x",
        "ftp://x",
        "https://",
        "https:///x",
        "//x",
        "https://a b",
    ] {
        let mut request = text("hi");
        request.page_url = Some(bad.into());
        check(&stars, request, url_error);
    }
    let mut long_url = text("hi");
    long_url.page_url = Some(format!("https://e.com/{}", "a".repeat(2000)));
    check(&stars, long_url, url_error);
    let mut context = text("hi");
    context.context = Some(serde_json::Map::from_iter([("lang".into(), "en".into())]));
    check(&stars, context.clone(), "ok");
    context.context = Some(serde_json::Map::from_iter([(
        "blob".into(),
        "x".repeat(2048).into(),
    )]));
    check(
        &stars,
        context,
        "context must take at most 2048 bytes as JSON",
    );
}

#[test]
fn accepted_feedback_is_kept_verbatim() {
    let mut request = text("  <script>alert(1)</script>\n  ");
    request.contact = Some(" <b>me</b> ".into());
    request.context = Some(serde_json::Map::from_iter([("a".into(), 1.into())]));
    let accepted = check_feedback(&rules(), member(), request).unwrap();
    assert_eq!(accepted.text, "  <script>alert(1)</script>\n  ");
    assert_eq!(accepted.contact.as_deref(), Some(" <b>me</b> "));
    assert_eq!(accepted.context.as_deref(), Some(r#"{"a":1}"#));
    assert_eq!(accepted.status(), FeedbackStatus::New);
}

#[test]
fn links_are_counted() {
    let check = |text: &str, expect: usize| assert_eq!(count_links(text), expect, "{text}");
    check("no links here", 0);
    check("see https://example.com", 1);
    check("https://www.example.com and www.example.org", 2);
    check("HTTP://A.B HTTPS://C.D WWW.E.F", 3);
    check("ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｃｏｍ", 1);
    check("ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ", 1);
    check("http://a http://b http://c", 3);
    check("https:/ /not-a-link wwwx", 0);
}

#[test]
fn suspect_feedback_is_spam_not_refused() {
    let rules = rules();
    let verdict = |text: &str, contact: Option<&str>| {
        check_feedback(
            &rules,
            member(),
            SendFeedback {
                text: text.into(),
                contact: contact.map(Into::into),
                ..SendFeedback::default()
            },
        )
        .unwrap()
        .spam
        .map(|reason| reason.to_string())
    };
    assert_eq!(verdict("see https://a.b and www.c.d", None), None);
    assert_eq!(
        verdict("https://a.b https://c.d www.e.f", None).as_deref(),
        Some("too many links (3, at most 2)")
    );
    let blocked = Some("blocked word 'casino'");
    assert_eq!(verdict("Best CASINO bonus", None).as_deref(), blocked);
    assert_eq!(verdict("best ｃａｓｉｎｏｓ", None).as_deref(), blocked);
    assert_eq!(verdict("best càsíno", None).as_deref(), blocked);
    assert_eq!(
        verdict("fine text", Some("casino@spam.example")).as_deref(),
        blocked
    );
    assert_eq!(
        verdict("I live in Essex", None),
        None,
        "only where a word starts"
    );
    assert_eq!(
        verdict("SEXY pics", None).as_deref(),
        Some("blocked word 'sex'")
    );
    assert_eq!(
        verdict("点击免费领取大奖", None).as_deref(),
        Some("blocked word '免费领取'")
    );
    let accepted = check_feedback(&rules, member(), text("casino")).unwrap();
    assert_eq!(accepted.status(), FeedbackStatus::Spam);
    assert_eq!(
        FeedbackStatus::Spam.as_seen_by_sender(),
        FeedbackStatus::New
    );
    assert_eq!(
        FeedbackStatus::Done.as_seen_by_sender(),
        FeedbackStatus::Done
    );
}

#[test]
fn replies() {
    assert_eq!(check_reply("Thanks, fixed!"), Ok(()));
    assert_eq!(check_reply("  "), Err(FeedbackError::Reply));
    assert_eq!(check_reply(&"a".repeat(4001)), Err(FeedbackError::Reply));
}

#[test]
fn nps_and_averages() {
    assert_eq!(nps_score(0, 0, 0), None);
    assert_eq!(nps_score(5, 0, 0), Some(100.0));
    assert_eq!(nps_score(0, 3, 0), Some(0.0));
    assert_eq!(nps_score(0, 0, 2), Some(-100.0));
    assert_eq!(nps_score(2, 1, 0), Some(66.7));
    assert_eq!(nps_score(1, 1, 1), Some(0.0));
    assert_eq!(rating_average(0, 0), None);
    assert_eq!(rating_average(14, 3), Some(4.67));
}

fn day(text: &str) -> Date {
    text.parse().unwrap()
}

fn count(on: &str, rating: Option<u8>, nps: Option<u8>, spam: bool, count: u64) -> FeedbackCount {
    FeedbackCount {
        day: day(on),
        rating,
        nps,
        spam,
        count,
    }
}

#[test]
fn stats_by_day_and_week() {
    let counts = [
        count("2026-11-02", Some(5), None, false, 2),
        count("2026-11-02", Some(2), None, false, 1),
        count("2026-11-03", None, Some(10), false, 3),
        count("2026-11-03", None, Some(3), false, 1),
        count("2026-11-03", Some(1), None, true, 4),
        count("2026-11-09", None, Some(8), false, 1),
        count("2026-12-01", Some(1), None, false, 9),
    ];
    let daily = feedback_stats(
        &counts,
        day("2026-11-02"),
        day("2026-11-09"),
        StatsBucket::Day,
    );
    assert_eq!(daily.buckets.len(), 8);
    assert_eq!(daily.buckets[0].start, day("2026-11-02"));
    assert_eq!(daily.buckets[0].tally.rating_average, Some(4.0));
    assert_eq!(daily.buckets[1].tally.nps, Some(50.0));
    assert_eq!(daily.buckets[1].tally.spam, 4);
    assert_eq!(daily.buckets[2].tally, FeedbackTally::default());
    let totals = &daily.totals;
    assert_eq!((totals.count, totals.spam, totals.ratings), (8, 4, 3));
    assert_eq!(
        (totals.promoters, totals.passives, totals.detractors),
        (3, 1, 1)
    );
    assert_eq!(totals.nps_responses, 5);
    assert_eq!(totals.nps, Some(40.0));
    // 2026-11-04 is a Wednesday: weeks start on the Mondays 11-02 and 11-09.
    let weekly = feedback_stats(
        &counts,
        day("2026-11-04"),
        day("2026-11-09"),
        StatsBucket::Week,
    );
    let starts: Vec<Date> = weekly.buckets.iter().map(|b| b.start).collect();
    assert_eq!(starts, [day("2026-11-02"), day("2026-11-09")]);
    assert_eq!(
        weekly.totals.count, 1,
        "days outside the range are left out"
    );
    assert_eq!(weekly.buckets[1].tally.passives, 1);
    assert_eq!(
        bucket_start(day("2026-11-08"), StatsBucket::Week),
        day("2026-11-02")
    );
    assert_eq!(days_spanned(day("2026-11-02"), day("2026-11-02")), 1);
}

proptest! {
    #[test]
    fn nps_is_between_minus_and_plus_100(promoters in 0u64..1000, passives in 0u64..1000, detractors in 0u64..1000) {
        match nps_score(promoters, passives, detractors) {
            None => prop_assert_eq!(promoters + passives + detractors, 0),
            Some(score) => {
                prop_assert!((-100.0..=100.0).contains(&score));
                prop_assert_eq!(score == 100.0, passives + detractors == 0);
                // Rounded to one decimal, a narrow lead may show as 0.0 but never the wrong sign.
                match promoters.cmp(&detractors) {
                    std::cmp::Ordering::Greater => prop_assert!(score >= 0.0),
                    std::cmp::Ordering::Less => prop_assert!(score <= 0.0),
                    std::cmp::Ordering::Equal => prop_assert_eq!(score, 0.0),
                }
            }
        }
    }

    /// Whatever the scores, the totals are the sum of the buckets and every score lands in one
    /// NPS group.
    #[test]
    fn stats_totals_are_the_sum_of_buckets(
        rows in proptest::collection::vec((0i64..60, proptest::option::of(1u8..=5), proptest::option::of(0u8..=10), any::<bool>(), 1u64..5), 0..40),
        weekly in any::<bool>(),
    ) {
        let from = day("2026-01-01");
        let to = day("2026-01-31");
        let counts: Vec<FeedbackCount> = rows.iter().map(|(offset, rating, nps, spam, count)| FeedbackCount {
            day: from.checked_add(jiff::Span::new().days(*offset)).unwrap(),
            rating: *rating,
            nps: *nps,
            spam: *spam,
            count: *count,
        }).collect();
        let bucket = if weekly { StatsBucket::Week } else { StatsBucket::Day };
        let stats = feedback_stats(&counts, from, to, bucket);
        let sum = |f: fn(&FeedbackTally) -> u64| stats.buckets.iter().map(|b| f(&b.tally)).sum::<u64>();
        prop_assert_eq!(sum(|t| t.count), stats.totals.count);
        prop_assert_eq!(sum(|t| t.spam), stats.totals.spam);
        prop_assert_eq!(sum(|t| t.ratings), stats.totals.ratings);
        let t = &stats.totals;
        prop_assert_eq!(t.promoters + t.passives + t.detractors, t.nps_responses);
        let inside: u64 = counts.iter().filter(|c| c.day <= to).map(|c| c.count).sum();
        prop_assert_eq!(t.count + t.spam, inside);
        prop_assert!(stats.buckets.windows(2).all(|w| w[0].start < w[1].start));
    }

    /// Counting links never panics and a text made of `n` separate links counts `n`.
    #[test]
    fn links_count_what_is_there(n in 0usize..20, noise in "[a-z ]{0,20}") {
        let text: String = (0..n).map(|i| format!("{noise} https://site{i}.example ")).collect();
        prop_assert_eq!(count_links(&text), n);
    }
}
