//! The rewards shop (积分兑换): the site's rewards with stock or codes left and their numbers,
//! the create and edit forms, coupon codes uploaded as lines or a CSV file, and the fulfilment
//! queue — filter by status and reward, mark fulfilled, or cancel with a refund after a
//! confirmation —, and the redemptions as CSV.

pub mod form;
mod strings;

use engage_core::api::rewards::{
    OwnerRedemptionView, OwnerRewardView, RedemptionStatus, RewardKind,
};
use leptos::prelude::*;

use crate::api;
use crate::i18n::Lang;
use crate::ui::{
    Paged, Remote, Writer, empty_state, loaded, outcome_line, paged_view, time_view, use_lang,
};
use form::{CodesUpload, RewardForm};

/// What the panel under the list shows for one reward.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Open {
    Edit(String),
    Codes(String),
}

#[component]
pub fn RewardsPage(site: String) -> impl IntoView {
    let lang = use_lang();
    let key = site.clone();
    let rewards = Remote::new(
        move || key.clone(),
        |site: String| async move { api::rewards(&site).await },
    );
    let creating = RwSignal::new(false);
    let open = RwSignal::new(None::<Open>);
    let site = StoredValue::new(site);

    let list = move |list: Vec<OwnerRewardView>| {
        let lang = lang.get();
        if list.is_empty() {
            return empty_state(lang.rewards_empty()).into_any();
        }
        view! {
            <div class="table-wrap" tabindex="0">
                <table class="table">
                    <caption class="sr-only">{lang.rewards_title()}</caption>
                    <thead><tr>
                        <th scope="col">{lang.reward_name()}</th>
                        <th scope="col">{lang.kind_label()}</th>
                        <th scope="col" class="table__number">{lang.price()}</th>
                        <th scope="col" class="table__number">{lang.stock_left()}</th>
                        <th scope="col" class="table__number">{lang.per_member()}</th>
                        <th scope="col">{lang.status_label()}</th>
                        <th scope="col">{lang.statistics()}</th>
                        <th scope="col">{lang.actions()}</th>
                    </tr></thead>
                    <tbody>
                        {list.into_iter().map(|owner| reward_row(lang, owner, open)).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let panel = move || {
        let lang = lang.get();
        let opened = open.get()?;
        let id = match &opened {
            Open::Edit(id) | Open::Codes(id) => id.clone(),
        };
        // Read once when the panel opens: the list refreshing after a save must not rebuild the
        // form (and take its outcome line away).
        let owner = untrack(|| rewards.value())
            .and_then(|list| list.into_iter().find(|r| r.reward.id == id))?;
        let name = owner.reward.name.clone();
        let refresh = Callback::new(move |_| rewards.refresh());
        let body = match opened {
            Open::Edit(_) => view! {
                <RewardForm site=site.get_value() editing=Some(owner) on_saved=Callback::new(move |_| rewards.refresh()) />
            }
            .into_any(),
            Open::Codes(_) => view! {
                <CodesUpload site=site.get_value() reward=id.clone() on_uploaded=refresh />
            }
            .into_any(),
        };
        let title = match open.get_untracked() {
            Some(Open::Codes(_)) => format!("{} · {name}", lang.upload_codes()),
            _ => lang.edit_reward(&name),
        };
        Some(view! {
            <section class="panel" aria-labelledby="reward-panel">
                <div class="panel__head">
                    <h2 class="panel__title" id="reward-panel">{title}</h2>
                    <button type="button" class="button button--small button--quiet" on:click=move |_| open.set(None)>
                        {lang.close_editor()}
                    </button>
                </div>
                {body}
            </section>
        })
    };
    view! {
        <header class="page-header">
            <h1 class="page-header__title">{move || lang.get().rewards_title()}</h1>
            <p class="page-header__intro">{move || lang.get().rewards_intro()}</p>
        </header>
        <div class="toolbar">
            <button type="button" class="button button--primary" aria-expanded=move || creating.get().to_string()
                on:click=move |_| creating.update(|c| *c = !*c)>
                {move || lang.get().new_reward()}
            </button>
            <a class="button button--small export-link" href=move || api::redemptions_csv_href(&site.get_value())
                download=move || format!("{}-redemptions.csv", site.get_value()) data-table="redemptions">
                {move || lang.get().redemptions_csv()}
            </a>
        </div>
        {move || creating.get().then(|| view! {
            <section class="panel" aria-labelledby="new-reward">
                <h2 class="panel__title" id="new-reward">{lang.get().new_reward()}</h2>
                <RewardForm site=site.get_value() editing=None on_saved=Callback::new(move |_| {
                    rewards.refresh();
                    creating.set(false);
                }) />
            </section>
        })}
        <section class="panel" aria-label=move || lang.get().rewards_title()>
            {loaded(rewards, list)}
        </section>
        {panel}
        <Queue site=site.get_value() rewards=rewards />
    }
}

fn reward_row(lang: Lang, owner: OwnerRewardView, open: RwSignal<Option<Open>>) -> impl IntoView {
    let r = owner.reward;
    let left = match (r.kind, owner.codes_left, r.stock_left) {
        (RewardKind::Code, Some(codes), _) => {
            format!("{codes} / {}", owner.codes_total.unwrap_or(codes))
        }
        (_, _, Some(n)) => n.to_string(),
        (_, _, None) => lang.unlimited().to_owned(),
    };
    let (pill, status) = if owner.archived {
        ("pill pill--muted", lang.hidden())
    } else {
        match r.status {
            engage_core::api::rewards::RewardStatus::Open => {
                ("pill pill--success", lang.reward_status(r.status))
            }
            engage_core::api::rewards::RewardStatus::Scheduled => {
                ("pill", lang.reward_status(r.status))
            }
            engage_core::api::rewards::RewardStatus::Closed => {
                ("pill pill--muted", lang.reward_status(r.status))
            }
        }
    };
    let id = r.id.clone();
    let edit_id = id.clone();
    let codes_id = id.clone();
    let is_code = r.kind == RewardKind::Code;
    let name = r.name.clone();
    view! {
        <tr data-reward=id.clone()>
            <td>{r.name.clone()} <span class="table__sub"><code>{id.clone()}</code></span></td>
            <td>{lang.reward_kind(r.kind)}</td>
            <td class="table__number">{r.price}</td>
            <td class="table__number">{left}</td>
            <td class="table__number">{r.per_member.map_or_else(|| lang.no_limit().to_owned(), |n| n.to_string())}</td>
            <td><span class=pill>{status}</span></td>
            <td>
                {lang.redemption_counts(owner.pending, owner.fulfilled, owner.cancelled)}
                <span class="table__sub">{format!("{} · {}", lang.points_taken(), owner.points_taken)}</span>
            </td>
            <td class="table__actions">
                <button type="button" class="button button--small"
                    aria-label=lang.action_on(lang.edit(), &name)
                    on:click=move |_| open.set(Some(Open::Edit(edit_id.clone())))>{lang.edit()}</button>
                {is_code.then(|| view! {
                    <button type="button" class="button button--small"
                        aria-label=lang.action_on(lang.upload_codes(), &name)
                        on:click=move |_| open.set(Some(Open::Codes(codes_id.clone())))>{lang.upload_codes()}</button>
                })}
            </td>
        </tr>
    }
}

/// The fulfilment queue: redemptions newest first, filtered by status and reward.
#[component]
fn Queue(site: String, rewards: Remote<String, Vec<OwnerRewardView>>) -> impl IntoView {
    let lang = use_lang();
    let status = RwSignal::new(RedemptionStatus::Pending.as_str().to_owned());
    let reward = RwSignal::new(String::new());
    let site = StoredValue::new(site);
    let queue = Paged::new(move |before: Option<String>| {
        let site = site.get_value();
        let (status, reward) = (status.get_untracked(), reward.get_untracked());
        async move {
            let page = api::redemptions(&site, &status, &reward, before.as_deref()).await?;
            Ok((page.redemptions, page.next))
        }
    });
    let replace = move |changed: OwnerRedemptionView| {
        queue.items.update(|items| {
            if let Some(item) = items
                .iter_mut()
                .find(|i| i.redemption.id == changed.redemption.id)
            {
                *item = changed;
            }
        });
        rewards.refresh();
    };
    let table = move || {
        let lang = lang.get();
        view! {
            <div class="table-wrap" tabindex="0">
                <table class="table">
                    <caption class="sr-only">{lang.queue_title()}</caption>
                    <thead><tr>
                        <th scope="col">{lang.at()}</th>
                        <th scope="col">{lang.member()}</th>
                        <th scope="col">{lang.reward()}</th>
                        <th scope="col">{lang.code()}</th>
                        <th scope="col">{lang.status_label()}</th>
                        <th scope="col">{lang.actions()}</th>
                    </tr></thead>
                    <tbody>
                        <For each=move || queue.items.get() key=|r| (r.redemption.id.clone(), r.redemption.status) let:item>
                            <QueueRow site=site.get_value() item=item on_changed=Callback::new(replace) />
                        </For>
                    </tbody>
                </table>
            </div>
        }
    };
    let reward_options = move || {
        rewards.value().unwrap_or_default().into_iter().map(|r| {
            let id = r.reward.id.clone();
            let chosen = id.clone();
            view! { <option value=id selected=move || reward.get() == chosen>{r.reward.name}</option> }
        }).collect_view()
    };
    view! {
        <section class="panel" aria-labelledby="queue-title">
            <h2 class="panel__title" id="queue-title">{move || lang.get().queue_title()}</h2>
            <div class="form form--inline" role="search">
                <div class="form__row">
                    <label class="field field--narrow">
                        <span class="field__label">{move || lang.get().status_filter()}</span>
                        <select class="select" on:change=move |e| { status.set(event_target_value(&e)); queue.reload(); }>
                            <option value="" selected=move || status.get().is_empty()>{move || lang.get().any_status()}</option>
                            {move || RedemptionStatus::ALL.into_iter().map(|s| view! {
                                <option value=s.as_str() selected=move || status.get() == s.as_str()>{lang.get().redemption_status(s)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span class="field__label">{move || lang.get().reward()}</span>
                        <select class="select" on:change=move |e| { reward.set(event_target_value(&e)); queue.reload(); }>
                            <option value="" selected=move || reward.get().is_empty()>{move || lang.get().all_rewards()}</option>
                            {reward_options}
                        </select>
                    </label>
                </div>
            </div>
            {paged_view(queue, Lang::queue_empty, table)}
        </section>
    }
}

/// One redemption of the queue, with its actions; cancelling asks first.
#[component]
fn QueueRow(
    site: String,
    item: OwnerRedemptionView,
    on_changed: Callback<OwnerRedemptionView>,
) -> impl IntoView {
    let lang = use_lang();
    let writer = Writer::new();
    let confirming = RwSignal::new(false);
    let r = item.redemption.clone();
    let target = StoredValue::new((site, r.id.clone()));
    let price = r.price;
    let set = move |status: RedemptionStatus| {
        let (site, id) = target.get_value();
        let lang = lang.get_untracked();
        writer.run(
            async move { api::set_redemption_status(&site, &id, status).await },
            move |changed| {
                confirming.try_set(false);
                on_changed.run(changed);
                match status {
                    RedemptionStatus::Cancelled => lang.cancelled_refunded(price),
                    _ => lang.fulfilled_done().to_owned(),
                }
            },
        );
    };
    let who = if item.member_name.is_empty() {
        item.member.clone()
    } else {
        item.member_name.clone()
    };
    let who_for_question = who.clone();
    let status = r.status;
    let pill = match status {
        RedemptionStatus::Pending => "pill",
        RedemptionStatus::Fulfilled => "pill pill--success",
        RedemptionStatus::Cancelled => "pill pill--muted",
    };
    let name = if r.name.is_empty() {
        r.reward.clone()
    } else {
        r.name.clone()
    };
    let actions = move || {
        let lang = lang.get();
        if confirming.get() {
            return view! {
                <span class="table__sub">{lang.cancel_question(price, &who_for_question)}</span>
                <button type="button" class="button button--small button--primary" disabled=move || writer.pending.get()
                    on:click=move |_| set(RedemptionStatus::Cancelled)>{lang.yes_cancel()}</button>
                <button type="button" class="button button--small" on:click=move |_| confirming.set(false)>{lang.keep()}</button>
            }
            .into_any();
        }
        view! {
            {(status == RedemptionStatus::Pending).then(|| view! {
                <button type="button" class="button button--small" disabled=move || writer.pending.get()
                    on:click=move |_| set(RedemptionStatus::Fulfilled)>{lang.mark_fulfilled()}</button>
            })}
            {(status != RedemptionStatus::Cancelled).then(|| view! {
                <button type="button" class="button button--small button--quiet" disabled=move || writer.pending.get()
                    on:click=move |_| confirming.set(true)>{lang.cancel_refund()}</button>
            })}
        }
        .into_any()
    };
    view! {
        <tr data-redemption=r.id.clone()>
            <td>{r.at.map(|at| time_view(lang.get_untracked(), at))}</td>
            <td>{who} <span class="table__sub"><code>{item.member.clone()}</code></span></td>
            <td>{name} <span class="table__sub">{format!("{} · {}", r.price, lang.get_untracked().price())}</span></td>
            <td>{r.code.clone().map(|c| view! { <code>{c}</code> })}</td>
            <td><span class=pill>{move || lang.get().redemption_status(status)}</span></td>
            <td class="table__actions">{actions} {outcome_line(writer)}</td>
        </tr>
    }
}
