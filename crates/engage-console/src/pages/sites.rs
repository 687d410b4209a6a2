//! Sites: the list, creating one (its secret and API key shown once), and one site's page —
//! name, time zone and origins, rotating the secret or API key with an overlap, and the embed
//! builder.

use engage_core::api::console::{
    CreateSite, OwnerSite, RotateCredential, SiteCredential, SiteView, UpdateSite,
};
use leptos::prelude::*;

use crate::api;
use crate::pages::embed::EmbedBuilder;
use crate::route::{Link, Route, SitePage as Page};
use crate::ui::{
    Remote, Writer, browser_time_zone, empty_state, loaded, outcome_line, page_header,
    secret_value, time_view, use_console, use_lang,
};

/// Origins as the owner types them: one per line (or separated by spaces or commas).
fn origins_of(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',')
        .map(|o| o.trim().trim_end_matches('/').to_owned())
        .filter(|o| !o.is_empty())
        .collect()
}

/// Common IANA zones offered as suggestions; any other zone may be typed.
const ZONES: [&str; 12] = [
    "UTC",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "Australia/Sydney",
];

fn zone_list() -> impl IntoView {
    view! {
        <datalist id="time-zones">
            {ZONES.into_iter().map(|z| view! { <option value=z></option> }).collect_view()}
        </datalist>
    }
}

#[component]
pub fn SitesPage() -> impl IntoView {
    let console = use_console();
    let lang = use_lang();
    let sites = Remote::new(|| (), |()| api::sites());
    // A memo, not a closure over the owner: creating a site adds it to the owner's list, and
    // the form must not be rebuilt then (it would lose the secrets it shows only once).
    let admin = Memo::new(move |_| console.owner().is_some_and(|o| o.admin));
    let list = move |sites: Vec<SiteView>| {
        let lang = lang.get();
        if sites.is_empty() {
            let text = if admin.get() {
                lang.sites_empty()
            } else {
                lang.sites_empty_owner()
            };
            return empty_state(text).into_any();
        }
        view! {
            <div class="table-wrap" tabindex="0">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{lang.site_id()}</th>
                            <th scope="col">{lang.site_name()}</th>
                            <th scope="col">{lang.time_zone()}</th>
                            <th scope="col">{lang.origins()}</th>
                            <th scope="col">{lang.created()}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {sites
                            .into_iter()
                            .map(|site| {
                                let to = Route::Site { site: site.id.as_str().to_owned(), page: Page::Overview };
                                view! {
                                    <tr>
                                        <td><Link to=to>{site.id.as_str().to_owned()}</Link></td>
                                        <td>{site.name.clone()}</td>
                                        <td>{site.tz.clone()}</td>
                                        <td class="table__wrap">{site.origins.join(", ")}</td>
                                        <td>{time_view(lang, site.created_at)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        {move || page_header(lang.get().sites_title(), Some(lang.get().sites_intro()))}
        <section class="panel" aria-labelledby="sites-list">
            <h2 class="sr-only" id="sites-list">{move || lang.get().sites_title()}</h2>
            {loaded(sites, list)}
        </section>
        {move || admin.get().then(|| view! { <NewSite on_created=Callback::new(move |site: SiteView| {
            sites.update(|list| list.push(site));
        }) /> })}
    }
}

/// The create-site form (admins), and the secrets of the site it created.
#[component]
fn NewSite(on_created: Callback<SiteView>) -> impl IntoView {
    let console = use_console();
    let lang = use_lang();
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let tz = RwSignal::new(browser_time_zone());
    let origins = RwSignal::new(String::new());
    let writer = Writer::new();
    let created = RwSignal::new(None::<(String, String, String)>);
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let typed_name = name.get_untracked().trim().to_owned();
        let site_id = match engage_core::SiteId::parse(id.get_untracked().trim()) {
            Ok(site_id) => site_id,
            Err(error) => return writer.invalid(&error.to_string()),
        };
        let body = CreateSite {
            id: site_id,
            name: (!typed_name.is_empty()).then_some(typed_name),
            tz: tz.get_untracked().trim().to_owned(),
            origins: origins_of(&origins.get_untracked()),
        };
        writer.run(
            async move { api::create_site(&body).await },
            move |answer| {
                console.update_owner(|owner| {
                    owner.sites.push(OwnerSite {
                        id: answer.site.id.clone(),
                        name: answer.site.name.clone(),
                    })
                });
                created.set(Some((
                    answer.site.id.as_str().to_owned(),
                    answer.secret,
                    answer.api_key,
                )));
                on_created.run(answer.site);
                id.set(String::new());
                name.set(String::new());
                origins.set(String::new());
                String::new()
            },
        );
    };
    view! {
        <section class="panel" aria-labelledby="new-site">
            <h2 class="panel__title" id="new-site">{move || lang.get().new_site()}</h2>
            {move || created.get().map(|(site, secret, api_key)| {
                let lang = lang.get();
                view! {
                    <div class="notice notice--success" role="status">
                        <h3 class="notice__title">{lang.site_created()} ": " {site.clone()}</h3>
                        <p>{lang.shown_once()}</p>
                        {secret_value(lang.member_token_secret(), secret)}
                        {secret_value(lang.api_key(), api_key)}
                        <Link to=Route::Site { site, page: Page::Overview }>{lang.open_site()}</Link>
                    </div>
                }
            })}
            <form class="form" on:submit=submit>
                <div class="form__row">
                    <label class="field">
                        <span class="field__label">{move || lang.get().site_id()}</span>
                        <input class="input" required pattern="[a-z0-9][a-z0-9\\-]*" maxlength="64"
                            autocomplete="off" spellcheck="false"
                            prop:value=move || id.get() on:input=move |e| id.set(event_target_value(&e)) />
                        <span class="field__hint">{move || lang.get().site_id_hint()}</span>
                    </label>
                    <label class="field">
                        <span class="field__label">{move || lang.get().site_name()}</span>
                        <input class="input" maxlength="100"
                            prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e)) />
                    </label>
                    <label class="field">
                        <span class="field__label">{move || lang.get().time_zone()}</span>
                        <input class="input" required list="time-zones" autocomplete="off"
                            prop:value=move || tz.get() on:input=move |e| tz.set(event_target_value(&e)) />
                        <span class="field__hint">{move || lang.get().time_zone_hint()}</span>
                    </label>
                </div>
                <label class="field">
                    <span class="field__label">{move || lang.get().origins()}</span>
                    <textarea class="input textarea" rows="3" spellcheck="false"
                        placeholder="https://www.example.com"
                        prop:value=move || origins.get() on:input=move |e| origins.set(event_target_value(&e))></textarea>
                    <span class="field__hint">{move || lang.get().origins_hint()}</span>
                </label>
                {zone_list()}
                <div class="form__actions">
                    <button type="submit" class="button button--primary" disabled=move || writer.pending.get()>
                        {move || if writer.pending.get() { lang.get().creating() } else { lang.get().create_site() }}
                    </button>
                </div>
                {outcome_line(writer)}
            </form>
        </section>
    }
}

/// One site: settings, secrets, and the embed builder.
#[component]
pub fn SitePage(site: String) -> impl IntoView {
    let lang = use_lang();
    let key = site.clone();
    let remote = Remote::new(
        move || key.clone(),
        |site: String| async move { api::site(&site).await },
    );
    let title = site.clone();
    view! {
        <header class="page-header">
            <h1 class="page-header__title">{title}</h1>
        </header>
        {loaded(remote, move |view: SiteView| view! {
            <SiteSettings site=view.clone() on_saved=Callback::new(move |v| remote.set(v)) />
        })}
        <Rotation site=site.clone() />
        <EmbedBuilder site=site.clone() />
        <p class="page-footer">
            <Link to=Route::Sites>{move || lang.get().back_to_sites()}</Link>
        </p>
    }
}

#[component]
fn SiteSettings(site: SiteView, on_saved: Callback<SiteView>) -> impl IntoView {
    let console = use_console();
    let lang = use_lang();
    let id = site.id.as_str().to_owned();
    let name = RwSignal::new(site.name.clone());
    let tz = RwSignal::new(site.tz.clone());
    let origins = RwSignal::new(site.origins.join("\n"));
    let writer = Writer::new();
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let body = UpdateSite {
            name: Some(name.get_untracked().trim().to_owned()),
            tz: Some(tz.get_untracked().trim().to_owned()),
            origins: Some(origins_of(&origins.get_untracked())),
        };
        let site = id.clone();
        writer.run(
            async move { api::update_site(&site, &body).await },
            move |view: SiteView| {
                console.update_owner(|owner| {
                    if let Some(entry) = owner.sites.iter_mut().find(|s| s.id == view.id) {
                        entry.name = view.name.clone();
                    }
                });
                origins.set(view.origins.join("\n"));
                on_saved.run(view);
                lang.get_untracked().saved().to_owned()
            },
        );
    };
    view! {
        <section class="panel" aria-labelledby="site-settings">
            <h2 class="panel__title" id="site-settings">{move || lang.get().settings()}</h2>
            <form class="form" on:submit=submit>
                <div class="form__row">
                    <label class="field">
                        <span class="field__label">{move || lang.get().site_name()}</span>
                        <input class="input" maxlength="100"
                            prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e)) />
                    </label>
                    <label class="field">
                        <span class="field__label">{move || lang.get().time_zone()}</span>
                        <input class="input" required list="time-zones" autocomplete="off"
                            prop:value=move || tz.get() on:input=move |e| tz.set(event_target_value(&e)) />
                        <span class="field__hint">{move || lang.get().time_zone_hint()}</span>
                    </label>
                </div>
                <label class="field">
                    <span class="field__label">{move || lang.get().origins()}</span>
                    <textarea class="input textarea" rows="3" spellcheck="false"
                        prop:value=move || origins.get() on:input=move |e| origins.set(event_target_value(&e))></textarea>
                    <span class="field__hint">{move || lang.get().origins_hint()}</span>
                </label>
                {zone_list()}
                <div class="form__actions">
                    <button type="submit" class="button button--primary" disabled=move || writer.pending.get()>
                        {move || if writer.pending.get() { lang.get().saving() } else { lang.get().save() }}
                    </button>
                </div>
                {outcome_line(writer)}
            </form>
        </section>
    }
}

/// Rotating the member-token secret or the API key, with an overlap for the old one.
#[component]
fn Rotation(site: String) -> impl IntoView {
    let lang = use_lang();
    let overlap = RwSignal::new("24h".to_owned());
    let writer = Writer::new();
    let shown =
        RwSignal::new(None::<(SiteCredential, String, Option<engage_core::jiff::Timestamp>)>);
    let site = StoredValue::new(site);
    let rotate = move |what: SiteCredential| {
        let body = RotateCredential {
            what,
            overlap: Some(overlap.get_untracked()),
        };
        let site = site.get_value();
        shown.set(None);
        writer.run(
            async move { api::rotate(&site, &body).await },
            move |answer| {
                let value = answer.secret.or(answer.api_key).unwrap_or_default();
                shown.set(Some((what, value, answer.previous_valid_until)));
                String::new()
            },
        );
    };
    let overlaps = move || {
        let lang = lang.get();
        [
            ("0h", lang.overlap_none()),
            ("1h", lang.overlap_hour()),
            ("24h", lang.overlap_day()),
            ("168h", lang.overlap_week()),
        ]
    };
    view! {
        <section class="panel" aria-labelledby="site-secrets">
            <h2 class="panel__title" id="site-secrets">{move || lang.get().secrets()}</h2>
            <p class="panel__intro">{move || lang.get().secrets_intro()}</p>
            <div class="form__row form__row--end">
                <label class="field field--narrow">
                    <span class="field__label">{move || lang.get().overlap()}</span>
                    <select class="select" on:change=move |e| overlap.set(event_target_value(&e))>
                        {move || overlaps().into_iter().map(|(value, label)| view! {
                            <option value=value selected=move || overlap.get() == value>{label}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="button" class="button" disabled=move || writer.pending.get()
                    on:click=move |_| rotate(SiteCredential::Secret)>
                    {move || lang.get().rotate_secret()}
                </button>
                <button type="button" class="button" disabled=move || writer.pending.get()
                    on:click=move |_| rotate(SiteCredential::ApiKey)>
                    {move || lang.get().rotate_api_key()}
                </button>
            </div>
            {move || shown.get().map(|(what, value, until)| {
                let lang = lang.get();
                let label = match what {
                    SiteCredential::Secret => lang.new_secret(),
                    SiteCredential::ApiKey => lang.new_api_key(),
                };
                let until = match until {
                    Some(at) => lang.valid_until(&crate::ui::format_time(lang, at)),
                    None => lang.previous_stops_now().to_owned(),
                };
                view! {
                    <div class="notice notice--success" role="status">
                        <p>{lang.shown_once()}</p>
                        {secret_value(label, value)}
                        <p>{until}</p>
                    </div>
                }
            })}
            {outcome_line(writer)}
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::origins_of;

    #[test]
    fn origins_are_split_on_lines_spaces_and_commas() {
        assert_eq!(
            origins_of("https://a.example/\n https://b.example, https://c.example\n\n"),
            vec![
                "https://a.example",
                "https://b.example",
                "https://c.example"
            ]
        );
    }
}
