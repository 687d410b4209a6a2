//! Integration tests of the server: the real router (`router(state).oneshot(…)`) against a real
//! SQLite file in a temporary directory, with an injectable clock.

mod analytics;
mod assets;
mod audit;
mod backup;
mod badges;
mod checkin;
mod cli;
mod console_app;
mod console_session;
mod console_sites;
mod cors;
mod demo;
mod embed;
mod errors;
mod events;
mod export;
mod feedback;
mod hostile_input;
mod import;
mod inputs;
mod leaderboard;
mod limits;
mod lotteries;
mod lottery_edit;
mod makeup;
mod members_admin;
mod network;
mod owner_views;
mod polls;
mod rewards;
mod rotation;
mod rules_admin;
mod stream;
mod tokens;
mod webhook_safety;
mod webhooks;

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use engage_core::jiff::Timestamp;
use engage_core::rules::RulesFormat;
use engage_core::{MemberId, SiteId};
use engage_server::store::{CountedTable, NewSite, Site};
use engage_server::token::{MemberClaims, hash_api_key, mint_member_token};
use engage_server::{AppState, Config, LimitConfig, Store, router};
use http_body_util::BodyExt;
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;

pub const SITE: &str = "forum";
pub const OTHER_SITE: &str = "other";
pub const SECRET: &str = "forum-secret-for-tests";
pub const OTHER_SECRET: &str = "other-secret-for-tests";
pub const API_KEY: &str = "ek_forum_test_key";
pub const ORIGIN: &str = "https://forum.example.com";

/// A server on a fresh database with two sites: `forum` (Asia/Shanghai, origin
/// https://forum.example.com) and `other` (UTC).
pub struct TestServer {
    pub _dir: TempDir,
    pub store: Store,
    pub state: AppState,
    now: Arc<Mutex<Timestamp>>,
}

/// The response of one call.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The stable error code of an error answer.
    pub fn code(&self) -> &str {
        self.body["error"]["code"]
            .as_str()
            .unwrap_or("<no error code>")
    }
}

impl TestServer {
    pub async fn new() -> TestServer {
        TestServer::with_config(Config {
            limits: LimitConfig::generous(),
            ..Config::default()
        })
        .await
    }

    /// A server with these rate limits.
    pub async fn with_limits(limits: LimitConfig) -> TestServer {
        TestServer::with_config(Config {
            limits,
            ..Config::default()
        })
        .await
    }

    pub async fn with_config(config: Config) -> TestServer {
        let dir = TempDir::new().unwrap();
        let db = dir.path().join("engage.sqlite");
        let store = Store::open(db.to_str().unwrap()).await.unwrap();
        let now = Timestamp::from_second(0).unwrap();
        for (id, tz, secret) in [
            (SITE, "Asia/Shanghai", SECRET),
            (OTHER_SITE, "UTC", OTHER_SECRET),
        ] {
            let new = NewSite {
                site: Site {
                    id: SiteId::parse(id).unwrap(),
                    name: id.into(),
                    tz: tz.into(),
                    secret: secret.into(),
                    api_key_hash: hash_api_key(&format!(
                        "{API_KEY}{}",
                        if id == SITE { "" } else { "_other" }
                    )),
                },
                origins: vec![ORIGIN.replace("forum", id)],
            };
            store.create_site(&new, now).await.unwrap();
        }
        let clock = Arc::new(Mutex::new("2026-11-20T02:00:00Z".parse().unwrap()));
        let read = clock.clone();
        let state = AppState::new(store.clone(), config)
            .with_clock(Arc::new(move || *read.lock().unwrap()));
        TestServer {
            _dir: dir,
            store,
            state,
            now: clock,
        }
    }

    /// Sets "now" (RFC 3339).
    pub fn set_now(&self, at: &str) {
        *self.now.lock().unwrap() = at.parse().unwrap();
    }

    pub fn now(&self) -> Timestamp {
        *self.now.lock().unwrap()
    }

    /// A valid one-hour token for `member` of `forum`.
    pub fn token(&self, member: &str) -> String {
        let now = self.now().as_second();
        self.token_with(SECRET, member, SITE, now, now + 3600)
    }

    pub fn token_with(&self, secret: &str, member: &str, site: &str, iat: i64, exp: i64) -> String {
        mint_member_token(
            secret,
            &MemberClaims {
                sub: member.into(),
                name: format!("Name of {member}"),
                site: site.into(),
                iat,
                exp,
            },
        )
    }

    pub async fn install_rules(&self, toml: &str) {
        self.store
            .install_rules(
                &SiteId::parse(SITE).unwrap(),
                toml,
                RulesFormat::Toml,
                self.now(),
                None,
            )
            .await
            .unwrap();
    }

    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = router(self.state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    /// A request as a member (`token` is the whole bearer token, or none).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        json: Option<&str>,
    ) -> Answer {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match json {
            Some(json) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_owned())
            }
            None => Body::empty(),
        };
        self.send(builder.body(body).unwrap()).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, json: Option<&str>) -> Answer {
        self.call(Method::POST, path, Some(token), json).await
    }

    pub async fn check_in(&self, member: &str) -> Answer {
        let token = self.token(member);
        self.post("/api/v1/sites/forum/checkin", &token, None).await
    }

    /// Gives `member` points through a host event.
    pub async fn award(&self, member: &str, points: i64, key: &str) -> Answer {
        let body = serde_json::json!({
            "member": member, "kind": "bonus", "idempotency_key": key, "points": points
        });
        self.call_with_key("/api/v1/sites/forum/events", API_KEY, &body.to_string())
            .await
    }

    pub async fn call_with_key(&self, path: &str, key: &str, json: &str) -> Answer {
        let request = Request::post(path)
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json.to_owned()))
            .unwrap();
        self.send(request).await
    }

    pub async fn count(&self, table: CountedTable) -> i64 {
        self.store
            .count_rows(table, &SiteId::parse(SITE).unwrap())
            .await
            .unwrap()
    }

    /// Opens `wheel`: one prize (`mug`, `stock` of them, always won) at `cost` points a spin,
    /// open all of November 2026.
    pub async fn open_wheel(&self, cost: i64, stock: u32) {
        let wheel = serde_json::json!({
            "id": "wheel", "prizes": [{"id": "mug", "name": "Mug", "weight": 1, "stock": stock}],
            "cost": cost, "opens_at": "2026-11-01T00:00:00Z", "closes_at": "2026-12-01T00:00:00Z",
        });
        let admin = "/api/v1/admin/sites/forum/lotteries";
        let created = self.call_with_key(admin, API_KEY, &wheel.to_string()).await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
        let opened = self
            .call_with_key(&format!("{admin}/wheel/open"), API_KEY, "{}")
            .await;
        assert_eq!(opened.status, StatusCode::OK, "{:?}", opened.body);
    }

    /// Spins `wheel` as `member`.
    pub async fn spin_wheel(&self, member: &str) -> Answer {
        let token = self.token(member);
        self.post("/api/v1/sites/forum/lotteries/wheel/spins", &token, None)
            .await
    }

    /// Asserts the ledger's invariants for `forum`: every member's balance equals the sum of
    /// their ledger entries (and is not negative), the all-time leaderboard equals the sum of
    /// their positive entries, and the rank histogram equals a count of the period sums.
    pub async fn assert_ledger_balanced(&self) {
        let problems = self
            .store
            .audit_ledger(&SiteId::parse(SITE).unwrap())
            .await
            .unwrap();
        assert!(problems.is_empty(), "{problems:#?}");
    }

    /// Asserts that nothing at all is stored for `forum`.
    pub async fn assert_nothing_stored(&self) {
        for table in [
            CountedTable::Members,
            CountedTable::Checkins,
            CountedTable::Ledger,
        ] {
            assert_eq!(self.count(table).await, 0, "{table:?}");
        }
    }
}

/// A rate-limit number.
pub fn per_minute(value: u32) -> NonZeroU32 {
    NonZeroU32::new(value).unwrap()
}

pub fn member(id: &str) -> MemberId {
    MemberId::parse(id).unwrap()
}

/// The code block of README.md in `language` that contains `marker`, dedented (blocks inside
/// list items are indented), so tests can run the documentation exactly as written.
pub fn readme_block(language: &str, marker: &str) -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let block = readme
        .split(&format!("```{language}\n"))
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap())
        .find(|block| block.contains(marker))
        .unwrap_or_else(|| panic!("README.md has a {language} block with {marker}"));
    let indent = block
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    block
        .lines()
        .map(|line| line.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}
