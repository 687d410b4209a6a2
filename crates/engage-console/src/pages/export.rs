//! CSV export: one download link per table the server exports (`…/export/{table}.csv`), and
//! the "Export CSV" links other pages show next to their own data.
//!
//! A download is a plain `<a href download>`: the route is on the console's own origin, so the
//! browser sends the session cookie with it and saves the streamed attachment itself — no
//! script holds the file (a million rows never sit in the page's memory either).

use engage_core::api::console::ExportTable;
use leptos::prelude::*;

use crate::api;
use crate::i18n::Lang;
use crate::ui::{page_header, use_lang};

/// The table's name and what its file holds, in `lang`.
pub fn table_text(lang: Lang, table: ExportTable) -> (&'static str, &'static str) {
    match table {
        ExportTable::Members => (lang.export_members(), lang.export_members_about()),
        ExportTable::Ledger => (lang.export_ledger(), lang.export_ledger_about()),
        ExportTable::Checkins => (lang.export_checkins(), lang.export_checkins_about()),
        ExportTable::Votes => (lang.export_votes(), lang.export_votes_about()),
        ExportTable::Spins => (lang.export_spins(), lang.export_spins_about()),
        ExportTable::Entries => (lang.export_entries(), lang.export_entries_about()),
        ExportTable::Feedback => (lang.export_feedback(), lang.export_feedback_about()),
        ExportTable::Badges => (lang.export_badges(), lang.export_badges_about()),
        ExportTable::Audit => (lang.export_audit(), lang.export_audit_about()),
        ExportTable::Analytics => (lang.export_analytics(), lang.export_analytics_about()),
        ExportTable::Redemptions => (lang.export_redemptions(), lang.export_redemptions_about()),
    }
}

/// The file name the server gives the download (`Content-Disposition`), also the link's
/// `download` name.
fn file_name(site: &str, table: ExportTable) -> String {
    format!("{site}-{}.csv", table.as_str())
}

/// A download link for one table: "Export CSV", named for the table for screen readers.
pub fn export_link(lang: Lang, site: &str, table: ExportTable) -> impl IntoView + use<> {
    download_link(lang, site, table, false)
}

/// The one way a table's download link is drawn: it shows "Export CSV · <table>", or with
/// `show_file` the file's name, which is then part of the link's accessible name too (what a
/// link shows must be in its name, WCAG 2.5.3).
fn download_link(
    lang: Lang,
    site: &str,
    table: ExportTable,
    show_file: bool,
) -> impl IntoView + use<> {
    let (name, _) = table_text(lang, table);
    let file = file_name(site, table);
    let label = format!("{} · {name}", lang.export_csv());
    let download = file.clone();
    let aria_label = if show_file {
        format!("{label} · {file}")
    } else {
        label.clone()
    };
    view! {
        <a class="button button--small export-link" href=api::export_href(site, table)
            download=download data-table=table.as_str() aria-label=aria_label>
            {if show_file { view! { <code>{file}</code> }.into_any() } else { label.into_any() }}
        </a>
    }
}

#[component]
pub fn ExportPage(site: String) -> impl IntoView {
    let lang = use_lang();
    let site = StoredValue::new(site);
    let rows = move || {
        let lang = lang.get();
        let site = site.get_value();
        ExportTable::ALL
            .into_iter()
            .map(|table| {
                let (name, about) = table_text(lang, table);
                view! {
                    <tr>
                        <th scope="row">{name}</th>
                        <td class="table__wrap">{about}</td>
                        <td>{download_link(lang, &site, table, true)}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        {move || page_header(lang.get().export_title(), Some(lang.get().export_intro()))}
        <section class="panel" aria-labelledby="export-tables">
            <h2 class="panel__title" id="export-tables">{move || lang.get().nav_export()}</h2>
            <p class="field__hint">{move || lang.get().export_excel()}</p>
            <p class="field__hint">{move || lang.get().export_audited()}</p>
            <div class="table-wrap" tabindex="0">
                <table class="table">
                    <thead><tr>
                        <th scope="col">{move || lang.get().export_table()}</th>
                        <th scope="col">{move || lang.get().export_contents()}</th>
                        <th scope="col">{move || lang.get().export_file()}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
