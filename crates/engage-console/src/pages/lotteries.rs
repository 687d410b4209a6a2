//! Lotteries: the list, a form to create a lucky wheel or a giveaway (prizes with weights and
//! stock, times, cost) — the same form edits one until it is opened —, and one lottery's page:
//! open, close, stock left, spins or entrants, the drawn winners, the seed hash and, once
//! closed, the proof and the spins log; the spins and entries as CSV.

use engage_core::api::console::{ExportTable, OwnerLotteryView, SpinLogEntry};
use engage_core::api::lottery::{
    CreateLottery, LotteryMode, LotteryStatus, LotteryView, PrizeDefinition, UpdateLottery,
};
use leptos::prelude::*;

use crate::api;
use crate::i18n::Lang;
use crate::pages::export::export_link;
use crate::pages::polls::{Row, Rows, slug_of};
use crate::route::{Link, Route, SitePage};
use crate::ui::{
    Paged, Remote, Writer, empty_state, loaded, local_datetime_value, outcome_line, page_header,
    paged_view, parse_local_datetime, time_view, use_lang,
};

fn status_pill(lang: Lang, status: LotteryStatus) -> impl IntoView {
    let (class, text) = match status {
        LotteryStatus::Scheduled => ("pill", lang.scheduled()),
        LotteryStatus::Open => ("pill pill--success", lang.open()),
        LotteryStatus::Closed => ("pill pill--muted", lang.closed()),
    };
    view! { <span class=class>{text}</span> }
}

fn mode_label(lang: Lang, mode: LotteryMode) -> &'static str {
    match mode {
        LotteryMode::Wheel => lang.mode_wheel(),
        LotteryMode::Giveaway => lang.mode_giveaway(),
    }
}

#[component]
pub fn LotteriesPage(site: String) -> impl IntoView {
    let lang = use_lang();
    let key = site.clone();
    let lotteries = Remote::new(
        move || key.clone(),
        |site: String| async move { api::lotteries(&site).await },
    );
    let creating = RwSignal::new(false);
    let site = StoredValue::new(site);
    let list = move |lotteries: Vec<OwnerLotteryView>| {
        let lang = lang.get();
        if lotteries.is_empty() {
            return empty_state(lang.lotteries_empty()).into_any();
        }
        let site = site.get_value();
        view! {
            <div class="table-wrap" tabindex="0">
                <table class="table">
                    <thead><tr>
                        <th scope="col">"ID"</th>
                        <th scope="col">{lang.mode()}</th>
                        <th scope="col">{lang.status()}</th>
                        <th scope="col">{lang.prizes()}</th>
                        <th scope="col">{lang.opens_at()}</th>
                        <th scope="col">{lang.closes_at()}</th>
                    </tr></thead>
                    <tbody>
                        {lotteries.into_iter().map(|owner| {
                            let l = owner.lottery;
                            let to = Route::Site { site: site.clone(), page: SitePage::Lottery(l.id.to_string()) };
                            let left: u32 = l.prizes.iter().map(|p| p.stock).sum();
                            view! {
                                <tr>
                                    <td><Link to=to>{l.id.to_string()}</Link></td>
                                    <td>{mode_label(lang, l.mode)}</td>
                                    <td>{status_pill(lang, l.status)}</td>
                                    <td>{l.prizes.len()} " · " {lang.stock_of(left)}</td>
                                    <td>{time_view(lang, l.opens_at)}</td>
                                    <td>{time_view(lang, l.closes_at)}</td>
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
        {move || page_header(lang.get().lotteries_title(), None)}
        <div class="toolbar">
            <button type="button" class="button button--primary" aria-expanded=move || creating.get().to_string()
                on:click=move |_| creating.update(|c| *c = !*c)>
                {move || lang.get().new_lottery()}
            </button>
            {move || export_link(lang.get(), &site.get_value(), ExportTable::Spins)}
            {move || export_link(lang.get(), &site.get_value(), ExportTable::Entries)}
        </div>
        {move || creating.get().then(|| view! {
            <section class="panel" aria-labelledby="new-lottery">
                <h2 class="panel__title" id="new-lottery">{lang.get().new_lottery()}</h2>
                <LotteryForm site=site.get_value() on_saved=Callback::new(move |_| {
                    lotteries.refresh();
                    creating.set(false);
                }) />
            </section>
        })}
        <section class="panel" aria-label=move || lang.get().lotteries_title()>
            {loaded(lotteries, list)}
        </section>
    }
}

#[derive(Debug, Clone, Copy)]
struct PrizeFields {
    id: RwSignal<String>,
    name: RwSignal<String>,
    weight: RwSignal<String>,
    stock: RwSignal<String>,
    image: RwSignal<String>,
}

impl PrizeFields {
    fn new() -> PrizeFields {
        PrizeFields::of(&PrizeDefinition {
            id: String::new(),
            name: String::new(),
            weight: 1,
            stock: 1,
            image: None,
        })
    }

    /// The fields of a prize as defined.
    fn of(prize: &PrizeDefinition) -> PrizeFields {
        PrizeFields {
            id: RwSignal::new(prize.id.clone()),
            name: RwSignal::new(prize.name.clone()),
            weight: RwSignal::new(prize.weight.to_string()),
            stock: RwSignal::new(prize.stock.to_string()),
            image: RwSignal::new(prize.image.clone().unwrap_or_default()),
        }
    }
}

/// The prizes of `owner` as defined: the owner's view carries each prize's stock as defined
/// (the public view's `stock` is what is left; the same until the lottery opens).
fn defined_prizes(owner: &OwnerLotteryView) -> Vec<PrizeDefinition> {
    owner
        .lottery
        .prizes
        .iter()
        .map(|p| PrizeDefinition {
            id: p.id.clone(),
            name: p.name.clone(),
            weight: p.weight,
            stock: owner
                .stock_left
                .iter()
                .find(|s| s.id == p.id)
                .map_or(p.stock, |s| s.stock),
            image: p.image.clone(),
        })
        .collect()
}

/// The lottery form: creates one, or with `editing` edits that one (until it is opened: the
/// server refuses later edits with `lottery_open`). Its id never changes.
#[component]
fn LotteryForm(
    site: String,
    #[prop(optional)] editing: Option<OwnerLotteryView>,
    on_saved: Callback<LotteryView>,
) -> impl IntoView {
    let lang = use_lang();
    let current = editing.as_ref().map(|owner| &owner.lottery);
    let text_of = |value: Option<String>, default: &str| {
        RwSignal::new(value.unwrap_or_else(|| default.to_owned()))
    };
    let id = text_of(current.map(|l| l.id.to_string()), "");
    let mode = RwSignal::new(current.map_or(LotteryMode::Wheel, |l| l.mode));
    let prizes = Rows::new(match &editing {
        Some(owner) => defined_prizes(owner).iter().map(PrizeFields::of).collect(),
        None => vec![PrizeFields::new()],
    });
    let no_prize_weight = text_of(current.map(|l| l.no_prize_weight.to_string()), "0");
    let cost = text_of(current.map(|l| l.cost.to_string()), "0");
    let daily_spins = text_of(current.map(|l| l.daily_spins.to_string()), "1");
    let opens_at = text_of(current.map(|l| local_datetime_value(l.opens_at)), "");
    let closes_at = text_of(current.map(|l| local_datetime_value(l.closes_at)), "");
    let winners = text_of(current.map(|l| l.winners.to_string()), "1");
    let is_edit = editing.is_some();
    let writer = Writer::new();
    let site = StoredValue::new(site);
    let number = |signal: RwSignal<String>| signal.get_untracked().trim().parse().unwrap_or(0);

    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let (Some(opens), Some(closes)) = (
            parse_local_datetime(&opens_at.get_untracked()),
            parse_local_datetime(&closes_at.get_untracked()),
        ) else {
            return writer.invalid(&format!(
                "{} / {}",
                lang.get_untracked().opens_at(),
                lang.get_untracked().closes_at()
            ));
        };
        let prizes: Vec<PrizeDefinition> = prizes
            .fields()
            .into_iter()
            .filter(|p| !p.name.get_untracked().trim().is_empty())
            .enumerate()
            .map(|(i, p)| {
                let name = p.name.get_untracked().trim().to_owned();
                let id = match p.id.get_untracked().trim() {
                    "" => match slug_of(&name) {
                        slug if slug.is_empty() => format!("prize-{}", i + 1),
                        slug => slug,
                    },
                    id => id.to_owned(),
                };
                let image = p.image.get_untracked().trim().to_owned();
                PrizeDefinition {
                    id,
                    name,
                    weight: number(p.weight),
                    stock: number(p.stock),
                    image: (!image.is_empty()).then_some(image),
                }
            })
            .collect();
        let body = CreateLottery {
            id: id.get_untracked().trim().to_owned(),
            mode: mode.get_untracked(),
            prizes,
            no_prize_weight: number(no_prize_weight),
            cost: cost.get_untracked().trim().parse().unwrap_or(0),
            daily_spins: number(daily_spins),
            opens_at: opens,
            closes_at: closes,
            winners: number(winners),
        };
        let site = site.get_value();
        let done = move |lottery| {
            on_saved.run(lottery);
            String::new()
        };
        if is_edit {
            // Every field, as the form shows it: what the owner left alone stays the same.
            let id = body.id.clone();
            let update = UpdateLottery::from(body);
            writer.run(
                async move { api::update_lottery(&site, &id, &update).await },
                done,
            );
        } else {
            writer.run(async move { api::create_lottery(&site, &body).await }, done);
        }
    };

    let prize_row = move |row: Row<PrizeFields>| {
        let key = row.key;
        let PrizeFields {
            id,
            name,
            weight,
            stock,
            image,
        } = row.fields;
        let n = move || prizes.number(key);
        let text = move |signal: RwSignal<String>| {
            move |e: web_sys::Event| signal.set(event_target_value(&e))
        };
        view! {
            <fieldset class="row-fields">
                <legend class="sr-only">{move || lang.get().prize_n(n())}</legend>
                <label class="field">
                    <span class="field__label">{move || format!("{} {}", lang.get().prize_name(), n())}</span>
                    <input class="input" maxlength="100" prop:value=move || name.get() on:input=text(name) />
                </label>
                <label class="field field--narrow">
                    <span class="field__label">{move || lang.get().prize_id()}</span>
                    <input class="input" maxlength="48" spellcheck="false" autocomplete="off"
                        placeholder=move || slug_of(&name.get())
                        prop:value=move || id.get() on:input=text(id) />
                </label>
                <label class="field field--tiny">
                    <span class="field__label">{move || lang.get().weight()}</span>
                    <input class="input" type="number" min="0" prop:value=move || weight.get() on:input=text(weight) />
                </label>
                <label class="field field--tiny">
                    <span class="field__label">{move || lang.get().stock()}</span>
                    <input class="input" type="number" min="0" prop:value=move || stock.get() on:input=text(stock) />
                </label>
                <label class="field">
                    <span class="field__label">{move || lang.get().image_url()}</span>
                    <input class="input" type="url" prop:value=move || image.get() on:input=text(image) />
                </label>
                <button type="button" class="button button--small button--quiet"
                    aria-label=move || format!("{} {}", lang.get().remove(), lang.get().prize_n(n()))
                    on:click=move |_| prizes.remove(key)>{move || lang.get().remove()}</button>
            </fieldset>
        }
    };
    let text =
        |signal: RwSignal<String>| move |e: web_sys::Event| signal.set(event_target_value(&e));

    view! {
        <form class="form" on:submit=submit>
            <p class="field__hint">{move || lang.get().lottery_edit_hint()}</p>
            <div class="form__row">
                <label class="field field--narrow">
                    <span class="field__label">"ID"</span>
                    <input class="input" required maxlength="64" spellcheck="false" autocomplete="off"
                        readonly=is_edit aria-readonly=is_edit.then_some("true")
                        prop:value=move || id.get() on:input=text(id) />
                </label>
                <label class="field">
                    <span class="field__label">{move || lang.get().mode()}</span>
                    <select class="select" on:change=move |e| {
                        if let Some(m) = LotteryMode::parse(&event_target_value(&e)) { mode.set(m) }
                    }>
                        {move || [LotteryMode::Wheel, LotteryMode::Giveaway].into_iter().map(|m| view! {
                            <option value=m.as_str() selected=move || mode.get() == m>{mode_label(lang.get(), m)}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <fieldset class="fieldset">
                <legend class="field__label">{move || lang.get().prizes()}</legend>
                <For each=move || prizes.rows.get() key=|row| row.key children=prize_row />
                <button type="button" class="button button--small" on:click=move |_| prizes.add(PrizeFields::new())>
                    {move || lang.get().add_prize()}
                </button>
            </fieldset>
            <div class="form__row">
                {move || (mode.get() == LotteryMode::Wheel).then(|| view! {
                    <label class="field field--narrow">
                        <span class="field__label">{lang.get().no_prize_weight()}</span>
                        <input class="input" type="number" min="0" prop:value=move || no_prize_weight.get() on:input=text(no_prize_weight) />
                    </label>
                    <label class="field field--narrow">
                        <span class="field__label">{lang.get().daily_spins()}</span>
                        <input class="input" type="number" min="1" prop:value=move || daily_spins.get() on:input=text(daily_spins) />
                    </label>
                })}
                {move || (mode.get() == LotteryMode::Giveaway).then(|| view! {
                    <label class="field field--narrow">
                        <span class="field__label">{lang.get().winners()}</span>
                        <input class="input" type="number" min="1" prop:value=move || winners.get() on:input=text(winners) />
                    </label>
                })}
                <label class="field field--narrow">
                    <span class="field__label">{move || lang.get().cost()}</span>
                    <input class="input" type="number" min="0" prop:value=move || cost.get() on:input=text(cost) />
                </label>
            </div>
            <div class="form__row">
                <label class="field">
                    <span class="field__label">{move || lang.get().opens_at()}</span>
                    <input class="input" type="datetime-local" required prop:value=move || opens_at.get() on:input=text(opens_at) />
                </label>
                <label class="field">
                    <span class="field__label">{move || lang.get().closes_at()}</span>
                    <input class="input" type="datetime-local" required prop:value=move || closes_at.get() on:input=text(closes_at) />
                </label>
            </div>
            <div class="form__actions">
                <button type="submit" class="button button--primary" disabled=move || writer.pending.get()>
                    {move || match (writer.pending.get(), is_edit) {
                        (true, true) => lang.get().saving(),
                        (true, false) => lang.get().creating(),
                        (false, true) => lang.get().save_lottery(),
                        (false, false) => lang.get().create_lottery(),
                    }}
                </button>
            </div>
            {outcome_line(writer)}
        </form>
    }
}

#[component]
pub fn LotteryPage(site: String, lottery: String) -> impl IntoView {
    let lang = use_lang();
    let key = (site.clone(), lottery.clone());
    let remote = Remote::new(
        move || key.clone(),
        |(site, lottery): (String, String)| async move { api::lottery(&site, &lottery).await },
    );
    let writer = Writer::new();
    let editing = RwSignal::new(false);
    let site_value = StoredValue::new(site.clone());
    let lottery_value = StoredValue::new(lottery.clone());
    let act = move |action: &'static str| {
        let (site, lottery) = (site_value.get_value(), lottery_value.get_value());
        writer.run(
            async move { api::lottery_action(&site, &lottery, action).await },
            move |view| {
                remote.update(|owner| owner.lottery = view);
                remote.refresh();
                String::new()
            },
        );
    };
    let back = Route::Site {
        site: site.clone(),
        page: SitePage::Lotteries,
    };
    let spins_site = site.clone();
    view! {
        {loaded(remote, move |owner: OwnerLotteryView| {
            let lang = lang.get();
            let l = owner.lottery.clone();
            let site = site_value.get_value();
            let proof = owner.proof.clone().unwrap_or_else(|| {
                format!("/api/v1/sites/{}/lotteries/{}/proof", api::segment(&site), api::segment(&l.id.to_string()))
            });
            let verify = format!("/verify.html?site={}&lottery={}", api::segment(&site), api::segment(&l.id.to_string()));
            let closed = l.status == LotteryStatus::Closed;
            // Editable until the owner opens it: from then on the seed hash is published.
            let editable = !closed && l.seed_hash.is_none();
            let edit_owner = owner.clone();
            view! {
                <header class="page-header">
                    <p class="page-header__kicker">{mode_label(lang, l.mode)} " " {status_pill(lang, l.status)}</p>
                    <h1 class="page-header__title">{l.id.to_string()}</h1>
                </header>
                <section class="panel" aria-labelledby="lottery-state">
                    <div class="panel__head">
                        <h2 class="panel__title" id="lottery-state">{lang.status()}</h2>
                        <div class="toolbar">
                            {(l.status == LotteryStatus::Scheduled).then(|| view! {
                                <button type="button" class="button button--primary" disabled=move || writer.pending.get()
                                    on:click=move |_| act("open")>{lang.open_now()}</button>
                            })}
                            {(!closed).then(|| view! {
                                <button type="button" class="button" disabled=move || writer.pending.get()
                                    on:click=move |_| act("close")>{lang.close_now()}</button>
                            })}
                            {editable.then(|| view! {
                                <button type="button" class="button" aria-expanded=move || editing.get().to_string()
                                    aria-controls="lottery-edit"
                                    on:click=move |_| editing.update(|e| *e = !*e)>{lang.edit_lottery()}</button>
                            })}
                        </div>
                    </div>
                    {(!editable).then(|| view! {
                        <p class="field__hint">{if closed { lang.lottery_closed_locked() } else { lang.lottery_locked() }}</p>
                    })}
                    <dl class="facts">
                        <div class="facts__item"><dt>{lang.opens_at()}</dt><dd>{time_view(lang, l.opens_at)}</dd></div>
                        <div class="facts__item"><dt>{lang.closes_at()}</dt><dd>{time_view(lang, l.closed_at.unwrap_or(l.closes_at))}</dd></div>
                        <div class="facts__item"><dt>{lang.cost()}</dt><dd>{l.cost}</dd></div>
                        {match l.mode {
                            LotteryMode::Wheel => view! {
                                <div class="facts__item"><dt>{lang.spins()}</dt><dd>{owner.spins}</dd></div>
                                <div class="facts__item"><dt>{lang.daily_spins()}</dt><dd>{l.daily_spins}</dd></div>
                            }.into_any(),
                            LotteryMode::Giveaway => view! {
                                <div class="facts__item"><dt>{lang.entrants()}</dt><dd>{l.entrants.unwrap_or(0)}</dd></div>
                                <div class="facts__item"><dt>{lang.winners()}</dt><dd>{l.winners}</dd></div>
                            }.into_any(),
                        }}
                    </dl>
                    {outcome_line(writer)}
                </section>
                {move || (editable && editing.get()).then(|| view! {
                    <section class="panel" id="lottery-edit" aria-labelledby="lottery-edit-title">
                        <h2 class="panel__title" id="lottery-edit-title">{lang.edit_lottery()}</h2>
                        <LotteryForm site=site_value.get_value() editing=edit_owner.clone()
                            on_saved=Callback::new(move |view: LotteryView| {
                                remote.update(|owner| owner.lottery = view);
                                remote.refresh();
                                editing.set(false);
                            }) />
                    </section>
                })}
                <section class="panel" aria-labelledby="lottery-prizes">
                    <h2 class="panel__title" id="lottery-prizes">{lang.prizes()}</h2>
                    <div class="table-wrap" tabindex="0">
                        <table class="table">
                            <thead><tr>
                                <th scope="col">{lang.prize_name()}</th>
                                <th scope="col">"ID"</th>
                                <th scope="col" class="table__number">{lang.weight()}</th>
                                <th scope="col" class="table__number">{lang.stock()}</th>
                                <th scope="col" class="table__number">{lang.stock_left()}</th>
                            </tr></thead>
                            <tbody>
                                {l.prizes.iter().map(|p| {
                                    // The stock as defined comes with the owner's view; the
                                    // public view's `stock` is what is left.
                                    let defined = owner.stock_left.iter().find(|s| s.id == p.id);
                                    view! {
                                        <tr>
                                            <td>{p.name.clone()}</td>
                                            <td><code>{p.id.clone()}</code></td>
                                            <td class="table__number">{p.weight}</td>
                                            <td class="table__number">{defined.map(|s| s.stock.to_string()).unwrap_or_default()}</td>
                                            <td class="table__number">{defined.map_or(p.stock, |s| s.stock_left)}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                                {(l.no_prize_weight > 0).then(|| view! {
                                    <tr><td>{lang.no_prize()}</td><td></td><td class="table__number">{l.no_prize_weight}</td><td></td><td></td></tr>
                                })}
                            </tbody>
                        </table>
                    </div>
                    {l.drawn_winners.clone().filter(|w| !w.is_empty()).map(|winners| view! {
                        <h3 class="subtitle">{lang.drawn_winners()}</h3>
                        <ol class="plain-list">
                            {winners.into_iter().map(|w| view! { <li>{w.name} " " <code>{w.member}</code></li> }).collect_view()}
                        </ol>
                    })}
                </section>
                <section class="panel" aria-labelledby="lottery-proof">
                    <h2 class="panel__title" id="lottery-proof">{lang.proof()}</h2>
                    {l.seed_hash.is_none().then(|| view! {
                        <p class="field__hint">{lang.proof_not_yet()}</p>
                    })}
                    <dl class="facts facts--stacked">
                        {l.seed_hash.clone().map(|hash| view! {
                            <div class="facts__item"><dt>{lang.seed_hash()}</dt><dd><code class="break">{hash}</code></dd></div>
                        })}
                        {l.seed.clone().map(|seed| view! {
                            <div class="facts__item"><dt>{lang.seed()}</dt><dd><code class="break">{seed}</code></dd></div>
                        })}
                    </dl>
                    {closed.then(|| view! {
                        <p class="toolbar">
                            <a class="button" href=proof.clone() target="_blank" rel="noopener">{lang.proof()} " (JSON)"</a>
                            <a class="button" href=verify.clone() target="_blank" rel="noopener">{lang.verify_proof()}</a>
                        </p>
                    })}
                </section>
            }
        })}
        <SpinsLog site=spins_site lottery=lottery />
        <p class="page-footer"><Link to=back>{move || lang.get().lotteries_title()}</Link></p>
    }
}

/// The spins of a lottery, newest first, a page at a time.
#[component]
fn SpinsLog(site: String, lottery: String) -> impl IntoView {
    let lang = use_lang();
    let target = StoredValue::new((site, lottery));
    let spins = Paged::new(move |before: Option<String>| {
        let (site, lottery) = target.get_value();
        async move {
            let page = api::spins(&site, &lottery, before.as_deref()).await?;
            Ok((page.spins, page.next_before.map(|c| c.to_string())))
        }
    });
    let table = move |spins: Vec<SpinLogEntry>| {
        let lang = lang.get();
        view! {
            <div class="table-wrap" tabindex="0">
                <table class="table">
                    <thead><tr>
                        <th scope="col">{lang.member()}</th>
                        <th scope="col">{lang.spin_number()}</th>
                        <th scope="col">{lang.prize()}</th>
                        <th scope="col">{lang.at()}</th>
                    </tr></thead>
                    <tbody>
                        {spins.into_iter().map(|s| view! {
                            <tr>
                                <td>{s.name} " " <code>{s.member}</code></td>
                                <td>{s.spin}</td>
                                <td>{s.prize.map(|p| p.name).unwrap_or_else(|| lang.no_prize().to_owned())}</td>
                                <td>{time_view(lang, s.at)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
    };
    view! {
        <section class="panel" aria-labelledby="lottery-spins">
            <h2 class="panel__title" id="lottery-spins">{move || lang.get().spins_log()}</h2>
            {paged_view(spins, Lang::spins_empty, move || table(spins.items.get()))}
        </section>
    }
}
