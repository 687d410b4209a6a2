//! Webhooks: the endpoint URL, the signing secret (shown, copied, rotated), the delivery log and
//! redelivering one event.

use leptos::prelude::*;

use crate::api::{self, DeliveryLog, DeliveryView, SetWebhook, WebhookView};
use crate::ui::{
    CopyButton, Remote, Writer, empty_state, loaded, outcome_line, page_header, time_view, use_lang,
};

#[component]
pub fn WebhooksPage(site: String) -> impl IntoView {
    let lang = use_lang();
    let key = site.clone();
    let webhook = Remote::new(
        move || key.clone(),
        |site: String| async move { api::webhook(&site).await },
    );
    let log_key = site.clone();
    let log = Remote::new(
        move || log_key.clone(),
        |site: String| async move { api::deliveries(&site).await },
    );
    let site = StoredValue::new(site);
    view! {
        {move || page_header(lang.get().webhooks_title(), Some(lang.get().webhooks_intro()))}
        {loaded(webhook, move |current: Option<WebhookView>| view! {
            <WebhookForm site=site.get_value() current=current on_saved=Callback::new(move |v| webhook.set(Some(v))) />
        })}
        <section class="panel" aria-labelledby="webhook-deliveries">
            <div class="panel__head">
                <h2 class="panel__title" id="webhook-deliveries">{move || lang.get().deliveries()}</h2>
                <button type="button" class="button button--small" on:click=move |_| log.refresh()>{move || lang.get().refresh()}</button>
            </div>
            {loaded(log, move |answer: DeliveryLog| {
                if answer.deliveries.is_empty() {
                    return empty_state(lang.get().deliveries_empty()).into_any();
                }
                view! {
                    <div class="table-wrap" tabindex="0">
                        <table class="table">
                            <thead><tr>
                                <th scope="col">{move || lang.get().event_type()}</th>
                                <th scope="col">{move || lang.get().status()}</th>
                                <th scope="col" class="table__number">{move || lang.get().attempts()}</th>
                                <th scope="col">{move || lang.get().last_answer()}</th>
                                <th scope="col">{move || lang.get().created()}</th>
                                <th scope="col"><span class="sr-only">{move || lang.get().actions()}</span></th>
                            </tr></thead>
                            <tbody>
                                {answer.deliveries.into_iter().map(|d| view! {
                                    <Delivery site=site.get_value() delivery=d on_redelivered=Callback::new(move |()| log.refresh()) />
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            })}
        </section>
    }
}

#[component]
fn Delivery(site: String, delivery: DeliveryView, on_redelivered: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let writer = Writer::new();
    let id = StoredValue::new(delivery.id.clone());
    let site = StoredValue::new(site);
    let redeliver = move |_| {
        let (site, id) = (site.get_value(), id.get_value());
        writer.run(async move { api::redeliver(&site, &id).await }, move |()| {
            on_redelivered.run(());
            lang.get_untracked().redelivery_queued().to_owned()
        });
    };
    // The failure category in the owner's language (the server's `last_error` is English).
    let (code, failure, error) = (
        delivery.last_status_code,
        delivery.last_failure,
        delivery.last_error.clone(),
    );
    let answer = move || {
        let lang = lang.get();
        let words = failure
            .map(|f| lang.delivery_failure(f).to_owned())
            .or(error.clone());
        match (code, words) {
            (Some(code), Some(words)) => format!("{code} · {words}"),
            (Some(code), None) => code.to_string(),
            (None, Some(words)) => words,
            (None, None) => String::new(),
        }
    };
    let status_class = match delivery.status.as_str() {
        "delivered" => "pill pill--success",
        "failed" => "pill pill--danger",
        _ => "pill",
    };
    let status = delivery.status.clone();
    view! {
        <tr>
            <td><code>{delivery.kind.clone()}</code> <span class="table__sub"><code>{delivery.id.clone()}</code></span></td>
            <td><span class=status_class>{move || lang.get().delivery_status(&status)}</span></td>
            <td class="table__number">{delivery.attempts}</td>
            <td class="table__wrap">{answer}</td>
            <td>{move || time_view(lang.get(), delivery.created_at)}</td>
            <td class="table__actions">
                <button type="button" class="button button--small" disabled=move || writer.pending.get() on:click=redeliver>
                    {move || lang.get().redeliver()}
                </button>
                {outcome_line(writer)}
            </td>
        </tr>
    }
}

/// The endpoint form and the signing secret.
#[component]
fn WebhookForm(
    site: String,
    current: Option<WebhookView>,
    on_saved: Callback<WebhookView>,
) -> impl IntoView {
    let lang = use_lang();
    let url = RwSignal::new(current.as_ref().map(|w| w.url.clone()).unwrap_or_default());
    let secret = RwSignal::new(current.as_ref().map(|w| w.secret.clone()));
    let events = current.map(|w| w.events.join(", "));
    let writer = Writer::new();
    let site = StoredValue::new(site);
    let save = move |rotate_secret: bool| {
        let body = SetWebhook {
            url: url.get_untracked().trim().to_owned(),
            rotate_secret,
        };
        let site = site.get_value();
        writer.run(
            async move { api::set_webhook(&site, &body).await },
            move |view: WebhookView| {
                secret.set(Some(view.secret.clone()));
                on_saved.run(view);
                lang.get_untracked().saved().to_owned()
            },
        );
    };
    view! {
        <section class="panel" aria-labelledby="webhook-endpoint">
            <h2 class="panel__title" id="webhook-endpoint">{move || lang.get().webhook_url()}</h2>
            {move || secret.with(Option::is_none).then(|| view! { <p class="state state--empty">{lang.get().webhook_none()}</p> })}
            <form class="form form--inline" on:submit=move |e: web_sys::SubmitEvent| { e.prevent_default(); save(false) }>
                <label class="field field--wide">
                    <span class="field__label">{move || lang.get().webhook_url()}</span>
                    <input class="input" type="url" required placeholder="https://www.example.com/hooks/engage"
                        prop:value=move || url.get() on:input=move |e| url.set(event_target_value(&e)) />
                </label>
                <button type="submit" class="button button--primary" disabled=move || writer.pending.get()>
                    {move || if writer.pending.get() { lang.get().saving() } else { lang.get().save() }}
                </button>
            </form>
            {move || secret.get().map(|value| view! {
                <div class="secret">
                    <span class="secret__label">{lang.get().signing_secret()}</span>
                    <code class="secret__value">{value.clone()}</code>
                    <CopyButton text=Signal::stored(value) what=lang.get().signing_secret().to_owned() />
                    <button type="button" class="button button--small" disabled=move || writer.pending.get()
                        on:click=move |_| save(true)>{lang.get().rotate_secret()}</button>
                </div>
            })}
            {events.map(|events| view! {
                <p class="field__hint">{move || lang.get().events()} ": " {events.clone()}</p>
            })}
            {outcome_line(writer)}
        </section>
    }
}
