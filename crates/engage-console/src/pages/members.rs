//! Members: search by id or name, and one member's page — balance, level, title, streaks,
//! badges, the full ledger a page at a time, and a points adjustment with a required reason.

use engage_core::api::console::{AdjustPoints, MemberDetail, MemberSummary, OwnerLedgerEntry};
use leptos::prelude::*;

use crate::api;
use crate::i18n::Lang;
use crate::route::{Link, Route, SitePage};
use crate::ui::{
    Paged, Remote, Writer, empty_state, loaded, outcome_line, page_header, paged_view, time_view,
    use_lang,
};

/// The longest reason the server accepts.
const MAX_REASON_CHARS: usize = 200;

#[component]
pub fn MembersPage(site: String) -> impl IntoView {
    let lang = use_lang();
    let typed = RwSignal::new(String::new());
    let searched = RwSignal::new(String::new());
    let site = StoredValue::new(site);
    let paged = Paged::new(move |after: Option<String>| {
        let (site, q) = (site.get_value(), searched.get_untracked());
        async move {
            let page = api::members(&site, &q, after.as_deref()).await?;
            Ok((page.members, page.next))
        }
    });
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        searched.set(typed.get_untracked().trim().to_owned());
        paged.reload();
    };
    let table = move |rows: Vec<MemberSummary>| {
        let lang = lang.get();
        let site = site.get_value();
        view! {
            <div class="table-wrap" tabindex="0">
                <table class="table">
                    <thead><tr>
                        <th scope="col">{lang.member()}</th>
                        <th scope="col">{lang.name()}</th>
                        <th scope="col" class="table__number">{lang.points()}</th>
                        <th scope="col">{lang.level()}</th>
                        <th scope="col">{lang.last_seen()}</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|m| {
                            let to = Route::Site { site: site.clone(), page: SitePage::Member(m.member.clone()) };
                            view! {
                                <tr>
                                    <td><Link to=to><code>{m.member.clone()}</code></Link></td>
                                    <td>{m.name.clone()}</td>
                                    <td class="table__number">{m.points}</td>
                                    <td>{lang.level_n(m.level, &m.title)}</td>
                                    <td>{time_view(lang, m.last_seen)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
    };
    view! {
        {move || page_header(lang.get().members_title(), None)}
        <section class="panel" aria-label=move || lang.get().members_title()>
            <form class="form form--inline" role="search" on:submit=submit>
                <label class="field field--wide">
                    <span class="field__label">{move || lang.get().search_members()}</span>
                    <input class="input" type="search" spellcheck="false"
                        prop:value=move || typed.get() on:input=move |e| typed.set(event_target_value(&e)) />
                </label>
                <button type="submit" class="button button--primary">{move || lang.get().search()}</button>
            </form>
            {paged_view(paged, Lang::members_empty, move || table(paged.items.get()))}
        </section>
    }
}

#[component]
pub fn MemberPage(site: String, member: String) -> impl IntoView {
    let lang = use_lang();
    let key = (site.clone(), member.clone());
    let detail = Remote::new(
        move || key.clone(),
        |(site, member): (String, String)| async move { api::member(&site, &member).await },
    );
    let target = StoredValue::new((site.clone(), member.clone()));
    let ledger = Paged::new(move |before: Option<String>| {
        let (site, member) = target.get_value();
        async move {
            let page = api::ledger(&site, &member, before.as_deref()).await?;
            Ok((page.entries, page.next_before.map(|c| c.to_string())))
        }
    });
    let on_adjusted = Callback::new(move |(points, entry): (i64, OwnerLedgerEntry)| {
        detail.update(|d| d.points = points);
        ledger.items.update(|list| list.insert(0, entry));
    });
    let back = Route::Site {
        site: site.clone(),
        page: SitePage::Members,
    };
    let ledger_table = move |entries: Vec<OwnerLedgerEntry>| {
        let lang = lang.get();
        view! {
            <div class="table-wrap" tabindex="0">
                <table class="table">
                    <thead><tr>
                        <th scope="col">{lang.at()}</th>
                        <th scope="col">{lang.source()}</th>
                        <th scope="col" class="table__number">{lang.amount()}</th>
                        <th scope="col">{lang.reason()}</th>
                        <th scope="col">{lang.key()}</th>
                    </tr></thead>
                    <tbody>
                        {entries.into_iter().map(|e| view! {
                            <tr>
                                <td>{time_view(lang, e.at)}</td>
                                <td>{lang.ledger_source(e.source)}</td>
                                <td class="table__number" class:amount--negative=e.amount < 0>{format!("{:+}", e.amount)}</td>
                                <td class="table__wrap">{e.reason.clone().unwrap_or_default()}</td>
                                <td><code class="break">{e.key.clone()}</code></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
    };
    let adjust_site = site.clone();
    let adjust_member = member.clone();
    view! {
        {loaded(detail, move |m: MemberDetail| {
            let lang = lang.get();
            view! {
                <header class="page-header">
                    <p class="page-header__kicker"><code>{m.member.clone()}</code></p>
                    <h1 class="page-header__title">{m.name.clone()}</h1>
                </header>
                <section class="panel" aria-label=lang.details()>
                    <dl class="stats">
                        <div class="stats__item"><dt>{lang.points()}</dt><dd>{m.points}</dd></div>
                        <div class="stats__item"><dt>{lang.level()}</dt><dd>{m.level} " " <span class="stats__unit">{m.title.clone()}</span></dd></div>
                        <div class="stats__item"><dt>{lang.streak()}</dt><dd>{lang.days(m.streak)}</dd></div>
                        <div class="stats__item"><dt>{lang.longest_streak()}</dt><dd>{lang.days(m.longest_streak)}</dd></div>
                        <div class="stats__item"><dt>{lang.last_seen()}</dt><dd>{time_view(lang, m.last_seen)}</dd></div>
                    </dl>
                    <h2 class="subtitle">{lang.badges()}</h2>
                    {if m.badges.is_empty() {
                        empty_state(lang.no_badges_yet()).into_any()
                    } else {
                        view! {
                            <ul class="chips">
                                {m.badges.iter().map(|b| view! {
                                    <li class="chip">
                                        <span>{b.name.clone()}</span>
                                        {b.title.clone().map(|t| view! { <span class="chip__title">{t}</span> })}
                                        <span class="chip__date">{time_view(lang, b.earned_at)}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
            }
        })}
        <Adjustment site=adjust_site member=adjust_member on_adjusted=on_adjusted />
        <section class="panel" aria-labelledby="member-ledger">
            <h2 class="panel__title" id="member-ledger">{move || lang.get().ledger()}</h2>
            {paged_view(ledger, Lang::ledger_empty, move || ledger_table(ledger.items.get()))}
        </section>
        <p class="page-footer"><Link to=back>{move || lang.get().back_to_members()}</Link></p>
    }
}

/// The points adjustment form: a non-zero whole number and a reason.
#[component]
fn Adjustment(
    site: String,
    member: String,
    on_adjusted: Callback<(i64, OwnerLedgerEntry)>,
) -> impl IntoView {
    let lang = use_lang();
    let amount = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let writer = Writer::new();
    let target = StoredValue::new((site, member));
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let lang = lang.get_untracked();
        let Some(amount_value) = amount
            .get_untracked()
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n != 0)
        else {
            return writer.invalid(lang.amount_not_zero());
        };
        let reason_value = reason.get_untracked().trim().to_owned();
        if reason_value.is_empty() || reason_value.chars().count() > MAX_REASON_CHARS {
            return writer.invalid(lang.reason_required());
        }
        let body = AdjustPoints {
            amount: amount_value,
            reason: reason_value,
        };
        let (site, member) = target.get_value();
        writer.run(
            async move { api::adjust_points(&site, &member, &body).await },
            move |answer| {
                amount.set(String::new());
                reason.set(String::new());
                let message = lang.points_adjusted(answer.entry.amount, answer.points);
                on_adjusted.run((answer.points, answer.entry));
                message
            },
        );
    };
    view! {
        <section class="panel" aria-labelledby="member-adjust">
            <h2 class="panel__title" id="member-adjust">{move || lang.get().adjust_points()}</h2>
            <p class="panel__intro">{move || lang.get().adjust_intro()}</p>
            <form class="form" on:submit=submit novalidate>
                <div class="form__row">
                    <label class="field field--narrow">
                        <span class="field__label">{move || lang.get().adjust_amount()}</span>
                        <input class="input" type="number" step="1" required
                            prop:value=move || amount.get() on:input=move |e| amount.set(event_target_value(&e)) />
                    </label>
                    <label class="field field--wide">
                        <span class="field__label">{move || lang.get().reason()}</span>
                        <input class="input" required maxlength=MAX_REASON_CHARS.to_string()
                            prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e)) />
                    </label>
                </div>
                <div class="form__actions">
                    <button type="submit" class="button button--primary" disabled=move || writer.pending.get()>
                        {move || if writer.pending.get() { lang.get().adjusting() } else { lang.get().adjust() }}
                    </button>
                </div>
                {outcome_line(writer)}
            </form>
        </section>
    }
}
