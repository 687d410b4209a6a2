//! Demo mode (`serve --demo`): the "demo" site with sample members, polls, a rules document
//! (feedback on) and the `spring-wheel` lottery, and two routes that list the members and mint real member tokens for them,
//! standing in for a host site's backend. Without `--demo` these routes do not exist (404).

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use engage_core::api::lottery::{CreateLottery, LotteryMode, PrizeDefinition};
use engage_core::api::rewards::{CreateReward, RewardKind};
use engage_core::api::{CreatePoll, PollOption, ResultsVisibility};
use engage_core::calendar::calendar_day;
use engage_core::jiff::tz::TimeZone;
use engage_core::jiff::{SignedDuration, Timestamp};
use engage_core::lottery::{SEED_BYTES, Seed, validate_lottery};
use engage_core::poll::validate_poll;
use engage_core::rewards::validate_reward;
use engage_core::rules::{Rules, RulesFormat, parse_rules};
use engage_core::{MemberId, SiteId};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::store::{HostEvent, NewSite, Site, Store, StoreError};
use crate::token::{MemberClaims, hash_api_key, mint_member_token, new_api_key, new_site_secret};

pub const DEMO_SITE: &str = "demo";
const DEMO_NAME: &str = "Demo community";
const DEMO_TZ: &str = "Asia/Shanghai";
const DEMO_ORIGINS: [&str; 2] = ["http://127.0.0.1:8080", "http://localhost:8080"];
const DEMO_MEMBERS: [(&str, &str); 5] = [
    ("alice", "Alice"),
    ("bob", "Bob"),
    ("xiaoming", "小明"),
    ("mei", "美美"),
    ("lin", "Lin 林"),
];
/// Points each demo poll gives a member's first vote.
const DEMO_POLL_POINTS: i64 = 5;
/// How long a demo token lives.
const DEMO_TOKEN_SECONDS: i64 = 60 * 60;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/demo/members", get(members))
        .route("/v1/demo/token", post(token))
}

fn demo_site_id() -> SiteId {
    SiteId::parse(DEMO_SITE).expect("valid site id")
}

/// Creates the demo site, its sample members and polls if missing, and allows `extra_origins`
/// (the address the server actually listens on). Polls the owner has since edited are kept.
pub async fn seed_demo(
    store: &Store,
    extra_origins: &[String],
    now: Timestamp,
) -> Result<(), StoreError> {
    let site = demo_site_id();
    if store.site(&site).await?.is_none() {
        let new = NewSite {
            site: Site {
                id: site.clone(),
                name: DEMO_NAME.into(),
                tz: DEMO_TZ.into(),
                secret: new_site_secret(),
                api_key_hash: hash_api_key(&new_api_key()),
            },
            origins: DEMO_ORIGINS.iter().map(|o| (*o).to_owned()).collect(),
        };
        match store.create_site(&new, now).await {
            Ok(()) | Err(StoreError::SiteExists(_)) => {}
            Err(other) => return Err(other),
        }
    }
    for origin in extra_origins {
        store.add_site_origin(&site, origin).await?;
    }
    for (member, name) in DEMO_MEMBERS {
        let member = MemberId::parse(member).expect("valid member id");
        store
            .add_member_if_missing(&site, &member, name, now)
            .await?;
    }
    install_demo_rules(store, &site, now).await?;
    for definition in demo_polls() {
        let poll = validate_poll(definition).expect("the demo polls are valid");
        match store.create_poll(&site, &poll, now, None).await {
            Ok(_) | Err(StoreError::PollExists(_)) => {}
            Err(other) => return Err(other),
        }
    }
    seed_demo_lottery(store, &site, now).await?;
    seed_demo_shop(store, &site, now).await?;
    Ok(())
}

/// The demo's rules document: the default check-in, make-up and level rules (10 points a
/// check-in, bonuses at 7 and 30 days), feedback with four categories, stars and 5 points, and
/// a few badges, some granting a title.
const DEMO_RULES: &str = r#"# The demo community's rules. Check-in, make-ups and levels keep their defaults.

[[badges]]
id = "first-checkin"
name = "First check-in"
description = "Checked in for the first time"
criteria = { first_checkin = true }

[[badges]]
id = "three-day-streak"
name = "3-day streak"
description = "Checked in three days in a row"
title = "Early bird"
criteria = { streak = 3 }

[[badges]]
id = "first-vote"
name = "First vote"
description = "Voted in a poll"
criteria = { votes = 1 }

[[badges]]
id = "big-spender"
name = "Big spender"
description = "Spent 50 points on the wheel, make-ups or rewards"
title = "High roller"
criteria = { spent = 50 }

[[badges]]
id = "regular"
name = "All-rounder"
description = "Voted, sent feedback and checked in five times"
title = "Community pillar"
criteria = { all = [{ votes = 1 }, { feedback = 1 }, { checkins = 5 }] }

[[badges]]
id = "first-reward"
name = "First reward"
description = "Redeemed a reward in the shop"
criteria = { redeemed = 1 }

[[badges]]
id = "weekly-top-3"
name = "Top 3 of the week"
description = "Ranked in the week's top 3"
criteria = { rank = { top = 3, period = "week" } }

[feedback]
anonymous = true
scale = "stars"
points = 5
max_length = 2000
max_links = 2
blocked_words = ["casino", "viagra"]
categories = [
  { id = "bug", label = "Bug" },
  { id = "idea", label = "Idea" },
  { id = "question", label = "Question" },
  { id = "other", label = "Other" },
]
"#;

/// Installs [`DEMO_RULES`] unless the demo site already has rules (the owner's edits are kept).
async fn install_demo_rules(
    store: &Store,
    site: &SiteId,
    now: Timestamp,
) -> Result<(), StoreError> {
    if store.current_rules(site).await?.is_none() {
        parse_rules(DEMO_RULES, RulesFormat::Toml).expect("the demo rules are valid");
        store
            .install_rules(site, DEMO_RULES, RulesFormat::Toml, now, None)
            .await?;
    }
    Ok(())
}

/// `favourite-feature` (single choice, anonymous votes, results always shown, changeable) and
/// `meetup-day` (up to two days, members only, results after voting, final).
fn demo_polls() -> [CreatePoll; 2] {
    let options = |list: &[(&str, &str)]| {
        list.iter()
            .map(|(id, label)| PollOption {
                id: (*id).to_owned(),
                label: (*label).to_owned(),
            })
            .collect()
    };
    [
        CreatePoll {
            id: "favourite-feature".into(),
            question: "Which feature should we build next?".into(),
            options: options(&[
                ("dark-mode", "Dark mode"),
                ("mobile-app", "Mobile app"),
                ("events-calendar", "Events calendar"),
                ("member-directory", "Member directory"),
            ]),
            multiple: false,
            max_choices: None,
            closes_at: None,
            results: ResultsVisibility::Always,
            anonymous: true,
            allow_change: true,
            points: DEMO_POLL_POINTS,
            ip_limit: None,
        },
        CreatePoll {
            id: "meetup-day".into(),
            question: "Which days suit you for the monthly meetup?".into(),
            options: options(&[
                ("monday", "Monday"),
                ("tuesday", "Tuesday"),
                ("wednesday", "Wednesday"),
                ("thursday", "Thursday"),
                ("friday", "Friday"),
            ]),
            multiple: true,
            max_choices: Some(2),
            closes_at: None,
            results: ResultsVisibility::AfterVote,
            anonymous: false,
            allow_change: false,
            points: DEMO_POLL_POINTS,
            ip_limit: None,
        },
    ]
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DemoMember {
    pub member: String,
    pub name: String,
}

/// `GET /api/v1/demo/members`
async fn members(State(state): State<AppState>) -> Result<Json<Vec<DemoMember>>, ApiError> {
    let members = state.store.members(&demo_site_id()).await?;
    Ok(Json(
        members
            .into_iter()
            .map(|m| DemoMember {
                member: m.member.to_string(),
                name: m.name,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoTokenRequest {
    pub member: MemberId,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct DemoToken {
    pub token: String,
    pub member: String,
    pub name: String,
    pub site: String,
    pub expires_at: Timestamp,
}

/// `POST /api/v1/demo/token` with `{"member": "alice"}`: what a host backend would do.
async fn token(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<DemoTokenRequest>,
) -> Result<Json<DemoToken>, ApiError> {
    let site = state.site(DEMO_SITE).await?;
    let member = state
        .store
        .member(&site.id, &request.member)
        .await?
        .ok_or_else(|| ApiError::MemberNotFound(request.member.to_string()))?;
    let now = state.now();
    let expires_at = now
        .checked_add(SignedDuration::from_secs(DEMO_TOKEN_SECONDS))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let claims = MemberClaims {
        sub: member.member.to_string(),
        name: member.name.clone(),
        site: site.id.to_string(),
        iat: now.as_second(),
        exp: expires_at.as_second(),
    };
    Ok(Json(DemoToken {
        token: mint_member_token(&site.secret, &claims),
        member: claims.sub,
        name: member.name,
        site: claims.site,
        expires_at,
    }))
}

/// The demo member who starts with points to spin the wheel, and how many. Only Lin: the other
/// members' balances start at 0, as the check-in walkthroughs expect.
const WELCOME_MEMBER: &str = "lin";
const WELCOME_POINTS: i64 = 100;
/// The demo wheel stays open this long after the first run.
const DEMO_LOTTERY_DAYS: i64 = 30;

/// `spring-wheel`, open from the first run for 30 days (its seed fixed then), 10 points a spin
/// and 5 spins a day, kept as it is on later runs; and Lin's one-time welcome points.
async fn seed_demo_lottery(store: &Store, site: &SiteId, now: Timestamp) -> Result<(), StoreError> {
    let prize = |id: &str, name: &str, weight, stock| PrizeDefinition {
        id: id.into(),
        name: name.into(),
        weight,
        stock,
        image: None,
    };
    let closes_at = now
        .checked_add(SignedDuration::from_hours(24 * DEMO_LOTTERY_DAYS))
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let definition = CreateLottery {
        id: "spring-wheel".into(),
        mode: LotteryMode::Wheel,
        prizes: vec![
            prize("sticker-pack", "Sticker pack", 30, 100),
            prize("t-shirt", "T-shirt", 8, 10),
            prize("mug", "Mug", 12, 20),
            prize("keyboard", "Grand prize: keyboard", 1, 1),
        ],
        no_prize_weight: 49,
        cost: 10,
        daily_spins: 5,
        opens_at: now,
        closes_at,
        winners: 1,
    };
    let lottery = validate_lottery(definition).expect("the demo lottery is valid");
    match store.create_lottery(site, &lottery, now, None).await {
        Ok(_) | Err(StoreError::LotteryExists(_)) => {}
        Err(other) => return Err(other),
    }
    let mut seed = [0u8; SEED_BYTES];
    getrandom::fill(&mut seed).expect("the operating system provides randomness");
    // Opening again keeps the first seed; a closed demo wheel stays closed.
    store
        .open_lottery(site, &lottery.id, &Seed::from_bytes(seed), now, None)
        .await?;
    let welcome = HostEvent {
        member: MemberId::parse(WELCOME_MEMBER).expect("valid member id"),
        name: None,
        kind: "welcome".into(),
        idempotency_key: "welcome".into(),
        points: WELCOME_POINTS,
    };
    let zone = TimeZone::get(DEMO_TZ).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let rules = match store.current_rules(site).await? {
        Some(stored) => parse_rules(&stored.document, stored.format)
            .map_err(|e| StoreError::Corrupt(format!("demo rules: {e}")))?,
        None => Rules::default(),
    };
    store
        .record_host_event(site, &welcome, calendar_day(now, &zone), now, &rules)
        .await?;
    Ok(())
}

/// The demo shop's coupon codes: `ENGAGE-DEMO-01` … `ENGAGE-DEMO-20`.
const DEMO_COUPON_CODES: u32 = 20;

/// The demo's rewards shop: a sticker pack the owner sends, a coupon with a pool of codes and a
/// streak freeze. Kept as they are on later runs; the codes are uploaded when the coupon is
/// created.
async fn seed_demo_shop(store: &Store, site: &SiteId, now: Timestamp) -> Result<(), StoreError> {
    let definition =
        |id: &str, name: &str, description: &str, price, stock, per_member, kind| CreateReward {
            id: id.into(),
            name: name.into(),
            description: Some(description.into()),
            image_url: None,
            price,
            stock,
            per_member,
            opens_at: None,
            closes_at: None,
            kind,
        };
    let rewards = [
        definition(
            "sticker-pack",
            "Sticker pack",
            "Five community stickers, posted to you",
            30,
            Some(50),
            Some(2),
            RewardKind::Item,
        ),
        definition(
            "coffee-coupon",
            "Coffee coupon",
            "A code for one coffee at the meetup café",
            50,
            None,
            Some(1),
            RewardKind::Code,
        ),
        definition(
            "streak-freeze",
            "Streak freeze",
            "Keeps your check-in streak through one missed day",
            20,
            None,
            Some(3),
            RewardKind::StreakFreeze,
        ),
    ];
    for definition in rewards {
        let reward = validate_reward(definition).expect("the demo rewards are valid");
        match store.create_reward(site, &reward, now, None).await {
            Ok(_) if reward.kind == RewardKind::Code => {
                let codes: Vec<String> = (1..=DEMO_COUPON_CODES)
                    .map(|n| format!("ENGAGE-DEMO-{n:02}"))
                    .collect();
                store
                    .add_reward_codes(site, &reward.id, &codes, now, None)
                    .await?;
            }
            Ok(_) | Err(StoreError::RewardExists(_)) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(())
}
