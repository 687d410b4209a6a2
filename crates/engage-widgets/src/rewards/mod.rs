//! The rewards shop (积分兑换, `<engage-rewards>`): the site's rewards with their price, stock,
//! open and close times and whether the member can afford them; redeeming after a
//! confirmation (a modal `<dialog>`: the browser keeps the focus in it and Escape cancels) that
//! says what it costs and what is left; the result — a coupon code to copy, "pending" for an
//! item the owner sends, or a streak freeze —; and the member's own redemptions.
//!
//! The catalogue is read by anyone; redeeming and "my redemptions" need a member token. The
//! server takes points, stock, the member's limit and the code together; the widget shows its
//! answer, shares the new balance with the other widgets of the page
//! ([`Shell::share_balance`]) and reports `engage:redeem`.

mod strings;

use engage_core::api::rewards::{
    MyRedemptions, RedeemResult, RedemptionStatus, RedemptionView, RewardKind, RewardStatus,
    RewardView, RewardsCatalogue,
};
use leptos::html::Dialog;
use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::JsCast;

use crate::i18n::Lang;
use crate::poll::{element_id, local_time};
use crate::widget::{
    LoadKey, Phase, PhaseKind, ReadyDetail, Remote, Shell, blank, card, failure_message,
    loading_label, spawn_write,
};
use crate::{Theme, Widget};

/// The widget's own styles, adopted after the shared card styles.
pub static REWARDS_CSS: &str = include_str!("rewards.css");

/// The rewards shop.
///
/// Anyone may look at the rewards; without a member token each says "Sign in to redeem".
#[component]
pub fn Rewards(
    /// The site id the owner registered on the Engage server (the `site` attribute).
    #[prop(into)]
    site: Signal<String>,
    /// The member token minted by the host site's backend (the `member-token` attribute or
    /// `Engage.identify`); without one the member can look but not redeem.
    #[prop(optional, into)]
    member_token: MaybeProp<String>,
    /// The Engage server's origin, e.g. `https://engage.example.com`; by default the API is
    /// requested from the page's own origin.
    #[prop(optional, into)]
    server: MaybeProp<String>,
    /// The language; by default the page's `<html lang>`, else the browser's language.
    #[prop(optional, into)]
    lang: MaybeProp<Lang>,
    /// The colour theme; by default `Auto`, which follows `prefers-color-scheme`.
    #[prop(optional, into)]
    theme: MaybeProp<Theme>,
) -> impl IntoView {
    let shell = Shell::new(
        Widget::Rewards,
        REWARDS_CSS,
        site,
        member_token,
        server,
        lang,
        theme,
    );
    let lang = shell.lang;
    let none = Signal::stored(String::new());
    let catalogue = Remote::new(shell.client, none, false, |key: LoadKey| async move {
        key.endpoint.rewards().await
    });
    let mine = Remote::new(shell.client, none, true, |key: LoadKey| async move {
        key.endpoint.my_redemptions().await
    });
    // A check-in, a vote or a spin elsewhere on the page changes what the member can afford.
    shell.follow_balance(move |points| catalogue.modify(|c| set_balance(c, points)));
    let phase = catalogue.phase;
    shell.report_phases(phase, move || ReadyDetail {
        widget: Widget::Rewards.as_str(),
        site: site.get_untracked(),
        poll: None,
    });
    let kind = Memo::new(move |_| phase.with(Phase::kind));
    let shop = Shop {
        shell,
        catalogue,
        mine,
        step: RwSignal::new(None),
        pending: RwSignal::new(false),
        dialog: NodeRef::new(),
        opener: StoredValue::new(None),
    };
    let loaded = Memo::new(move |_| phase.with(|p| p.ready().cloned()));
    let body = move || match kind.get() {
        PhaseKind::Loading => skeleton(lang).into_any(),
        PhaseKind::Failed => failure_message(shell, catalogue).into_any(),
        PhaseKind::Ready | PhaseKind::SignedOut => {
            (move || loaded.get().map(|c| rewards_list(shop, c))).into_any()
        }
    };
    let header = view! {
        <header class="engage-card__header engage-rewards__header" part="header">
            <h2 class="engage-card__title" part="title">{move || lang.get().rewards_title()}</h2>
            <p class="engage-rewards__balance" part="balance">
                {move || loaded.with(|c| c.as_ref().map(|c| balance_line(lang.get(), c)))}
            </p>
        </header>
    };
    let body = view! {
        {body}
        {move || (kind.get() == PhaseKind::Ready).then(|| my_redemptions(shop))}
        {confirm_dialog(shop)}
    };
    card(
        shell,
        "engage-rewards",
        Lang::rewards_title,
        move || kind.get() == PhaseKind::Loading,
        header,
        body,
    )
}

/// The header's line: the balance and freezes held, or "Sign in to redeem".
fn balance_line(lang: Lang, catalogue: &RewardsCatalogue) -> String {
    match catalogue.points {
        Some(points) => match catalogue.freezes.filter(|&n| n > 0) {
            Some(freezes) => format!(
                "{} · ❄ {}",
                lang.you_have_points(points),
                lang.freezes_held(freezes)
            ),
            None => lang.you_have_points(points),
        },
        None => lang.sign_in_to_redeem().to_owned(),
    }
}

/// The member's balance is now `points`: what they can afford follows.
fn set_balance(catalogue: &mut RewardsCatalogue, points: i64) {
    if catalogue.points.is_none() {
        return;
    }
    catalogue.points = Some(points);
    for reward in &mut catalogue.rewards {
        reward.affordable = points >= reward.price;
    }
}

/// The catalogue after the member redeemed `reward`, as `result` says.
fn after_redemption(catalogue: &mut RewardsCatalogue, reward: &str, result: &RedeemResult) {
    set_balance(catalogue, result.points);
    if let Some(reward) = catalogue.rewards.iter_mut().find(|r| r.id == reward) {
        reward.stock_left = reward.stock_left.map(|n| n.saturating_sub(1));
        reward.my_left = reward.my_left.map(|n| n.saturating_sub(1));
        if reward.kind == RewardKind::StreakFreeze {
            catalogue.freezes = catalogue.freezes.map(|n| n + 1);
        }
    }
}

/// Why `reward` cannot be redeemed now, or `None` when it can.
fn blocked(lang: Lang, reward: &RewardView, points: Option<i64>) -> Option<String> {
    Some(match reward.status {
        RewardStatus::Closed => lang.closed().to_owned(),
        RewardStatus::Scheduled => match reward.opens_at {
            Some(at) => lang.opens_at(&local_time(lang, at)),
            None => lang.reward_not_open_now().to_owned(),
        },
        RewardStatus::Open if reward.stock_left == Some(0) => lang.reward_out_of_stock().to_owned(),
        RewardStatus::Open => match points {
            None => lang.sign_in_to_redeem().to_owned(),
            Some(_) if reward.my_left == Some(0) => lang.reward_limit_reached().to_owned(),
            Some(points) if points < reward.price => lang.points_short(reward.price - points),
            Some(_) => return None,
        },
    })
}

/// The state of the confirmation dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// Asking: the reward, the balance it is paid from, and the idempotency key every send of
    /// this confirmation carries (a double click or a retry redeems once).
    Confirm {
        reward: RewardView,
        balance: i64,
        key: String,
    },
    Done {
        name: String,
        kind: RewardKind,
        redemption: RedemptionView,
        points: i64,
    },
    Failed {
        name: String,
        message: String,
    },
}

/// The shop's moving parts.
#[derive(Clone, Copy)]
struct Shop {
    shell: Shell,
    catalogue: Remote<RewardsCatalogue>,
    mine: Remote<MyRedemptions>,
    step: RwSignal<Option<Step>>,
    /// From Confirm until the server answered.
    pending: RwSignal<bool>,
    dialog: NodeRef<Dialog>,
    /// The reward whose Redeem button opened the dialog: the focus goes back to it.
    opener: StoredValue<Option<String>>,
}

impl Shop {
    fn open(self, reward: RewardView, balance: i64) {
        self.shell.announce(String::new());
        self.opener.set_value(Some(reward.id.clone()));
        let key = crate::api::random_key().unwrap_or_default();
        self.step.set(Some(Step::Confirm {
            reward,
            balance,
            key,
        }));
        if let Some(dialog) = self.dialog.get_untracked() {
            let _ = dialog.show_modal();
        }
    }

    fn close(self) {
        if let Some(dialog) = self.dialog.get_untracked() {
            dialog.close();
        }
    }
}

/// The placeholder shown while loading: three rewards' boxes.
fn skeleton(lang: Memo<Lang>) -> impl IntoView {
    view! {
        <div class="engage-rewards__skeleton" aria-hidden="true">
            {blank("engage-card__bone engage-rewards__bone")}
            {blank("engage-card__bone engage-rewards__bone")}
            {blank("engage-card__bone engage-rewards__bone")}
        </div>
        {loading_label(lang)}
    }
}

fn rewards_list(shop: Shop, catalogue: RewardsCatalogue) -> impl IntoView {
    let lang = shop.shell.lang.get();
    if catalogue.rewards.is_empty() {
        return view! {
            <div class="engage-card__message engage-rewards__empty" part="message">
                <p class="engage-card__message-title">{lang.rewards_empty()}</p>
            </div>
        }
        .into_any();
    }
    let points = catalogue.points;
    let items = catalogue
        .rewards
        .into_iter()
        .map(|reward| reward_item(shop, lang, reward, points))
        .collect_view();
    view! {
        <ul class="engage-rewards__list" part="rewards" aria-label=lang.rewards_list()>
            {items}
        </ul>
    }
    .into_any()
}

fn reward_item(shop: Shop, lang: Lang, reward: RewardView, points: Option<i64>) -> impl IntoView {
    let reason = blocked(lang, &reward, points);
    let hint_id = element_id("engage-rewards-hint");
    let image = reward.image_url.clone().map(|src| {
        view! {
            <img
                class="engage-rewards__image"
                part="image"
                src=src
                alt=reward.name.clone()
                width="56"
                height="56"
                loading="lazy"
                decoding="async"
            />
        }
    });
    let when = match (reward.status, reward.closes_at) {
        (RewardStatus::Open, Some(at)) => Some(lang.ends_at(&local_time(lang, at))),
        _ => None,
    };
    let description = reward.description.clone().filter(|d| !d.trim().is_empty());
    let affordable = reason.is_none();
    let hint = reason
        .clone()
        .unwrap_or_else(|| lang.can_afford().to_owned());
    let pending = shop.pending;
    let button = {
        let reward = reward.clone();
        let hint_id = hint_id.clone();
        view! {
            <button
                type="button"
                class="engage-rewards__redeem"
                part="button redeem-button"
                disabled=!affordable
                aria-describedby=hint_id
                on:click=move |_| {
                    if !pending.get_untracked() {
                        shop.open(reward.clone(), points.unwrap_or(0));
                    }
                }
            >
                {lang.redeem()}
            </button>
        }
    };
    view! {
        <li
            class="engage-rewards__item"
            class:engage-rewards__item--affordable=affordable
            part="reward"
            data-reward=reward.id.clone()
        >
            {image}
            <div class="engage-rewards__info">
                <h3 class="engage-rewards__name">{reward.name.clone()}</h3>
                {description.map(|d| view! { <p class="engage-rewards__description">{d}</p> })}
                <p class="engage-rewards__meta">
                    <span class="engage-rewards__price" part="price">{lang.price(reward.price)}</span>
                    <span class="engage-rewards__stock">{lang.reward_stock(reward.stock_left)}</span>
                    {when.map(|w| view! { <span class="engage-rewards__when">{w}</span> })}
                </p>
                <p
                    id=hint_id
                    class="engage-rewards__hint"
                    class:engage-rewards__hint--ok=affordable
                    part="hint"
                    tabindex="-1"
                >
                    {hint}
                </p>
            </div>
            {button}
        </li>
    }
}

/// The member's redemptions, newest first, in a disclosure under the catalogue.
fn my_redemptions(shop: Shop) -> impl IntoView {
    let lang = shop.shell.lang;
    let mine = shop.mine;
    let list = move || {
        let lang = lang.get();
        mine.phase.with(|phase| match phase {
            Phase::SignedOut => None,
            Phase::Loading => {
                Some(view! { <p class="engage-rewards__mine-note">{lang.loading()}</p> }.into_any())
            }
            Phase::Failed(error) => Some(
                view! {
                    <p class="engage-rewards__mine-note engage-rewards__mine-note--failed">
                        {error.user_message(lang, Widget::Rewards)}
                    </p>
                }
                .into_any(),
            ),
            Phase::Ready(mine) if mine.redemptions.is_empty() => Some(
                view! { <p class="engage-rewards__mine-note">{lang.no_redemptions()}</p> }
                    .into_any(),
            ),
            Phase::Ready(mine) => {
                let rows = mine
                    .redemptions
                    .iter()
                    .map(|r| redemption_row(lang, r))
                    .collect_view();
                Some(view! { <ul class="engage-rewards__mine-list">{rows}</ul> }.into_any())
            }
        })
    };
    let signed_in = move || mine.phase.with(|p| p.kind() != PhaseKind::SignedOut);
    move || {
        signed_in().then(|| {
            let count = move || {
                mine.phase.with(|p| {
                    p.ready()
                        .map(|m| format!(" ({})", m.redemptions.len()))
                        .unwrap_or_default()
                })
            };
            view! {
                <details class="engage-rewards__mine" part="mine">
                    <summary class="engage-rewards__mine-title">
                        {move || lang.get().my_redemptions()}
                        {count}
                    </summary>
                    {list}
                </details>
            }
        })
    }
}

fn redemption_row(lang: Lang, redemption: &RedemptionView) -> impl IntoView + use<> {
    let status = redemption.status;
    let pill = match status {
        RedemptionStatus::Pending => "engage-rewards__state engage-rewards__state--pending",
        RedemptionStatus::Fulfilled => "engage-rewards__state engage-rewards__state--fulfilled",
        RedemptionStatus::Cancelled => "engage-rewards__state engage-rewards__state--cancelled",
    };
    let name = if redemption.name.is_empty() {
        redemption.reward.clone()
    } else {
        redemption.name.clone()
    };
    let code = redemption.code.clone().map(|code| {
        let usable = status != RedemptionStatus::Cancelled;
        view! {
            <span class="engage-rewards__mine-code">
                {code_box(lang, code, usable)}
            </span>
        }
    });
    let at = redemption.at.map(|at| {
        view! {
            <span class="engage-rewards__mine-at">{local_time(lang, at)}</span>
        }
    });
    view! {
        <li class="engage-rewards__mine-item" part="redemption">
            <span class="engage-rewards__mine-name">{name}</span>
            <span class=pill part="redemption-status">{lang.redemption_status(status)}</span>
            {at}
            {code}
        </li>
    }
}

/// A coupon code and, where it can still be used, its copy button with what the copy did.
fn code_box(lang: Lang, code: String, copyable: bool) -> impl IntoView {
    let code_ref = NodeRef::<leptos::html::Code>::new();
    let copied = RwSignal::new(None::<bool>);
    let text = code.clone();
    let button = copyable.then(|| {
        view! {
            <button
                type="button"
                class="engage-rewards__copy"
                part="button copy-button"
                on:click=move |_| copy_code(code_ref, text.clone(), copied)
            >
                {lang.copy_code()}
            </button>
            <span class="engage-rewards__copied" role="status">
                {move || match copied.get() {
                    Some(true) => lang.code_copied(),
                    Some(false) => lang.code_selected(),
                    None => "",
                }}
            </span>
        }
    });
    view! {
        <code class="engage-rewards__code" part="code" node_ref=code_ref>{code}</code>
        {button}
    }
}

/// Copies `text` with the Clipboard API; where there is none (an insecure context) or it
/// refuses, selects the code so the member can copy it themselves, and says so.
fn copy_code(code: NodeRef<leptos::html::Code>, text: String, copied: RwSignal<Option<bool>>) {
    let clipboard = web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| js_sys::Reflect::get(&n, &"clipboard".into()).ok())
        .filter(|c| c.is_object())
        .map(|c| c.unchecked_into::<web_sys::Clipboard>());
    leptos::task::spawn_local(async move {
        let written = match clipboard {
            Some(clipboard) => wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text))
                .await
                .is_ok(),
            None => false,
        };
        if !written && let Some(code) = code.get_untracked() {
            select_contents(&code);
        }
        copied.try_set(Some(written));
    });
}

fn select_contents(node: &web_sys::Node) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let (Ok(range), Ok(Some(selection))) = (document.create_range(), document.get_selection())
    else {
        return;
    };
    if range.select_node_contents(node).is_ok() {
        let _ = selection.remove_all_ranges();
        let _ = selection.add_range(&range);
    }
}

/// The detail of `engage:redeem`.
#[derive(Debug, Serialize)]
struct RedeemDetail {
    reward: String,
    redemption: RedemptionView,
    points: i64,
}

/// Redeems the reward of the open confirmation and shows the answer in the dialog.
async fn send_redeem(shop: Shop, reward: RewardView, idempotency_key: String) {
    let Shop {
        shell,
        catalogue,
        mine,
        step,
        ..
    } = shop;
    let key = catalogue.key_untracked();
    let result = key.endpoint.redeem(&reward.id, &idempotency_key).await;
    let Some(lang) = shell.lang.try_get_untracked() else {
        return;
    };
    match result {
        Ok(result) => {
            let updated = catalogue.phase.try_with_untracked(|p| p.ready().cloned());
            if let Some(mut shown) = updated.flatten() {
                after_redemption(&mut shown, &reward.id, &result);
                if !catalogue.accept(&key, shown) {
                    return;
                }
            }
            mine.modify(|mine| mine.redemptions.insert(0, result.redemption.clone()));
            shell.share_balance(&key.endpoint, result.points);
            shell.announce(result_summary(lang, &reward.name, reward.kind, &result));
            shell.report(
                "redeem",
                &RedeemDetail {
                    reward: reward.id.clone(),
                    redemption: result.redemption.clone(),
                    points: result.points,
                },
            );
            shell.announce_badges(&result.badges);
            step.try_set(Some(Step::Done {
                name: reward.name,
                kind: reward.kind,
                redemption: result.redemption,
                points: result.points,
            }));
            // Stock and limits as the server now has them (others redeem too).
            reread(catalogue);
        }
        Err(error) => {
            shell.announce_failure(&error);
            step.try_set(Some(Step::Failed {
                name: reward.name,
                message: shell.message(&error),
            }));
            if matches!(error.status(), 402 | 403 | 404 | 409) {
                reread(catalogue);
            }
        }
    }
    // The button that had the focus is gone: give it to the dialog's first button.
    leptos::task::tick().await;
    let _ = focus_first(shop, ".engage-rewards__dialog button");
}

/// What a redemption gave, in one sentence, for the live regions.
fn result_summary(lang: Lang, name: &str, kind: RewardKind, result: &RedeemResult) -> String {
    let what = match (kind, &result.redemption.code) {
        (_, Some(code)) => format!("{}: {code}.", lang.your_code()),
        (RewardKind::StreakFreeze, None) => lang.freeze_added().to_owned(),
        _ if result.redemption.status == RedemptionStatus::Pending => {
            lang.redemption_pending().to_owned()
        }
        _ => String::new(),
    };
    format!(
        "{} {what} {}",
        lang.redeemed(name),
        lang.balance_now(result.points)
    )
}

/// Reads the catalogue again in the background; a failed read keeps what is shown.
fn reread(catalogue: Remote<RewardsCatalogue>) {
    let key = catalogue.key_untracked();
    leptos::task::spawn_local(async move {
        if let Ok(fresh) = key.endpoint.rewards().await {
            catalogue.accept(&key, fresh);
        }
    });
}

/// Focuses the first element of the card that matches `selector`; whether there was one.
fn focus_first(shop: Shop, selector: &str) -> bool {
    let target = shop
        .shell
        .card
        .get_untracked()
        .and_then(|card| card.query_selector(selector).ok().flatten())
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
    target.is_some_and(|target| target.focus().is_ok())
}

/// After the dialog closes, the focus goes back to the Redeem button that opened it (or, if
/// that reward can no longer be redeemed, to its line that says why).
fn focus_opener(shop: Shop) {
    if let Some(id) = shop.opener.get_value() {
        let id = id.replace('\\', "\\\\").replace('"', "\\\"");
        let _ = focus_first(
            shop,
            &format!(r#"[data-reward="{id}"] button:not(:disabled)"#),
        ) || focus_first(
            shop,
            &format!(r#"[data-reward="{id}"] .engage-rewards__hint"#),
        );
    }
}

/// The confirmation, then the result, in a modal `<dialog>`: the browser moves the focus into
/// it, keeps it there and closes it on Escape (unless the redemption is on its way); the focus
/// then goes back to the reward.
fn confirm_dialog(shop: Shop) -> impl IntoView {
    let Shop {
        shell,
        step,
        pending,
        dialog,
        ..
    } = shop;
    let lang = shell.lang;
    let title_id = element_id("engage-rewards-dialog");
    let labelled_by = title_id.clone();
    let heading = move || {
        step.with(|s| match s {
            Some(Step::Confirm { reward, .. }) => lang.get().redeem_question(&reward.name),
            Some(Step::Done { name, .. }) => lang.get().redeemed(name),
            Some(Step::Failed { name, .. }) => name.clone(),
            None => String::new(),
        })
    };
    // One live region for every step, so that the outcome is read out where it appears.
    let said = move || {
        let lang = lang.get();
        step.with(|s| match s {
            Some(Step::Confirm {
                reward, balance, ..
            }) => lang.redeem_cost(reward.price, balance - reward.price),
            Some(Step::Done {
                kind,
                redemption,
                points,
                ..
            }) => {
                let what = match (kind, &redemption.code) {
                    (_, Some(_)) => String::new(),
                    (RewardKind::StreakFreeze, None) => format!("{} ", lang.freeze_added()),
                    _ if redemption.status == RedemptionStatus::Pending => {
                        format!("{} ", lang.redemption_pending())
                    }
                    _ => String::new(),
                };
                format!("{what}{}", lang.balance_now(*points))
            }
            Some(Step::Failed { message, .. }) => message.clone(),
            None => String::new(),
        })
    };
    let failed = move || step.with(|s| matches!(s, Some(Step::Failed { .. })));
    let actions = move || {
        let lang = lang.get();
        match step.get() {
            Some(Step::Confirm { reward, key, .. }) => {
                let price = reward.price;
                view! {
                    <div class="engage-rewards__actions">
                        <button
                            type="button"
                            class="engage-card__primary engage-rewards__confirm"
                            part="button confirm-button"
                            autofocus
                            aria-disabled=move || if pending.get() { "true" } else { "false" }
                            on:click=move |_| {
                                if !pending.get_untracked() {
                                    spawn_write(
                                        pending,
                                        send_redeem(shop, reward.clone(), key.clone()),
                                    );
                                }
                            }
                        >
                            {move || {
                                if pending.get() {
                                    lang.redeeming().to_owned()
                                } else {
                                    format!("{} · {}", lang.redeem(), lang.price(price))
                                }
                            }}
                        </button>
                        <button
                            type="button"
                            class="engage-rewards__cancel"
                            part="button cancel-button"
                            disabled=move || pending.get()
                            on:click=move |_| shop.close()
                        >
                            {lang.cancel()}
                        </button>
                    </div>
                }
                .into_any()
            }
            Some(Step::Done { redemption, .. }) => {
                let code = redemption.code.map(|code| {
                    view! {
                        <div class="engage-rewards__result-code">
                            <p class="engage-rewards__code-label">{lang.your_code()}</p>
                            {code_box(lang, code, true)}
                        </div>
                    }
                });
                view! {
                    {code}
                    <div class="engage-rewards__actions">
                        <button
                            type="button"
                            class="engage-card__primary engage-rewards__ok"
                            part="button"
                            on:click=move |_| shop.close()
                        >
                            {lang.ok()}
                        </button>
                    </div>
                }
                .into_any()
            }
            Some(Step::Failed { .. }) => view! {
                <div class="engage-rewards__actions">
                    <button
                        type="button"
                        class="engage-rewards__cancel"
                        part="button"
                        on:click=move |_| shop.close()
                    >
                        {lang.close()}
                    </button>
                </div>
            }
            .into_any(),
            None => ().into_any(),
        }
    };
    view! {
        <dialog
            node_ref=dialog
            class="engage-card__dialog engage-rewards__dialog"
            part="dialog"
            aria-labelledby=labelled_by
            on:cancel=move |event: web_sys::Event| {
                if pending.get_untracked() {
                    event.prevent_default();
                }
            }
            on:close=move |_| {
                // The close event comes a task later: a dialog opened again since keeps its step.
                if dialog.get_untracked().is_some_and(|d| !d.open()) {
                    step.set(None);
                    focus_opener(shop);
                }
            }
        >
            <h3 id=title_id class="engage-rewards__dialog-title">{heading}</h3>
            <p
                class="engage-rewards__said"
                class:engage-rewards__said--failed=failed
                role="status"
                aria-live="polite"
            >
                {said}
            </p>
            {actions}
        </dialog>
    }
}
