// TypeScript types for the Engage loader (`/engage.js`), its custom elements and events.

export type EngageLang = 'en' | 'zh-CN';
export type EngageTheme = 'light' | 'dark' | 'auto';
export type EngageWidget = 'checkin' | 'poll' | 'lottery' | 'leaderboard' | 'feedback';

export interface EngageOptions {
  /** Origin of the Engage server; default: the origin that served engage.js. */
  server?: string | null;
  /** Language of widgets without a `lang` attribute; default: the page's language. */
  lang?: EngageLang | string | null;
  /** Theme of widgets without a `theme` attribute; default: `auto`. */
  theme?: EngageTheme | null;
}

export interface EngageApi {
  /** Sets the member token for every widget without its own `member-token` attribute,
   *  including widgets added later. Pass `null` to sign out. */
  identify(token: string | null): void;
  /** Sets page-wide defaults for widgets that lack the attribute. */
  configure(options: EngageOptions): void;
  /** Resolves once the widgets' WebAssembly is loaded. */
  readonly ready: Promise<EngageApi>;
  /** The bundle's content hash. */
  readonly version: string;
}

/** A make-up offer: which missed days can be checked in, and at what cost. */
export interface MakeupOffer {
  window_days: number;
  cost: number;
  /** `YYYY-MM-DD` days, ascending. */
  missed: string[];
  left_this_month: number | null;
}

/** `GET`/`POST /api/v1/sites/{site}/checkin` and the make-up route. */
export interface CheckinState {
  /** Today in the site's time zone, `YYYY-MM-DD`. */
  date: string;
  checked_in: boolean;
  already: boolean;
  streak: number;
  longest_streak: number;
  /** Points awarded by this request. */
  awarded: number;
  /** Balance after this request. */
  points: number;
  /** Check-in days of `month_of`, `YYYY-MM-DD`, ascending. */
  month: string[];
  /** Badge ids newly earned by this request. */
  badges: string[];
  /** `YYYY-MM`. */
  month_of: string;
  total_checkins: number;
  /** Points spent by this request (make-up only). */
  spent: number;
  points_per_checkin: number;
  next_milestone: { day: number; bonus: number } | null;
  makeup: MakeupOffer | null;
}

export interface EngageReadyDetail {
  widget: EngageWidget;
  site: string;
}

export interface EngageErrorDetail {
  widget: EngageWidget;
  /** Stable code: the server's error code (`invalid_token`, `insufficient_points`, …) or
   *  `offline`, `rate_limited`, `bad_response`, `load_failed`. */
  code: string;
  /** A message in the widget's language, safe to show. */
  message: string;
  /** HTTP status, or 0 when no answer arrived. */
  status: number;
}

export interface EngageEventMap {
  'engage:ready': CustomEvent<EngageReadyDetail>;
  'engage:checkin': CustomEvent<CheckinState>;
  'engage:error': CustomEvent<EngageErrorDetail>;
}

/** `<engage-checkin site member-token lang theme server>` */
export interface EngageCheckinElement extends HTMLElement {
  addEventListener<K extends keyof EngageEventMap>(
    type: K,
    listener: (this: EngageCheckinElement, event: EngageEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof EngageEventMap>(
    type: K,
    listener: (this: EngageCheckinElement, event: EngageEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void;
}

declare const Engage: EngageApi;
export default Engage;

declare global {
  interface Window {
    Engage: EngageApi;
  }
  interface HTMLElementTagNameMap {
    'engage-checkin': EngageCheckinElement;
  }
  // The events bubble and are composed, so they also reach document and window listeners.
  interface DocumentEventMap extends EngageEventMap {}
  interface WindowEventMap extends EngageEventMap {}
  interface HTMLElementEventMap extends EngageEventMap {}
}
