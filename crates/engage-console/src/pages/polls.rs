//! Polls: the list, a form to create one (options, close time, visibility and the rest) that
//! also edits an existing poll, one poll's results with counts, and closing it now.

use engage_core::api::{CreatePoll, PollOption, PollView, ResultsVisibility, UpdatePoll};
use leptos::prelude::*;

use crate::api;
use crate::i18n::Lang;
use crate::route::{Link, Route, SitePage};
use crate::ui::{
    Remote, Writer, empty_state, loaded, local_datetime_value, outcome_line, page_header,
    parse_local_datetime, time_view, use_lang,
};

/// A slug made from a label (`Dark mode` → `dark-mode`), for options the owner gave no id;
/// empty when the label has no ASCII letters or digits.
pub fn slug_of(label: &str) -> String {
    let mut slug = String::new();
    for c in label.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').chars().take(48).collect()
}

/// One row of an options or prizes list in a form: a key that outlives edits, and the row's
/// fields (signals, so typing in a row does not redraw the list and the input keeps its focus).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row<T> {
    pub key: u32,
    pub fields: T,
}

/// The editable rows of a form list, with fresh keys for new rows.
#[derive(Debug, Clone, Copy)]
pub struct Rows<T: Send + Sync + 'static> {
    pub rows: RwSignal<Vec<Row<T>>>,
    next: RwSignal<u32>,
}

impl<T: Clone + Send + Sync + 'static> Rows<T> {
    pub fn new(values: Vec<T>) -> Rows<T> {
        let rows: Vec<Row<T>> = values
            .into_iter()
            .enumerate()
            .map(|(i, fields)| Row {
                key: i as u32,
                fields,
            })
            .collect();
        Rows {
            next: RwSignal::new(rows.len() as u32),
            rows: RwSignal::new(rows),
        }
    }

    pub fn add(&self, fields: T) {
        let key = self.next.get_untracked();
        self.next.set(key + 1);
        self.rows.update(|rows| rows.push(Row { key, fields }));
    }

    pub fn remove(&self, key: u32) {
        self.rows.update(|rows| rows.retain(|r| r.key != key));
    }

    /// The 1-based place of the row `key` (tracked), for its label.
    pub fn number(&self, key: u32) -> usize {
        self.rows
            .with(|rows| rows.iter().position(|r| r.key == key).unwrap_or(0) + 1)
    }

    pub fn fields(&self) -> Vec<T> {
        self.rows
            .with_untracked(|rows| rows.iter().map(|r| r.fields.clone()).collect())
    }
}

#[component]
pub fn PollsPage(site: String) -> impl IntoView {
    let lang = use_lang();
    let key = site.clone();
    let polls = Remote::new(
        move || key.clone(),
        |site: String| async move { api::polls(&site).await },
    );
    let creating = RwSignal::new(false);
    let list_site = StoredValue::new(site.clone());
    let list = move |polls: Vec<PollView>| {
        let lang = lang.get();
        if polls.is_empty() {
            return empty_state(lang.polls_empty()).into_any();
        }
        let site = list_site.get_value();
        view! {
            <div class="table-wrap" tabindex="0">
                <table class="table">
                    <thead><tr>
                        <th scope="col">{lang.question()}</th>
                        <th scope="col">"ID"</th>
                        <th scope="col">{lang.status()}</th>
                        <th scope="col">{lang.voters()}</th>
                        <th scope="col">{lang.closes_at()}</th>
                    </tr></thead>
                    <tbody>
                        {polls.into_iter().map(|poll| {
                            let to = Route::Site { site: site.clone(), page: SitePage::Poll(poll.id.to_string()) };
                            view! {
                                <tr>
                                    <td class="table__wrap"><Link to=to>{poll.question.clone()}</Link></td>
                                    <td><code>{poll.id.to_string()}</code></td>
                                    <td>{status_pill(lang, poll.closed)}</td>
                                    <td>{poll.total_votes.unwrap_or(0)}</td>
                                    <td>{match poll.closes_at { Some(at) => time_view(lang, at).into_any(), None => lang.never().into_any() }}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let form_site = StoredValue::new(site);
    view! {
        {move || page_header(lang.get().polls_title(), None)}
        <div class="toolbar">
            <button type="button" class="button button--primary" aria-expanded=move || creating.get().to_string()
                on:click=move |_| creating.update(|c| *c = !*c)>
                {move || lang.get().new_poll()}
            </button>
        </div>
        {move || creating.get().then(|| view! {
            <section class="panel" aria-labelledby="new-poll">
                <h2 class="panel__title" id="new-poll">{lang.get().new_poll()}</h2>
                <PollForm site=form_site.get_value() existing=None on_saved=Callback::new(move |poll: PollView| {
                    polls.update(|list| list.insert(0, poll));
                    creating.set(false);
                }) />
            </section>
        })}
        <section class="panel" aria-label=move || lang.get().polls_title()>
            {loaded(polls, list)}
        </section>
    }
}

fn status_pill(lang: Lang, closed: bool) -> impl IntoView {
    if closed {
        view! { <span class="pill pill--muted">{lang.closed()}</span> }
    } else {
        view! { <span class="pill pill--success">{lang.open()}</span> }
    }
}

/// The fields of an option row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct OptionFields {
    id: RwSignal<String>,
    label: RwSignal<String>,
}

impl OptionFields {
    fn new(id: &str, label: &str) -> OptionFields {
        OptionFields {
            id: RwSignal::new(id.to_owned()),
            label: RwSignal::new(label.to_owned()),
        }
    }
}

/// The poll form: creates a poll, or (with `existing`) edits it.
#[component]
pub fn PollForm(
    site: String,
    /// The poll to edit; `None` creates one.
    existing: Option<PollView>,
    /// Called with the poll as saved.
    on_saved: Callback<PollView>,
) -> impl IntoView {
    let lang = use_lang();
    let editing = existing.is_some();
    let poll_id = existing.as_ref().map(|p| p.id.to_string());
    let id = RwSignal::new(poll_id.clone().unwrap_or_default());
    let question = RwSignal::new(
        existing
            .as_ref()
            .map(|p| p.question.clone())
            .unwrap_or_default(),
    );
    let options = Rows::new(match &existing {
        Some(poll) => poll
            .options
            .iter()
            .map(|o| OptionFields::new(&o.id, &o.label))
            .collect(),
        None => vec![OptionFields::new("", ""), OptionFields::new("", "")],
    });
    let multiple = RwSignal::new(existing.as_ref().is_some_and(|p| p.multiple));
    let max_choices = RwSignal::new(
        existing
            .as_ref()
            .filter(|p| p.multiple)
            .map(|p| p.max_choices.to_string())
            .unwrap_or_default(),
    );
    let closes_at = RwSignal::new(
        existing
            .as_ref()
            .and_then(|p| p.closes_at)
            .map(local_datetime_value)
            .unwrap_or_default(),
    );
    let results = RwSignal::new(existing.as_ref().map(|p| p.results).unwrap_or_default());
    let anonymous = RwSignal::new(existing.as_ref().is_some_and(|p| p.anonymous));
    let allow_change = RwSignal::new(existing.as_ref().is_some_and(|p| p.allow_change));
    let points = RwSignal::new(
        existing
            .as_ref()
            .map(|p| p.points_per_vote.to_string())
            .unwrap_or_else(|| "0".to_owned()),
    );
    let ip_limit = RwSignal::new(
        existing
            .as_ref()
            .and_then(|p| p.ip_limit)
            .map(|n| n.to_string())
            .unwrap_or_default(),
    );
    let writer = Writer::new();
    let site = StoredValue::new(site);
    let poll_id = StoredValue::new(poll_id);

    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let options: Vec<PollOption> = options
            .fields()
            .into_iter()
            .map(|o| (o.id.get_untracked(), o.label.get_untracked()))
            .filter(|(_, label)| !label.trim().is_empty())
            .enumerate()
            .map(|(i, (id, label))| {
                let id = match id.trim() {
                    "" => match slug_of(&label) {
                        slug if slug.is_empty() => format!("option-{}", i + 1),
                        slug => slug,
                    },
                    id => id.to_owned(),
                };
                PollOption {
                    id,
                    label: label.trim().to_owned(),
                }
            })
            .collect();
        let multiple = multiple.get_untracked();
        let max_choices = multiple
            .then(|| max_choices.get_untracked().trim().parse().ok())
            .flatten();
        let closes_at = parse_local_datetime(&closes_at.get_untracked());
        let points = points.get_untracked().trim().parse().unwrap_or(0);
        let ip_limit = ip_limit.get_untracked().trim().parse().ok();
        let site = site.get_value();
        match poll_id.get_value() {
            None => {
                let body = CreatePoll {
                    id: id.get_untracked().trim().to_owned(),
                    question: question.get_untracked().trim().to_owned(),
                    options,
                    multiple,
                    max_choices,
                    closes_at,
                    results: results.get_untracked(),
                    anonymous: anonymous.get_untracked(),
                    allow_change: allow_change.get_untracked(),
                    points,
                    ip_limit,
                };
                writer.run(
                    async move { api::create_poll(&site, &body).await },
                    move |poll| {
                        on_saved.run(poll);
                        String::new()
                    },
                );
            }
            Some(poll) => {
                let body = UpdatePoll {
                    question: Some(question.get_untracked().trim().to_owned()),
                    options: Some(options),
                    multiple: Some(multiple),
                    max_choices,
                    closes_at: Some(closes_at),
                    results: Some(results.get_untracked()),
                    anonymous: Some(anonymous.get_untracked()),
                    allow_change: Some(allow_change.get_untracked()),
                    points: Some(points),
                    ip_limit,
                    closed: None,
                };
                writer.run(
                    async move { api::update_poll(&site, &poll, &body).await },
                    move |poll| {
                        on_saved.run(poll);
                        lang.get_untracked().saved().to_owned()
                    },
                );
            }
        }
    };

    let option_row = move |row: Row<OptionFields>| {
        let key = row.key;
        let OptionFields { id, label } = row.fields;
        let n = move || options.number(key);
        view! {
            <fieldset class="row-fields">
                <legend class="sr-only">{move || lang.get().option_n(n())}</legend>
                <label class="field">
                    <span class="field__label">{move || format!("{} {}", lang.get().option_label(), n())}</span>
                    <input class="input" maxlength="200" prop:value=move || label.get()
                        on:input=move |e| label.set(event_target_value(&e)) />
                </label>
                <label class="field field--narrow">
                    <span class="field__label">{move || lang.get().option_id()}</span>
                    <input class="input" maxlength="48" spellcheck="false" autocomplete="off"
                        prop:value=move || id.get() placeholder=move || slug_of(&label.get())
                        on:input=move |e| id.set(event_target_value(&e)) />
                </label>
                <button type="button" class="button button--small button--quiet"
                    aria-label=move || format!("{} {}", lang.get().remove(), lang.get().option_n(n()))
                    on:click=move |_| options.remove(key)>{move || lang.get().remove()}</button>
            </fieldset>
        }
    };

    view! {
        <form class="form" on:submit=submit>
            <div class="form__row">
                {(!editing).then(|| view! {
                    <label class="field field--narrow">
                        <span class="field__label">"ID"</span>
                        <input class="input" required maxlength="64" spellcheck="false" autocomplete="off"
                            pattern="[a-z0-9][a-z0-9_\\-]*"
                            prop:value=move || id.get() on:input=move |e| id.set(event_target_value(&e)) />
                    </label>
                })}
                <label class="field field--wide">
                    <span class="field__label">{move || lang.get().question()}</span>
                    <input class="input" required maxlength="300"
                        prop:value=move || question.get() on:input=move |e| question.set(event_target_value(&e)) />
                </label>
            </div>
            <fieldset class="fieldset">
                <legend class="field__label">{move || lang.get().options()}</legend>
                <For each=move || options.rows.get() key=|row| row.key children=option_row />
                <button type="button" class="button button--small" on:click=move |_| options.add(OptionFields::new("", ""))>
                    {move || lang.get().add_option()}
                </button>
            </fieldset>
            <div class="form__row">
                <label class="check">
                    <input type="checkbox" prop:checked=move || multiple.get() on:change=move |e| multiple.set(event_target_checked(&e)) />
                    <span>{move || lang.get().multiple_choice()}</span>
                </label>
                {move || multiple.get().then(|| view! {
                    <label class="field field--narrow">
                        <span class="field__label">{lang.get().max_choices()}</span>
                        <input class="input" type="number" min="1" prop:value=move || max_choices.get()
                            on:input=move |e| max_choices.set(event_target_value(&e)) />
                    </label>
                })}
            </div>
            <div class="form__row">
                <label class="field">
                    <span class="field__label">{move || lang.get().closes_at()}</span>
                    <input class="input" type="datetime-local" prop:value=move || closes_at.get()
                        on:input=move |e| closes_at.set(event_target_value(&e)) />
                    <span class="field__hint">{move || lang.get().closes_at_hint()}</span>
                </label>
                <label class="field">
                    <span class="field__label">{move || lang.get().results_visibility()}</span>
                    <select class="select" on:change=move |e| {
                        if let Some(v) = ResultsVisibility::parse(&event_target_value(&e)) { results.set(v) }
                    }>
                        {move || {
                            let lang = lang.get();
                            [
                                (ResultsVisibility::Always, lang.results_always()),
                                (ResultsVisibility::AfterVote, lang.results_after_vote()),
                                (ResultsVisibility::AfterClose, lang.results_after_close()),
                            ].into_iter().map(|(v, label)| view! {
                                <option value=v.as_str() selected=move || results.get() == v>{label}</option>
                            }).collect_view()
                        }}
                    </select>
                </label>
            </div>
            <div class="form__row">
                <label class="check">
                    <input type="checkbox" prop:checked=move || anonymous.get() on:change=move |e| anonymous.set(event_target_checked(&e)) />
                    <span>{move || lang.get().anonymous_votes()}</span>
                </label>
                <label class="check">
                    <input type="checkbox" prop:checked=move || allow_change.get() on:change=move |e| allow_change.set(event_target_checked(&e)) />
                    <span>{move || lang.get().allow_change()}</span>
                </label>
            </div>
            <div class="form__row">
                <label class="field field--narrow">
                    <span class="field__label">{move || lang.get().points_per_vote()}</span>
                    <input class="input" type="number" min="0" prop:value=move || points.get()
                        on:input=move |e| points.set(event_target_value(&e)) />
                </label>
                <label class="field field--narrow">
                    <span class="field__label">{move || lang.get().ip_limit()}</span>
                    <input class="input" type="number" min="1" placeholder="20" prop:value=move || ip_limit.get()
                        on:input=move |e| ip_limit.set(event_target_value(&e)) />
                </label>
            </div>
            <div class="form__actions">
                <button type="submit" class="button button--primary" disabled=move || writer.pending.get()>
                    {move || match (writer.pending.get(), editing) {
                        (true, _) => lang.get().saving(),
                        (false, true) => lang.get().save(),
                        (false, false) => lang.get().create_poll(),
                    }}
                </button>
            </div>
            {outcome_line(writer)}
        </form>
    }
}

/// One poll: its results with counts, the edit form, and closing it.
#[component]
pub fn PollPage(site: String, poll: String) -> impl IntoView {
    let lang = use_lang();
    let key = (site.clone(), poll.clone());
    let remote = Remote::new(
        move || key.clone(),
        |(site, poll): (String, String)| async move { api::poll(&site, &poll).await },
    );
    let site = StoredValue::new(site);
    let closer = Writer::new();
    let close = move |poll: String| {
        let site = site.get_value();
        let body = UpdatePoll {
            closed: Some(true),
            ..UpdatePoll::default()
        };
        closer.run(
            async move { api::update_poll(&site, &poll, &body).await },
            move |view| {
                remote.set(view);
                String::new()
            },
        );
    };
    let back = Route::Site {
        site: site.get_value(),
        page: SitePage::Polls,
    };
    view! {
        {loaded(remote, move |poll: PollView| {
            let lang = lang.get();
            let total: u64 = poll.options.iter().filter_map(|o| o.votes).sum();
            let id = poll.id.to_string();
            view! {
                <header class="page-header">
                    <p class="page-header__kicker"><code>{id.clone()}</code> " " {status_pill(lang, poll.closed)}</p>
                    <h1 class="page-header__title">{poll.question.clone()}</h1>
                </header>
                <section class="panel" aria-labelledby="poll-results">
                    <div class="panel__head">
                        <h2 class="panel__title" id="poll-results">{lang.results()}</h2>
                        {(!poll.closed).then(|| {
                            let id = id.clone();
                            view! {
                                <button type="button" class="button" disabled=move || closer.pending.get()
                                    on:click=move |_| close(id.clone())>
                                    {move || if closer.pending.get() { lang.closing() } else { lang.close_now() }}
                                </button>
                            }
                        })}
                    </div>
                    {poll.closed.then(|| view! { <p class="field__hint">{lang.poll_closed_note()}</p> })}
                    <ul class="results">
                        {poll.options.iter().map(|option| {
                            let votes = option.votes.unwrap_or(0);
                            let share = if total == 0 { 0.0 } else { votes as f64 * 100.0 / total as f64 };
                            view! {
                                <li class="results__item">
                                    <span class="results__label">{option.label.clone()}</span>
                                    <span class="results__count">{votes} " · " {format!("{share:.0}%")}</span>
                                    <span class="results__bar" aria-hidden="true">
                                        <span class="results__fill" style:width=format!("{share:.1}%")></span>
                                    </span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <dl class="facts">
                        <div class="facts__item"><dt>{lang.voters()}</dt><dd>{poll.total_votes.unwrap_or(0)}</dd></div>
                        <div class="facts__item"><dt>{lang.closes_at()}</dt><dd>{match poll.closes_at { Some(at) => time_view(lang, at).into_any(), None => lang.never().into_any() }}</dd></div>
                    </dl>
                    {outcome_line(closer)}
                </section>
                <section class="panel" aria-labelledby="poll-edit">
                    <h2 class="panel__title" id="poll-edit">{lang.edit()}</h2>
                    <PollForm site=site.get_value() existing=Some(poll.clone()) on_saved=Callback::new(move |view| remote.set(view)) />
                </section>
            }
        })}
        <p class="page-footer"><Link to=back>{move || lang.get().polls_title()}</Link></p>
    }
}
