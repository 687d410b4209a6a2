// Engage loader: defines the <engage-*> custom elements and window.Engage, and loads the
// widgets' WebAssembly once per page, however many widgets the page holds.
//
// Plain ES module, no build step. The xtask that builds the bundle stamps VERSION below with a
// content hash, so the bundle URLs change whenever the wasm does.
//
// Works under a strict Content-Security-Policy (script-src 'self' 'wasm-unsafe-eval';
// style-src 'self'): no inline styles or scripts, styles go in as constructed stylesheets.

const VERSION = '__ENGAGE_VERSION__';
// The attributes every widget observes; page-wide defaults apply to these.
const ATTRIBUTES = ['site', 'member-token', 'lang', 'theme', 'server'];

// Each element: the widget the bundle mounts (by name, through its one `mount` export), the
// attributes only it observes, and the height its card has once loaded, reserved before the
// wasm arrives (a poll of four options; a page can reserve more with CSS on the element).
const WIDGETS = {
  'engage-checkin': { widget: 'checkin', attributes: [], minHeight: '588px' },
  'engage-poll': { widget: 'poll', attributes: ['poll'], minHeight: '456px' },
  'engage-lottery': { widget: 'lottery', attributes: ['lottery'], minHeight: '640px' },
  // Ten rows (the default limit) and the member's card.
  'engage-leaderboard': { widget: 'leaderboard', attributes: ['period', 'limit'], minHeight: '718px' },
  // Three rewards and the member's redemptions, closed.
  'engage-rewards': { widget: 'rewards', attributes: [], minHeight: '520px' },
  // The launcher button by default; the whole form with mode="inline".
  'engage-feedback': {
    widget: 'feedback', attributes: ['mode'], minHeight: '40px',
    extraCss: ':host([mode="inline"]){min-height:528px}',
  },
};

// Page-wide defaults, keyed by attribute name: Engage.configure() and Engage.identify() set
// them; an element's own attribute always wins.
const defaults = {
  server: new URL(import.meta.url).origin,
  lang: null,
  theme: null,
  'member-token': null,
};

const connected = new Set();
let loading = null;

function loadWasm() {
  loading ??= import(`./pkg/engage_widgets.js?v=${VERSION}`).then(async (module) => {
    await module.default({
      module_or_path: new URL(`./pkg/engage_widgets_bg.wasm?v=${VERSION}`, import.meta.url),
    });
    return module;
  });
  return loading;
}

function reserveSheet(minHeight, extraCss = '') {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(
      `:host{all:initial;display:block;min-height:${minHeight};max-width:420px}` +
        `:host([hidden]){display:none}` +
        `.engage-load-error{margin:0;padding:16px;font:14px/20px system-ui,sans-serif}` +
        extraCss,
    );
    return sheet;
  } catch {
    return null;
  }
}

function dispatch(target, name, detail) {
  target.dispatchEvent(new CustomEvent(`engage:${name}`, { bubbles: true, composed: true, detail }));
}

function defineWidget(tag, { widget, attributes, minHeight, extraCss }) {
  if (customElements.get(tag)) return;
  const sheet = reserveSheet(minHeight, extraCss);

  class EngageWidgetElement extends HTMLElement {
    static observedAttributes = [...ATTRIBUTES, ...attributes];
    #handle = null;
    // Bumped on every connect and disconnect, so a wasm load that finishes after the element
    // was removed (or removed and re-added) does not mount twice or into a detached element.
    #generation = 0;

    constructor() {
      super();
      const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
      if (sheet) root.adoptedStyleSheets = [sheet];
    }

    connectedCallback() {
      connected.add(this);
      const generation = ++this.#generation;
      loadWasm().then(
        (module) => {
          if (generation !== this.#generation || !this.isConnected || this.#handle) return;
          this.shadowRoot.querySelector('.engage-load-error')?.remove();
          this.#handle = module.mount(widget, this, this.shadowRoot, { ...defaults });
        },
        (error) => {
          if (generation !== this.#generation) return;
          loading = null; // let a later connect try again
          if (!this.shadowRoot.querySelector('.engage-load-error')) {
            const p = document.createElement('p');
            p.className = 'engage-load-error';
            p.setAttribute('role', 'alert');
            p.textContent = 'Engage could not load. / Engage 加载失败。';
            this.shadowRoot.append(p);
          }
          dispatch(this, 'error', { widget, code: 'load_failed', message: String(error), status: 0 });
        },
      );
    }

    disconnectedCallback() {
      connected.delete(this);
      this.#generation++;
      const handle = this.#handle;
      this.#handle = null;
      if (handle) {
        handle.unmount();
        handle.free();
      }
    }

    attributeChangedCallback(name) {
      this.#handle?.set_attribute(name, this.#effective(name));
    }

    // Re-sends every attribute's effective value, after the page-wide defaults changed.
    engageSync() {
      if (!this.#handle) return;
      for (const name of ATTRIBUTES) this.#handle.set_attribute(name, this.#effective(name));
    }

    #effective(name) {
      return this.getAttribute(name) ?? defaults[name] ?? null;
    }
  }

  customElements.define(tag, EngageWidgetElement);
}

function syncAll() {
  for (const element of connected) element.engageSync();
}

// A page may call Engage before this module has run, through a stub that queues its calls:
//   window.Engage = window.Engage || { q: [], identify(t) { this.q.push(["identify", t]); },
//                                      configure(o) { this.q.push(["configure", o]); } };
// The queue is replayed below. A second copy of this loader keeps the first one's Engage.
const queued = Array.isArray(window.Engage?.q) ? window.Engage.q : null;
const loaded = queued ? null : window.Engage;

const Engage = loaded ?? {
  /** Sets the member token for every widget without its own member-token attribute. */
  identify(token) {
    defaults['member-token'] = token || null;
    syncAll();
  },
  /** Sets page-wide defaults for widgets that lack the attribute. */
  configure(options = {}) {
    for (const key of ['server', 'lang', 'theme']) {
      if (key in options) defaults[key] = options[key] ?? (key === 'server' ? new URL(import.meta.url).origin : null);
    }
    syncAll();
  },
  /** Resolves once the widgets' wasm is loaded (it starts loading if nothing asked yet). */
  get ready() {
    return loadWasm().then(() => Engage);
  },
  version: VERSION,
};

if (!loaded) {
  window.Engage = Engage;
  for (const [tag, definition] of Object.entries(WIDGETS)) defineWidget(tag, definition);
  for (const [method, argument] of queued ?? []) {
    if (method === 'identify' || method === 'configure') Engage[method](argument);
  }
}

export default Engage;
