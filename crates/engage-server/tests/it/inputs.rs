//! Inputs at the edge (issue 9): `null` for every optional field of every request body, visitor
//! ids too short to be random, names with bidi and invisible characters, and origins that
//! differ only by a default port; and in [`cheap_reads`], reads that no longer write.

mod cheap_reads;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use engage_core::{MemberId, SiteId};
use engage_server::state::canonical_origin;
use engage_server::store::CountedTable;
use serde_json::{Value, json};

use crate::polls::{Who, admin, send};
use crate::{API_KEY, Answer, ORIGIN, TestServer};

/// Who a body is sent as.
#[derive(Clone, Copy, Debug)]
enum As {
    /// The site's API key (the owner's and host backend's routes).
    Owner,
    Member(&'static str),
}

/// One request body with every optional field `null`, and what must come back.
struct NullBody {
    what: &'static str,
    method: Method,
    path: &'static str,
    sender: As,
    body: Value,
    status: StatusCode,
    /// Fields of the answer and their expected values: the defaults the nulls stand for.
    answer: Vec<(&'static str, Value)>,
}

async fn send_as(server: &TestServer, case: &NullBody) -> Answer {
    match case.sender {
        As::Owner => admin(server, case.method.clone(), case.path, case.body.clone()).await,
        As::Member(member) => {
            let who = Who::Member(member);
            send(
                server,
                case.method.clone(),
                case.path,
                who,
                None,
                Some(case.body.clone()),
            )
            .await
        }
    }
}

/// Issue 9: `"winners": null` on a wheel, the natural JSON for "none", was refused with 422.
/// Every optional field of every body now reads `null` as absent; a PATCH keeps `closes_at:
/// null` as "no close time".
#[tokio::test]
async fn every_optional_field_of_every_body_may_be_null() {
    let server = TestServer::new().await;
    let cases = [
        NullBody {
            what: "create poll",
            method: Method::POST,
            path: "/api/v1/admin/sites/forum/polls",
            sender: As::Owner,
            body: json!({
                "id": "nulls", "question": "Nulls?",
                "options": [{"id": "yes", "label": "Yes"}, {"id": "no", "label": "No"}],
                "multiple": null, "max_choices": null, "closes_at": null, "results": null,
                "anonymous": null, "allow_change": null, "points": null, "ip_limit": null
            }),
            status: StatusCode::CREATED,
            answer: vec![
                ("multiple", json!(false)),
                ("max_choices", json!(1)),
                ("results", json!("always")),
                ("anonymous", json!(false)),
                ("allow_change", json!(false)),
                ("points_per_vote", json!(0)),
                ("ip_limit", json!(20)),
                ("closes_at", Value::Null),
            ],
        },
        NullBody {
            what: "a poll that closes, to be edited",
            method: Method::POST,
            path: "/api/v1/admin/sites/forum/polls",
            sender: As::Owner,
            body: json!({
                "id": "edited", "question": "Edit me?", "closes_at": "2026-12-01T00:00:00Z",
                "options": [{"id": "yes", "label": "Yes"}, {"id": "no", "label": "No"}],
                "points": 3
            }),
            status: StatusCode::CREATED,
            answer: vec![("closes_at", json!("2026-12-01T00:00:00Z"))],
        },
        NullBody {
            what: "update poll",
            method: Method::PATCH,
            path: "/api/v1/admin/sites/forum/polls/edited",
            sender: As::Owner,
            body: json!({
                "question": null, "options": null, "multiple": null, "max_choices": null,
                "closes_at": null, "results": null, "anonymous": null, "allow_change": null,
                "points": null, "ip_limit": null, "closed": null
            }),
            status: StatusCode::OK,
            answer: vec![
                // Unchanged, as if absent…
                ("question", json!("Edit me?")),
                ("points_per_vote", json!(3)),
                ("closed", json!(false)),
                // …except the close time, which `null` removes.
                ("closes_at", Value::Null),
            ],
        },
        NullBody {
            what: "vote (no optional field)",
            method: Method::POST,
            path: "/api/v1/sites/forum/polls/nulls/votes",
            sender: As::Member("alice"),
            body: json!({"choices": ["yes"]}),
            status: StatusCode::OK,
            answer: vec![("my_choices", json!(["yes"]))],
        },
        NullBody {
            what: "create wheel",
            method: Method::POST,
            path: "/api/v1/admin/sites/forum/lotteries",
            sender: As::Owner,
            body: json!({
                "id": "wheel", "mode": null,
                "prizes": [{"id": "mug", "name": "Mug", "weight": 1, "stock": 3, "image": null}],
                "no_prize_weight": null, "cost": null, "daily_spins": null, "winners": null,
                "opens_at": "2026-11-01T00:00:00Z", "closes_at": "2026-12-01T00:00:00Z"
            }),
            status: StatusCode::CREATED,
            answer: vec![
                ("mode", json!("wheel")),
                ("no_prize_weight", json!(0)),
                ("cost", json!(0)),
                ("daily_spins", json!(1)),
                ("winners", json!(1)),
            ],
        },
        NullBody {
            what: "create giveaway",
            method: Method::POST,
            path: "/api/v1/admin/sites/forum/lotteries",
            sender: As::Owner,
            body: json!({
                "id": "raffle", "mode": "giveaway", "prizes": null, "winners": null,
                "no_prize_weight": null, "cost": null, "daily_spins": null,
                "opens_at": "2026-11-01T00:00:00Z", "closes_at": "2026-12-01T00:00:00Z"
            }),
            status: StatusCode::CREATED,
            answer: vec![
                ("mode", json!("giveaway")),
                ("winners", json!(1)),
                ("prizes", json!([])),
            ],
        },
        NullBody {
            what: "send feedback",
            method: Method::POST,
            path: "/api/v1/sites/forum/feedback",
            sender: As::Member("alice"),
            body: json!({
                "text": "Nulls are fine", "rating": null, "nps": null, "category": null,
                "contact": null, "page_url": null, "context": null
            }),
            status: StatusCode::CREATED,
            answer: vec![("status", json!("new"))],
        },
        NullBody {
            what: "host event",
            method: Method::POST,
            path: "/api/v1/sites/forum/events",
            sender: As::Owner,
            body: json!({
                "member": "bob", "kind": "post", "idempotency_key": "nulls",
                "points": null, "name": null
            }),
            status: StatusCode::OK,
            // No rules for `post`: no points, as without the field.
            answer: vec![("awarded", json!(0)), ("duplicate", json!(false))],
        },
        NullBody {
            what: "webhook settings",
            method: Method::PUT,
            path: "/api/v1/admin/sites/forum/webhook",
            sender: As::Owner,
            body: json!({"url": "https://hooks.example.com/engage", "rotate_secret": null}),
            status: StatusCode::OK,
            answer: vec![("url", json!("https://hooks.example.com/engage"))],
        },
    ];
    for case in &cases {
        let answer = send_as(&server, case).await;
        assert_eq!(
            answer.status, case.status,
            "{} with {}: {:?}",
            case.what, case.body, answer.body
        );
        for (field, expected) in &case.answer {
            assert_eq!(answer.body[field], *expected, "{}: {field}", case.what);
        }
    }
    // The member's name was not replaced by the host event's `name: null`.
    let bob = server
        .store
        .member(
            &SiteId::parse("forum").unwrap(),
            &MemberId::parse("bob").unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bob.name, "bob");
}

/// A `null` where a value is required, or of the wrong type, is still refused.
#[tokio::test]
async fn null_does_not_stand_for_a_required_field() {
    let server = TestServer::new().await;
    for body in [
        json!({"id": "p", "question": null, "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]}),
        json!({"id": "p", "question": "Q?", "options": null}),
        json!({"id": "p", "question": "Q?", "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}], "multiple": "no"}),
    ] {
        let answer = admin(
            &server,
            Method::POST,
            "/api/v1/admin/sites/forum/polls",
            body.clone(),
        )
        .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(answer.code(), "invalid_body", "{body}");
    }
    let vote = send(
        &server,
        Method::POST,
        "/api/v1/sites/forum/polls/p/votes",
        Who::Member("alice"),
        None,
        Some(json!({"choices": null})),
    )
    .await;
    assert_eq!(vote.code(), "invalid_body");
    server.assert_nothing_stored().await;
}

const SHORT_ID: &str = "visitor-01-abcdefghij"; // 21 characters
const LONG_ENOUGH: &str = "visitor-01-abcdefghijk"; // 22

/// Visitor ids of fewer than 22 characters count as no visitor id, as any invalid id always
/// did: reads answer as for an anonymous caller without one, and what needs one is 400
/// `missing_visitor_id`, storing nothing.
#[tokio::test]
async fn a_visitor_id_shorter_than_22_characters_counts_as_none() {
    assert_eq!(SHORT_ID.len(), 21);
    assert_eq!(LONG_ENOUGH.len(), 22);
    let server = TestServer::new().await;
    let poll = json!({
        "id": "anon", "question": "Anyone?", "anonymous": true, "results": "after_vote",
        "options": [{"id": "yes", "label": "Yes"}, {"id": "no", "label": "No"}]
    });
    create_poll(&server, poll).await;
    let votes = "/api/v1/sites/forum/polls/anon/votes";
    let ballot = || Some(json!({"choices": ["yes"]}));

    let refused = send(
        &server,
        Method::POST,
        votes,
        Who::Visitor(SHORT_ID),
        None,
        ballot(),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.code(), "missing_visitor_id");
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("22 to 64")
    );
    let feedback = send(
        &server,
        Method::POST,
        "/api/v1/sites/forum/feedback",
        Who::Visitor(SHORT_ID),
        None,
        Some(json!({"text": "hello"})),
    )
    .await;
    assert_eq!(feedback.code(), "missing_visitor_id");
    assert_eq!(server.count(CountedTable::Feedback).await, 0);

    let voted = send(
        &server,
        Method::POST,
        votes,
        Who::Visitor(LONG_ENOUGH),
        None,
        ballot(),
    )
    .await;
    assert_eq!(voted.status, StatusCode::OK, "{:?}", voted.body);
    // Reading with the short id is reading as nobody: not the 22-character visitor's choices.
    let poll = "/api/v1/sites/forum/polls/anon";
    let seen = send(
        &server,
        Method::GET,
        poll,
        Who::Visitor(SHORT_ID),
        None,
        None,
    )
    .await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.body["my_choices"], json!([]));
    assert_eq!(seen.body["results_visible"], false);
}

/// A token of `forum` for `member` carrying `name`.
fn token_named(server: &TestServer, member: &str, name: &str) -> String {
    let now = server.now().as_second();
    engage_server::token::mint_member_token(
        crate::SECRET,
        &engage_server::token::MemberClaims {
            sub: member.into(),
            name: name.into(),
            site: "forum".into(),
            iat: now,
            exp: now + 3600,
        },
    )
}

/// Names others see lose bidi overrides and invisible characters where they enter (the
/// token's `name`, a host event's `name`), and on the leaderboard even when stored before.
#[tokio::test]
async fn names_lose_bidi_and_invisible_characters() {
    let server = TestServer::new().await;
    let checkin = "/api/v1/sites/forum/checkin";
    // U+202E would show "Mallory" followed by a reversed "txt.exe".
    let mallory = token_named(&server, "mallory", "Mal\u{200B}lory\u{202E}exe.txt\u{2066}");
    assert_eq!(
        server.post(checkin, &mallory, None).await.status,
        StatusCode::OK
    );
    let me = server.get("/api/v1/sites/forum/me", &mallory).await;
    assert_eq!(me.body["name"], "Malloryexe.txt");
    // Nothing visible left: the member id, as for an empty name.
    let ghost = token_named(&server, "ghost-7", "\u{200B}\u{FEFF}\u{202D} \u{2060}");
    assert_eq!(
        server.post(checkin, &ghost, None).await.status,
        StatusCode::OK
    );
    let host = json!({
        "member": "hal", "kind": "post", "idempotency_key": "h1", "points": 3,
        "name": "\u{2067}Hal\u{200F}"
    });
    let awarded = server
        .call_with_key("/api/v1/sites/forum/events", API_KEY, &host.to_string())
        .await;
    assert_eq!(awarded.status, StatusCode::OK, "{:?}", awarded.body);
    // A name stored before names were cleaned is cleaned when shown.
    let site = SiteId::parse("forum").unwrap();
    let old = MemberId::parse("olde").unwrap();
    server
        .store
        .add_member_if_missing(&site, &old, "\u{202E}Olde", server.now())
        .await
        .unwrap();
    server.award("olde", 1, "o1").await;

    let board = server
        .call(
            Method::GET,
            "/api/v1/sites/forum/leaderboard?period=all",
            None,
            None,
        )
        .await;
    let mut names: Vec<(String, String)> = board.body["top"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let text = |field: &str| row[field].as_str().unwrap().to_owned();
            (text("member"), text("name"))
        })
        .collect();
    names.sort();
    let expected = [
        ("ghost-7", "ghost-7"),
        ("hal", "Hal"),
        ("mallory", "Malloryexe.txt"),
        ("olde", "Olde"),
    ]
    .map(|(m, n)| (m.to_owned(), n.to_owned()));
    assert_eq!(names, expected);
}

/// `https://a.com:443` and `https://a.com` are one origin (and `http://…:80`): registered in
/// the canonical form, and compared canonically on both sides, also against databases that
/// hold the `:443` form.
#[tokio::test]
async fn default_ports_are_the_same_origin() {
    for (given, canonical) in [
        ("https://a.com", Some("https://a.com")),
        ("https://a.com:443", Some("https://a.com")),
        ("HTTPS://A.com:443/", Some("https://a.com")),
        ("http://a.com:80", Some("http://a.com")),
        ("http://a.com:443", Some("http://a.com:443")),
        ("https://a.com:80", Some("https://a.com:80")),
        ("https://a.com:08443", Some("https://a.com:8443")),
        ("http://127.0.0.1:8080", Some("http://127.0.0.1:8080")),
        ("https://[::1]:443", Some("https://[::1]")),
        ("http://[::1]:3000", Some("http://[::1]:3000")),
        ("https://a.com:", None),
        ("https://a.com:0", None),
        ("https://a.com:65536", None),
        ("https://a.com:44x", None),
        ("https://a.com/path", None),
        ("https://user@a.com", None),
        ("ftp://a.com", None),
        ("null", None),
        ("https://", None),
    ] {
        assert_eq!(canonical_origin(given).as_deref(), canonical, "{given}");
    }

    let server = TestServer::new().await;
    let site = SiteId::parse("forum").unwrap();
    server
        .store
        .add_site_origin(&site, "HTTPS://Shop.Example.com:443/")
        .await
        .unwrap();
    let stored = server.store.site_origins(&site).await.unwrap();
    assert!(
        stored.contains(&"https://shop.example.com".to_owned()),
        "{stored:?}"
    );
    // A database written before: the `:443` form as it was stored then.
    let mut legacy = database_connection(&server).await;
    sqlx::query(
        "INSERT INTO site_origins (site_id, origin)
         VALUES ('forum', 'https://legacy.example.com:443')",
    )
    .execute(&mut legacy)
    .await
    .unwrap();

    for (origin, expect) in [
        (ORIGIN, true),
        ("https://forum.example.com:443", true),
        ("https://shop.example.com", true),
        ("https://legacy.example.com", true),
        ("https://legacy.example.com:443", true),
        ("https://forum.example.com:8443", false),
        ("http://forum.example.com", false),
        ("null", false),
    ] {
        let request = Request::get("/api/v1/sites/forum/leaderboard")
            .header(header::ORIGIN, origin)
            .body(Body::empty())
            .unwrap();
        let answer = server.send(request).await;
        assert_eq!(
            answer
                .headers
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_some(),
            expect,
            "{origin}"
        );
    }
}

/// Creates a poll of `forum` with the owner's API key.
pub(crate) async fn create_poll(server: &TestServer, poll: Value) {
    let path = "/api/v1/admin/sites/forum/polls";
    let created = admin(server, Method::POST, path, poll).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
}

/// A connection of its own to the server's database file, as another process would have.
pub(crate) async fn database_connection(server: &TestServer) -> sqlx::SqliteConnection {
    use sqlx::Connection;
    let path = server._dir.path().join("engage.sqlite");
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
    sqlx::SqliteConnection::connect_with(&options)
        .await
        .unwrap()
}
