//! The audit log: who did what, and when.

use engage_core::api::console::AuditEntry;
use leptos::prelude::*;

use crate::api;
use crate::i18n::Lang;
use crate::ui::{Paged, page_header, paged_view, time_view, use_lang};

#[component]
pub fn AuditPage(site: String) -> impl IntoView {
    let lang = use_lang();
    let site = StoredValue::new(site);
    let entries = Paged::new(move |before: Option<String>| {
        let site = site.get_value();
        async move {
            let page = api::audit(&site, before.as_deref()).await?;
            Ok((page.entries, page.next_before.map(|c| c.to_string())))
        }
    });
    let table = move || {
        let lang = lang.get();
        view! {
            <div class="table-wrap" tabindex="0">
                <table class="table">
                    <thead><tr>
                        <th scope="col">{lang.at()}</th>
                        <th scope="col">{lang.who()}</th>
                        <th scope="col">{lang.action()}</th>
                        <th scope="col">{lang.detail()}</th>
                    </tr></thead>
                    <tbody>
                        {entries.items.get().into_iter().map(|e| audit_row(lang, e)).collect_view()}
                    </tbody>
                </table>
            </div>
        }
    };
    view! {
        {move || page_header(lang.get().audit_title(), Some(lang.get().audit_intro()))}
        <section class="panel" aria-label=move || lang.get().audit_title()>
            {paged_view(entries, Lang::audit_empty, table)}
        </section>
    }
}

fn audit_row(lang: Lang, entry: AuditEntry) -> impl IntoView {
    view! {
        <tr>
            <td>{time_view(lang, entry.at)}</td>
            <td class="table__wrap">{lang.actor(Some(&entry.actor))}</td>
            <td>{lang.audit_action(entry.action.as_str())} <span class="table__sub"><code>{entry.action.as_str()}</code></span></td>
            <td class="table__wrap"><code class="break">{detail_text(&entry.detail)}</code></td>
        </tr>
    }
}

/// The detail of an entry as compact `key: value` pairs (JSON for nested values).
pub fn detail_text(detail: &serde_json::Value) -> String {
    match detail {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join(" · "),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}
