//! Live updates: one event stream per page. Every live widget of a page subscribes to a channel
//! (`leaderboard`, `poll:{id}`, …) of its server and site; the page holds one `EventSource` on
//! `…/api/v1/sites/{site}/stream?channels=…` carrying the union of the channels its widgets
//! subscribed to, shared by all of them. Every event means "read again": its data is only a
//! random change token, because the visibility rules must hold.
//!
//! - The set of channels grows as widgets mount: the stream is opened again with the union,
//!   once for every burst of mounts ([`REOPEN_AFTER`]). A channel no widget listens to any more
//!   is dropped at the next reopen; when the last widget leaves, the stream closes at once.
//! - No widget reads on a timer while the stream is up. When it fails (the browser gave up, or
//!   [`MAX_ERRORS`] errors in a row), every subscribed widget reads every [`POLL_EVERY`] while it
//!   is down, and the stream is tried again after [`FIRST_RETRY`], doubling up to
//!   [`LAST_RETRY`]. When it is back, every channel's first event makes each widget read once.
//! - Where `EventSource` is missing, widgets read on the timer.
//!
//! A [`LiveUpdates`] is one widget's subscription and lives as long as the widget: dropping it
//! unsubscribes and stops its timers.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::{
    Effect, IntervalHandle, StoredValue, TimeoutHandle, UpdateValue, on_cleanup,
    set_interval_with_handle, set_timeout_with_handle,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::EventSource;

use crate::api::Endpoint;

/// Events closer together than this become one read.
const DEBOUNCE: Duration = Duration::from_millis(150);
/// Mounts closer together than this open the stream once.
const REOPEN_AFTER: Duration = Duration::from_millis(50);
/// How often to read while there is no event stream.
const POLL_EVERY: Duration = Duration::from_secs(5);
/// Errors in a row (without a successful reconnection in between) before the stream counts as
/// down.
const MAX_ERRORS: u32 = 3;
/// The first wait before trying a failed stream again; each failure doubles it.
const FIRST_RETRY: Duration = Duration::from_secs(10);
/// The longest wait between tries.
const LAST_RETRY: Duration = Duration::from_secs(5 * 60);

thread_local! {
    /// The page's streams, one per server and site.
    static PAGES: RefCell<HashMap<(String, String), Rc<PageStream>>> = RefCell::default();
    static NEXT_ID: Cell<u64> = const { Cell::new(0) };
}

/// A listener on the event stream.
type Listener = Closure<dyn FnMut(web_sys::Event)>;

/// One widget's subscription to a channel of the page's stream; see the module documentation.
#[derive(Debug)]
pub struct LiveUpdates {
    page: Rc<PageStream>,
    id: u64,
}

struct Subscriber {
    id: u64,
    channel: String,
    on_change: Rc<dyn Fn()>,
    debounce: Rc<Cell<Option<TimeoutHandle>>>,
}

/// The page's stream of one server and site.
struct PageStream {
    key: (String, String),
    /// `…/api/v1/sites/{site}/stream`, without the query.
    url: String,
    subscribers: RefCell<Vec<Subscriber>>,
    /// The channels the open stream carries.
    carried: RefCell<BTreeSet<String>>,
    source: RefCell<Option<EventSource>>,
    /// The stream's listeners, kept alive while it is open.
    listeners: RefCell<Vec<Listener>>,
    errors: Cell<u32>,
    reopen: Cell<Option<TimeoutHandle>>,
    /// Set while the stream is down: widgets read on the timer until it is back.
    down: Cell<bool>,
    polling: Cell<Option<IntervalHandle>>,
    retry: Cell<Option<TimeoutHandle>>,
    backoff: Cell<Duration>,
}

impl std::fmt::Debug for PageStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageStream")
            .field("url", &self.url)
            .field("carried", &self.carried.borrow())
            .field("down", &self.down.get())
            .finish_non_exhaustive()
    }
}

/// Keeps a mounted widget subscribed to the channel `wanted` names (`None`: none now), again
/// whenever that changes, and unsubscribes it when the widget is cleaned up.
pub fn follow(
    wanted: impl Fn() -> Option<(Endpoint, String)> + 'static,
    on_change: impl Fn() + Clone + 'static,
) {
    let live = StoredValue::new_local(None::<LiveUpdates>);
    Effect::new(move |_| {
        let subscription = wanted();
        let on_change = on_change.clone();
        live.update_value(|live| {
            *live = subscription
                .map(|(endpoint, channel)| LiveUpdates::subscribe(&endpoint, channel, on_change));
        });
    });
    on_cleanup(move || {
        live.try_update_value(|live| live.take());
    });
}

impl LiveUpdates {
    /// Listens to `channel` of the endpoint's server and site on the page's stream and calls
    /// `on_change` (debounced) on each of its events, or on the timer while the stream is down.
    pub fn subscribe(
        endpoint: &Endpoint,
        channel: String,
        on_change: impl Fn() + 'static,
    ) -> LiveUpdates {
        let page = page_stream(endpoint);
        let id = NEXT_ID.get();
        NEXT_ID.set(id + 1);
        let needs_reopen = !page.carried.borrow().contains(&channel);
        page.subscribers.borrow_mut().push(Subscriber {
            id,
            channel,
            on_change: Rc::new(on_change),
            debounce: Rc::default(),
        });
        if page.down.get() {
            // The timer reads for it until the stream is back.
        } else if !has_event_source() {
            go_down(&page, false);
        } else if needs_reopen {
            schedule_reopen(&page);
        }
        LiveUpdates { page, id }
    }
}

impl Drop for LiveUpdates {
    fn drop(&mut self) {
        let page = &self.page;
        let removed = {
            let mut subscribers = page.subscribers.borrow_mut();
            let at = subscribers.iter().position(|s| s.id == self.id);
            at.map(|at| subscribers.remove(at))
        };
        if let Some(handle) = removed.and_then(|s| s.debounce.take()) {
            handle.clear();
        }
        if page.subscribers.borrow().is_empty() {
            close_page(page);
        } else if wanted(page) != *page.carried.borrow() && !page.down.get() {
            schedule_reopen(page);
        }
    }
}

fn has_event_source() -> bool {
    web_sys::window()
        .is_some_and(|w| js_sys::Reflect::has(&w, &"EventSource".into()).unwrap_or(false))
}

/// The page's stream of the endpoint's server and site, made on first use.
fn page_stream(endpoint: &Endpoint) -> Rc<PageStream> {
    let server = endpoint.server.trim_end_matches('/').to_owned();
    let key = (server, endpoint.site.clone());
    PAGES.with_borrow_mut(|pages| {
        pages
            .entry(key.clone())
            .or_insert_with(|| {
                Rc::new(PageStream {
                    url: endpoint.stream_url(),
                    key,
                    subscribers: RefCell::default(),
                    carried: RefCell::default(),
                    source: RefCell::default(),
                    listeners: RefCell::default(),
                    errors: Cell::new(0),
                    reopen: Cell::new(None),
                    down: Cell::new(false),
                    polling: Cell::new(None),
                    retry: Cell::new(None),
                    backoff: Cell::new(FIRST_RETRY),
                })
            })
            .clone()
    })
}

/// The channels the page's widgets listen to now.
fn wanted(page: &PageStream) -> BTreeSet<String> {
    page.subscribers
        .borrow()
        .iter()
        .map(|s| s.channel.clone())
        .collect()
}

fn schedule_reopen(page: &Rc<PageStream>) {
    if page.reopen.get().is_some() {
        return;
    }
    let weak = Rc::downgrade(page);
    let handle = set_timeout_with_handle(
        move || {
            if let Some(page) = weak.upgrade() {
                page.reopen.set(None);
                if !page.down.get() {
                    open(&page);
                }
            }
        },
        REOPEN_AFTER,
    );
    page.reopen.set(handle.ok());
}

/// Opens the stream with the channels wanted now (closing the one open before).
fn open(page: &Rc<PageStream>) {
    let channels = wanted(page);
    close_source(page);
    if channels.is_empty() {
        return;
    }
    let list = channels.iter().cloned().collect::<Vec<_>>().join(",");
    let url = format!(
        "{}?channels={}",
        page.url,
        js_sys::encode_uri_component(&list)
    );
    let Ok(source) = EventSource::new(&url) else {
        go_down(page, true);
        return;
    };
    let mut listeners = Vec::with_capacity(channels.len() + 2);
    for channel in &channels {
        let weak = Rc::downgrade(page);
        let name = channel.clone();
        let on_event = Listener::new(move |_: web_sys::Event| {
            let Some(page) = weak.upgrade() else { return };
            page.errors.set(0);
            // The server sends an event only for news (or on connecting, when what changed
            // while the stream was down is unknown): its data, a random token, need not be read.
            for subscriber in page.subscribers.borrow().iter() {
                if subscriber.channel == name {
                    schedule_change(subscriber);
                }
            }
        });
        let _ = source.add_event_listener_with_callback(channel, on_event.as_ref().unchecked_ref());
        listeners.push(on_event);
    }
    let weak = Rc::downgrade(page);
    let on_open = Listener::new(move |_| {
        if let Some(page) = weak.upgrade() {
            page.errors.set(0);
            if page.down.replace(false) {
                // Back: no more reading on the timer; each channel's first event reads once.
                stop_timers(&page);
                page.backoff.set(FIRST_RETRY);
            }
        }
    });
    let weak = Rc::downgrade(page);
    let on_error = Listener::new(move |_| {
        let Some(page) = weak.upgrade() else { return };
        let errors = page.errors.get() + 1;
        page.errors.set(errors);
        // CLOSED means the browser gave up (a refused or non-stream answer); otherwise it
        // reconnects by itself, which is worth a few tries (none while already down).
        let closed = page
            .source
            .borrow()
            .as_ref()
            .is_none_or(|s| s.ready_state() == EventSource::CLOSED);
        if closed || errors >= MAX_ERRORS || page.down.get() {
            go_down(&page, true);
        }
    });
    let _ = source.add_event_listener_with_callback("open", on_open.as_ref().unchecked_ref());
    let _ = source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
    listeners.push(on_open);
    listeners.push(on_error);
    page.source.replace(Some(source));
    page.listeners.replace(listeners);
    page.carried.replace(channels);
}

/// The stream is down: every widget reads on the timer, and (when `retry`) the stream is tried
/// again after the back-off, which doubles each time.
fn go_down(page: &Rc<PageStream>, retry: bool) {
    close_source(page);
    page.down.set(true);
    if page.polling.get().is_none() {
        let weak = Rc::downgrade(page);
        let handle = set_interval_with_handle(
            move || {
                if let Some(page) = weak.upgrade() {
                    let readers: Vec<Rc<dyn Fn()>> = page
                        .subscribers
                        .borrow()
                        .iter()
                        .map(|s| s.on_change.clone())
                        .collect();
                    for read in readers {
                        read();
                    }
                }
            },
            POLL_EVERY,
        );
        page.polling.set(handle.ok());
    }
    if retry && page.retry.get().is_none() {
        let wait = page.backoff.get();
        page.backoff.set((wait * 2).min(LAST_RETRY));
        let weak = Rc::downgrade(page);
        let handle = set_timeout_with_handle(
            move || {
                if let Some(page) = weak.upgrade() {
                    page.retry.set(None);
                    page.errors.set(0);
                    // Still down (reading on the timer) until the stream says it is open.
                    open(&page);
                }
            },
            wait,
        );
        page.retry.set(handle.ok());
    }
}

fn stop_timers(page: &PageStream) {
    if let Some(handle) = page.polling.take() {
        handle.clear();
    }
    if let Some(handle) = page.retry.take() {
        handle.clear();
    }
}

/// The last widget left: close the stream at once, stop every timer, forget the page's entry.
fn close_page(page: &PageStream) {
    close_source(page);
    stop_timers(page);
    if let Some(handle) = page.reopen.take() {
        handle.clear();
    }
    PAGES.with_borrow_mut(|pages| pages.remove(&page.key));
}

fn close_source(page: &PageStream) {
    if let Some(source) = page.source.take() {
        source.close();
    }
    page.carried.take();
    // Dropping a listener while the stream calls it would be unsound for wasm-bindgen: the
    // stream is closed and no further call comes, but the one running now must finish first.
    let listeners = page.listeners.take();
    if !listeners.is_empty() {
        let _ = set_timeout_with_handle(move || drop(listeners), Duration::ZERO);
    }
}

fn schedule_change(subscriber: &Subscriber) {
    if subscriber.debounce.get().is_some() {
        return;
    }
    let debounce = Rc::downgrade(&subscriber.debounce);
    let on_change = Rc::downgrade(&subscriber.on_change);
    let handle = set_timeout_with_handle(
        move || {
            if let (Some(debounce), Some(on_change)) = (debounce.upgrade(), on_change.upgrade()) {
                debounce.set(None);
                on_change();
            }
        },
        DEBOUNCE,
    );
    subscriber.debounce.set(handle.ok());
}
