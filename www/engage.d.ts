// TypeScript types for the Engage loader (`/engage.js`), its custom elements and events.

export type EngageLang = 'en' | 'zh-CN';
export type EngageTheme = 'light' | 'dark' | 'auto';
export type EngageWidget = 'checkin' | 'poll' | 'lottery' | 'leaderboard' | 'feedback' | 'rewards';

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
  /** Streak freezes the member holds. */
  freezes: number;
  /** Days of `month_of` a freeze covered (they keep the streak), `YYYY-MM-DD`, ascending. */
  frozen: string[];
}

/** One answer of a poll; `votes` only while the caller may see the tally. */
export interface PollOptionView {
  id: string;
  label: string;
  votes?: number;
}

/** `GET /api/v1/sites/{site}/polls/{poll}` and the answer to a vote. */
export interface PollView {
  id: string;
  question: string;
  options: PollOptionView[];
  multiple: boolean;
  max_choices: number;
  /** RFC 3339, or null when the poll has no close time. */
  closes_at: string | null;
  closed: boolean;
  /** The caller's choices, in option order; empty before voting. */
  my_choices: string[];
  /** Voters (not choices), while the tally is visible. */
  total_votes?: number;
  results_visible: boolean;
  results: 'always' | 'after_vote' | 'after_close';
  anonymous: boolean;
  allow_change: boolean;
  points_per_vote: number;
  /** Points the vote awarded (vote answers only). */
  awarded?: number;
  /** The member's balance after the vote (vote answers to members only). */
  points?: number;
}

export interface EngageReadyDetail {
  widget: EngageWidget;
  site: string;
  /** The poll's id, from `<engage-poll>`. */
  poll?: string;
}

/** After a vote was stored (or changed). */
export interface EngageVoteDetail {
  poll: string;
  /** The voter's choices now, in option order. */
  choices: string[];
  /** Points this vote awarded (0 for a changed vote or an anonymous visitor). */
  awarded?: number;
  /** The member's balance afterwards; absent for anonymous visitors. */
  points?: number;
}

/** After feedback was sent (`<engage-feedback>`). */
export interface EngageFeedbackDetail {
  /** The feedback's id on the server. */
  id: number;
  /** Where it is in the owner's triage, as its sender sees it: `new` for fresh feedback. */
  status: 'new' | 'in_progress' | 'done';
  /** Points it earned (a member's first feedback, where the owner awards points). */
  awarded?: number;
  /** The member's balance afterwards; absent for anonymous visitors. */
  points?: number;
}

/** After a spin of a lucky wheel has landed (the server decided it before the wheel turned). */
export interface EngageSpinDetail {
  lottery: string;
  /** The member's spin number in this lottery (1, 2, …). */
  spin: number;
  /** The prize won; `null` for the no-prize slot. */
  prize: { id: string; name: string } | null;
  /** The member's balance afterwards. */
  points: number;
}

/** A redemption in the rewards shop, as its member sees it. */
export interface RedemptionView {
  id: string;
  reward: string;
  name: string;
  status: 'pending' | 'fulfilled' | 'cancelled';
  /** The coupon code of a `code` reward. */
  code?: string;
  price: number;
  at: string | null;
}

/** After a member redeemed a reward (`<engage-rewards>`). */
export interface EngageRedeemDetail {
  /** The reward's id. */
  reward: string;
  redemption: RedemptionView;
  /** The member's balance afterwards. */
  points: number;
}

/** A badge newly earned by a member's write (a check-in, make-up, vote, spin, giveaway entry or
 *  feedback): one event per badge, from the widget whose write earned it. */
export interface EngageBadgeDetail {
  /** The badge's id in the site's rules. */
  badge: string;
  /** Its name (its id where the name could not be read). */
  name: string;
  widget: EngageWidget;
}

export interface EngageErrorDetail {
  widget: EngageWidget;
  /** Stable code: the server's error code (`invalid_token`, `insufficient_points`,
   *  `poll_not_found`, `poll_closed`, `already_voted`, `members_only`, `lottery_closed`,
   *  `daily_limit_reached`, `lottery_sold_out`, …) or `offline`,
   *  `rate_limited`, `bad_response`, `load_failed`. */
  code: string;
  /** A message in the widget's language, safe to show. */
  message: string;
  /** HTTP status, or 0 when no answer arrived. */
  status: number;
}

export interface EngageEventMap {
  'engage:ready': CustomEvent<EngageReadyDetail>;
  'engage:checkin': CustomEvent<CheckinState>;
  'engage:vote': CustomEvent<EngageVoteDetail>;
  'engage:spin': CustomEvent<EngageSpinDetail>;
  'engage:redeem': CustomEvent<EngageRedeemDetail>;
  'engage:feedback': CustomEvent<EngageFeedbackDetail>;
  'engage:badge': CustomEvent<EngageBadgeDetail>;
  'engage:error': CustomEvent<EngageErrorDetail>;
}

/** What every `<engage-*>` element is: its events are typed. */
export interface EngageElement extends HTMLElement {
  addEventListener<K extends keyof EngageEventMap>(
    type: K,
    listener: (this: this, event: EngageEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof EngageEventMap>(
    type: K,
    listener: (this: this, event: EngageEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void;
}

/** `<engage-checkin site member-token lang theme server>` */
export interface EngageCheckinElement extends EngageElement {}

/** `<engage-poll site poll member-token lang theme server>` */
export interface EngagePollElement extends EngageElement {}

/** `<engage-lottery site lottery member-token lang theme server>` */
export interface EngageLotteryElement extends EngageElement {}

/** `<engage-leaderboard site period limit member-token lang theme server>`; `period` is the tab
 *  shown first (`day`, `week` — the default —, `month` or `all`), `limit` the number of top rows
 *  (1 to 100, default 10). */
export interface EngageLeaderboardElement extends EngageElement {}

/** `<engage-feedback site mode member-token lang theme server>`; `mode` is `launcher` (the
 *  default: a button that opens the form) or `inline`. */
export interface EngageFeedbackElement extends EngageElement {}

/** `<engage-rewards site member-token lang theme server>`: the points shop. */
export interface EngageRewardsElement extends EngageElement {}

declare const Engage: EngageApi;
export default Engage;

declare global {
  interface Window {
    Engage: EngageApi;
  }
  interface HTMLElementTagNameMap {
    'engage-checkin': EngageCheckinElement;
    'engage-poll': EngagePollElement;
    'engage-lottery': EngageLotteryElement;
    'engage-leaderboard': EngageLeaderboardElement;
    'engage-feedback': EngageFeedbackElement;
    'engage-rewards': EngageRewardsElement;
  }
  // The events bubble and are composed, so they also reach document and window listeners.
  interface DocumentEventMap extends EngageEventMap {}
  interface WindowEventMap extends EngageEventMap {}
  interface HTMLElementEventMap extends EngageEventMap {}
}
