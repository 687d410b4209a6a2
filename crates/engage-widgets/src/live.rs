//! Live updates: an `EventSource` on a server-sent events URL that says *when* to read data
//! again (every event means "read again": its data is only a random change token, because
//! `EventSource` cannot send the member token and the visibility rules must hold), with a
//! fallback to reading every few seconds where `EventSource` is missing or keeps failing.
//!
//! A [`LiveUpdates`] lives as long as the widget that made it: dropping it closes the stream
//! and stops every timer.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::time::Duration;

use leptos::prelude::{
    IntervalHandle, TimeoutHandle, set_interval_with_handle, set_timeout_with_handle,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::EventSource;

/// Events closer together than this become one read.
const DEBOUNCE: Duration = Duration::from_millis(150);
/// How often to read when there is no event stream.
const POLL_EVERY: Duration = Duration::from_secs(5);
/// Errors in a row (without a successful reconnection in between) before giving up on the
/// stream and reading on a timer instead.
const MAX_ERRORS: u32 = 3;
/// Streams one page keeps open at most; further subscribers read on a timer. Over HTTP/1.1 a
/// browser opens at most six connections to one server for all its tabs together, and each
/// stream holds one: two tabs of a page with three live widgets would leave no connection for
/// any other request.
const MAX_STREAMS_PER_PAGE: u32 = 2;

thread_local! {
    /// The streams this page has open now.
    static OPEN_STREAMS: Cell<u32> = const { Cell::new(0) };
}

/// A listener on the event stream.
type Listener = Closure<dyn FnMut(web_sys::Event)>;

/// A subscription to an event stream; see the module documentation.
#[derive(Debug)]
pub struct LiveUpdates {
    inner: Rc<Inner>,
}

struct Inner {
    on_change: Box<dyn Fn()>,
    source: RefCell<Option<EventSource>>,
    /// The stream's listeners, kept alive while it is open.
    listeners: RefCell<Vec<Listener>>,
    errors: Cell<u32>,
    debounce: Cell<Option<TimeoutHandle>>,
    polling: Cell<Option<IntervalHandle>>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveUpdates")
            .field("errors", &self.errors.get())
            .finish_non_exhaustive()
    }
}

impl LiveUpdates {
    /// Listens for `event` on `url` and calls `on_change` (debounced) on each event.
    pub fn connect(url: &str, event: &str, on_change: impl Fn() + 'static) -> LiveUpdates {
        let inner = Rc::new(Inner {
            on_change: Box::new(on_change),
            source: RefCell::new(None),
            listeners: RefCell::new(Vec::new()),
            errors: Cell::new(0),
            debounce: Cell::new(None),
            polling: Cell::new(None),
        });
        let has_event_source = web_sys::window()
            .is_some_and(|w| js_sys::Reflect::has(&w, &"EventSource".into()).unwrap_or(false));
        let room = OPEN_STREAMS.get() < MAX_STREAMS_PER_PAGE;
        match (has_event_source && room)
            .then(|| EventSource::new(url).ok())
            .flatten()
        {
            Some(source) => listen(&inner, source, event),
            None => start_polling(&inner),
        }
        LiveUpdates { inner }
    }
}

impl Drop for LiveUpdates {
    fn drop(&mut self) {
        close_source(&self.inner);
        if let Some(handle) = self.inner.debounce.take() {
            handle.clear();
        }
        if let Some(handle) = self.inner.polling.take() {
            handle.clear();
        }
    }
}

fn listen(inner: &Rc<Inner>, source: EventSource, event: &str) {
    let weak = Rc::downgrade(inner);
    let on_event = Listener::new(move |_: web_sys::Event| {
        let Some(inner) = weak.upgrade() else { return };
        inner.errors.set(0);
        // The server sends an event only for news (or on connecting, when what changed while
        // the stream was down is unknown): its data, a random token, need not be read.
        schedule_change(&inner);
    });
    let weak = Rc::downgrade(inner);
    let on_open = Listener::new(move |_| {
        if let Some(inner) = weak.upgrade() {
            inner.errors.set(0);
        }
    });
    let weak = Rc::downgrade(inner);
    let on_error = Listener::new(move |_| {
        let Some(inner) = weak.upgrade() else { return };
        let errors = inner.errors.get() + 1;
        inner.errors.set(errors);
        // CLOSED means the browser gave up (a refused or non-stream answer); otherwise it
        // reconnects by itself, which is worth a few tries.
        let closed = inner
            .source
            .borrow()
            .as_ref()
            .is_none_or(|s| s.ready_state() == EventSource::CLOSED);
        if closed || errors >= MAX_ERRORS {
            close_source(&inner);
            start_polling(&inner);
        }
    });
    let _ = source.add_event_listener_with_callback(event, on_event.as_ref().unchecked_ref());
    let _ = source.add_event_listener_with_callback("open", on_open.as_ref().unchecked_ref());
    let _ = source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
    inner.source.replace(Some(source));
    OPEN_STREAMS.set(OPEN_STREAMS.get() + 1);
    inner.listeners.replace(vec![on_event, on_open, on_error]);
}

fn close_source(inner: &Inner) {
    if let Some(source) = inner.source.take() {
        source.close();
        OPEN_STREAMS.set(OPEN_STREAMS.get().saturating_sub(1));
    }
    // Dropping a listener while the stream calls it would be unsound for wasm-bindgen: the
    // stream is closed and no further call comes, but the one running now must finish first.
    let listeners = inner.listeners.take();
    if !listeners.is_empty() {
        let _ = set_timeout_with_handle(move || drop(listeners), Duration::ZERO);
    }
}

fn schedule_change(inner: &Rc<Inner>) {
    if inner.debounce.get().is_some() {
        return;
    }
    let weak: Weak<Inner> = Rc::downgrade(inner);
    let handle = set_timeout_with_handle(
        move || {
            if let Some(inner) = weak.upgrade() {
                inner.debounce.set(None);
                (inner.on_change)();
            }
        },
        DEBOUNCE,
    );
    inner.debounce.set(handle.ok());
}

fn start_polling(inner: &Rc<Inner>) {
    if inner.polling.get().is_some() {
        return;
    }
    let weak = Rc::downgrade(inner);
    let handle = set_interval_with_handle(
        move || {
            if let Some(inner) = weak.upgrade() {
                (inner.on_change)();
            }
        },
        POLL_EVERY,
    );
    inner.polling.set(handle.ok());
}
