//! Sites in the console: an owner confined to the sites granted to them on every admin route,
//! admin routes taking either a session or the API key, listing and creating sites, a site's
//! settings, and rotating its secret or API key.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use engage_core::SiteId;
use engage_server::routes::OPENAPI_JSON;
use engage_server::store::{CountedTable, Owner};
use serde_json::{Value, json};

use crate::console_session::{
    ADA, PASSWORD, ada_signed_in, add_owner, console_request, cookie_pair, in_session, sign_in,
    signed_in,
};
use crate::{API_KEY, TestServer};

/// Every operation on a site's admin routes the OpenAPI document lists, as (method, path as
/// documented).
fn admin_operations() -> Vec<(Method, String)> {
    let document: Value = serde_json::from_str(OPENAPI_JSON).unwrap();
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/admin/sites/{site}") {
            continue;
        }
        for method in item.as_object().unwrap().keys() {
            if method != "parameters" {
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                operations.push((method, path.clone()));
            }
        }
    }
    operations
}

/// [`admin_operations`] with `{site}` left in and the other parameters filled with made-up
/// ids.
fn admin_routes() -> Vec<(Method, String)> {
    admin_operations()
        .into_iter()
        .map(|(method, path)| {
            let path = path
                .replace("{poll}", "some-poll")
                .replace("{lottery}", "some-lottery")
                .replace("{feedback}", "1")
                .replace("{version}", "1")
                .replace("{member}", "some-member")
                .replace("{delivery}", "evt_0")
                .replace("{reward}", "some-reward")
                .replace("{redemption}", "1")
                .replace("{file}", "members.csv");
            assert!(!path.replace("{site}", "").contains('{'), "fill in {path}");
            (method, path)
        })
        .collect()
}

/// The `id`s of a list of sites.
fn site_ids(sites: &Value) -> Vec<&str> {
    let sites = sites.as_array().unwrap().iter();
    sites.map(|site| site["id"].as_str().unwrap()).collect()
}

async fn call_route(
    server: &TestServer,
    cookie: &str,
    method: &Method,
    path: &str,
) -> crate::Answer {
    let body = (method != Method::GET).then(|| json!({}));
    in_session(server, cookie, method.clone(), path, body.as_ref()).await
}

#[tokio::test]
async fn an_owner_runs_only_the_sites_granted_to_them() {
    let (server, cookie) = ada_signed_in().await;
    let routes = admin_routes();
    assert!(routes.len() >= 16, "{routes:?}");
    for (method, path) in &routes {
        let other = path.replace("{site}", "other");
        let answer = call_route(&server, &cookie, method, &other).await;
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "{method} {other}: {:?}",
            answer.body
        );
        assert_eq!(answer.code(), "site_forbidden", "{method} {other}");
        // On the granted site the session is let through (whatever the made-up ids then get).
        let forum = path.replace("{site}", "forum");
        let answer = call_route(&server, &cookie, method, &forum).await;
        assert!(
            ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&answer.status),
            "{method} {forum}: {:?}",
            answer.body
        );
    }
    // Nothing about the other site changed.
    let other = SiteId::parse("other").unwrap();
    let site = server.store.site(&other).await.unwrap().unwrap();
    assert_eq!(site.name, "other");
    assert_eq!(site.secret, crate::OTHER_SECRET);
    assert_eq!(
        server
            .store
            .count_rows(CountedTable::Polls, &other)
            .await
            .unwrap(),
        0
    );
    assert!(server.store.webhook(&other).await.unwrap().is_none());
    // A site that does not exist is not found, for owners as for keys.
    let answer = in_session(
        &server,
        &cookie,
        Method::GET,
        "/api/v1/admin/sites/nope",
        None,
    )
    .await;
    assert_eq!(answer.code(), "site_not_found");
}

#[tokio::test]
async fn an_admin_owner_runs_every_site() {
    let server = TestServer::new().await;
    add_owner(&server, "root@example.com", true, &[]).await;
    let cookie = signed_in(&server, "root@example.com").await;
    for (method, path) in admin_routes() {
        let other = path.replace("{site}", "other");
        let answer = call_route(&server, &cookie, &method, &other).await;
        assert!(
            ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&answer.status),
            "{method} {other}: {:?}",
            answer.body
        );
    }
}

#[tokio::test]
async fn admin_routes_take_a_session_or_the_api_key() {
    let (server, cookie) = ada_signed_in().await;
    let site = "/api/v1/admin/sites/forum";
    let with = |authorization: Option<&str>, cookie: Option<&str>| {
        let mut request = console_request(Method::GET, site, cookie, None, None);
        if let Some(value) = authorization {
            request
                .headers_mut()
                .insert(header::AUTHORIZATION, value.parse().unwrap());
        }
        server.send(request)
    };
    let key = format!("Bearer {API_KEY}");
    assert_eq!(with(Some(&key), None).await.status, StatusCode::OK);
    assert_eq!(with(None, Some(&cookie)).await.status, StatusCode::OK);
    let nothing = with(None, None).await;
    assert_eq!(nothing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(nothing.code(), "missing_api_key");
    assert!(
        nothing.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("signed in")
    );
    let ended = with(None, Some("engage_session=ended")).await;
    assert_eq!(ended.status, StatusCode::UNAUTHORIZED);
    assert_eq!(ended.code(), "not_signed_in");
    // An explicit key decides, even beside a good cookie.
    let wrong_key = with(Some("Bearer ek_wrong"), Some(&cookie)).await;
    assert_eq!(wrong_key.code(), "invalid_api_key");
    // Host events stay the host backend's alone.
    let event = json!({"member": "alice", "kind": "bonus", "idempotency_key": "k", "points": 1});
    let answer = in_session(
        &server,
        &cookie,
        Method::POST,
        "/api/v1/sites/forum/events",
        Some(&event),
    )
    .await;
    assert_eq!(answer.code(), "missing_api_key");
    server.assert_nothing_stored().await;
}

#[tokio::test]
async fn the_console_lists_an_owners_sites_and_admins_create_them() {
    let server = TestServer::new().await;
    add_owner(&server, ADA, false, &["forum"]).await;
    let root = add_owner(&server, "root@example.com", true, &[]).await;
    let ada = signed_in(&server, ADA).await;
    let root_cookie = signed_in(&server, "root@example.com").await;
    let sites = "/api/v1/console/sites";

    let listed = in_session(&server, &ada, Method::GET, sites, None).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(
        listed.body,
        json!([{
            "id": "forum", "name": "forum", "tz": "Asia/Shanghai",
            "origins": ["https://forum.example.com"], "created_at": "1970-01-01T00:00:00Z",
        }])
    );
    let all = in_session(&server, &root_cookie, Method::GET, sites, None).await;
    assert_eq!(site_ids(&all.body), ["forum", "other"]);

    let new_site = json!({
        "id": "blog", "name": "The Blog", "tz": "Europe/Paris",
        "origins": ["https://Blog.Example.com/", "https://blog.example.com"],
    });
    let refused = in_session(&server, &ada, Method::POST, sites, Some(&new_site)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.code(), "admin_required");

    let created = in_session(&server, &root_cookie, Method::POST, sites, Some(&new_site)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(
        created.body["site"],
        json!({
            "id": "blog", "name": "The Blog", "tz": "Europe/Paris",
            "origins": ["https://blog.example.com"], "created_at": "2026-11-20T02:00:00Z",
        })
    );
    let api_key = created.body["api_key"].as_str().unwrap();
    assert!(api_key.starts_with("ek_"));
    assert_eq!(created.body["secret"].as_str().unwrap().len(), 43);
    // The key works at once; the creator is granted the site (and would keep it without
    // being admin).
    let by_key = server
        .send(
            Request::get("/api/v1/admin/sites/blog")
                .header(header::AUTHORIZATION, format!("Bearer {api_key}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(by_key.status, StatusCode::OK);
    let granted = server
        .store
        .owner_sites(&Owner {
            admin: false,
            ..root
        })
        .await
        .unwrap();
    assert_eq!(
        granted.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["blog"]
    );
    // Its origin may call the API at once.
    let preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri("/api/v1/sites/blog/checkin")
        .header(header::ORIGIN, "https://blog.example.com")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .body(Body::empty())
        .unwrap();
    let answer = server.send(preflight).await;
    assert_eq!(
        answer.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://blog.example.com"
    );

    let again = in_session(&server, &root_cookie, Method::POST, sites, Some(&new_site)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "site_exists");
    for (change, field) in [
        (json!({"tz": "Mars/Olympus"}), "tz"),
        (json!({"origins": []}), "origins"),
        (json!({"origins": ["forum.example.com"]}), "origins"),
        (json!({"name": " "}), "name"),
        (json!({"id": "Not A Slug"}), "site id"),
        (json!({"secret": "mine"}), "secret"),
    ] {
        let mut body = json!({"id": "shop", "tz": "UTC", "origins": ["https://shop.example.com"]});
        body.as_object_mut()
            .unwrap()
            .extend(change.as_object().unwrap().clone());
        let answer = in_session(&server, &root_cookie, Method::POST, sites, Some(&body)).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(answer.code(), "invalid_body", "{body}");
        let message = answer.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(field), "{message} names {field}");
    }
    let shop = SiteId::parse("shop").unwrap();
    assert!(server.store.site(&shop).await.unwrap().is_none());
}

#[tokio::test]
async fn an_owner_reads_and_changes_a_sites_settings() {
    let (server, cookie) = ada_signed_in().await;
    let site = "/api/v1/admin/sites/forum";
    let read = in_session(&server, &cookie, Method::GET, site, None).await;
    assert_eq!(
        read.body,
        json!({
            "id": "forum", "name": "forum", "tz": "Asia/Shanghai",
            "origins": ["https://forum.example.com"], "created_at": "1970-01-01T00:00:00Z",
        })
    );
    // Let the CORS cache know the old origin first.
    let preflight = |origin: &'static str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/api/v1/sites/forum/checkin")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .body(Body::empty())
            .unwrap()
    };
    let old = server.send(preflight("https://forum.example.com")).await;
    assert!(
        old.headers
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
    );

    let change = json!({
        "name": "  Forum 论坛 ", "tz": "Europe/Berlin",
        "origins": ["https://new.example.com", "http://localhost:3000"],
    });
    let changed = in_session(&server, &cookie, Method::PATCH, site, Some(&change)).await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    let expected = json!({
        "id": "forum", "name": "Forum 论坛", "tz": "Europe/Berlin",
        "origins": ["http://localhost:3000", "https://new.example.com"],
        "created_at": "1970-01-01T00:00:00Z",
    });
    assert_eq!(changed.body, expected);
    assert_eq!(
        in_session(&server, &cookie, Method::GET, site, None)
            .await
            .body,
        expected
    );
    // Browsers see the new origins at once.
    let old = server.send(preflight("https://forum.example.com")).await;
    assert!(
        !old.headers
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
    );
    let new = server.send(preflight("https://new.example.com")).await;
    assert!(
        new.headers
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
    );
    // The time zone decides the site's days from now on: 20:00 UTC is the 21st in Shanghai,
    // still the 20th in Berlin.
    server.set_now("2026-11-20T20:00:00Z");
    let checkin = server.check_in("alice").await;
    assert_eq!(checkin.body["date"], "2026-11-20");

    for bad in [
        json!({"tz": "Nowhere/Else"}),
        json!({"origins": []}),
        json!({"origins": ["ftp://x.example.com"]}),
        json!({"name": ""}),
        json!({"name": "a\u{0}b"}),
        json!({"id": "renamed"}),
    ] {
        let answer = in_session(&server, &cookie, Method::PATCH, site, Some(&bad)).await;
        assert_eq!(answer.code(), "invalid_body", "{bad}");
    }
    assert_eq!(
        in_session(&server, &cookie, Method::GET, site, None)
            .await
            .body,
        expected
    );
}

#[tokio::test]
async fn rotating_replaces_the_api_key_or_the_secret() {
    let (server, cookie) = ada_signed_in().await;
    let rotate = "/api/v1/admin/sites/forum/rotate";
    let by_key = |key: String| {
        server.send(
            Request::get("/api/v1/admin/sites/forum")
                .header(header::AUTHORIZATION, format!("Bearer {key}"))
                .body(Body::empty())
                .unwrap(),
        )
    };

    let body = json!({"what": "api_key", "overlap": "24h"});
    let rotated = in_session(&server, &cookie, Method::POST, rotate, Some(&body)).await;
    assert_eq!(rotated.status, StatusCode::OK, "{:?}", rotated.body);
    let keys: Vec<&String> = rotated.body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["api_key", "previous_valid_until"]);
    let new_key = rotated.body["api_key"].as_str().unwrap().to_owned();
    assert!(new_key.starts_with("ek_"));
    assert_eq!(by_key(new_key).await.status, StatusCode::OK);
    // The old key keeps working for the overlap, and the answer says until when.
    assert_eq!(rotated.body["previous_valid_until"], "2026-11-21T02:00:00Z");
    assert_eq!(by_key(API_KEY.to_owned()).await.status, StatusCode::OK);
    server.set_now("2026-11-21T02:00:01Z");
    assert_eq!(by_key(API_KEY.to_owned()).await.code(), "invalid_api_key");

    // With no overlap the old secret stops at once.
    let old_token = server.token("alice");
    let body = json!({"what": "secret", "overlap": "0s"});
    let rotated = in_session(&server, &cookie, Method::POST, rotate, Some(&body)).await;
    assert_eq!(rotated.status, StatusCode::OK, "{:?}", rotated.body);
    let secret = rotated.body["secret"].as_str().unwrap();
    assert!(rotated.body.get("api_key").is_none());
    assert_eq!(rotated.body["previous_valid_until"], Value::Null);
    let now = server.now().as_second();
    let new_token = server.token_with(secret, "alice", "forum", now, now + 600);
    let me = "/api/v1/sites/forum/me";
    assert_eq!(server.get(me, &new_token).await.status, StatusCode::OK);
    assert_eq!(server.get(me, &old_token).await.code(), "invalid_token");

    for bad in [
        json!({"what": "password"}),
        json!({"what": "secret", "overlap": "forever"}),
        json!({"what": "secret", "overlap": "-1h"}),
        json!({"what": "secret", "overlap": "31d"}),
        json!({}),
    ] {
        let answer = in_session(&server, &cookie, Method::POST, rotate, Some(&bad)).await;
        assert_eq!(answer.code(), "invalid_body", "{bad}");
    }
    // Unchanged by the refusals.
    assert_eq!(server.get(me, &new_token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_signed_in_owner_is_shown_their_sites() {
    let server = TestServer::new().await;
    add_owner(&server, ADA, false, &["other", "forum"]).await;
    let answer = sign_in(&server, ADA, PASSWORD).await;
    assert_eq!(site_ids(&answer.body["owner"]["sites"]), ["forum", "other"]);
    assert!(!cookie_pair(&answer).is_empty());
    assert_eq!(
        in_session(
            &server,
            &cookie_pair(&answer),
            Method::GET,
            "/api/v1/admin/sites/other",
            None
        )
        .await
        .status,
        StatusCode::OK
    );
}

#[test]
fn the_openapi_document_describes_the_console() {
    let document: Value = serde_json::from_str(OPENAPI_JSON).unwrap();
    let scheme = &document["components"]["securitySchemes"]["ownerSession"];
    assert_eq!(scheme["in"], "cookie");
    assert_eq!(scheme["name"], "engage_session");
    for (path, method) in [
        ("/api/v1/console/session", "get"),
        ("/api/v1/console/session", "post"),
        ("/api/v1/console/session", "delete"),
        ("/api/v1/console/setup", "post"),
        ("/api/v1/console/me", "patch"),
        ("/api/v1/console/sites", "get"),
        ("/api/v1/console/sites", "post"),
        ("/api/v1/admin/sites/{site}", "get"),
        ("/api/v1/admin/sites/{site}", "patch"),
        ("/api/v1/admin/sites/{site}/rotate", "post"),
    ] {
        assert!(
            document["paths"][path][method].is_object(),
            "{method} {path}"
        );
    }
    // Every admin route takes the API key or a session, and says what refuses an owner.
    for (method, path) in admin_operations() {
        let operation = &document["paths"][&path][method.as_str().to_lowercase()];
        assert_eq!(
            operation["security"],
            json!([{"apiKey": []}, {"ownerSession": []}]),
            "{method} {path}"
        );
        assert!(operation["responses"]["403"].is_object(), "{method} {path}");
    }
}
