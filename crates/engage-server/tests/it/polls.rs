//! Polls: the owner's API, voting by members and visitors, visibility, points, races, and the
//! live tally stream.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use engage_core::{PollId, SiteId};
use engage_server::store::CountedTable;
use engage_server::{Config, LimitConfig, router};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::{API_KEY, Answer, ORIGIN, TestServer, per_minute};

const ADMIN_POLLS: &str = "/api/v1/admin/sites/forum/polls";

fn poll_path(poll: &str) -> String {
    format!("/api/v1/sites/forum/polls/{poll}")
}

/// Who sends a request.
#[derive(Clone, Copy)]
pub(crate) enum Who<'a> {
    Member(&'a str),
    Visitor(&'a str),
    Nobody,
}

/// A request from `who` (from `ip` when given), with an optional JSON body.
pub(crate) async fn send(
    server: &TestServer,
    method: Method,
    path: &str,
    who: Who<'_>,
    ip: Option<&str>,
    json: Option<Value>,
) -> Answer {
    let mut builder = Request::builder().method(method).uri(path);
    builder = match who {
        Who::Member(member) => builder.header(
            header::AUTHORIZATION,
            format!("Bearer {}", server.token(member)),
        ),
        Who::Visitor(id) => builder.header("X-Engage-Visitor", id),
        Who::Nobody => builder,
    };
    let body = match json {
        Some(json) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    let mut request = builder.body(body).unwrap();
    if let Some(ip) = ip {
        let address: SocketAddr = format!("{ip}:40000").parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(address));
    }
    server.send(request).await
}

pub(crate) async fn vote(
    server: &TestServer,
    poll: &str,
    who: Who<'_>,
    choices: &[&str],
) -> Answer {
    let path = format!("{}/votes", poll_path(poll));
    let body = json!({ "choices": choices });
    send(server, Method::POST, &path, who, None, Some(body)).await
}

async fn view(server: &TestServer, poll: &str, who: Who<'_>) -> Answer {
    send(server, Method::GET, &poll_path(poll), who, None, None).await
}

pub(crate) async fn admin(server: &TestServer, method: Method, path: &str, json: Value) -> Answer {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {API_KEY}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json.to_string()))
        .unwrap();
    server.send(request).await
}

/// Creates a poll: the demo's `favourite-feature` shape, with `changes` merged in.
pub(crate) async fn create(server: &TestServer, changes: Value) -> Answer {
    let mut body = json!({
        "id": "feature",
        "question": "Which feature should we build next?",
        "options": [
            {"id": "dark-mode", "label": "Dark mode"},
            {"id": "mobile-app", "label": "Mobile app"},
            {"id": "events-calendar", "label": "Events calendar"},
        ],
        "multiple": false,
        "max_choices": 1,
        "closes_at": null,
        "results": "always",
        "anonymous": true,
        "allow_change": true,
        "points": 5,
    });
    for (key, value) in changes.as_object().unwrap() {
        body[key] = value.clone();
    }
    let answer = admin(server, Method::POST, ADMIN_POLLS, body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{:?}", answer.body);
    answer
}

async fn edit(server: &TestServer, poll: &str, json: Value) -> Answer {
    let path = format!("{ADMIN_POLLS}/{poll}");
    admin(server, Method::PATCH, &path, json).await
}

fn votes_of(answer: &Answer) -> Vec<Value> {
    answer.body["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|option| option.get("votes").cloned().unwrap_or(Value::Null))
        .collect()
}

/// Asserts that no vote, ledger entry or member is stored for `forum`.
async fn assert_no_votes(server: &TestServer) {
    for table in [
        CountedTable::PollBallots,
        CountedTable::PollVotes,
        CountedTable::Ledger,
        CountedTable::Members,
    ] {
        assert_eq!(server.count(table).await, 0, "{table:?}");
    }
}

#[tokio::test]
async fn the_owner_creates_a_poll() {
    let server = TestServer::new().await;
    let created = create(&server, json!({"ip_limit": 7})).await;
    assert_eq!(created.body["id"], "feature");
    assert_eq!(created.body["max_choices"], 1);
    assert_eq!(created.body["closed"], false);
    assert_eq!(created.body["closes_at"], Value::Null);
    assert_eq!(created.body["results"], "always");
    assert_eq!(created.body["results_visible"], true);
    assert_eq!(created.body["total_votes"], 0);
    assert_eq!(created.body["points_per_vote"], 5);
    assert_eq!(created.body["ip_limit"], 7);
    assert_eq!(created.body["my_choices"], json!([]));
    assert_eq!(votes_of(&created), [json!(0), json!(0), json!(0)]);

    let fetched = view(&server, "feature", Who::Nobody).await;
    assert_eq!(fetched.status, StatusCode::OK, "{:?}", fetched.body);
    assert_eq!(
        fetched.body["question"],
        "Which feature should we build next?"
    );
    assert_eq!(fetched.body["options"][1]["label"], "Mobile app");
    assert!(fetched.body.get("ip_limit").is_none());
    assert!(fetched.body.get("awarded").is_none());

    let again = admin(
        &server,
        Method::POST,
        ADMIN_POLLS,
        json!({"id": "feature", "question": "Again?", "options": [
            {"id": "a", "label": "A"}, {"id": "b", "label": "B"}]}),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "poll_exists");
    assert_eq!(server.count(CountedTable::Polls).await, 1);
    // Only `id`, `question` and `options` are required.
    let minimal = admin(
        &server,
        Method::POST,
        ADMIN_POLLS,
        json!({"id": "minimal", "question": "?", "options": [
            {"id": "a", "label": "A"}, {"id": "b", "label": "B"}]}),
    )
    .await;
    assert_eq!(minimal.status, StatusCode::CREATED, "{:?}", minimal.body);
    assert_eq!(minimal.body["anonymous"], false);
    assert_eq!(minimal.body["ip_limit"], 20);
}

#[tokio::test]
async fn invalid_polls_are_refused_naming_the_field() {
    let server = TestServer::new().await;
    let two = json!([{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]);
    let base = json!({"id": "p", "question": "Q?", "options": two});
    let with = |key: &str, value: Value| {
        let mut body = base.clone();
        body[key] = value;
        body
    };
    let many: Vec<Value> = (0..21)
        .map(|i| json!({"id": format!("o{i}"), "label": "L"}))
        .collect();
    let cases = [
        (with("id", json!("Not A Slug")), "id"),
        (with("question", json!("")), "question"),
        (with("question", json!("q".repeat(501))), "question"),
        (
            with("options", json!([{"id": "a", "label": "A"}])),
            "options",
        ),
        (with("options", json!(many)), "options"),
        (
            with(
                "options",
                json!([{"id": "a", "label": "A"}, {"id": "a", "label": "B"}]),
            ),
            "options[1].id",
        ),
        (
            with(
                "options",
                json!([{"id": "a", "label": "A"}, {"id": "B!", "label": "B"}]),
            ),
            "options[1].id",
        ),
        (
            with(
                "options",
                json!([{"id": "a", "label": ""}, {"id": "b", "label": "B"}]),
            ),
            "options[0].label",
        ),
        (
            with(
                "options",
                json!([{"id": "a", "label": "l".repeat(201)}, {"id": "b", "label": "B"}]),
            ),
            "options[0].label",
        ),
        (with("max_choices", json!(2)), "max_choices"),
        (with("points", json!(-1)), "points"),
        (with("points", json!(1_000_001)), "points"),
        (with("ip_limit", json!(0)), "ip_limit"),
    ];
    for (body, field) in cases {
        let answer = admin(&server, Method::POST, ADMIN_POLLS, body.clone()).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(answer.code(), "invalid_poll", "{body}");
        let message = answer.body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(field), "'{message}' names {field}");
    }
    // Bodies that are not poll definitions at all.
    let typo = with("multiple_choice", json!(true));
    let answer = admin(&server, Method::POST, ADMIN_POLLS, typo).await;
    assert_eq!(answer.code(), "invalid_body");
    // Without the site's key.
    let answer = server
        .call(Method::POST, ADMIN_POLLS, None, Some(&base.to_string()))
        .await;
    assert_eq!(answer.code(), "missing_api_key");
    let answer = server
        .call_with_key(ADMIN_POLLS, "ek_wrong", &base.to_string())
        .await;
    assert_eq!(answer.code(), "invalid_api_key");
    assert_eq!(server.count(CountedTable::Polls).await, 0);
}

/// Question and labels are owner data: stored and answered exactly as sent.
#[tokio::test]
async fn text_is_stored_verbatim() {
    let server = TestServer::new().await;
    let question = "  <b>Best</b> \"pick\" & 选择?\n";
    let label = " <script>alert(1)</script> ";
    create(
        &server,
        json!({"question": question, "options": [
            {"id": "a", "label": label}, {"id": "b", "label": "名字"}]}),
    )
    .await;
    let fetched = view(&server, "feature", Who::Nobody).await;
    assert_eq!(fetched.body["question"], question);
    assert_eq!(fetched.body["options"][0]["label"], label);
    assert_eq!(fetched.body["options"][1]["label"], "名字");
}

#[tokio::test]
async fn a_member_votes_changes_and_earns_points_once() {
    let server = TestServer::new().await;
    create(&server, json!({})).await;
    let alice = Who::Member("alice");
    let first = vote(&server, "feature", alice, &["mobile-app"]).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(first.body["awarded"], 5);
    assert_eq!(first.body["points"], 5);
    assert_eq!(first.body["my_choices"], json!(["mobile-app"]));
    assert_eq!(first.body["total_votes"], 1);
    assert_eq!(votes_of(&first), [json!(0), json!(1), json!(0)]);

    // The same choices again: nothing changes.
    let repeat = vote(&server, "feature", alice, &["mobile-app"]).await;
    assert_eq!(repeat.status, StatusCode::OK);
    assert_eq!(repeat.body["awarded"], 0);
    assert_eq!(repeat.body["points"], 5);
    assert_eq!(repeat.body["total_votes"], 1);

    // A change replaces the vote in the tally and awards nothing.
    let changed = vote(&server, "feature", alice, &["dark-mode"]).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_eq!(changed.body["awarded"], 0);
    assert_eq!(changed.body["points"], 5);
    assert_eq!(changed.body["my_choices"], json!(["dark-mode"]));
    assert_eq!(votes_of(&changed), [json!(1), json!(0), json!(0)]);
    assert_eq!(changed.body["total_votes"], 1);

    let mine = view(&server, "feature", alice).await;
    assert_eq!(mine.body["my_choices"], json!(["dark-mode"]));
    assert!(mine.body.get("points").is_none());
    let theirs = view(&server, "feature", Who::Member("bob")).await;
    assert_eq!(theirs.body["my_choices"], json!([]));

    let me = server
        .get("/api/v1/sites/forum/me", &server.token("alice"))
        .await;
    assert_eq!(me.body["points"], 5);
    let ledger = me.body["ledger"].as_array().unwrap();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0]["source"], "vote");
    assert_eq!(ledger[0]["key"], "vote:feature");
    assert_eq!(server.count(CountedTable::PollBallots).await, 1);
    assert_eq!(server.count(CountedTable::PollVotes).await, 1);
}

#[tokio::test]
async fn multiple_choice_counts_each_option_and_each_voter_once() {
    let server = TestServer::new().await;
    create(&server, json!({"multiple": true, "max_choices": 2})).await;
    vote(
        &server,
        "feature",
        Who::Member("alice"),
        &["dark-mode", "mobile-app"],
    )
    .await;
    vote(&server, "feature", Who::Member("bob"), &["mobile-app"]).await;
    let answer = vote(
        &server,
        "feature",
        Who::Visitor("visitor-01-abcdefghijkl"),
        &["mobile-app", "events-calendar"],
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    assert_eq!(votes_of(&answer), [json!(1), json!(3), json!(1)]);
    assert_eq!(answer.body["total_votes"], 3);
    assert_eq!(
        answer.body["my_choices"],
        json!(["mobile-app", "events-calendar"])
    );
    // Choices come back in option order, whatever order they were sent in.
    let alice = vote(
        &server,
        "feature",
        Who::Member("alice"),
        &["mobile-app", "dark-mode"],
    )
    .await;
    assert_eq!(alice.body["my_choices"], json!(["dark-mode", "mobile-app"]));
    assert_eq!(alice.body["awarded"], 0);
}

/// Every refusal has its status and code, and stores nothing.
#[tokio::test]
async fn refused_votes_store_nothing() {
    let server = TestServer::new().await;
    create(&server, json!({"multiple": true, "max_choices": 2})).await;
    create(&server, json!({"id": "members", "anonymous": false})).await;
    create(
        &server,
        json!({"id": "closed", "closes_at": "2026-11-01T00:00:00Z"}),
    )
    .await;
    let alice = Who::Member("alice");
    let anon = Who::Visitor("visitor-01-abcdefghijkl");
    let long_id = "v".repeat(65);
    let (unprocessable, conflict) = (StatusCode::UNPROCESSABLE_ENTITY, StatusCode::CONFLICT);
    let (bad_request, unauthorized) = (StatusCode::BAD_REQUEST, StatusCode::UNAUTHORIZED);
    #[rustfmt::skip] // One case per line reads as a table.
    let cases: [(&str, Who, &[&str], StatusCode, &str); 14] = [
        ("feature", alice, &["nope"], unprocessable, "invalid_choice"),
        ("feature", alice, &["dark-mode", "dark-mode"], unprocessable, "invalid_choice"),
        ("feature", alice, &[], unprocessable, "no_choice"),
        ("feature", alice, &["dark-mode", "mobile-app", "events-calendar"], unprocessable, "too_many_choices"),
        ("closed", alice, &["dark-mode"], conflict, "poll_closed"),
        ("closed", anon, &["dark-mode"], conflict, "poll_closed"),
        ("members", Who::Nobody, &["dark-mode"], unauthorized, "members_only"),
        ("members", anon, &["dark-mode"], unauthorized, "members_only"),
        ("feature", Who::Nobody, &["dark-mode"], bad_request, "missing_visitor_id"),
        ("feature", Who::Visitor("short"), &["dark-mode"], bad_request, "missing_visitor_id"),
        ("feature", Who::Visitor("has spaces in it"), &["dark-mode"], bad_request, "missing_visitor_id"),
        ("feature", Who::Visitor(&long_id), &["dark-mode"], bad_request, "missing_visitor_id"),
        ("nope", alice, &["dark-mode"], StatusCode::NOT_FOUND, "poll_not_found"),
        ("Not%20A%20Slug", alice, &["dark-mode"], StatusCode::NOT_FOUND, "poll_not_found"),
    ];
    for (poll, who, choices, status, code) in cases {
        let answer = vote(&server, poll, who, choices).await;
        assert_eq!(
            answer.status, status,
            "{poll} {choices:?}: {:?}",
            answer.body
        );
        assert_eq!(answer.code(), code, "{poll} {choices:?}");
    }
    let unknown_site = server
        .call(
            Method::POST,
            "/api/v1/sites/nope/polls/feature/votes",
            None,
            Some(r#"{"choices": ["dark-mode"]}"#),
        )
        .await;
    assert_eq!(unknown_site.code(), "site_not_found");
    let bad_body = server
        .post(
            &format!("{}/votes", poll_path("feature")),
            &server.token("alice"),
            Some(r#"{"choice": "dark-mode"}"#),
        )
        .await;
    assert_eq!(bad_body.code(), "invalid_body");
    let bad_token = server
        .post(
            &format!("{}/votes", poll_path("feature")),
            "not-a-token",
            Some(r#"{"choices": ["dark-mode"]}"#),
        )
        .await;
    assert_eq!(bad_token.code(), "invalid_token");
    assert_eq!(
        view(&server, "nope", Who::Nobody).await.code(),
        "poll_not_found"
    );
    assert_no_votes(&server).await;
}

#[tokio::test]
async fn a_final_vote_cannot_be_changed() {
    let server = TestServer::new().await;
    create(&server, json!({"allow_change": false})).await;
    let alice = Who::Member("alice");
    assert_eq!(
        vote(&server, "feature", alice, &["dark-mode"]).await.status,
        StatusCode::OK
    );
    let refused = vote(&server, "feature", alice, &["mobile-app"]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.code(), "already_voted");
    // A retry of the stored vote is still fine.
    let retry = vote(&server, "feature", alice, &["dark-mode"]).await;
    assert_eq!(retry.status, StatusCode::OK);
    assert_eq!(votes_of(&retry), [json!(1), json!(0), json!(0)]);
    assert_eq!(server.count(CountedTable::PollVotes).await, 1);
    assert_eq!(server.count(CountedTable::Ledger).await, 1);
}

#[tokio::test]
async fn anonymous_votes_are_keyed_by_visitor_and_capped_per_ip() {
    let server = TestServer::new().await;
    create(&server, json!({"ip_limit": 2})).await;
    let path = format!("{}/votes", poll_path("feature"));
    let from = |visitor: &'static str, ip: &'static str, option: &'static str| {
        let server = &server;
        let path = path.clone();
        async move {
            let body = json!({ "choices": [option] });
            send(
                server,
                Method::POST,
                &path,
                Who::Visitor(visitor),
                Some(ip),
                Some(body),
            )
            .await
        }
    };
    let first = from("visitor-01-abcdefghijkl", "203.0.113.7", "dark-mode").await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(first.body["awarded"], 0);
    assert!(
        first.body.get("points").is_none(),
        "no balance for visitors"
    );
    assert_eq!(first.body["my_choices"], json!(["dark-mode"]));
    assert_eq!(
        from("visitor-02-abcdefghijkl", "203.0.113.7", "dark-mode")
            .await
            .status,
        StatusCode::OK
    );
    let capped = from("visitor-03-abcdefghijkl", "203.0.113.7", "dark-mode").await;
    assert_eq!(capped.status, StatusCode::CONFLICT);
    assert_eq!(capped.code(), "ip_limit_reached");
    // Changing a vote is not a new vote; another address has its own allowance; members are
    // not counted against it.
    assert_eq!(
        from("visitor-01-abcdefghijkl", "203.0.113.7", "mobile-app")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        from("visitor-03-abcdefghijkl", "198.51.100.1", "dark-mode")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        vote(&server, "feature", Who::Member("alice"), &["dark-mode"])
            .await
            .status,
        StatusCode::OK
    );
    let tally = view(&server, "feature", Who::Visitor("visitor-01-abcdefghijkl")).await;
    assert_eq!(tally.body["total_votes"], 4);
    assert_eq!(votes_of(&tally), [json!(3), json!(1), json!(0)]);
    assert_eq!(tally.body["my_choices"], json!(["mobile-app"]));
    assert_eq!(server.count(CountedTable::PollBallots).await, 4);
    // Visitors are not members and earn nothing.
    assert_eq!(server.count(CountedTable::Members).await, 1);
    assert_eq!(server.count(CountedTable::Ledger).await, 1);
}

#[tokio::test]
async fn results_show_only_when_visibility_allows() {
    let server = TestServer::new().await;
    create(
        &server,
        json!({"id": "after-vote", "results": "after_vote"}),
    )
    .await;
    create(
        &server,
        json!({"id": "after-close", "results": "after_close"}),
    )
    .await;
    let hidden = |answer: &Answer| {
        answer.body["results_visible"] == false
            && answer.body.get("total_votes").is_none()
            && votes_of(answer).iter().all(Value::is_null)
    };
    let shown = |answer: &Answer| {
        answer.body["results_visible"] == true && answer.body["total_votes"].is_u64()
    };
    for poll in ["after-vote", "after-close"] {
        assert!(hidden(&view(&server, poll, Who::Nobody).await), "{poll}");
    }
    let voted = vote(&server, "after-vote", Who::Member("alice"), &["dark-mode"]).await;
    assert!(shown(&voted));
    assert!(shown(
        &view(&server, "after-vote", Who::Member("alice")).await
    ));
    assert!(hidden(
        &view(&server, "after-vote", Who::Member("bob")).await
    ));

    let voted = vote(&server, "after-close", Who::Member("alice"), &["dark-mode"]).await;
    assert!(hidden(&voted), "{:?}", voted.body);
    let closed = edit(&server, "after-close", json!({"closed": true})).await;
    assert_eq!(closed.status, StatusCode::OK, "{:?}", closed.body);
    assert_eq!(closed.body["closed"], true);
    assert_eq!(closed.body["closes_at"], "2026-11-20T02:00:00Z");
    let after = view(&server, "after-close", Who::Nobody).await;
    assert!(shown(&after));
    assert_eq!(after.body["closed"], true);
    assert_eq!(votes_of(&after), [json!(1), json!(0), json!(0)]);
    let late = vote(&server, "after-close", Who::Member("bob"), &["dark-mode"]).await;
    assert_eq!(late.code(), "poll_closed");
}

#[tokio::test]
async fn a_poll_closes_at_its_close_time() {
    let server = TestServer::new().await;
    create(
        &server,
        json!({"closes_at": "2026-11-20T03:00:00Z", "results": "after_close"}),
    )
    .await;
    assert_eq!(
        vote(&server, "feature", Who::Member("alice"), &["dark-mode"])
            .await
            .status,
        StatusCode::OK
    );
    server.set_now("2026-11-20T03:00:00Z");
    let answer = view(&server, "feature", Who::Nobody).await;
    assert_eq!(answer.body["closed"], true);
    assert_eq!(answer.body["total_votes"], 1);
    assert_eq!(
        vote(&server, "feature", Who::Member("bob"), &["dark-mode"])
            .await
            .code(),
        "poll_closed"
    );
}

#[tokio::test]
async fn the_owner_edits_a_poll() {
    let server = TestServer::new().await;
    create(&server, json!({})).await;
    vote(&server, "feature", Who::Member("alice"), &["mobile-app"]).await;
    let relabelled = edit(
        &server,
        "feature",
        json!({
            "question": "What next?",
            "options": [
                {"id": "mobile-app", "label": "An app"},
                {"id": "events-calendar", "label": "Events calendar"},
                {"id": "member-directory", "label": "Member directory"},
            ],
            "points": 9,
        }),
    )
    .await;
    assert_eq!(relabelled.status, StatusCode::OK, "{:?}", relabelled.body);
    assert_eq!(relabelled.body["question"], "What next?");
    assert_eq!(relabelled.body["points_per_vote"], 9);
    let ids: Vec<_> = relabelled.body["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["mobile-app", "events-calendar", "member-directory"]);
    assert_eq!(votes_of(&relabelled), [json!(1), json!(0), json!(0)]);

    let removing = edit(
        &server,
        "feature",
        json!({"options": [{"id": "events-calendar", "label": "E"}, {"id": "member-directory", "label": "M"}]}),
    )
    .await;
    assert_eq!(removing.status, StatusCode::CONFLICT);
    assert_eq!(removing.code(), "option_has_votes");
    assert!(
        removing.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("mobile-app")
    );

    let cases = [
        (
            json!({"max_choices": 2}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_poll",
        ),
        (
            json!({"closed": false}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_poll",
        ),
        (
            json!({"id": "renamed"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ];
    for (body, status, code) in cases {
        let answer = edit(&server, "feature", body.clone()).await;
        assert_eq!(answer.status, status, "{body}");
        assert_eq!(answer.code(), code, "{body}");
    }
    let missing = edit(&server, "nope", json!({"points": 1})).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.code(), "poll_not_found");

    // Switching to multiple choice allows every option unless a maximum is given.
    let multiple = edit(&server, "feature", json!({"multiple": true})).await;
    assert_eq!(multiple.body["max_choices"], 3);
    let reopened = edit(
        &server,
        "feature",
        json!({"closes_at": "2026-12-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(reopened.body["closes_at"], "2026-12-01T00:00:00Z");
    assert_eq!(reopened.body["closed"], false);
    // The earlier vote is untouched by all of this.
    let alice = view(&server, "feature", Who::Member("alice")).await;
    assert_eq!(alice.body["my_choices"], json!(["mobile-app"]));
    assert_eq!(server.count(CountedTable::Ledger).await, 1);
}

#[tokio::test]
async fn vote_points_respect_the_daily_cap() {
    let server = TestServer::new().await;
    server
        .install_rules("[points.daily_caps]\nvote = 8\n")
        .await;
    create(&server, json!({})).await;
    create(&server, json!({"id": "second"})).await;
    let alice = Who::Member("alice");
    assert_eq!(
        vote(&server, "feature", alice, &["dark-mode"]).await.body["awarded"],
        5
    );
    let capped = vote(&server, "second", alice, &["dark-mode"]).await;
    assert_eq!(capped.body["awarded"], 3);
    assert_eq!(capped.body["points"], 8);
}

/// A hundred simultaneous votes of one member: one ballot, one set of vote rows, one award.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_votes_of_one_member_are_stored_once() {
    let server = Arc::new(TestServer::new().await);
    create(&server, json!({"multiple": true, "max_choices": 2})).await;
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            vote(
                &server,
                "feature",
                Who::Member("alice"),
                &["dark-mode", "mobile-app"],
            )
            .await
        }));
    }
    let mut statuses = BTreeSet::new();
    let mut awarded = 0;
    for task in tasks {
        let answer = task.await.unwrap();
        statuses.insert(answer.status.as_u16());
        awarded += answer.body["awarded"].as_i64().unwrap_or(0);
        assert_eq!(answer.body["points"], 5, "{:?}", answer.body);
    }
    assert_eq!(statuses, BTreeSet::from([200]));
    assert_eq!(awarded, 5);
    assert_eq!(server.count(CountedTable::PollBallots).await, 1);
    assert_eq!(server.count(CountedTable::PollVotes).await, 2);
    assert_eq!(server.count(CountedTable::Ledger).await, 1);
    server.assert_ledger_balanced().await;
}

/// A hundred members voting at once: every vote counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_votes_of_many_members_all_count() {
    let server = Arc::new(TestServer::new().await);
    create(&server, json!({})).await;
    let mut tasks = Vec::new();
    for i in 0..100 {
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            let member = format!("member-{i}");
            let option = if i % 4 == 0 {
                "dark-mode"
            } else {
                "mobile-app"
            };
            vote(&server, "feature", Who::Member(&member), &[option]).await
        }));
    }
    for task in tasks {
        let answer = task.await.unwrap();
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    }
    let tally = view(&server, "feature", Who::Nobody).await;
    assert_eq!(tally.body["total_votes"], 100);
    assert_eq!(votes_of(&tally), [json!(25), json!(75), json!(0)]);
    assert_eq!(server.count(CountedTable::PollVotes).await, 100);
    assert_eq!(server.count(CountedTable::Ledger).await, 100);
    server.assert_ledger_balanced().await;
}

/// Reads server-sent events from a streaming response body.
pub(crate) struct EventReader {
    body: Body,
    buffer: String,
}

/// How long a test waits for an event before it fails.
const EVENT_WAIT: Duration = Duration::from_secs(20);

impl EventReader {
    /// Opens the live stream at `path` (anonymously).
    pub(crate) async fn open_path(server: &TestServer, path: &str) -> EventReader {
        let request = Request::get(path).body(Body::empty()).unwrap();
        let response = router(server.state.clone()).oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        EventReader {
            body: response.into_body(),
            buffer: String::new(),
        }
    }

    async fn open(
        server: &TestServer,
        poll: &str,
        origin: Option<&str>,
    ) -> (StatusCode, axum::http::HeaderMap, EventReader) {
        let mut request = Request::get(format!("{}/events", poll_path(poll)));
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        let response = router(server.state.clone())
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let reader = EventReader {
            body: response.into_body(),
            buffer: String::new(),
        };
        (status, headers, reader)
    }

    /// The next event's name and data; `None` when the stream ends. Comments are skipped.
    pub(crate) async fn next(&mut self) -> Option<(String, Value)> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut name = String::new();
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("event:") {
                        name = value.trim().to_owned();
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push_str(value.trim());
                    }
                }
                if name.is_empty() && data.is_empty() {
                    continue;
                }
                return Some((name, serde_json::from_str(&data).unwrap()));
            }
            let frame = tokio::time::timeout(EVENT_WAIT, self.body.frame())
                .await
                .expect("an event within the wait");
            match frame {
                None => return None,
                Some(frame) => {
                    if let Ok(data) = frame.unwrap().into_data() {
                        self.buffer.push_str(std::str::from_utf8(&data).unwrap());
                    }
                }
            }
        }
    }

    async fn next_change(&mut self) -> String {
        let (name, data) = self.next().await.expect("the stream is open");
        assert_eq!(name, "tally");
        change_token(&data)
    }
}

/// The token of a live event's data, which holds nothing else: no count, no version.
pub(crate) fn change_token(data: &Value) -> String {
    assert_eq!(
        data.as_object().map(serde_json::Map::len),
        Some(1),
        "only the change token: {data}"
    );
    let token = data["change"].as_str().expect("a string token");
    assert!(
        token.len() == 16 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "{token}"
    );
    token.to_owned()
}

/// What the stream's channel is told (versions stay inside the server).
fn poll_versions(server: &TestServer) -> tokio::sync::broadcast::Receiver<u64> {
    let site = SiteId::parse("forum").unwrap();
    let poll = PollId::parse("feature").unwrap();
    server.state.tallies.subscribe(&site, &poll).unwrap()
}

#[tokio::test]
async fn the_live_stream_announces_votes_and_edits() {
    let server = TestServer::new().await;
    create(&server, json!({"results": "after_close"})).await;
    let mut versions = poll_versions(&server);
    let (status, headers, mut events) = EventReader::open(&server, "feature", Some(ORIGIN)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/event-stream");
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], ORIGIN);
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
    let mut seen = vec![events.next_change().await];
    vote(&server, "feature", Who::Member("alice"), &["dark-mode"]).await;
    assert_eq!(versions.recv().await.unwrap(), 1);
    seen.push(events.next_change().await);
    // A repeat changes nothing and is not announced; a change and an edit each are.
    vote(&server, "feature", Who::Member("alice"), &["dark-mode"]).await;
    assert!(versions.try_recv().is_err(), "a repeat is not announced");
    vote(&server, "feature", Who::Member("alice"), &["mobile-app"]).await;
    assert_eq!(versions.recv().await.unwrap(), 2);
    seen.push(events.next_change().await);
    edit(&server, "feature", json!({"closed": true})).await;
    assert_eq!(versions.recv().await.unwrap(), 3);
    seen.push(events.next_change().await);

    // A second listener gets an event at once; unknown polls are refused.
    let (_, _, mut late) = EventReader::open(&server, "feature", None).await;
    seen.push(late.next_change().await);
    let distinct: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(distinct.len(), seen.len(), "every event is news: {seen:?}");
    let (status, _, _) = EventReader::open(&server, "nope", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Shutting down ends every stream.
    server.state.tallies.close();
    assert!(events.next().await.is_none());
    assert!(late.next().await.is_none());
}

/// A poll that reaches its close time while a widget listens is announced, with no write, as
/// news (a new token), so that the widget reads the final results.
#[tokio::test]
async fn the_live_stream_announces_the_close_time() {
    let server = TestServer::new().await;
    let closes_at = server.now() + std::time::Duration::from_millis(300);
    create(&server, json!({"closes_at": closes_at.to_string()})).await;
    let mut versions = poll_versions(&server);
    let (_, _, mut events) = EventReader::open(&server, "feature", None).await;
    let first = events.next_change().await;
    let closing = events.next_change().await;
    assert_ne!(first, closing);
    // Nothing was written: the channel announced no version.
    assert!(versions.try_recv().is_err());
    server.set_now(&closes_at.to_string());
    let closed = view(&server, "feature", Who::Nobody).await;
    assert_eq!(closed.body["closed"], true);
}

/// Votes close together become one event, so listeners re-read a busy poll at most once per
/// `tally_event_interval`.
#[tokio::test]
async fn the_live_stream_coalesces_bursts() {
    let server = TestServer::with_config(Config {
        limits: LimitConfig::generous(),
        tally_event_interval: Duration::from_secs(3),
        ..Config::default()
    })
    .await;
    create(&server, json!({})).await;
    let (_, _, mut events) = EventReader::open(&server, "feature", None).await;
    events.next_change().await;
    vote(&server, "feature", Who::Member("alice"), &["dark-mode"]).await;
    events.next_change().await;
    // The listener is already waiting when the next two votes come: the first wakes it, and
    // the interval lets the second join the same event.
    let (_, ()) = tokio::join!(events.next_change(), async {
        vote(&server, "feature", Who::Member("bob"), &["dark-mode"]).await;
        vote(&server, "feature", Who::Member("carol"), &["dark-mode"]).await;
    });
    // Nothing more was pending: once the channel closes the stream ends without another event.
    server.state.tallies.close();
    assert!(events.next().await.is_none());
}

/// Issue 9: the stream of an "after close" poll does not tell how many votes it has, neither
/// in one event nor by comparing two listeners' events after a different number of votes.
#[tokio::test]
async fn the_live_stream_does_not_reveal_the_number_of_votes() {
    let server = TestServer::new().await;
    create(&server, json!({"results": "after_close"})).await;
    let (_, _, mut before) = EventReader::open(&server, "feature", None).await;
    let at_zero = before.next_change().await;
    let voters = ["ann", "ben", "cat", "dan", "eve"];
    let mut during = Vec::new();
    for member in voters {
        vote(&server, "feature", Who::Member(member), &["dark-mode"]).await;
        during.push(before.next_change().await);
    }
    let (_, _, mut after) = EventReader::open(&server, "feature", None).await;
    let at_five = after.next_change().await;
    let (_, _, mut again) = EventReader::open(&server, "feature", None).await;
    let at_five_again = again.next_change().await;
    // Each event's data is only a token (checked by `next_change`), and tokens are not a
    // function of the count: two listeners at five votes get different ones, and none repeats.
    assert_ne!(at_five, at_five_again);
    let all: Vec<&String> = [&at_zero, &at_five, &at_five_again]
        .into_iter()
        .chain(&during)
        .collect();
    let distinct: BTreeSet<&String> = all.iter().copied().collect();
    assert_eq!(distinct.len(), all.len(), "{all:?}");
    for token in all {
        let number = u64::from_str_radix(token, 16).unwrap();
        assert!(number > voters.len() as u64, "{token} looks like a count");
    }
    // And the poll itself still hides the count.
    let hidden = view(&server, "feature", Who::Nobody).await;
    assert!(
        hidden.body.get("total_votes").is_none(),
        "{:?}",
        hidden.body
    );
}

/// The per-IP limit counts opening a stream as one request and never cuts an open stream.
#[tokio::test]
async fn rate_limits_do_not_cut_the_live_stream() {
    let server = TestServer::with_limits(LimitConfig {
        ip_requests_per_minute: per_minute(3),
        ip_burst: per_minute(3),
        ..LimitConfig::generous()
    })
    .await;
    create(&server, json!({})).await;
    let (status, _, mut events) = EventReader::open(&server, "feature", None).await;
    assert_eq!(status, StatusCode::OK);
    events.next_change().await;
    let voted = vote(&server, "feature", Who::Member("alice"), &["dark-mode"]).await;
    assert_eq!(voted.status, StatusCode::OK);
    events.next_change().await;
    // The stream and the vote took two of the three; a read takes the last (the admin calls
    // that created the poll used the API key's own allowance).
    let read = view(&server, "feature", Who::Nobody).await;
    assert_eq!(read.status, StatusCode::OK);
    let refused = view(&server, "feature", Who::Nobody).await;
    assert_eq!(refused.code(), "rate_limited");
    let site = SiteId::parse("forum").unwrap();
    let poll = PollId::parse("feature").unwrap();
    server.state.tallies.publish(&site, &poll, 2);
    events.next_change().await;
}

#[tokio::test]
async fn visitors_may_send_their_id_cross_origin() {
    let server = TestServer::new().await;
    let preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri(format!("{}/votes", poll_path("feature")))
        .header(header::ORIGIN, ORIGIN)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "content-type,x-engage-visitor",
        )
        .body(Body::empty())
        .unwrap();
    let answer = server.send(preflight).await;
    assert_eq!(answer.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], ORIGIN);
    let allowed = answer.headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .unwrap();
    assert!(allowed.contains("x-engage-visitor"), "{allowed}");
}
