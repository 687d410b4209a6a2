//! The reward form (create and edit) with its checks as the owner submits, and the upload of
//! coupon codes pasted as lines or chosen as a CSV file.
//!
//! The checks here only say early what the server would refuse anyway; the server validates
//! everything again with the core's rules.

use engage_core::api::rewards::{CreateReward, OwnerRewardView, RewardKind, UpdateReward};
use engage_core::jiff::Timestamp;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api;
use crate::ui::{Writer, local_datetime_value, outcome_line, parse_local_datetime, use_lang};

/// What is wrong with the reward form, field by field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldError {
    IdRequired,
    IdInvalid,
    NameRequired,
    NameTooLong,
    PriceInvalid,
    StockInvalid,
    PerMemberInvalid,
    TimeInvalid,
    ClosesBeforeOpens,
    ImageUrlInvalid,
}

/// The form's fields as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RewardText {
    pub id: String,
    pub name: String,
    pub description: String,
    pub image_url: String,
    pub price: String,
    pub stock: String,
    pub per_member: String,
    pub opens_at: String,
    pub closes_at: String,
    pub kind: RewardKind,
}

/// The checked values of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardFields {
    pub name: String,
    pub description: Option<String>,
    pub image_url: Option<String>,
    pub price: i64,
    pub stock: Option<u32>,
    pub per_member: Option<u32>,
    pub opens_at: Option<Timestamp>,
    pub closes_at: Option<Timestamp>,
}

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// An empty text as `None`; else a whole number at least `min`, or `error`.
fn optional_number(text: &str, min: u32, error: FieldError) -> Result<Option<u32>, FieldError> {
    match text.trim() {
        "" => Ok(None),
        text => text
            .parse::<u32>()
            .ok()
            .filter(|&n| n >= min)
            .map(Some)
            .ok_or(error),
    }
}

fn optional_time(text: &str) -> Result<Option<Timestamp>, FieldError> {
    match text.trim() {
        "" => Ok(None),
        text => parse_local_datetime(text)
            .map(Some)
            .ok_or(FieldError::TimeInvalid),
    }
}

/// Whether `id` is a slug the server takes: 1 to 64 of `a-z`, `0-9`, `-` and `_`.
pub fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Checks the fields common to creating and editing (not the id, which an edit keeps).
pub fn check_fields(text: &RewardText) -> Result<RewardFields, FieldError> {
    let name = text.name.trim().to_owned();
    if name.is_empty() {
        return Err(FieldError::NameRequired);
    }
    if name.chars().count() > 100 {
        return Err(FieldError::NameTooLong);
    }
    let price = text
        .price
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|&p| p >= 1)
        .ok_or(FieldError::PriceInvalid)?;
    // A coupon reward's stock is its pool of codes.
    let stock = if text.kind == RewardKind::Code {
        None
    } else {
        optional_number(&text.stock, 0, FieldError::StockInvalid)?
    };
    let per_member = optional_number(&text.per_member, 1, FieldError::PerMemberInvalid)?;
    let opens_at = optional_time(&text.opens_at)?;
    let closes_at = optional_time(&text.closes_at)?;
    if let (Some(opens), Some(closes)) = (opens_at, closes_at)
        && closes <= opens
    {
        return Err(FieldError::ClosesBeforeOpens);
    }
    let image_url = optional(&text.image_url);
    if let Some(url) = &image_url
        && !(url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/'))
    {
        return Err(FieldError::ImageUrlInvalid);
    }
    Ok(RewardFields {
        name,
        description: optional(&text.description),
        image_url,
        price,
        stock,
        per_member,
        opens_at,
        closes_at,
    })
}

/// The create request of the form, or what is wrong with it.
pub fn create_request(text: &RewardText) -> Result<CreateReward, FieldError> {
    let id = text.id.trim();
    if id.is_empty() {
        return Err(FieldError::IdRequired);
    }
    if !valid_id(id) {
        return Err(FieldError::IdInvalid);
    }
    let fields = check_fields(text)?;
    Ok(CreateReward {
        id: id.to_owned(),
        name: fields.name,
        description: fields.description,
        image_url: fields.image_url,
        price: fields.price,
        stock: fields.stock,
        per_member: fields.per_member,
        opens_at: fields.opens_at,
        closes_at: fields.closes_at,
        kind: text.kind,
    })
}

/// The edit request of the form: every field replaced, the stock only where the kind has one.
pub fn update_request(text: &RewardText, archived: bool) -> Result<UpdateReward, FieldError> {
    let fields = check_fields(text)?;
    Ok(UpdateReward {
        name: Some(fields.name),
        description: Some(fields.description),
        image_url: Some(fields.image_url),
        price: Some(fields.price),
        stock: (text.kind != RewardKind::Code).then_some(fields.stock),
        per_member: Some(fields.per_member),
        opens_at: Some(fields.opens_at),
        closes_at: Some(fields.closes_at),
        archived: Some(archived),
    })
}

/// The form's text for an existing reward, so the edit form opens filled in.
pub fn text_of(owner: &OwnerRewardView) -> RewardText {
    let r = &owner.reward;
    let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    RewardText {
        id: r.id.clone(),
        name: r.name.clone(),
        description: r.description.clone().unwrap_or_default(),
        image_url: r.image_url.clone().unwrap_or_default(),
        price: r.price.to_string(),
        stock: number(r.stock_left),
        per_member: number(r.per_member),
        opens_at: r.opens_at.map(local_datetime_value).unwrap_or_default(),
        closes_at: r.closes_at.map(local_datetime_value).unwrap_or_default(),
        kind: r.kind,
    }
}

/// The coupon codes in what the owner pasted or chose: one a line, or the first column of a
/// CSV (a quoted cell unquoted), without blank lines, a `code` header or repeats.
pub fn parse_codes(text: &str) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.trim().trim_start_matches('\u{feff}');
        let cell = if let Some(rest) = line.strip_prefix('"') {
            rest.split_once('"')
                .map_or(rest, |(cell, _)| cell)
                .to_owned()
        } else {
            line.split([',', ';', '\t'])
                .next()
                .unwrap_or_default()
                .to_owned()
        };
        let cell = cell.trim();
        if cell.is_empty() || cell.eq_ignore_ascii_case("code") || codes.iter().any(|c| c == cell) {
            continue;
        }
        codes.push(cell.to_owned());
    }
    codes
}

/// The create form (`editing` is `None`) or the edit form of one reward, filled in.
#[component]
pub fn RewardForm(
    site: String,
    /// The reward edited, or `None` to create one.
    editing: Option<OwnerRewardView>,
    /// Called with the reward as the server now has it.
    on_saved: Callback<OwnerRewardView>,
) -> impl IntoView {
    let lang = use_lang();
    let initial = editing.as_ref().map(text_of).unwrap_or_else(|| RewardText {
        price: "100".to_owned(),
        ..RewardText::default()
    });
    let is_edit = editing.is_some();
    let reward_id = initial.id.clone();
    let text = RwSignal::new(initial);
    let archived = RwSignal::new(editing.as_ref().is_some_and(|e| e.archived));
    let invalid = RwSignal::new(None::<FieldError>);
    let writer = Writer::new();
    let site = StoredValue::new(site);
    let reward_id = StoredValue::new(reward_id);

    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let lang = lang.get_untracked();
        let typed = text.get_untracked();
        let site = site.get_value();
        let checked = if is_edit {
            update_request(&typed, archived.get_untracked()).map(Err)
        } else {
            create_request(&typed).map(Ok)
        };
        let request = match checked {
            Ok(request) => request,
            Err(error) => {
                invalid.set(Some(error));
                return writer.invalid(lang.reward_field_error(error));
            }
        };
        invalid.set(None);
        let done = move |saved: OwnerRewardView| {
            let name = saved.reward.name.clone();
            on_saved.run(saved);
            if is_edit {
                lang.reward_saved(&name)
            } else {
                lang.reward_created(&name)
            }
        };
        match request {
            Ok(create) => writer.run(
                async move { api::create_reward(&site, &create).await },
                done,
            ),
            Err(update) => {
                let reward = reward_id.get_value();
                writer.run(
                    async move { api::update_reward(&site, &reward, &update).await },
                    done,
                )
            }
        }
    };

    // One text input bound to one field of `text`, filled in through `prop:value` (an edit
    // form shows the stored value, and the field follows what the owner types).
    let input = move |label: fn(crate::i18n::Lang) -> &'static str,
                      get: fn(&RewardText) -> String,
                      set: fn(&mut RewardText, String),
                      kind: &'static str,
                      fields: &'static [FieldError],
                      hint: Option<fn(crate::i18n::Lang) -> &'static str>| {
        let bad = move || invalid.get().is_some_and(|e| fields.contains(&e));
        view! {
            <label class="field">
                <span class="field__label">{move || label(lang.get())}</span>
                <input class="input" type=kind
                    aria-invalid=move || bad().then_some("true")
                    prop:value=move || text.with(get)
                    on:input=move |e| { let value = event_target_value(&e); text.update(|t| set(t, value)); } />
                {hint.map(|hint| view! { <span class="field__hint">{move || hint(lang.get())}</span> })}
            </label>
        }
    };
    let code_kind = move || text.with(|t| t.kind == RewardKind::Code);

    view! {
        <form class="form" on:submit=submit novalidate>
            <div class="form__row">
                {(!is_edit).then(|| view! {
                    <label class="field field--narrow">
                        <span class="field__label">"ID"</span>
                        <input class="input" maxlength="64" spellcheck="false" autocomplete="off"
                            aria-invalid=move || matches!(invalid.get(), Some(FieldError::IdRequired | FieldError::IdInvalid)).then_some("true")
                            prop:value=move || text.with(|t| t.id.clone())
                            on:input=move |e| { let value = event_target_value(&e); text.update(|t| t.id = value); } />
                    </label>
                })}
                {input(crate::i18n::Lang::reward_name, |t| t.name.clone(), |t, v| t.name = v, "text",
                    &[FieldError::NameRequired, FieldError::NameTooLong], None)}
                <label class="field">
                    <span class="field__label">{move || lang.get().kind_label()}</span>
                    <select class="select" disabled=is_edit on:change=move |e| {
                        if let Some(kind) = RewardKind::parse(&event_target_value(&e)) {
                            text.update(|t| t.kind = kind);
                        }
                    }>
                        {move || RewardKind::ALL.into_iter().map(|k| view! {
                            <option value=k.as_str() selected=move || text.with(|t| t.kind == k)>{lang.get().reward_kind(k)}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <label class="field field--wide">
                <span class="field__label">{move || lang.get().reward_description()}</span>
                <textarea class="textarea" rows="2" maxlength="500"
                    prop:value=move || text.with(|t| t.description.clone())
                    on:input=move |e| { let value = event_target_value(&e); text.update(|t| t.description = value); }></textarea>
            </label>
            <div class="form__row">
                {input(crate::i18n::Lang::price, |t| t.price.clone(), |t, v| t.price = v, "number", &[FieldError::PriceInvalid], None)}
                {move || (!code_kind()).then(|| input(crate::i18n::Lang::stock, |t| t.stock.clone(), |t, v| t.stock = v, "number",
                    &[FieldError::StockInvalid], Some(crate::i18n::Lang::stock_hint)))}
                {move || code_kind().then(|| view! { <p class="field__hint">{lang.get().stock_is_codes()}</p> })}
                {input(crate::i18n::Lang::per_member, |t| t.per_member.clone(), |t, v| t.per_member = v, "number",
                    &[FieldError::PerMemberInvalid], Some(crate::i18n::Lang::per_member_hint))}
            </div>
            <div class="form__row">
                {input(crate::i18n::Lang::opens_at, |t| t.opens_at.clone(), |t, v| t.opens_at = v, "datetime-local",
                    &[FieldError::TimeInvalid], Some(crate::i18n::Lang::optional_time))}
                {input(crate::i18n::Lang::closes_at, |t| t.closes_at.clone(), |t, v| t.closes_at = v, "datetime-local",
                    &[FieldError::ClosesBeforeOpens, FieldError::TimeInvalid], Some(crate::i18n::Lang::optional_time))}
            </div>
            {input(crate::i18n::Lang::image_url, |t| t.image_url.clone(), |t, v| t.image_url = v, "url", &[FieldError::ImageUrlInvalid], None)}
            {is_edit.then(|| view! {
                <label class="check">
                    <input type="checkbox" prop:checked=move || archived.get()
                        on:change=move |e| archived.set(event_target_checked(&e)) />
                    {move || lang.get().archived()}
                </label>
            })}
            <div class="form__actions">
                <button type="submit" class="button button--primary" disabled=move || writer.pending.get()>
                    {move || match (writer.pending.get(), is_edit) {
                        (true, _) => lang.get().saving(),
                        (false, true) => lang.get().save_reward(),
                        (false, false) => lang.get().create_reward(),
                    }}
                </button>
            </div>
            {outcome_line(writer)}
        </form>
    }
}

/// Uploads coupon codes to a `code` reward: pasted lines, or a chosen CSV or text file read in
/// the browser.
#[component]
pub fn CodesUpload(
    site: String,
    reward: String,
    /// Called after an upload, so the list shows the codes left.
    on_uploaded: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let pasted = RwSignal::new(String::new());
    let ready = Memo::new(move |_| pasted.with(|p| parse_codes(p).len()));
    let writer = Writer::new();
    let target = StoredValue::new((site, reward));
    let choose = move |event: web_sys::Event| {
        let file = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        if let Some(file) = file {
            leptos::task::spawn_local(async move {
                if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await
                    && let Some(text) = text.as_string()
                {
                    pasted.try_set(text);
                }
            });
        }
    };
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let codes = parse_codes(&pasted.get_untracked());
        let lang = lang.get_untracked();
        if codes.is_empty() {
            return writer.invalid(lang.codes_none());
        }
        let (site, reward) = target.get_value();
        writer.run(
            async move { api::add_codes(&site, &reward, codes).await },
            move |added| {
                pasted.set(String::new());
                on_uploaded.run(());
                lang.codes_uploaded(added.added, added.duplicates, added.codes_left)
            },
        );
    };
    view! {
        <form class="form" on:submit=submit>
            <label class="field field--wide">
                <span class="field__label">{move || lang.get().codes_paste()}</span>
                <textarea class="textarea" rows="4" spellcheck="false"
                    prop:value=move || pasted.get()
                    on:input=move |e| pasted.set(event_target_value(&e))></textarea>
            </label>
            <label class="field">
                <span class="field__label">{move || lang.get().codes_file()}</span>
                <input class="input" type="file" accept=".csv,.txt,text/csv,text/plain" on:change=choose />
            </label>
            <p class="field__hint" aria-live="polite">{move || lang.get().codes_ready(ready.get())}</p>
            <div class="form__actions">
                <button type="submit" class="button button--primary" disabled=move || writer.pending.get()>
                    {move || if writer.pending.get() { lang.get().uploading() } else { lang.get().upload() }}
                </button>
            </div>
            {outcome_line(writer)}
        </form>
    }
}

#[cfg(test)]
mod tests;
