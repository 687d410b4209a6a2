//! The sign-in form: "Email", "Password", "Sign in" (邮箱, 密码, 登录), posting
//! `{"email", "password"}` to `POST /api/v1/console/session`.

use engage_core::api::console::SignIn;
use leptos::prelude::*;

use crate::api;
use crate::app::{LangSwitch, ThemeSwitch};
use crate::ui::{Writer, outcome_line, use_console};

#[component]
pub fn SignInPage() -> impl IntoView {
    let console = use_console();
    let lang = console.lang;
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let writer = Writer::new();
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let body = SignIn {
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        writer.run(async move { api::sign_in(&body).await }, move |session| {
            console.signed_in(session.owner);
            String::new()
        });
    };
    view! {
        <main class="auth">
            <div class="auth__tools">
                <LangSwitch />
                <ThemeSwitch />
            </div>
            <form class="auth__card" on:submit=submit>
                <h1 class="auth__title">{move || lang.get().sign_in_title()}</h1>
                <p class="auth__intro">{move || lang.get().sign_in_intro()}</p>
                <label class="field">
                    <span class="field__label">{move || lang.get().email()}</span>
                    <input
                        class="input"
                        type="email"
                        name="email"
                        autocomplete="username"
                        required
                        prop:value=move || email.get()
                        on:input=move |e| email.set(event_target_value(&e))
                    />
                </label>
                <label class="field">
                    <span class="field__label">{move || lang.get().password()}</span>
                    <input
                        class="input"
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        required
                        prop:value=move || password.get()
                        on:input=move |e| password.set(event_target_value(&e))
                    />
                </label>
                <button type="submit" class="button button--primary auth__submit" disabled=move || writer.pending.get()>
                    {move || {
                        if writer.pending.get() { lang.get().signing_in() } else { lang.get().sign_in() }
                    }}
                </button>
                {outcome_line(writer)}
            </form>
        </main>
    }
}
