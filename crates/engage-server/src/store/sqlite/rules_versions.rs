//! A site's installed rules versions in SQLite, as the owner's rules page reads them: one
//! version's document, and the history with who installed each (installing is
//! `Store::install_rules`, which audits it).

use engage_core::SiteId;
use engage_core::api::console::{RulesDocument, RulesVersion};

use super::audit::parse_actor;
use super::{Store, StoreError, parse_format, parse_timestamp};

impl Store {
    /// Rules version `version` of a site as installed, or its newest when `None`; `None` when
    /// there is no such version (or, for the newest, none at all).
    pub async fn rules_document(
        &self,
        site: &SiteId,
        version: Option<i64>,
    ) -> Result<Option<RulesDocument>, StoreError> {
        let row: Option<(i64, String, String, String)> = sqlx::query_as(
            "SELECT version, format, document, installed_at FROM rules
             WHERE site_id = ?1 AND (?2 IS NULL OR version = ?2)
             ORDER BY version DESC LIMIT 1",
        )
        .bind(site.as_str())
        .bind(version)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(version, format, document, installed_at)| {
            Ok(RulesDocument {
                version: Some(version),
                format: parse_format(&format),
                document,
                installed_at: Some(parse_timestamp(&installed_at)?),
            })
        })
        .transpose()
    }

    /// Every rules version of a site, newest first, with who installed it.
    pub async fn rules_versions(&self, site: &SiteId) -> Result<Vec<RulesVersion>, StoreError> {
        let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
            "SELECT version, format, installed_at, actor FROM rules WHERE site_id = ?
             ORDER BY version DESC",
        )
        .bind(site.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(version, format, installed_at, actor)| {
                Ok(RulesVersion {
                    version,
                    format: parse_format(&format),
                    installed_at: parse_timestamp(&installed_at)?,
                    actor: actor.as_deref().map(parse_actor).transpose()?,
                })
            })
            .collect()
    }
}
