//! `GET /api/v1/sites/{site}/me`: the member's points, level, title and recent ledger.

use axum::Json;
use axum::extract::State;
use engage_core::api::{LedgerEntryView, Me};
use engage_core::level::level_for;

use crate::auth::Member;
use crate::error::ApiError;
use crate::state::AppState;

/// How many ledger entries `/me` shows, newest first.
const RECENT_LEDGER_ENTRIES: u32 = 20;

pub async fn me(State(state): State<AppState>, member: Member) -> Result<Json<Me>, ApiError> {
    let rules = state.rules(&member.site.id).await?;
    state
        .store
        .upsert_member(&member.site.id, &member.id, &member.name, state.now())
        .await?;
    let profile = state
        .store
        .member_profile(&member.site.id, &member.id, RECENT_LEDGER_ENTRIES)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("member '{}' vanished", member.id)))?;
    let (level, title, next_level) = level_for(&rules.levels, profile.balance);
    Ok(Json(Me {
        member: member.id.to_string(),
        name: profile.name,
        points: profile.balance,
        level,
        title,
        next_level,
        badges: Vec::new(),
        ledger: profile
            .ledger
            .into_iter()
            .map(|row| LedgerEntryView {
                source: row.source,
                amount: row.amount,
                at: row.at,
                key: row.key,
            })
            .collect(),
    }))
}
