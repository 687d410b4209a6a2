//! The rules editor: the site's rules document in a plain-text editor that validates as the
//! owner types with `engage_core::rules::parse_rules` (the server's own parser, compiled into
//! the bundle), the error at its line and field (the line marked in the gutter and behind the
//! text), a preview of levels and badges, the version history with a line diff, and install.

use engage_core::api::console::{InstallRules, RulesDocument, RulesVersion};
use engage_core::api::leaderboard::Period;
use engage_core::badges::Criterion;
use engage_core::rules::{Rules, RulesFormat, parse_rules};
use leptos::html::{Div, Textarea};
use leptos::prelude::*;

use crate::api;
use crate::diff::{Change, counts, line_diff};
use crate::i18n::Lang;
use crate::ui::{
    Remote, Writer, empty_state, loaded, outcome_line, page_header, time_view, use_lang,
};

/// The editor's line height and top padding in CSS pixels (`console.css` sets the same), so
/// the error mark sits on its line.
const LINE_PX: i32 = 20;
const PAD_PX: i32 = 8;

#[component]
pub fn RulesPage(site: String) -> impl IntoView {
    let lang = use_lang();
    let key = site.clone();
    let current = Remote::new(
        move || key.clone(),
        |site: String| async move { api::rules(&site).await },
    );
    let site = StoredValue::new(site);
    view! {
        {move || page_header(lang.get().rules_title(), Some(lang.get().rules_intro()))}
        {loaded(current, move |document: RulesDocument| view! {
            <RulesEditor site=site.get_value() document=document />
        })}
    }
}

#[component]
fn RulesEditor(site: String, document: RulesDocument) -> impl IntoView {
    let lang = use_lang();
    let text = RwSignal::new(document.document.clone());
    let format = RwSignal::new(document.format);
    let installed_version = RwSignal::new(document.version);
    let parsed = Memo::new(move |_| text.with(|t| parse_rules(t, format.get())));
    let error = Memo::new(move |_| parsed.with(|p| p.as_ref().err().cloned()));
    let error_line = Memo::new(move |_| error.with(|e| e.as_ref().and_then(|e| e.line)));
    // The preview keeps showing the last valid document while the owner is mid-edit.
    let preview = Memo::new(move |previous: Option<&Option<Rules>>| match parsed.get() {
        Ok(rules) => Some(rules),
        Err(_) => previous.cloned().flatten(),
    });
    let line_count = Memo::new(move |_| {
        text.with(|t| t.lines().count().max(1) + usize::from(t.ends_with('\n')))
    });
    let scroll = RwSignal::new(0_i32);
    let textarea = NodeRef::<Textarea>::new();
    let gutter = NodeRef::<Div>::new();

    let on_scroll = move |_| {
        if let Some(area) = textarea.get_untracked() {
            scroll.set(area.scroll_top());
            if let Some(gutter) = gutter.get_untracked() {
                gutter.set_scroll_top(area.scroll_top());
            }
        }
    };
    let go_to_line = move |_| {
        let (Some(line), Some(area)) = (error_line.get_untracked(), textarea.get_untracked())
        else {
            return;
        };
        let start: usize = text.with_untracked(|t| {
            t.split('\n')
                .take(line - 1)
                .map(|l| l.chars().count() + 1)
                .sum()
        });
        let end = start
            + text.with_untracked(|t| t.split('\n').nth(line - 1).map_or(0, |l| l.chars().count()));
        let _ = area.focus();
        let _ = area.set_selection_range(start as u32, end as u32);
        area.set_scroll_top((line as i32 - 3).max(0) * LINE_PX);
    };

    let writer = Writer::new();
    let versions_site = site.clone();
    let installs = RwSignal::new(0_u32);
    let versions = Remote::new(
        move || (versions_site.clone(), installs.get()),
        |(site, _): (String, u32)| async move { api::rules_versions(&site).await },
    );
    let install_site = StoredValue::new(site.clone());
    let install = move |_| {
        let body = InstallRules {
            document: text.get_untracked(),
            format: format.get_untracked(),
        };
        let site = install_site.get_value();
        writer.run(
            async move { api::install_rules(&site, &body).await },
            move |answer| {
                installed_version.set(Some(answer.version));
                installs.update(|n| *n += 1);
                lang.get_untracked().rules_installed(answer.version)
            },
        );
    };

    let status = move || {
        let lang = lang.get();
        match error.get() {
            None => view! {
                <p class="rules-status rules-status--valid" id="rules-status" role="status">{lang.rules_valid()}</p>
            }
            .into_any(),
            Some(error) => view! {
                <div class="rules-status rules-status--error" id="rules-status" role="status">
                    <p>
                        <strong class="rules-status__place">{lang.rules_error_place(error.line, error.field.as_deref())}</strong>
                        ": "
                        {error.kind.to_string()}
                    </p>
                    {error.line.map(|_| view! {
                        <button type="button" class="button button--small" on:click=go_to_line>{lang.go_to_line()}</button>
                    })}
                </div>
            }
            .into_any(),
        }
    };

    view! {
        <section class="panel" aria-labelledby="rules-editor">
            <div class="panel__head">
                <h2 class="panel__title" id="rules-editor">
                    {move || match installed_version.get() {
                        Some(v) => lang.get().version_n(v),
                        None => lang.get().rules_defaults().to_owned(),
                    }}
                </h2>
                <label class="field field--inline">
                    <span class="field__label">{move || lang.get().format()}</span>
                    <select class="select select--small" on:change=move |e| {
                        format.set(if event_target_value(&e) == "json" { RulesFormat::Json } else { RulesFormat::Toml });
                    }>
                        <option value="toml" selected=move || format.get() == RulesFormat::Toml>"TOML"</option>
                        <option value="json" selected=move || format.get() == RulesFormat::Json>"JSON"</option>
                    </select>
                </label>
            </div>
            <div class="editor" class:editor--invalid=move || error.with(Option::is_some)>
                <div class="editor__gutter" aria-hidden="true" node_ref=gutter>
                    {move || (1..=line_count.get()).map(|n| view! {
                        <span class="editor__number" class:editor__number--error=move || error_line.get() == Some(n)>{n}</span>
                    }).collect_view()}
                </div>
                <div class="editor__area">
                    {move || error_line.get().map(|line| view! {
                        <div class="editor__mark" aria-hidden="true"
                            style:transform=move || format!("translateY({}px)", PAD_PX + (line as i32 - 1) * LINE_PX - scroll.get())></div>
                    })}
                    <label class="sr-only" for="rules-text">{move || lang.get().rules_document()}</label>
                    <textarea
                        id="rules-text"
                        class="editor__text"
                        node_ref=textarea
                        spellcheck="false"
                        autocomplete="off"
                        wrap="off"
                        aria-describedby="rules-status"
                        aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                        prop:value=move || text.get()
                        on:input=move |e| text.set(event_target_value(&e))
                        on:scroll=on_scroll
                    ></textarea>
                </div>
            </div>
            {status}
            <div class="form__actions">
                <button type="button" class="button button--primary"
                    disabled=move || writer.pending.get() || error.with(Option::is_some)
                    on:click=install>
                    {move || if writer.pending.get() { lang.get().installing() } else { lang.get().install() }}
                </button>
            </div>
            {move || server_error_place(writer, lang.get())}
            {outcome_line(writer)}
        </section>
        <section class="panel" aria-labelledby="rules-preview">
            <h2 class="panel__title" id="rules-preview">{move || lang.get().preview_of_rules()}</h2>
            {move || error.with(Option::is_some).then(|| view! { <p class="field__hint">{lang.get().preview_stale()}</p> })}
            {move || preview.get().map(|rules| rules_preview(lang.get(), &rules))}
        </section>
        <History site=site versions=versions text=text />
    }
}

/// Where the server found a problem in an installed document, when it says (its own check
/// agrees with the editor's, so this is rare: another owner's change of format, say).
fn server_error_place(writer: Writer, lang: Lang) -> Option<impl IntoView> {
    match writer.outcome.get() {
        crate::ui::Outcome::Failed(error) if error.line.is_some() => Some(
            view! { <p class="field__hint">{lang.rules_error_place(error.line, error.field.as_deref())}</p> },
        ),
        _ => None,
    }
}

fn rules_preview(lang: Lang, rules: &Rules) -> AnyView {
    let checkin = &rules.checkin;
    let milestones: Vec<String> = checkin
        .milestones
        .iter()
        .map(|m| lang.milestone(m.day, m.bonus))
        .collect();
    let makeup = if checkin.makeup.enabled {
        lang.makeup_summary(checkin.makeup.window_days, checkin.makeup.cost)
    } else {
        lang.disabled().to_owned()
    };
    view! {
        <dl class="facts">
            <div class="facts__item"><dt>{lang.checkin_points()}</dt><dd>{checkin.points}</dd></div>
            <div class="facts__item"><dt>{lang.milestones()}</dt><dd>{if milestones.is_empty() { lang.none().to_owned() } else { milestones.join(" · ") }}</dd></div>
            <div class="facts__item"><dt>{lang.makeup()}</dt><dd>{makeup}</dd></div>
        </dl>
        <div class="preview-grid">
            <div>
                <h3 class="subtitle">{lang.levels()}</h3>
                <table class="table table--compact">
                    <thead><tr><th scope="col">{lang.level()}</th><th scope="col">{lang.min_points()}</th><th scope="col">{lang.title()}</th></tr></thead>
                    <tbody>
                        {rules.levels.iter().enumerate().map(|(i, level)| view! {
                            <tr><td>{i + 1}</td><td>{level.min_points}</td><td>{level.title.clone()}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <div>
                <h3 class="subtitle">{lang.badges()}</h3>
                {if rules.badges.is_empty() {
                    empty_state(lang.no_badges()).into_any()
                } else {
                    view! {
                        <ul class="badge-list">
                            {rules.badges.iter().map(|badge| view! {
                                <li class="badge-list__item">
                                    <span class="badge-list__name">{badge.name.clone()}</span>
                                    <code class="badge-list__id">{badge.id.clone()}</code>
                                    {badge.title.clone().map(|t| view! { <span class="pill">{t}</span> })}
                                    <span class="badge-list__rule">{describe(lang, &badge.criteria)}</span>
                                    {badge.description.clone().map(|d| view! { <span class="badge-list__description">{d}</span> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </div>
        </div>
    }
    .into_any()
}

/// A badge criterion in words.
pub fn describe(lang: Lang, criterion: &Criterion) -> String {
    let zh = lang == Lang::ZhCn;
    let period = |p: &Period| match (p, zh) {
        (Period::Day, false) => "today",
        (Period::Week, false) => "this week",
        (Period::Month, false) => "this month",
        (Period::All, false) => "all time",
        (Period::Day, true) => "今日",
        (Period::Week, true) => "本周",
        (Period::Month, true) => "本月",
        (Period::All, true) => "总榜",
    };
    match criterion {
        Criterion::FirstCheckin if zh => "首次签到".to_owned(),
        Criterion::FirstCheckin => "First check-in".to_owned(),
        Criterion::Streak(n) if zh => format!("连续签到 {n} 天"),
        Criterion::Streak(n) => format!("A {n}-day streak"),
        Criterion::Checkins(n) if zh => format!("签到 {n} 次"),
        Criterion::Checkins(n) => format!("{n} check-ins"),
        Criterion::Points(n) if zh => format!("累计获得 {n} 积分"),
        Criterion::Points(n) => format!("{n} points earned"),
        Criterion::Spent(n) if zh => format!("累计消耗 {n} 积分"),
        Criterion::Spent(n) => format!("{n} points spent"),
        Criterion::Votes(n) if zh => format!("参与 {n} 次投票"),
        Criterion::Votes(n) => format!("Voted in {n} polls"),
        Criterion::Feedback(n) if zh => format!("提交 {n} 条反馈"),
        Criterion::Feedback(n) => format!("{n} pieces of feedback"),
        Criterion::Redeemed(n) if zh => format!("兑换 {n} 次奖励"),
        Criterion::Redeemed(n) => format!("{n} rewards redeemed"),
        Criterion::Rank { top, period: p } if zh => format!("{}前 {top} 名", period(p)),
        Criterion::Rank { top, period: p } => format!("Top {top} {}", period(p)),
        Criterion::Event { kind, count } if zh => format!("{kind} 事件 {count} 次"),
        Criterion::Event { kind, count } => format!("{count} × {kind}"),
        Criterion::All(list) | Criterion::Any(list) => {
            let all = matches!(criterion, Criterion::All(_));
            let joint = match (all, zh) {
                (true, false) => " and ",
                (false, false) => " or ",
                (true, true) => " 且 ",
                (false, true) => " 或 ",
            };
            let parts: Vec<String> = list.iter().map(|c| describe(lang, c)).collect();
            format!("({})", parts.join(joint))
        }
        Criterion::Unknown(name) => name.clone(),
    }
}

/// The installed versions, newest first, each comparable with the editor's text.
#[component]
fn History(
    site: String,
    versions: Remote<(String, u32), Vec<RulesVersion>>,
    text: RwSignal<String>,
) -> impl IntoView {
    let lang = use_lang();
    let site = StoredValue::new(site);
    // The version being compared, and its document once loaded.
    let compared = RwSignal::new(None::<(i64, Result<RulesDocument, api::ApiError>)>);
    let open = move |version: i64, load: bool| {
        let site = site.get_value();
        leptos::task::spawn_local(async move {
            let answer = api::rules_version(&site, version).await;
            if load && let Ok(document) = &answer {
                text.set(document.document.clone());
            }
            compared.try_set(Some((version, answer)));
        });
    };
    let list = move |versions: Vec<RulesVersion>| {
        let lang = lang.get();
        if versions.is_empty() {
            return empty_state(lang.history_empty()).into_any();
        }
        view! {
            <div class="table-wrap" tabindex="0">
                <table class="table">
                    <thead><tr>
                        <th scope="col">{lang.version()}</th>
                        <th scope="col">{lang.installed_at()}</th>
                        <th scope="col">{lang.installed_by()}</th>
                        <th scope="col">{lang.format()}</th>
                        <th scope="col"><span class="sr-only">{lang.actions()}</span></th>
                    </tr></thead>
                    <tbody>
                        {versions.into_iter().map(|v| {
                            let version = v.version;
                            view! {
                                <tr>
                                    <td>{version}</td>
                                    <td>{time_view(lang, v.installed_at)}</td>
                                    <td>{lang.actor(v.actor.as_ref())}</td>
                                    <td>{match v.format { RulesFormat::Toml => "TOML", RulesFormat::Json => "JSON" }}</td>
                                    <td class="table__actions">
                                        <button type="button" class="button button--small" on:click=move |_| open(version, false)>{lang.compare()}</button>
                                        <button type="button" class="button button--small" on:click=move |_| open(version, true)>{lang.load_into_editor()}</button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="panel" aria-labelledby="rules-history">
            <h2 class="panel__title" id="rules-history">{move || lang.get().history()}</h2>
            {loaded(versions, list)}
            {move || compared.get().map(|(version, answer)| {
                let lang = lang.get();
                match answer {
                    Err(error) => crate::ui::error_state(lang, &error, None).into_any(),
                    Ok(document) => text.with(|editor| diff_view(lang, version, &document.document, editor)).into_any(),
                }
            })}
        </section>
    }
}

/// The diff of version `version`'s document against the editor's text.
fn diff_view(lang: Lang, version: i64, old: &str, new: &str) -> AnyView {
    let diff = line_diff(old, new);
    let (added, removed) = counts(&diff);
    let title = format!("{} · {}", lang.diff_title(), lang.version_n(version));
    if added == 0 && removed == 0 {
        return view! {
            <div class="diff">
                <h3 class="subtitle">{title}</h3>
                <p class="state state--empty">{lang.diff_same()}</p>
            </div>
        }
        .into_any();
    }
    let rows: Vec<_> = diff
        .iter()
        .map(|line| {
            let (class, mark, sr) = match line.change {
                Change::Same => ("diff__line", " ", ""),
                Change::Removed => ("diff__line diff__line--removed", "−", lang.removed_line()),
                Change::Added => ("diff__line diff__line--added", "+", lang.added_line()),
            };
            view! {
                <div class=class>
                    <span class="diff__number">{line.old_line.map(|n| n.to_string()).unwrap_or_default()}</span>
                    <span class="diff__number">{line.new_line.map(|n| n.to_string()).unwrap_or_default()}</span>
                    <span class="diff__mark" aria-hidden="true">{mark}</span>
                    {(!sr.is_empty()).then(|| view! { <span class="sr-only">{sr} ": "</span> })}
                    <span class="diff__text">{line.text.to_owned()}</span>
                </div>
            }
        })
        .collect();
    view! {
        <div class="diff">
            <h3 class="subtitle">{title}</h3>
            <p class="field__hint">{lang.diff_summary(added, removed)}</p>
            <div class="diff__body code">{rows}</div>
        </div>
    }
    .into_any()
}
