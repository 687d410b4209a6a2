//! The leaderboard (issue 5): points earned per period in the site's time zone, competition
//! ranks with ties ordered by who reached the points first, the viewer's own place and
//! neighbours far outside the top, correct periods around midnight and the week and month starts
//! in zones far from UTC, and a live stream announcing ledger changes.

use axum::http::{Method, StatusCode};
use engage_core::SiteId;
use engage_server::store::{NewSite, Site};
use engage_server::token::{MemberClaims, hash_api_key, mint_member_token};
use serde_json::{Value, json};

use crate::polls::EventReader;
use crate::{API_KEY, TestServer};

const BOARD: &str = "/api/v1/sites/forum/leaderboard";

async fn award_on(server: &TestServer, site: &str, key: &str, member: &str, points: i64, id: &str) {
    let body = json!({"member": member, "kind": "post", "idempotency_key": id, "points": points});
    let answer = server
        .call_with_key(
            &format!("/api/v1/sites/{site}/events"),
            key,
            &body.to_string(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
}

async fn board(server: &TestServer, query: &str, token: Option<&str>) -> Value {
    let answer = server
        .call(Method::GET, &format!("{BOARD}{query}"), token, None)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    answer.body
}

/// (rank, member, points) of each row.
fn rows(list: &Value) -> Vec<(u64, String, i64)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["rank"].as_u64().unwrap(),
                row["member"].as_str().unwrap().to_owned(),
                row["points"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn row(rank: u64, member: &str, points: i64) -> (u64, String, i64) {
    (rank, member.to_owned(), points)
}

#[tokio::test]
async fn competition_ranks_ties_and_my_place_far_below_the_top() {
    let server = TestServer::new().await;
    server
        .install_rules(
            "[[badges]]\nid = \"starter\"\nname = \"Starter\"\ntitle = \"Starter\"\n\
             criteria = { points = 1 }\n",
        )
        .await;
    // bob and cat tie; cat reached 20 first, so cat is listed first. dan and eve tie too.
    for (member, points, key) in [
        ("ann", 50, "1"),
        ("cat", 20, "2"),
        ("bob", 20, "3"),
        ("dan", 10, "4"),
        ("eve", 10, "5"),
    ] {
        award_on(&server, "forum", API_KEY, member, points, key).await;
    }
    for i in 0..20 {
        award_on(
            &server,
            "forum",
            API_KEY,
            &format!("z{i:02}"),
            5,
            &format!("z{i}"),
        )
        .await;
    }
    award_on(&server, "forum", API_KEY, "last", 1, "l").await;
    let top = board(&server, "?period=week&limit=4", None).await;
    assert_eq!(top["period"], "week");
    assert_eq!(
        (top["from"].clone(), top["to"].clone()),
        (json!("2026-11-16"), json!("2026-11-22"))
    );
    assert_eq!(
        rows(&top["top"]),
        [
            row(1, "ann", 50),
            row(2, "cat", 20),
            row(2, "bob", 20),
            row(4, "dan", 10)
        ]
    );
    assert_eq!(top["top"][0]["name"], "ann");
    assert_eq!(top["top"][0]["title"], "Starter");
    assert_eq!(top["top"][0]["badges"], json!(["starter"]));
    assert_eq!(top["me"], Value::Null);

    // A member far outside the top sees their rank and neighbours.
    let mine = board(&server, "?period=week&limit=3", Some(&server.token("z10"))).await;
    assert_eq!(mine["me"]["rank"], 6);
    assert_eq!(mine["me"]["points"], 5);
    assert_eq!(mine["me"]["title"], "Starter");
    assert_eq!(
        rows(&mine["me"]["neighbours"]),
        [
            row(6, "z08", 5),
            row(6, "z09", 5),
            row(6, "z11", 5),
            row(6, "z12", 5)
        ]
    );
    let last = board(&server, "?period=all", Some(&server.token("last"))).await;
    assert_eq!(last["me"]["rank"], 26);
    assert_eq!(
        rows(&last["me"]["neighbours"]),
        [row(6, "z18", 5), row(6, "z19", 5)]
    );
    assert_eq!(last["from"], Value::Null);
    assert_eq!(rows(&last["top"]).len(), 10);
    // Someone who earned nothing ranks after everyone who did.
    let nobody = board(&server, "?period=day", Some(&server.token("newbie"))).await;
    assert_eq!(nobody["me"]["rank"], 27);
    assert_eq!(nobody["me"]["points"], 0);
    assert_eq!(nobody["me"]["title"], "Newcomer");
    assert_eq!(
        rows(&nobody["me"]["neighbours"]),
        [row(6, "z19", 5), row(26, "last", 1)]
    );
}

#[tokio::test]
async fn spending_never_lowers_a_rank_and_checkins_count() {
    let server = TestServer::new().await;
    server.check_in("amy").await;
    award_on(&server, "forum", API_KEY, "ben", 5, "b").await;
    server.open_wheel(10, 5).await;
    let spin = server.spin_wheel("amy").await;
    assert_eq!(spin.status, StatusCode::OK, "{:?}", spin.body);
    let day = board(&server, "?period=day", Some(&server.token("amy"))).await;
    assert_eq!(rows(&day["top"]), [row(1, "amy", 10), row(2, "ben", 5)]);
    assert_eq!(day["me"]["rank"], 1);
    server.assert_ledger_balanced().await;
}

#[tokio::test]
async fn bad_queries_are_refused() {
    let server = TestServer::new().await;
    for query in [
        "?period=year",
        "?limit=0",
        "?limit=101",
        "?limit=ten",
        "?sort=asc",
    ] {
        let answer = server
            .call(Method::GET, &format!("{BOARD}{query}"), None, None)
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(answer.code(), "invalid_query", "{query}");
    }
    let missing = server
        .call(Method::GET, "/api/v1/sites/nope/leaderboard", None, None)
        .await;
    assert_eq!(missing.code(), "site_not_found");
    let defaults = board(&server, "", None).await;
    assert_eq!(
        defaults,
        json!({"period": "week", "from": "2026-11-16", "to": "2026-11-22", "top": [], "me": null})
    );
}

/// A site in `zone` with its own key and secret.
async fn far_site(server: &TestServer, id: &str, zone: &str) -> (String, String) {
    let key = format!("ek_{id}_key");
    let secret = format!("{id}-secret");
    let site = NewSite {
        site: Site {
            id: SiteId::parse(id).unwrap(),
            name: id.into(),
            tz: zone.into(),
            secret: secret.clone(),
            api_key_hash: hash_api_key(&key),
        },
        origins: vec![],
    };
    server.store.create_site(&site, server.now()).await.unwrap();
    (key, secret)
}

async fn far_board(server: &TestServer, site: &str, period: &str) -> Value {
    let answer = server
        .call(
            Method::GET,
            &format!("/api/v1/sites/{site}/leaderboard?period={period}"),
            None,
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    answer.body
}

/// Kiritimati is UTC+14: its Monday starts at 10:00 UTC on Sunday.
#[tokio::test]
async fn days_and_weeks_turn_at_local_midnight_in_kiritimati() {
    let server = TestServer::new().await;
    let (key, _) = far_site(&server, "kiri", "Pacific/Kiritimati").await;
    server.set_now("2026-11-22T09:59:00Z"); // Sunday 23:59 local
    award_on(&server, "kiri", &key, "ann", 10, "a").await;
    let sunday = far_board(&server, "kiri", "day").await;
    assert_eq!(sunday["from"], "2026-11-22");
    assert_eq!(rows(&sunday["top"]), [row(1, "ann", 10)]);
    server.set_now("2026-11-22T10:01:00Z"); // Monday 00:01 local: a new day and a new week
    award_on(&server, "kiri", &key, "bob", 5, "b").await;
    let monday = far_board(&server, "kiri", "day").await;
    assert_eq!(
        (monday["from"].clone(), monday["to"].clone()),
        (json!("2026-11-23"), json!("2026-11-23"))
    );
    assert_eq!(rows(&monday["top"]), [row(1, "bob", 5)]);
    let week = far_board(&server, "kiri", "week").await;
    assert_eq!(
        (week["from"].clone(), week["to"].clone()),
        (json!("2026-11-23"), json!("2026-11-29"))
    );
    assert_eq!(rows(&week["top"]), [row(1, "bob", 5)]);
    let month = far_board(&server, "kiri", "month").await;
    assert_eq!(rows(&month["top"]), [row(1, "ann", 10), row(2, "bob", 5)]);
    // Back before midnight, the old week still holds ann alone.
    server.set_now("2026-11-22T09:59:30Z");
    assert_eq!(
        rows(&far_board(&server, "kiri", "week").await["top"]),
        [row(1, "ann", 10)]
    );
}

/// Pago Pago is UTC−11: its December starts at 11:00 UTC on 1 December.
#[tokio::test]
async fn months_turn_at_local_midnight_in_pago_pago() {
    let server = TestServer::new().await;
    let (key, secret) = far_site(&server, "pago", "Pacific/Pago_Pago").await;
    server.set_now("2026-12-01T10:59:00Z"); // 30 November 23:59 local
    award_on(&server, "pago", &key, "ann", 10, "a").await;
    server.set_now("2026-12-01T11:01:00Z"); // 1 December 00:01 local
    award_on(&server, "pago", &key, "bob", 3, "b").await;
    let month = far_board(&server, "pago", "month").await;
    assert_eq!(
        (month["from"].clone(), month["to"].clone()),
        (json!("2026-12-01"), json!("2026-12-31"))
    );
    assert_eq!(rows(&month["top"]), [row(1, "bob", 3)]);
    // Both in the same week (Monday 30 November local) and all time.
    assert_eq!(
        rows(&far_board(&server, "pago", "week").await["top"]),
        [row(1, "ann", 10), row(2, "bob", 3)]
    );
    assert_eq!(
        rows(&far_board(&server, "pago", "all").await["top"]),
        [row(1, "ann", 10), row(2, "bob", 3)]
    );
    // ann sees herself unranked-after-bob this month: no points, rank 2.
    let now = server.now().as_second();
    let token = mint_member_token(
        &secret,
        &MemberClaims {
            sub: "ann".into(),
            name: "Ann".into(),
            site: "pago".into(),
            iat: now,
            exp: now + 600,
        },
    );
    let answer = server
        .call(
            Method::GET,
            "/api/v1/sites/pago/leaderboard?period=month",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(answer.body["me"]["rank"], 2);
    assert_eq!(answer.body["me"]["points"], 0);
}

#[tokio::test]
async fn the_live_stream_announces_ledger_changes() {
    let server = TestServer::new().await;
    let mut events = EventReader::open_path(&server, &format!("{BOARD}/events")).await;
    let (name, first) = events.next().await.unwrap();
    assert_eq!(name, "leaderboard");
    let start = first["version"].as_u64().unwrap();
    server.check_in("amy").await;
    let (name, next) = events.next().await.unwrap();
    assert_eq!(name, "leaderboard");
    assert!(next["version"].as_u64().unwrap() > start, "{next}");
    // Another site's ledger is not announced here; this site's next change is.
    award_on(&server, "other", &format!("{API_KEY}_other"), "zed", 5, "o").await;
    award_on(&server, "forum", API_KEY, "ben", 5, "b").await;
    let (_, after) = events.next().await.unwrap();
    assert_eq!(
        after.as_object().unwrap().len(),
        1,
        "only the version: {after}"
    );
    assert_eq!(after["version"], next["version"].as_u64().unwrap() + 1);
    server.store.watch.leaderboards.close();
    assert!(events.next().await.is_none());
}
