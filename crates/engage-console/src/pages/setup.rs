//! The first-run page (`/console/setup?token=…`): the one-time token the server logged makes
//! the first owner, an admin, and signs them in.

use engage_core::api::console::Setup;
use leptos::prelude::*;

use crate::api;
use crate::app::{LangSwitch, ThemeSwitch};
use crate::route::Route;
use crate::ui::{Writer, outcome_line, use_console};

/// The shortest password the page accepts (the server has its own rule too).
const MIN_PASSWORD_CHARS: usize = 12;

#[component]
pub fn SetupPage(
    /// The setup link's token.
    token: String,
) -> impl IntoView {
    let console = use_console();
    let lang = console.lang;
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let writer = Writer::new();
    let has_token = !token.trim().is_empty();
    let token = StoredValue::new(token);
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let lang = lang.get_untracked();
        let password = password.get_untracked();
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return writer.invalid(lang.password_too_short());
        }
        if password != repeat.get_untracked() {
            return writer.invalid(lang.passwords_differ());
        }
        let body = Setup {
            token: token.get_value(),
            email: email.get_untracked().trim().to_owned(),
            password,
        };
        writer.run(async move { api::set_up(&body).await }, move |session| {
            console.signed_in(session.owner);
            console.router.replace(Route::Sites);
            String::new()
        });
    };
    let token_refused = move || {
        matches!(
            writer.outcome.get(),
            crate::ui::Outcome::Failed(ref e) if e.status == 401 || e.status == 404 || e.status == 410
        )
    };
    view! {
        <main class="auth">
            <div class="auth__tools">
                <LangSwitch />
                <ThemeSwitch />
            </div>
            <form class="auth__card" on:submit=submit>
                <h1 class="auth__title">{move || lang.get().setup_title()}</h1>
                <p class="auth__intro">{move || lang.get().setup_intro()}</p>
                {(!has_token).then(|| view! {
                    <p class="outcome outcome--failed" role="alert">{move || lang.get().setup_no_token()}</p>
                })}
                <label class="field">
                    <span class="field__label">{move || lang.get().email()}</span>
                    <input class="input" type="email" autocomplete="username" required
                        prop:value=move || email.get()
                        on:input=move |e| email.set(event_target_value(&e)) />
                </label>
                <label class="field">
                    <span class="field__label">{move || lang.get().password()}</span>
                    <input class="input" type="password" autocomplete="new-password" required
                        minlength=MIN_PASSWORD_CHARS.to_string()
                        prop:value=move || password.get()
                        on:input=move |e| password.set(event_target_value(&e)) />
                </label>
                <label class="field">
                    <span class="field__label">{move || lang.get().repeat_password()}</span>
                    <input class="input" type="password" autocomplete="new-password" required
                        prop:value=move || repeat.get()
                        on:input=move |e| repeat.set(event_target_value(&e)) />
                </label>
                <button type="submit" class="button button--primary auth__submit"
                    disabled=move || writer.pending.get() || !has_token>
                    {move || if writer.pending.get() { lang.get().creating() } else { lang.get().create_account() }}
                </button>
                {outcome_line(writer)}
                {move || token_refused().then(|| view! {
                    <p class="field__hint">{lang.get().setup_token_invalid()}</p>
                })}
            </form>
        </main>
    }
}
