//! The embed builder: pick a widget and its attributes, read the snippet (custom element or
//! iframe) with a copy button, see the widget live — a real `<engage-…>` element loaded from
//! this server's `/engage.js` — and copy the member-token recipe for the backend's language.

use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::Lang;
use crate::ui::{CopyButton, use_lang};

/// The widgets, by element name.
const WIDGETS: [&str; 5] = ["checkin", "poll", "lottery", "feedback", "leaderboard"];

fn widget_label(lang: Lang, widget: &str) -> &'static str {
    match widget {
        "poll" => lang.widget_poll(),
        "lottery" => lang.widget_lottery(),
        "feedback" => lang.widget_feedback(),
        "leaderboard" => lang.widget_leaderboard(),
        _ => lang.widget_checkin(),
    }
}

/// What the builder's controls say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedChoice {
    pub widget: String,
    pub site: String,
    pub poll: String,
    pub lottery: String,
    /// `launcher` or `inline` (feedback).
    pub mode: String,
    /// `day`, `week`, `month` or `all` (leaderboard).
    pub period: String,
    pub limit: String,
    /// Empty: the page's language.
    pub lang: String,
    /// Empty: auto.
    pub theme: String,
    pub iframe: bool,
}

impl EmbedChoice {
    /// The element's attributes, in the order the snippet lists them.
    pub fn attributes(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![("site", self.site.clone())];
        let mut add = |name, value: &str| {
            if !value.trim().is_empty() {
                out.push((name, value.trim().to_owned()));
            }
        };
        match self.widget.as_str() {
            "poll" => add("poll", &self.poll),
            "lottery" => add("lottery", &self.lottery),
            "feedback" if self.mode == "inline" => add("mode", "inline"),
            "leaderboard" => {
                if self.period != "week" {
                    add("period", &self.period);
                }
                if self.limit.trim() != "10" {
                    add("limit", &self.limit);
                }
            }
            _ => {}
        }
        add("lang", &self.lang);
        if self.theme != "auto" {
            add("theme", &self.theme);
        }
        out
    }

    /// The snippet for a host page served from `origin` (this server's).
    pub fn snippet(&self, origin: &str, lang: Lang) -> String {
        let attributes = self.attributes();
        if self.iframe {
            let query: Vec<String> = attributes
                .iter()
                .map(|(name, value)| format!("{name}={}", crate::api::segment(value)))
                .collect();
            let height = match self.widget.as_str() {
                "poll" => 480,
                "lottery" => 640,
                "feedback" => 560,
                "leaderboard" => 560,
                _ => 600,
            };
            return format!(
                "<iframe title=\"{}\" src=\"{origin}/embed/{}?{}\"\n        width=\"360\" height=\"{height}\"></iframe>",
                html_attribute(widget_label(lang, &self.widget)),
                self.widget,
                html_attribute(&query.join("&")),
            );
        }
        let attributes: String = attributes
            .iter()
            .map(|(name, value)| format!(" {name}=\"{}\"", html_attribute(value)))
            .collect();
        format!(
            "<script type=\"module\" src=\"{origin}/engage.js\"></script>\n<engage-{w}{attributes} member-token=\"…\"></engage-{w}>",
            w = self.widget
        )
    }
}

/// `text` escaped for a double-quoted HTML attribute of a snippet the owner copies.
fn html_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The page's origin, e.g. `https://engage.example.com`.
fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

#[component]
pub fn EmbedBuilder(site: String) -> impl IntoView {
    let lang = use_lang();
    let choice = RwSignal::new(EmbedChoice {
        widget: "checkin".to_owned(),
        site: site.clone(),
        poll: String::new(),
        lottery: String::new(),
        mode: "launcher".to_owned(),
        period: "week".to_owned(),
        limit: "10".to_owned(),
        lang: String::new(),
        theme: "auto".to_owned(),
        iframe: false,
    });
    let set = move |change: fn(&mut EmbedChoice, String)| {
        move |event: web_sys::Event| {
            let value = event_target_value(&event);
            choice.update(|c| change(c, value));
        }
    };
    let snippet = Signal::derive(move || choice.with(|c| c.snippet(&origin(), lang.get())));
    let widget = Memo::new(move |_| choice.with(|c| c.widget.clone()));

    let polls_key = site.clone();
    let polls = crate::ui::Remote::new(
        move || polls_key.clone(),
        |site: String| async move { crate::api::polls(&site).await },
    );
    let lotteries_key = site.clone();
    let lotteries = crate::ui::Remote::new(
        move || lotteries_key.clone(),
        |site: String| async move { crate::api::lotteries(&site).await },
    );

    let extra = move || {
        let lang = lang.get();
        match widget.get().as_str() {
            "poll" => view! {
                <label class="field">
                    <span class="field__label">{lang.poll_id()}</span>
                    <input class="input" list="embed-polls" autocomplete="off" spellcheck="false"
                        prop:value=move || choice.with(|c| c.poll.clone())
                        on:input=set(|c, v| c.poll = v) />
                    <datalist id="embed-polls">
                        {move || polls.value().unwrap_or_default().into_iter().map(|p| view! {
                            <option value=p.id.to_string()>{p.question.clone()}</option>
                        }).collect_view()}
                    </datalist>
                </label>
            }.into_any(),
            "lottery" => view! {
                <label class="field">
                    <span class="field__label">{lang.lottery_id()}</span>
                    <input class="input" list="embed-lotteries" autocomplete="off" spellcheck="false"
                        prop:value=move || choice.with(|c| c.lottery.clone())
                        on:input=set(|c, v| c.lottery = v) />
                    <datalist id="embed-lotteries">
                        {move || lotteries.value().unwrap_or_default().into_iter().map(|l| view! {
                            <option value=l.lottery.id.to_string()></option>
                        }).collect_view()}
                    </datalist>
                </label>
            }.into_any(),
            "feedback" => view! {
                <label class="field">
                    <span class="field__label">{lang.feedback_mode()}</span>
                    <select class="select" on:change=set(|c, v| c.mode = v)>
                        <option value="launcher" selected=move || choice.with(|c| c.mode == "launcher")>{lang.feedback_launcher()}</option>
                        <option value="inline" selected=move || choice.with(|c| c.mode == "inline")>{lang.feedback_inline()}</option>
                    </select>
                </label>
            }.into_any(),
            "leaderboard" => view! {
                <label class="field">
                    <span class="field__label">{lang.period()}</span>
                    <select class="select" on:change=set(|c, v| c.period = v)>
                        {[("day", lang.period_day()), ("week", lang.period_week()), ("month", lang.period_month()), ("all", lang.period_all())]
                            .into_iter()
                            .map(|(value, label)| view! {
                                <option value=value selected=move || choice.with(|c| c.period == value)>{label}</option>
                            })
                            .collect_view()}
                    </select>
                </label>
                <label class="field field--narrow">
                    <span class="field__label">{lang.rows()}</span>
                    <input class="input" type="number" min="1" max="100"
                        prop:value=move || choice.with(|c| c.limit.clone())
                        on:input=set(|c, v| c.limit = v) />
                </label>
            }.into_any(),
            _ => ().into_any(),
        }
    };

    view! {
        <section class="panel" aria-labelledby="embed-title">
            <h2 class="panel__title" id="embed-title">{move || lang.get().embed_title()}</h2>
            <p class="panel__intro">{move || lang.get().embed_intro()}</p>
            <div class="embed">
                <div class="embed__controls">
                    <div class="form__row">
                        <label class="field">
                            <span class="field__label">{move || lang.get().widget()}</span>
                            <select class="select" on:change=set(|c, v| c.widget = v)>
                                {move || WIDGETS.into_iter().map(|w| view! {
                                    <option value=w selected=move || widget.get() == w>{widget_label(lang.get(), w)}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        {extra}
                    </div>
                    <div class="form__row">
                        <label class="field">
                            <span class="field__label">{move || lang.get().widget_lang()}</span>
                            <select class="select" on:change=set(|c, v| c.lang = v)>
                                <option value="">{move || lang.get().lang_page()}</option>
                                <option value="en">"English"</option>
                                <option value="zh-CN">"简体中文"</option>
                            </select>
                        </label>
                        <label class="field">
                            <span class="field__label">{move || lang.get().theme()}</span>
                            <select class="select" on:change=set(|c, v| c.theme = v)>
                                {move || crate::i18n::Theme::ALL.into_iter().map(|t| view! {
                                    <option value=t.as_str()>{t.label(lang.get())}</option>
                                }).collect_view()}
                            </select>
                        </label>
                    </div>
                    <fieldset class="fieldset">
                        <legend class="field__label">{move || lang.get().embed_as()}</legend>
                        <label class="check">
                            <input type="radio" name="embed-as" prop:checked=move || choice.with(|c| !c.iframe)
                                on:change=move |_| choice.update(|c| c.iframe = false) />
                            <span>{move || lang.get().custom_element()}</span>
                        </label>
                        <label class="check">
                            <input type="radio" name="embed-as" prop:checked=move || choice.with(|c| c.iframe)
                                on:change=move |_| choice.update(|c| c.iframe = true) />
                            <span>{move || lang.get().iframe()}</span>
                        </label>
                    </fieldset>
                    <div class="snippet">
                        <div class="snippet__head">
                            <h3 class="snippet__title">{move || lang.get().snippet()}</h3>
                            <CopyButton text=snippet label=Lang::copy_snippet />
                        </div>
                        <pre class="code" tabindex="0"><code>{move || snippet.get()}</code></pre>
                    </div>
                </div>
                <div class="embed__preview">
                    <h3 class="snippet__title">{move || lang.get().preview()}</h3>
                    <Preview choice=choice />
                    <p class="field__hint">
                        {move || if choice.with(|c| c.iframe) { lang.get().iframe_preview_note() } else { lang.get().preview_note() }}
                    </p>
                </div>
            </div>
            <TokenRecipe site=site />
        </section>
    }
}

/// The live widget: an `<engage-…>` element made with DOM calls (attributes set one by one,
/// never parsed from HTML), replaced whenever the choice changes.
#[component]
fn Preview(choice: RwSignal<EmbedChoice>) -> impl IntoView {
    let host = NodeRef::<Div>::new();
    Effect::new(move |_| {
        let choice = choice.get();
        let Some(host) = host.get() else {
            return;
        };
        load_engage_js();
        host.set_text_content(None);
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Ok(element) = document.create_element(&format!("engage-{}", choice.widget)) else {
            return;
        };
        for (name, value) in choice.attributes() {
            let _ = element.set_attribute(name, &value);
        }
        let _ = host.append_child(&element);
    });
    view! { <div class="embed__stage" node_ref=host></div> }
}

/// Adds `<script type="module" src="/engage.js">` to the document once.
fn load_engage_js() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if document.get_element_by_id("engage-loader").is_some() {
        return;
    }
    let Ok(script) = document.create_element("script") else {
        return;
    };
    let script: web_sys::HtmlScriptElement = script.unchecked_into();
    script.set_id("engage-loader");
    script.set_type("module");
    script.set_src("/engage.js");
    if let Some(head) = document.head() {
        let _ = head.append_child(&script);
    }
}

/// The backend languages of the member-token recipe.
const RECIPES: [&str; 4] = ["Python", "Node", "PHP", "Go"];

fn recipe(language: &str, site: &str) -> String {
    let site = site.replace('"', "");
    match language {
        "Node" => format!(
            r#"import {{ createHmac }} from "node:crypto";

// An Engage member token (HS256 JWT) for the signed-in member, signed with the site's secret.
export function memberToken(secret, member, name) {{
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const claims = {{ sub: member, name, site: "{site}", iat: now, exp: now + 3600 }};
  const body = `${{b64({{ alg: "HS256", typ: "JWT" }})}}.${{b64(claims)}}`;
  return `${{body}}.${{createHmac("sha256", secret).update(body).digest("base64url")}}`;
}}

// memberToken(process.env.ENGAGE_SECRET, user.id, user.name)"#
        ),
        "PHP" => format!(
            r#"<?php
// An Engage member token (HS256 JWT) for the signed-in member, signed with the site's secret.
function engage_member_token(string $secret, string $member, string $name): string {{
    $b64 = fn (string $s): string => rtrim(strtr(base64_encode($s), '+/', '-_'), '=');
    $now = time();
    $claims = ['sub' => $member, 'name' => $name, 'site' => '{site}', 'iat' => $now, 'exp' => $now + 3600];
    $body = $b64(json_encode(['alg' => 'HS256', 'typ' => 'JWT'])) . '.' . $b64(json_encode($claims));
    return $body . '.' . $b64(hash_hmac('sha256', $body, $secret, true));
}}

// engage_member_token(getenv('ENGAGE_SECRET'), $user->id, $user->name);"#
        ),
        "Go" => format!(
            r#"package engage

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"
)

// MemberToken is an Engage member token (HS256 JWT) for the signed-in member,
// signed with the site's secret.
func MemberToken(secret, member, name string) (string, error) {{
	b64 := base64.RawURLEncoding.EncodeToString
	header, _ := json.Marshal(map[string]string{{"alg": "HS256", "typ": "JWT"}})
	now := time.Now().Unix()
	claims, err := json.Marshal(map[string]any{{
		"sub": member, "name": name, "site": "{site}", "iat": now, "exp": now + 3600,
	}})
	if err != nil {{
		return "", err
	}}
	body := b64(header) + "." + b64(claims)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	return body + "." + b64(mac.Sum(nil)), nil
}}

// engage.MemberToken(os.Getenv("ENGAGE_SECRET"), user.ID, user.Name)"#
        ),
        _ => format!(
            r#"import base64, hashlib, hmac, json, time

# An Engage member token (HS256 JWT) for the signed-in member, signed with the site's secret.
def member_token(secret: str, member: str, name: str) -> str:
    b64 = lambda d: base64.urlsafe_b64encode(json.dumps(d, separators=(",", ":")).encode()).rstrip(b"=")
    now = int(time.time())
    body = b64({{"alg": "HS256", "typ": "JWT"}}) + b"." + b64(
        {{"sub": member, "name": name, "site": "{site}", "iat": now, "exp": now + 3600}})
    sig = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return (body + b"." + base64.urlsafe_b64encode(sig).rstrip(b"=")).decode()

# member_token(os.environ["ENGAGE_SECRET"], user.id, user.name)"#
        ),
    }
}

#[component]
fn TokenRecipe(site: String) -> impl IntoView {
    let lang = use_lang();
    let language = RwSignal::new("Python");
    let text = Signal::derive(move || recipe(language.get(), &site));
    view! {
        <div class="recipe">
            <h3 class="snippet__title">{move || lang.get().token_recipe()}</h3>
            <p class="panel__intro">{move || lang.get().token_recipe_intro()}</p>
            <div class="snippet__head">
                <div class="tabs" role="radiogroup" aria-label=move || lang.get().backend_language()>
                    {RECIPES.into_iter().map(|name| view! {
                        <label class="tabs__tab" class:tabs__tab--current=move || language.get() == name>
                            <input class="sr-only" type="radio" name="recipe"
                                prop:checked=move || language.get() == name
                                on:change=move |_| language.set(name) />
                            <span>{name}</span>
                        </label>
                    }).collect_view()}
                </div>
                <CopyButton text=text label=Lang::copy_recipe />
            </div>
            <pre class="code" tabindex="0"><code>{move || text.get()}</code></pre>
        </div>
    }
}
