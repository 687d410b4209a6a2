//! `GET /api/v1/sites/{site}/me`: the member's points, level, title, badges (earned and still
//! to earn) and recent ledger; and [`badge_views`], which the owner's member page shares.

use axum::Json;
use axum::extract::State;
use engage_core::api::{BadgeAvailable, BadgeView, LedgerEntryView, Me};
use engage_core::badges::{badge_rule, member_title};
use engage_core::level::level_for;
use engage_core::rules::Rules;

use crate::auth::Member;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::EarnedBadge;

/// Badges a member holds as `/me` (and the owner's member page) show them: named by the
/// current rules, or by their id when the rules no longer define them.
pub fn badge_views(rules: &Rules, earned: &[EarnedBadge]) -> Vec<BadgeView> {
    earned
        .iter()
        .map(|earned| {
            let rule = badge_rule(rules, &earned.id);
            BadgeView {
                id: earned.id.clone(),
                name: rule.map_or_else(|| earned.id.clone(), |r| r.name.clone()),
                earned_at: earned.earned_at,
                title: rule.and_then(|r| r.title.clone()),
            }
        })
        .collect()
}

/// How many ledger entries `/me` shows, newest first.
const RECENT_LEDGER_ENTRIES: u32 = 20;

pub async fn me(State(state): State<AppState>, member: Member) -> Result<Json<Me>, ApiError> {
    let rules = state.rules(&member.site.id).await?;
    state
        .store
        .note_member_seen(&member.site.id, &member.id, &member.name, state.now())
        .await?;
    let profile = state
        .store
        .member_profile(&member.site.id, &member.id, RECENT_LEDGER_ENTRIES)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("member '{}' vanished", member.id)))?;
    let (level, _, next_level) = level_for(&rules.levels, profile.balance);
    let held: Vec<&str> = profile.badges.iter().map(|b| b.id.as_str()).collect();
    let title = member_title(&rules, profile.balance, &held);
    let badges = badge_views(&rules, &profile.badges);
    let badges_available = rules
        .badges
        .iter()
        .filter(|badge| !held.contains(&badge.id.as_str()))
        .map(|badge| BadgeAvailable {
            id: badge.id.clone(),
            name: badge.name.clone(),
            description: badge.description.clone(),
            title: badge.title.clone(),
        })
        .collect();
    Ok(Json(Me {
        member: member.id.to_string(),
        name: profile.name,
        points: profile.balance,
        level,
        title,
        next_level,
        badges,
        ledger: profile
            .ledger
            .into_iter()
            .map(|row| LedgerEntryView {
                source: row.source,
                amount: row.amount,
                at: row.at,
                key: row.key,
                reason: row.reason,
            })
            .collect(),
        badges_available,
        earned: profile.earned,
    }))
}
