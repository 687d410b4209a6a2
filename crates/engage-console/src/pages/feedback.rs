//! The feedback inbox: the rating and NPS summary, filters (status, the categories the site's
//! rules define, rating, dates) and
//! full-text search, each piece of feedback with its status, replies and a reply box, restoring
//! feedback held as spam, and bulk status changes.
//!
//! Feedback is whatever a stranger typed: every part of it is rendered as text, and the page
//! URL it came with is shown, never linked.

use std::collections::BTreeSet;

use engage_core::api::console::{BulkFeedbackStatus, ExportTable};
use engage_core::api::feedback::{FeedbackCategory, FeedbackItem, FeedbackStats, FeedbackStatus};
use leptos::prelude::*;

use crate::api;
use crate::i18n::Lang;
use crate::pages::export::export_link;
use crate::ui::{
    Paged, Remote, Writer, loaded, outcome_line, page_header, paged_view, time_view, use_lang,
};

/// The inbox filters as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Filters {
    status: String,
    category: String,
    rating: String,
    from: String,
    to: String,
    q: String,
}

impl Filters {
    fn query(&self, cursor: Option<&str>) -> String {
        api::query(&[
            ("status", &self.status),
            ("category", &self.category),
            ("rating", &self.rating),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
            ("cursor", cursor.unwrap_or("")),
        ])
    }
}

#[component]
pub fn FeedbackPage(site: String) -> impl IntoView {
    let lang = use_lang();
    let stats_key = site.clone();
    let stats = Remote::new(
        move || stats_key.clone(),
        |site: String| async move { api::feedback_stats(&site).await },
    );
    let form_key = site.clone();
    // The categories come from the site's rules, through the form the widget draws.
    let form = Remote::new(
        move || form_key.clone(),
        |site: String| async move { api::feedback_form(&site).await },
    );
    let categories =
        Signal::derive(move || form.value().map(|form| form.categories).unwrap_or_default());
    let draft = RwSignal::new(Filters::default());
    let selected = RwSignal::new(BTreeSet::<i64>::new());
    let site = StoredValue::new(site);
    let inbox = Paged::new(move |cursor: Option<String>| {
        let (site, filters) = (site.get_value(), draft.get_untracked());
        if cursor.is_none() {
            selected.set(BTreeSet::new());
        }
        async move {
            let page = api::feedback(&site, &filters.query(cursor.as_deref())).await?;
            Ok((page.items, page.next_cursor))
        }
    });
    let items = inbox.items;
    let replace = move |item: FeedbackItem| {
        items.update(|list| {
            if let Some(old) = list.iter_mut().find(|i| i.id == item.id) {
                *old = item;
            }
        });
        stats.refresh();
    };

    let bulk_status = RwSignal::new(FeedbackStatus::Done);
    let bulk = Writer::new();
    let apply_bulk = move |_| {
        let body = BulkFeedbackStatus {
            ids: selected.get_untracked().into_iter().collect(),
            status: bulk_status.get_untracked(),
        };
        let site = site.get_value();
        bulk.run(
            async move { api::bulk_feedback(&site, &body).await },
            move |answer| {
                inbox.reload();
                stats.refresh();
                lang.get_untracked().bulk_updated(answer.updated)
            },
        );
    };

    let set_filter = move |change: fn(&mut Filters, String)| {
        move |event: web_sys::Event| {
            let value = event_target_value(&event);
            draft.update(|f| change(f, value));
        }
    };
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        inbox.reload();
    };
    let clear = move |_| {
        draft.set(Filters::default());
        inbox.reload();
    };

    let list = move || {
        view! {
            <For each=move || items.get() key=|item| (item.id, item.updated_at, item.replies.len()) let:item>
                <FeedbackCard site=site.get_value() item=item selected=selected on_changed=Callback::new(replace) />
            </For>
        }
    };
    view! {
        {move || page_header(lang.get().feedback_title(), None)}
        <div class="toolbar">
            {move || export_link(lang.get(), &site.get_value(), ExportTable::Feedback)}
        </div>
        <section class="panel" aria-labelledby="feedback-summary">
            <h2 class="panel__title" id="feedback-summary">{move || lang.get().summary()}</h2>
            {loaded(stats, move |stats: FeedbackStats| summary(lang.get(), &stats))}
        </section>
        <section class="panel" aria-labelledby="feedback-filters">
            <h2 class="panel__title" id="feedback-filters">{move || lang.get().filters()}</h2>
            <form class="form" role="search" on:submit=submit>
                <div class="form__row">
                    <label class="field field--wide">
                        <span class="field__label">{move || lang.get().search()}</span>
                        <input class="input" type="search" placeholder=move || lang.get().search_hint()
                            prop:value=move || draft.with(|f| f.q.clone()) on:input=set_filter(|f, v| f.q = v) />
                    </label>
                    <label class="field">
                        <span class="field__label">{move || lang.get().status()}</span>
                        <select class="select" on:change=set_filter(|f, v| f.status = v)>
                            <option value="" selected=move || draft.with(|f| f.status.is_empty())>{move || lang.get().any()}</option>
                            {move || FeedbackStatus::ALL.into_iter().map(|s| view! {
                                <option value=s.as_str() selected=move || draft.with(|f| f.status == s.as_str())>{lang.get().feedback_status(s)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field field--narrow">
                        <span class="field__label">{move || lang.get().category()}</span>
                        <select class="select" on:change=set_filter(|f, v| f.category = v)
                            disabled=move || categories.with(Vec::is_empty)
                            title=move || categories.with(Vec::is_empty).then(|| lang.get().no_categories())>
                            <option value="" selected=move || draft.with(|f| f.category.is_empty())>{move || lang.get().all_categories()}</option>
                            {move || categories.get().into_iter().map(|FeedbackCategory { id, label }| {
                                let chosen = id.clone();
                                view! {
                                    <option value=id.clone() selected=move || draft.with(|f| f.category == chosen)>{label}</option>
                                }
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field field--narrow">
                        <span class="field__label">{move || lang.get().rating()}</span>
                        <select class="select" on:change=set_filter(|f, v| f.rating = v)>
                            <option value="" selected=move || draft.with(|f| f.rating.is_empty())>{move || lang.get().any()}</option>
                            {(1..=5).map(|n| view! {
                                <option value=n.to_string() selected=move || draft.with(|f| f.rating == n.to_string())>{"★".repeat(n)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field field--narrow">
                        <span class="field__label">{move || lang.get().from_date()}</span>
                        <input class="input" type="date" prop:value=move || draft.with(|f| f.from.clone()) on:input=set_filter(|f, v| f.from = v) />
                    </label>
                    <label class="field field--narrow">
                        <span class="field__label">{move || lang.get().to_date()}</span>
                        <input class="input" type="date" prop:value=move || draft.with(|f| f.to.clone()) on:input=set_filter(|f, v| f.to = v) />
                    </label>
                </div>
                <div class="form__actions">
                    <button type="submit" class="button button--primary">{move || lang.get().apply_filters()}</button>
                    <button type="button" class="button" on:click=clear>{move || lang.get().clear_filters()}</button>
                </div>
            </form>
        </section>
        <section class="panel" aria-labelledby="feedback-items">
            <h2 class="sr-only" id="feedback-items">{move || lang.get().feedback_title()}</h2>
            <div class="bulk" role="group" aria-label=move || lang.get().bulk_set_status()>
                <label class="check">
                    <input type="checkbox"
                        prop:checked=move || { let n = items.with(Vec::len); n > 0 && selected.with(BTreeSet::len) == n }
                        on:change=move |e| {
                            if event_target_checked(&e) {
                                selected.set(items.with_untracked(|list| list.iter().map(|i| i.id).collect()));
                            } else {
                                selected.set(BTreeSet::new());
                            }
                        } />
                    <span>{move || lang.get().select_all()}</span>
                </label>
                <span class="bulk__count">{move || lang.get().selected_count(selected.with(BTreeSet::len))}</span>
                <label class="field field--inline">
                    <span class="field__label">{move || lang.get().bulk_set_status()}</span>
                    <select class="select select--small" on:change=move |e| {
                        if let Some(s) = FeedbackStatus::parse(&event_target_value(&e)) { bulk_status.set(s) }
                    }>
                        {move || FeedbackStatus::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=move || bulk_status.get() == s>{lang.get().feedback_status(s)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="button" class="button button--small"
                    disabled=move || bulk.pending.get() || selected.with(BTreeSet::is_empty)
                    on:click=apply_bulk>{move || lang.get().apply()}</button>
                {outcome_line(bulk)}
            </div>
            <div class="feedback-list">{paged_view(inbox, Lang::feedback_empty, list)}</div>
        </section>
    }
}

fn summary(lang: Lang, stats: &FeedbackStats) -> AnyView {
    let t = &stats.totals;
    let average = t
        .rating_average
        .map_or_else(|| "—".to_owned(), |a| format!("{a:.2}"));
    let nps = t.nps.map_or_else(|| "—".to_owned(), |n| format!("{n:.1}"));
    view! {
        <dl class="stats">
            <div class="stats__item"><dt>{lang.feedback_count()}</dt><dd>{t.count}</dd></div>
            <div class="stats__item"><dt>{lang.average_rating()}</dt><dd>{average} <span class="stats__unit">" (" {t.ratings} ")"</span></dd></div>
            <div class="stats__item"><dt>{lang.nps()}</dt><dd>{nps} <span class="stats__unit">" (" {t.nps_responses} ")"</span></dd></div>
            <div class="stats__item"><dt>{lang.promoters()}</dt><dd>{t.promoters}</dd></div>
            <div class="stats__item"><dt>{lang.passives()}</dt><dd>{t.passives}</dd></div>
            <div class="stats__item"><dt>{lang.detractors()}</dt><dd>{t.detractors}</dd></div>
            <div class="stats__item"><dt>{lang.spam_count()}</dt><dd>{t.spam}</dd></div>
        </dl>
    }
    .into_any()
}

/// One piece of feedback: what was sent and by whom, its status, and the replies.
#[component]
fn FeedbackCard(
    site: String,
    item: FeedbackItem,
    selected: RwSignal<BTreeSet<i64>>,
    on_changed: Callback<FeedbackItem>,
) -> impl IntoView {
    let lang = use_lang();
    let id = item.id;
    let site = StoredValue::new(site);
    let status_writer = Writer::new();
    let set_status = move |status: FeedbackStatus| {
        let site = site.get_value();
        status_writer.run(
            async move { api::set_feedback_status(&site, id, status).await },
            move |item| {
                on_changed.run(item);
                String::new()
            },
        );
    };
    let reply_text = RwSignal::new(String::new());
    let reply_writer = Writer::new();
    let stored_item = StoredValue::new(item.clone());
    let send_reply = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let text = reply_text.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        let site = site.get_value();
        reply_writer.run(
            async move { api::reply(&site, id, text).await },
            move |reply| {
                let mut item = stored_item.get_value();
                item.replies.push(reply);
                reply_text.set(String::new());
                on_changed.run(item);
                String::new()
            },
        );
    };
    let sender = match (&item.name, &item.member, &item.visitor) {
        (Some(name), Some(member), _) => format!("{name} ({member})"),
        (None, Some(member), _) => member.clone(),
        (_, None, Some(visitor)) => format!(
            "{} {}",
            lang.get_untracked().visitor(),
            visitor.chars().take(8).collect::<String>()
        ),
        _ => lang.get_untracked().visitor().to_owned(),
    };
    let title_id = format!("feedback-{id}");
    let reply_id = format!("reply-{id}");
    view! {
        <article class="feedback" class:feedback--spam=item.status == FeedbackStatus::Spam aria-labelledby=title_id.clone()>
            <header class="feedback__head">
                <label class="check">
                    <input type="checkbox"
                        prop:checked=move || selected.with(|s| s.contains(&id))
                        on:change=move |e| {
                            let on = event_target_checked(&e);
                            selected.update(|s| { if on { s.insert(id); } else { s.remove(&id); } });
                        } />
                    <span class="sr-only">{move || lang.get().select_item()}</span>
                </label>
                <h3 class="feedback__sender" id=title_id.clone()>{sender}</h3>
                <span class="pill">{move || lang.get().feedback_status(item.status)}</span>
                {item.rating.map(|r| view! { <span class="feedback__rating" aria-label=move || lang.get().rated(r)>{"★".repeat(usize::from(r))}</span> })}
                {item.nps.map(|n| view! { <span class="pill">{move || lang.get().nps_score(n)}</span> })}
                {item.category.clone().map(|c| view! { <span class="pill pill--muted">{c}</span> })}
                <span class="feedback__date">{move || time_view(lang.get(), item.created_at)}</span>
            </header>
            <p class="feedback__text">{item.text.clone()}</p>
            <dl class="feedback__meta">
                {item.contact.clone().map(|c| view! { <div><dt>{move || lang.get().contact()}</dt><dd>{c}</dd></div> })}
                {item.page_url.clone().map(|u| view! { <div><dt>{move || lang.get().page()}</dt><dd class="break">{u}</dd></div> })}
            </dl>
            {item.spam_reason.clone().map(|reason| view! {
                <p class="notice notice--warning">
                    <strong>{move || lang.get().held_as_spam()} ": "</strong>{reason}
                </p>
            })}
            <div class="feedback__actions">
                <label class="field field--inline">
                    <span class="field__label">{move || lang.get().status()}</span>
                    <select class="select select--small" disabled=move || status_writer.pending.get()
                        on:change=move |e| { if let Some(s) = FeedbackStatus::parse(&event_target_value(&e)) { set_status(s) } }>
                        {move || FeedbackStatus::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=item.status == s>{lang.get().feedback_status(s)}</option>
                        }).collect_view()}
                    </select>
                </label>
                {(item.status == FeedbackStatus::Spam).then(|| view! {
                    <button type="button" class="button button--small" on:click=move |_| set_status(FeedbackStatus::New)>
                        {move || lang.get().not_spam()}
                    </button>
                })}
                {outcome_line(status_writer)}
            </div>
            {(!item.replies.is_empty()).then(|| view! {
                <div class="feedback__replies">
                    <h4 class="subtitle">{move || lang.get().replies()}</h4>
                    <ul class="plain-list">
                        {item.replies.iter().map(|r| {
                            let at = r.created_at;
                            view! {
                                <li class="reply">
                                    <p class="reply__text">{r.text.clone()}</p>
                                    <span class="feedback__date">{move || time_view(lang.get(), at)}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </div>
            })}
            <form class="feedback__reply" on:submit=send_reply>
                <label class="field__label" for=reply_id.clone()>{move || lang.get().reply()}</label>
                <textarea id=reply_id class="input textarea" rows="2" maxlength="2000"
                    aria-describedby=format!("reply-hint-{id}")
                    prop:value=move || reply_text.get() on:input=move |e| reply_text.set(event_target_value(&e))></textarea>
                <span class="field__hint" id=format!("reply-hint-{id}")>{move || lang.get().reply_visible()}</span>
                <div class="form__actions">
                    <button type="submit" class="button button--small" disabled=move || reply_writer.pending.get() || reply_text.with(|t| t.trim().is_empty())>
                        {move || if reply_writer.pending.get() { lang.get().sending() } else { lang.get().send_reply() }}
                    </button>
                </div>
                {outcome_line(reply_writer)}
            </form>
        </article>
    }
}
