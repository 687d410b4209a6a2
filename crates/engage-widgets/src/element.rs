//! The bridge between the custom elements the loader defines and the Leptos components: mount a
//! widget into an element's shadow root, forward attribute changes into signals, unmount on
//! removal; and the DOM events widgets report through.
//!
//! The loader (`www/engage.js`) owns the element classes and the page-wide defaults
//! (`Engage.identify`, `Engage.configure`); it hands this module the *effective* value of each
//! attribute, so the Rust side only ever sees one value per attribute. One export, [`mount`],
//! serves every widget: the loader passes the widget's name.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use engage_core::api::leaderboard::Period;
use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, CustomEvent, CustomEventInit, HtmlElement, Node, ShadowRoot};

use crate::checkin::{CHECKIN_CSS, Checkin};
use crate::feedback::{FEEDBACK_CSS, Feedback, FeedbackMode};
use crate::i18n::Lang;
use crate::leaderboard::{LEADERBOARD_CSS, Leaderboard};
use crate::lottery::{LOTTERY_CSS, Lottery};
use crate::poll::{POLL_CSS, Poll};
use crate::rewards::{REWARDS_CSS, Rewards};
use crate::widget::CARD_CSS;
use crate::{Theme, Widget};

/// The attributes the widget elements observe, as signals the component reads (`None` where
/// the attribute is absent): the common ones, and `poll` (`<engage-poll>` only).
#[derive(Debug, Clone, Copy)]
struct ElementAttributes {
    site: RwSignal<Option<String>>,
    member_token: RwSignal<Option<String>>,
    lang: RwSignal<Option<String>>,
    theme: RwSignal<Option<String>>,
    server: RwSignal<Option<String>>,
    poll: RwSignal<Option<String>>,
    /// `<engage-lottery>` only.
    lottery: RwSignal<Option<String>>,
    /// `<engage-feedback>` only: `launcher` or `inline`.
    mode: RwSignal<Option<String>>,
    /// `<engage-leaderboard>` only: `day`, `week`, `month` or `all`, and how many rows.
    period: RwSignal<Option<String>>,
    limit: RwSignal<Option<String>>,
}

impl ElementAttributes {
    /// Creates the signals from the host element's current attributes, falling back to the
    /// page-wide `defaults` (an object keyed by attribute name). Must run inside the mount's
    /// owner, so that unmounting disposes them.
    fn read(host: &HtmlElement, defaults: Option<&js_sys::Object>) -> ElementAttributes {
        let read = |name: &str| {
            host.get_attribute(name).or_else(|| {
                let defaults = defaults?;
                js_sys::Reflect::get(defaults, &JsValue::from_str(name))
                    .ok()?
                    .as_string()
            })
        };
        ElementAttributes {
            site: RwSignal::new(read("site")),
            member_token: RwSignal::new(read("member-token")),
            lang: RwSignal::new(read("lang")),
            theme: RwSignal::new(read("theme")),
            server: RwSignal::new(read("server")),
            poll: RwSignal::new(read("poll")),
            lottery: RwSignal::new(read("lottery")),
            mode: RwSignal::new(read("mode")),
            period: RwSignal::new(read("period")),
            limit: RwSignal::new(read("limit")),
        }
    }

    fn set(&self, name: &str, value: Option<String>) {
        let signal = match name {
            "site" => self.site,
            "poll" => self.poll,
            "lottery" => self.lottery,
            "mode" => self.mode,
            "period" => self.period,
            "limit" => self.limit,
            "member-token" => self.member_token,
            "lang" => self.lang,
            "theme" => self.theme,
            "server" => self.server,
            _ => return,
        };
        // Setting an equal value would still notify, and a notified `site` or `server`
        // refetches: compare first.
        if signal.try_with_untracked(|old| *old != value) == Some(true) {
            signal.try_set(value);
        }
    }
}

/// A widget mounted into a shadow root. Drop it (or call `unmount`) to remove the widget and
/// dispose its reactive state.
#[wasm_bindgen]
pub struct MountHandle {
    attributes: ElementAttributes,
    container: web_sys::Element,
    /// The Leptos unmount handle; its concrete type names the whole view, so it is kept erased.
    mounted: RefCell<Option<Box<dyn std::any::Any>>>,
}

#[wasm_bindgen]
impl MountHandle {
    /// Forwards an attribute's effective value (`null` when absent and no page default applies)
    /// to the mounted widget; the change takes effect live.
    pub fn set_attribute(&self, name: &str, value: Option<String>) {
        if self.mounted.borrow().is_some() {
            self.attributes.set(name, value);
        }
    }

    /// Removes the widget from the shadow root and disposes its state. Calling it twice is
    /// harmless.
    pub fn unmount(&self) {
        let mounted = self.mounted.borrow_mut().take();
        drop(mounted);
        self.container.remove();
    }

    /// Whether the widget is still mounted.
    #[wasm_bindgen(getter)]
    pub fn mounted(&self) -> bool {
        self.mounted.borrow().is_some()
    }
}

impl Drop for MountHandle {
    fn drop(&mut self) {
        self.unmount();
    }
}

/// Mounts the widget named `widget` (`"checkin"`, `"poll"`) into `root`, the open shadow root
/// of `host` (its `<engage-*>` element), reading the host's attributes; `defaults` (keyed by
/// attribute name, e.g. `{"member-token": …, "server": …}`) supplies values for attributes the
/// host lacks. The stylesheets are adopted into `root` first, so the first paint is styled.
#[wasm_bindgen]
pub fn mount(
    widget: &str,
    host: HtmlElement,
    root: ShadowRoot,
    defaults: Option<js_sys::Object>,
) -> Result<MountHandle, JsValue> {
    let widget =
        Widget::parse(widget).ok_or_else(|| JsValue::from_str("there is no such widget"))?;
    adopt_stylesheet(&root, CARD_CSS);
    adopt_stylesheet(
        &root,
        match widget {
            Widget::Checkin => CHECKIN_CSS,
            Widget::Poll => POLL_CSS,
            Widget::Lottery => LOTTERY_CSS,
            Widget::Feedback => FEEDBACK_CSS,
            Widget::Leaderboard => LEADERBOARD_CSS,
            Widget::Rewards => REWARDS_CSS,
        },
    );
    let document = host
        .owner_document()
        .ok_or_else(|| JsValue::from_str("the element has no document"))?;
    let container: HtmlElement = document.create_element("div")?.unchecked_into();
    container.set_class_name("engage-root");
    root.append_child(&container)?;

    let slot: Rc<Cell<Option<ElementAttributes>>> = Rc::new(Cell::new(None));
    let mounted = leptos::mount::mount_to(container.clone(), {
        let slot = Rc::clone(&slot);
        move || {
            let attributes = ElementAttributes::read(&host, defaults.as_ref());
            slot.set(Some(attributes));
            let lang =
                Signal::derive(move || attributes.lang.get().as_deref().and_then(Lang::parse));
            let theme =
                Signal::derive(move || attributes.theme.get().as_deref().and_then(Theme::parse));
            let server = Signal::derive(move || attributes.server.get());
            let site = Signal::derive(move || attributes.site.get().unwrap_or_default());
            match widget {
                Widget::Checkin => view! {
                    <Checkin
                        site=site
                        member_token=attributes.member_token
                        server=server
                        lang=lang
                        theme=theme
                    />
                }
                .into_any(),
                Widget::Poll => view! {
                    <Poll
                        site=site
                        poll=Signal::derive(move || attributes.poll.get().unwrap_or_default())
                        member_token=attributes.member_token
                        server=server
                        lang=lang
                        theme=theme
                    />
                }
                .into_any(),
                Widget::Lottery => view! {
                    <Lottery
                        site=site
                        lottery=Signal::derive(move || attributes.lottery.get().unwrap_or_default())
                        member_token=attributes.member_token
                        server=server
                        lang=lang
                        theme=theme
                    />
                }
                .into_any(),
                Widget::Feedback => view! {
                    <Feedback
                        site=site
                        member_token=attributes.member_token
                        server=server
                        lang=lang
                        theme=theme
                        mode=Signal::derive(move || {
                            attributes.mode.get().as_deref().and_then(FeedbackMode::parse)
                        })
                    />
                }
                .into_any(),
                Widget::Leaderboard => view! {
                    <Leaderboard
                        site=site
                        member_token=attributes.member_token
                        server=server
                        lang=lang
                        theme=theme
                        period=Signal::derive(move || {
                            attributes.period.get().as_deref().map(str::trim).and_then(Period::parse)
                        })
                        limit=Signal::derive(move || {
                            attributes.limit.get().and_then(|l| l.trim().parse().ok())
                        })
                    />
                }
                .into_any(),
                Widget::Rewards => view! {
                    <Rewards
                        site=site
                        member_token=attributes.member_token
                        server=server
                        lang=lang
                        theme=theme
                    />
                }
                .into_any(),
            }
        }
    });
    let attributes = slot
        .take()
        .ok_or_else(|| JsValue::from_str("the widget did not mount"))?;
    Ok(MountHandle {
        attributes,
        container: container.into(),
        mounted: RefCell::new(Some(Box::new(mounted))),
    })
}

thread_local! {
    /// One constructed stylesheet per CSS text, shared by every shadow root on the page.
    static SHEETS: RefCell<Vec<(&'static str, CssStyleSheet)>> = const { RefCell::new(Vec::new()) };
}

/// Adopts `css` into the shadow root or document that contains `node`, once.
///
/// Constructable stylesheets are the one way to style a shadow root that a strict
/// `style-src 'self'` allows: `<style>` elements and `style=""` attributes are inline styles.
pub fn adopt_stylesheet(node: &Node, css: &'static str) {
    let Some(sheet) = stylesheet(css) else {
        return;
    };
    let root = node.get_root_node();
    if let Some(shadow) = root.dyn_ref::<ShadowRoot>() {
        if let Some(sheets) = with_sheet(shadow.adopted_style_sheets(), &sheet) {
            shadow.set_adopted_style_sheets(&sheets);
        }
    } else if let Some(document) = root.dyn_ref::<web_sys::Document>()
        && let Some(sheets) = with_sheet(document.adopted_style_sheets(), &sheet)
    {
        document.set_adopted_style_sheets(&sheets);
    }
}

/// `sheets` with `sheet` appended, or `None` when it is already there.
fn with_sheet(sheets: js_sys::Array, sheet: &CssStyleSheet) -> Option<js_sys::Array> {
    if sheets.includes(sheet, 0) {
        return None;
    }
    sheets.push(sheet);
    Some(sheets)
}

fn stylesheet(css: &'static str) -> Option<CssStyleSheet> {
    SHEETS.with(|sheets| {
        let mut sheets = sheets.borrow_mut();
        if let Some((_, sheet)) = sheets.iter().find(|(text, _)| *text == css) {
            return Some(sheet.clone());
        }
        let sheet = CssStyleSheet::new().ok()?;
        sheet.replace_sync(css).ok()?;
        sheets.push((css, sheet.clone()));
        Some(sheet)
    })
}

/// Dispatches `engage:<name>` from `target` as a bubbling, composed `CustomEvent`, so that a
/// listener on the custom element (or any ancestor in the page) receives it.
pub fn dispatch_widget_event(target: &web_sys::EventTarget, name: &str, detail: &impl Serialize) {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let Ok(detail) = detail.serialize(&serializer) else {
        return;
    };
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail);
    if let Ok(event) = CustomEvent::new_with_event_init_dict(&format!("engage:{name}"), &init) {
        let _ = target.dispatch_event(&event);
    }
}
