//! The audit log (issue 10): every audited owner action leaves one entry — with its actor,
//! action and detail — written with the fact it records (so refusals and changes that change
//! nothing leave none), read newest first a page at a time, kept per site.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use engage_core::SiteId;
use engage_server::audit::{Actor, AuditAction};
use engage_server::store::CountedTable;
use serde_json::{Value, json};

use crate::{API_KEY, Answer, TestServer};

pub(crate) const AUDIT: &str = "/api/v1/admin/sites/forum/audit";

/// A request with the site's API key and an optional JSON body.
pub(crate) async fn owner(
    server: &TestServer,
    method: Method,
    path: &str,
    json: Option<Value>,
) -> Answer {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {API_KEY}"));
    let body = match json {
        Some(json) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    server.send(builder.body(body).unwrap()).await
}

/// Asserts an answer's status, showing its body when it differs.
pub(crate) fn expect(answer: &Answer, status: StatusCode) -> &Value {
    assert_eq!(answer.status, status, "{:?}", answer.body);
    &answer.body
}

/// The site's audit entries, newest first (the first page of 200).
pub(crate) async fn audit_entries(server: &TestServer) -> Vec<Value> {
    let answer = owner(server, Method::GET, &format!("{AUDIT}?limit=200"), None).await;
    expect(&answer, StatusCode::OK)["entries"]
        .as_array()
        .unwrap()
        .clone()
}

/// The actions of the site's audit entries, oldest first.
pub(crate) async fn audit_actions(server: &TestServer) -> Vec<String> {
    let mut actions: Vec<String> = audit_entries(server)
        .await
        .iter()
        .map(|entry| entry["action"].as_str().unwrap().to_owned())
        .collect();
    actions.reverse();
    actions
}

#[tokio::test]
async fn every_audited_owner_action_leaves_one_entry() {
    let server = TestServer::new().await;
    let admin = "/api/v1/admin/sites/forum";
    let steps: Vec<(Method, String, Option<Value>, StatusCode)> = vec![
        (
            Method::PUT,
            format!("{admin}/rules"),
            Some(json!({"document": "[checkin]\npoints = 5\n", "format": "toml"})),
            StatusCode::OK,
        ),
        (
            Method::POST,
            format!("{admin}/polls"),
            Some(json!({"id": "p", "question": "Q?", "options": [
                {"id": "a", "label": "A"}, {"id": "b", "label": "B"}]})),
            StatusCode::CREATED,
        ),
        (
            Method::PATCH,
            format!("{admin}/polls/p"),
            Some(json!({"question": "Q, again?"})),
            StatusCode::OK,
        ),
        (
            Method::POST,
            format!("{admin}/lotteries"),
            Some(
                json!({"id": "w", "prizes": [{"id": "mug", "name": "Mug", "weight": 1,
                "stock": 1}], "opens_at": "2026-11-01T00:00:00Z",
                "closes_at": "2026-12-01T00:00:00Z"}),
            ),
            StatusCode::CREATED,
        ),
        (
            Method::POST,
            format!("{admin}/lotteries/w/open"),
            None,
            StatusCode::OK,
        ),
        (
            Method::POST,
            format!("{admin}/lotteries/w/close"),
            None,
            StatusCode::OK,
        ),
        (
            Method::PUT,
            format!("{admin}/webhook"),
            Some(json!({"url": "https://hooks.example.com/engage"})),
            StatusCode::OK,
        ),
    ];
    for (method, path, body, status) in steps {
        let answer = owner(&server, method.clone(), &path, body).await;
        assert_eq!(answer.status, status, "{method} {path}: {:?}", answer.body);
    }
    server.award("alice", 50, "k1").await;
    let sent = crate::polls::send(
        &server,
        Method::POST,
        "/api/v1/sites/forum/feedback",
        crate::polls::Who::Member("alice"),
        None,
        Some(json!({"text": "More dark mode"})),
    )
    .await;
    let feedback = expect(&sent, StatusCode::CREATED)["id"].as_i64().unwrap();
    let more: Vec<(Method, String, Option<Value>, StatusCode)> = vec![
        (
            Method::PATCH,
            format!("{admin}/feedback/{feedback}"),
            Some(json!({"status": "done"})),
            StatusCode::OK,
        ),
        (
            Method::POST,
            format!("{admin}/feedback/{feedback}/replies"),
            Some(json!({"text": "Shipped!"})),
            StatusCode::CREATED,
        ),
        (
            Method::POST,
            format!("{admin}/members/alice/adjustments"),
            Some(json!({"amount": -20, "reason": "Duplicate award"})),
            StatusCode::OK,
        ),
        (
            Method::GET,
            format!("{admin}/export/ledger.csv"),
            None,
            StatusCode::OK,
        ),
    ];
    for (method, path, body, status) in more {
        let answer = owner(&server, method.clone(), &path, body).await;
        assert_eq!(answer.status, status, "{method} {path}: {:?}", answer.body);
    }
    // A check-in puts a webhook event in the outbox, for the redelivery.
    expect(&server.check_in("alice").await, StatusCode::OK);
    let deliveries = owner(
        &server,
        Method::GET,
        &format!("{admin}/webhook/deliveries"),
        None,
    )
    .await;
    let event = expect(&deliveries, StatusCode::OK)["deliveries"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let redelivered = owner(
        &server,
        Method::POST,
        &format!("{admin}/webhook/deliveries/{event}/redeliver"),
        None,
    )
    .await;
    expect(&redelivered, StatusCode::ACCEPTED);

    assert_eq!(
        audit_actions(&server).await,
        [
            "rules_install",
            "poll_create",
            "poll_update",
            "lottery_create",
            "lottery_open",
            "lottery_close",
            "webhook_set",
            "feedback_status",
            "feedback_reply",
            "points_adjust",
            "export",
            "webhook_redeliver",
        ]
    );
    let entries = audit_entries(&server).await;
    let ids: Vec<i64> = entries.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, (1..=12).rev().collect::<Vec<i64>>());
    for entry in &entries {
        assert_eq!(entry["actor"], json!({"kind": "api_key"}), "{entry}");
        assert_eq!(entry["at"], "2026-11-20T02:00:00Z");
        assert!(entry["detail"].is_object(), "{entry}");
    }
    let detail = |action: &str| {
        entries
            .iter()
            .find(|e| e["action"] == action)
            .map(|e| e["detail"].clone())
            .unwrap()
    };
    assert_eq!(
        detail("rules_install"),
        json!({"version": 1, "format": "toml"})
    );
    assert_eq!(
        detail("poll_update"),
        json!({"poll": "p", "changes": {"question": "Q, again?"}})
    );
    assert_eq!(detail("lottery_close"), json!({"lottery": "w"}));
    assert_eq!(
        detail("webhook_set"),
        json!({"url": "https://hooks.example.com/engage", "secret_changed": true})
    );
    assert_eq!(
        detail("feedback_status"),
        json!({"feedback": feedback, "from": "new", "status": "done"})
    );
    assert_eq!(detail("feedback_reply")["feedback"], feedback);
    let adjust = detail("points_adjust");
    assert_eq!(
        (
            &adjust["member"],
            &adjust["amount"],
            &adjust["reason"],
            &adjust["points"]
        ),
        (
            &json!("alice"),
            &json!(-20),
            &json!("Duplicate award"),
            &json!(30)
        )
    );
    assert_eq!(detail("export"), json!({"table": "ledger"}));
    assert_eq!(detail("webhook_redeliver"), json!({"event": event}));
    // The secret is never audited.
    let all = serde_json::to_string(&entries).unwrap();
    assert!(!all.contains("whsec_"), "{all}");
}

#[tokio::test]
async fn refusals_and_changes_that_change_nothing_are_not_audited() {
    let server = TestServer::new().await;
    let admin = "/api/v1/admin/sites/forum";
    let poll = json!({"id": "p", "question": "Q?", "options": [
        {"id": "a", "label": "A"}, {"id": "b", "label": "B"}]});
    let created = owner(
        &server,
        Method::POST,
        &format!("{admin}/polls"),
        Some(poll.clone()),
    )
    .await;
    expect(&created, StatusCode::CREATED);
    let steps: Vec<(Method, String, Option<Value>, StatusCode)> = vec![
        // The id is taken: the transaction rolls back, its audit entry with it.
        (
            Method::POST,
            format!("{admin}/polls"),
            Some(poll),
            StatusCode::CONFLICT,
        ),
        // The same question: nothing changes.
        (
            Method::PATCH,
            format!("{admin}/polls/p"),
            Some(json!({"question": "Q?"})),
            StatusCode::OK,
        ),
        (
            Method::PUT,
            format!("{admin}/rules"),
            Some(json!({"document": "[checkin]\npoints = -1\n", "format": "toml"})),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Method::POST,
            format!("{admin}/members/nobody/adjustments"),
            Some(json!({"amount": 5, "reason": "Welcome"})),
            StatusCode::NOT_FOUND,
        ),
        (
            Method::GET,
            format!("{admin}/export/nothing.csv"),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            format!("{admin}/webhook/deliveries/evt_missing/redeliver"),
            None,
            StatusCode::NOT_FOUND,
        ),
    ];
    for (method, path, body, status) in steps {
        let answer = owner(&server, method.clone(), &path, body).await;
        assert_eq!(answer.status, status, "{method} {path}: {:?}", answer.body);
    }
    // Without the API key nothing is done, so nothing is audited.
    let anonymous = server
        .call(
            Method::GET,
            &format!("{admin}/export/ledger.csv"),
            None,
            None,
        )
        .await;
    assert_eq!(anonymous.code(), "missing_api_key");
    assert_eq!(audit_actions(&server).await, ["poll_create"]);
}

#[tokio::test]
async fn the_log_is_paged_newest_first_and_kept_per_site() {
    let server = TestServer::new().await;
    let forum = SiteId::parse("forum").unwrap();
    let other = SiteId::parse("other").unwrap();
    let owner_actor = Actor::Owner {
        id: 7,
        email: "lin@example.com".into(),
    };
    for i in 1..=5 {
        let id = server
            .store
            .record_audit(
                &forum,
                &owner_actor,
                AuditAction::SignIn,
                json!({ "attempt": i }),
                server.now(),
            )
            .await
            .unwrap();
        assert_eq!(id, i);
    }
    // Another site's log has its own ids and is not shown here.
    let other_id = server
        .store
        .record_audit(
            &other,
            &Actor::Cli,
            AuditAction::RulesInstall,
            json!({}),
            server.now(),
        )
        .await
        .unwrap();
    assert_eq!(other_id, 1);

    let mut seen = Vec::new();
    let mut path = format!("{AUDIT}?limit=2");
    loop {
        let page = owner(&server, Method::GET, &path, None).await;
        let body = expect(&page, StatusCode::OK);
        for entry in body["entries"].as_array().unwrap() {
            assert_eq!(
                entry["actor"],
                json!({"kind": "owner", "id": 7, "email": "lin@example.com"})
            );
            assert_eq!(entry["action"], "sign_in");
            seen.push(entry["detail"]["attempt"].as_i64().unwrap());
        }
        match body["next_before"].as_i64() {
            Some(before) => path = format!("{AUDIT}?limit=2&before={before}"),
            None => break,
        }
    }
    assert_eq!(seen, [5, 4, 3, 2, 1]);
    assert_eq!(server.count(CountedTable::AuditLog).await, 5);
}

#[tokio::test]
async fn bad_queries_and_callers_are_refused() {
    let server = TestServer::new().await;
    for (query, code) in [
        ("?limit=0", "invalid_query"),
        ("?limit=201", "invalid_query"),
        ("?before=0", "invalid_query"),
        ("?before=abc", "invalid_query"),
        ("?after=1", "invalid_query"),
    ] {
        let answer = owner(&server, Method::GET, &format!("{AUDIT}{query}"), None).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(answer.code(), code, "{query}");
    }
    let wrong_key = server.get(AUDIT, "ek_forum_test_key_other").await;
    assert_eq!(wrong_key.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_key.code(), "invalid_api_key");
    let no_site = owner(&server, Method::GET, "/api/v1/admin/sites/nope/audit", None).await;
    assert_eq!(no_site.code(), "site_not_found");
}

/// Issue 10: sign-ins, failed sign-ins, sign-outs, site changes and rotations are in the log of
/// the sites the owner runs, with the owner as the actor.
#[tokio::test]
async fn console_sessions_settings_and_rotations_are_audited() {
    use crate::console_session::{ADA, add_owner, in_session, sign_in, signed_in};

    let server = TestServer::new().await;
    add_owner(&server, ADA, false, &["forum"]).await;
    let refused = sign_in(&server, ADA, "not the password at all").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    // An unknown email has no site whose log it could enter.
    let unknown = sign_in(&server, "nobody@example.com", "not the password at all").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let cookie = signed_in(&server, ADA).await;
    let site = "/api/v1/admin/sites/forum";
    let name = serde_json::json!({"name": "Forum <b>bold</b>"});
    let changed = in_session(&server, &cookie, Method::PATCH, site, Some(&name)).await;
    expect(&changed, StatusCode::OK);
    let rotate = serde_json::json!({"what": "api_key", "overlap": "1h"});
    let rotated = in_session(
        &server,
        &cookie,
        Method::POST,
        &format!("{site}/rotate"),
        Some(&rotate),
    )
    .await;
    expect(&rotated, StatusCode::OK);
    let new_key = rotated.body["api_key"].as_str().unwrap().to_owned();
    let signed_out = in_session(
        &server,
        &cookie,
        Method::DELETE,
        "/api/v1/console/session",
        None,
    )
    .await;
    assert_eq!(signed_out.status, StatusCode::NO_CONTENT);

    let answer = server
        .send(
            axum::http::Request::get(format!("{AUDIT}?limit=200"))
                .header(
                    axum::http::header::AUTHORIZATION,
                    format!("Bearer {new_key}"),
                )
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    let mut entries = expect(&answer, StatusCode::OK)["entries"]
        .as_array()
        .unwrap()
        .clone();
    entries.reverse();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "sign_in_failed",
            "sign_in",
            "site_update",
            "rotate_api_key",
            "sign_out"
        ]
    );
    for entry in &entries {
        assert_eq!(entry["actor"]["kind"], "owner", "{entry}");
        assert_eq!(entry["actor"]["email"], ADA, "{entry}");
    }
    assert_eq!(entries[2]["detail"]["name"], "Forum <b>bold</b>");
    assert_eq!(entries[3]["detail"]["overlap_seconds"], 3600);
}
