//! The two languages the widgets ship (English and Simplified Chinese) and every string a member
//! can see or hear in them.
//!
//! Strings live next to each other per message, so a new message cannot be added in one language
//! only without the match below failing to compile.

use engage_core::jiff::civil::{Date, Weekday};

/// A language the widgets are translated into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    ZhCn,
}

impl Lang {
    /// Reads a BCP 47 tag: every `zh*` tag is Simplified Chinese, every `en*` tag English;
    /// anything else is not a language we have.
    pub fn parse(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Lang::ZhCn)
        } else if tag.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language for a widget: its own `lang` attribute, else the page's
    /// `document.documentElement.lang`, else the browser's `navigator.language`, else English.
    pub fn detect(attribute: Option<&str>) -> Lang {
        if let Some(lang) = attribute.and_then(Lang::parse) {
            return lang;
        }
        let Some(window) = web_sys::window() else {
            return Lang::En;
        };
        let page = window
            .document()
            .and_then(|d| d.document_element())
            .and_then(|html| html.get_attribute("lang"));
        page.as_deref()
            .and_then(Lang::parse)
            .or_else(|| {
                window
                    .navigator()
                    .language()
                    .as_deref()
                    .and_then(Lang::parse)
            })
            .unwrap_or_default()
    }

    /// The tag to put in a `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    pub fn checkin_title(self) -> &'static str {
        self.pick("Daily check-in", "每日签到")
    }

    pub fn check_in(self) -> &'static str {
        self.pick("Check in", "签到")
    }

    pub fn checking_in(self) -> &'static str {
        self.pick("Checking in…", "签到中…")
    }

    pub fn checked_in_today(self) -> &'static str {
        self.pick("Checked in today", "今日已签到")
    }

    pub fn current_streak(self) -> &'static str {
        self.pick("Current streak", "连续签到")
    }

    pub fn longest_streak(self) -> &'static str {
        self.pick("Longest streak", "最长连续签到")
    }

    pub fn points_balance(self) -> &'static str {
        self.pick("Points", "积分")
    }

    /// The unit after a number of days in the stats: "day", "days" / "天".
    pub fn day_unit(self, n: u32) -> &'static str {
        match self {
            Lang::En if n == 1 => "day",
            Lang::En => "days",
            Lang::ZhCn => "天",
        }
    }

    pub fn loading(self) -> &'static str {
        self.pick("Loading…", "加载中…")
    }

    pub fn sign_in_to_check_in(self) -> &'static str {
        self.pick("Sign in to check in", "登录后即可签到")
    }

    pub fn sign_in_hint(self) -> &'static str {
        self.pick(
            "Your streak, points and calendar appear here once you are signed in.",
            "登录后，这里会显示你的连续签到天数、积分和签到日历。",
        )
    }

    pub fn retry(self) -> &'static str {
        self.pick("Retry", "重试")
    }

    pub fn offline(self) -> &'static str {
        self.pick(
            "Can't connect. Check your connection and retry.",
            "无法连接，请检查网络后重试。",
        )
    }

    pub fn rate_limited(self, retry_after_seconds: Option<u32>) -> String {
        match (self, retry_after_seconds) {
            (Lang::En, Some(s)) => format!("Too many requests. Try again in {s} seconds."),
            (Lang::En, None) => "Too many requests. Try again in a moment.".to_owned(),
            (Lang::ZhCn, Some(s)) => format!("操作过于频繁，请 {s} 秒后再试。"),
            (Lang::ZhCn, None) => "操作过于频繁，请稍后再试。".to_owned(),
        }
    }

    pub fn session_invalid(self) -> &'static str {
        self.pick(
            "Your sign-in could not be verified. Please sign in again.",
            "登录状态无效，请重新登录。",
        )
    }

    pub fn session_expired(self) -> &'static str {
        self.pick(
            "Your session has expired. Reload the page to sign in again.",
            "登录已过期，请刷新页面重新登录。",
        )
    }

    pub fn insufficient_points(self) -> &'static str {
        self.pick("You don't have enough points for that.", "积分不足。")
    }

    pub fn day_already_checked_in(self) -> &'static str {
        self.pick("That day is already checked in.", "这一天已经签到过了。")
    }

    pub fn makeup_monthly_limit(self) -> &'static str {
        self.pick(
            "You have used all make-ups for this month.",
            "本月补签次数已用完。",
        )
    }

    pub fn makeup_outside_window(self) -> &'static str {
        self.pick(
            "That day is too long ago to make up.",
            "这一天已超出可补签的范围。",
        )
    }

    pub fn checkin_not_set_up(self) -> &'static str {
        self.pick(
            "Check-in is not set up for this site.",
            "此站点尚未开通签到。",
        )
    }

    pub fn unexpected_response(self) -> &'static str {
        self.pick(
            "The server sent an answer we could not read.",
            "服务器返回了无法识别的内容。",
        )
    }

    /// Added to the status line when a write earned badges (their names).
    pub fn new_badges(self, names: &[String]) -> String {
        match self {
            Lang::En if names.len() == 1 => format!("New badge: {}!", names[0]),
            Lang::En => format!("New badges: {}!", names.join(", ")),
            Lang::ZhCn => format!("获得新勋章：{}！", names.join("、")),
        }
    }

    pub fn server_error(self, status: u16) -> String {
        match self {
            Lang::En => format!("Something went wrong (error {status}). Please retry."),
            Lang::ZhCn => format!("出错了（错误 {status}），请重试。"),
        }
    }

    /// Announced after a check-in that awarded points: `base` for the check-in and `bonus`
    /// for reaching a `streak` milestone.
    pub fn checked_in_award(self, base: i64, bonus: i64, streak: u32) -> String {
        match self {
            Lang::En if bonus > 0 => {
                format!("Checked in! +{base} points, +{bonus} for a {streak}-day streak")
            }
            Lang::En => format!("Checked in! +{base} points"),
            Lang::ZhCn if bonus > 0 => {
                format!("签到成功！+{base} 积分，连续 {streak} 天额外 +{bonus} 积分")
            }
            Lang::ZhCn => format!("签到成功！+{base} 积分"),
        }
    }

    pub fn already_checked_in(self) -> &'static str {
        self.pick("Already checked in today", "今天已经签到过了")
    }

    /// The hint under the button: "3 more days in a row for +50 bonus".
    pub fn next_milestone(self, days_left: u32, bonus: i64) -> String {
        match self {
            Lang::En if days_left == 1 => format!("1 more day in a row for +{bonus} bonus"),
            Lang::En => format!("{days_left} more days in a row for +{bonus} bonus"),
            Lang::ZhCn => format!("再连续签到 {days_left} 天，额外奖励 {bonus} 积分"),
        }
    }

    /// The hint under the button while missed days can be made up (the dashed days).
    pub fn makeup_hint(self, cost: i64) -> String {
        match self {
            Lang::En => format!("Make up a dashed day for {cost} points"),
            Lang::ZhCn => format!("点击虚线日期可补签，每次 {cost} 积分"),
        }
    }

    /// The question of the inline make-up confirmation.
    pub fn makeup_question(self, day: Date, cost: i64) -> String {
        match self {
            Lang::En => format!("Make up {} for {cost} points?", self.short_date(day)),
            Lang::ZhCn => format!("用 {cost} 积分补签 {}？", self.short_date(day)),
        }
    }

    /// Why the make-up of `day` cannot be confirmed: the balance is too low.
    pub fn makeup_too_expensive(self, day: Date, cost: i64, balance: i64) -> String {
        match self {
            Lang::En => format!(
                "Making up {} costs {cost} points; you have {balance}.",
                self.short_date(day)
            ),
            Lang::ZhCn => format!(
                "补签 {} 需要 {cost} 积分，你目前有 {balance} 积分。",
                self.short_date(day)
            ),
        }
    }

    pub fn made_up(self, day: Date, spent: i64) -> String {
        match self {
            Lang::En => format!("Made up {} (−{spent} points)", self.short_date(day)),
            Lang::ZhCn => format!("已补签 {}（−{spent} 积分）", self.short_date(day)),
        }
    }

    pub fn confirm(self) -> &'static str {
        self.pick("Confirm", "确认")
    }

    pub fn cancel(self) -> &'static str {
        self.pick("Cancel", "取消")
    }

    /// Closes a make-up notice that cannot be confirmed.
    pub fn close(self) -> &'static str {
        self.pick("Close", "关闭")
    }

    pub fn previous_month(self) -> &'static str {
        self.pick("Previous month", "上个月")
    }

    pub fn next_month(self) -> &'static str {
        self.pick("Next month", "下个月")
    }

    pub fn calendar_label(self) -> &'static str {
        self.pick("Check-in calendar", "签到日历")
    }

    /// The accessible name of a calendar day: "November 18, checked in".
    pub fn day_label(self, day: Date, checked: bool, today: bool, frozen: bool) -> String {
        let mut label = self.long_date_without_weekday(day);
        if today {
            label.push_str(self.pick(", today", "，今天"));
        }
        if checked {
            label.push_str(self.pick(", checked in", "，已签到"));
        }
        if frozen {
            label.push_str(self.pick(", frozen", "，已冻结"));
        }
        label
    }

    /// The streak freezes a member holds, after the date in the check-in's header.
    pub fn freezes_held(self, n: u32) -> String {
        match self {
            Lang::En if n == 1 => "1 streak freeze".to_owned(),
            Lang::En => format!("{n} streak freezes"),
            Lang::ZhCn => format!("冻结卡 {n} 张"),
        }
    }

    /// The accessible name of a day button offered for make-up.
    pub fn makeup_day_label(self, day: Date) -> String {
        match self {
            Lang::En => format!("{}, missed — make up", self.long_date_without_weekday(day)),
            Lang::ZhCn => format!("{}，漏签 — 补签", self.long_date_without_weekday(day)),
        }
    }

    /// The month heading: "November 2026" / "2026年11月".
    pub fn month_title(self, year: i16, month: i8) -> String {
        match self {
            Lang::En => format!("{} {year}", MONTHS_EN[month_index(month)]),
            Lang::ZhCn => format!("{year}年{month}月"),
        }
    }

    /// "Nov 18" / "11月18日".
    pub fn short_date(self, day: Date) -> String {
        match self {
            Lang::En => format!(
                "{} {}",
                &MONTHS_EN[month_index(day.month())][..3],
                day.day()
            ),
            Lang::ZhCn => format!("{}月{}日", day.month(), day.day()),
        }
    }

    /// "November 18, 2026" / "2026年11月18日".
    fn long_date_without_weekday(self, day: Date) -> String {
        match self {
            Lang::En => format!(
                "{} {}, {}",
                MONTHS_EN[month_index(day.month())],
                day.day(),
                day.year()
            ),
            Lang::ZhCn => format!("{}年{}月{}日", day.year(), day.month(), day.day()),
        }
    }

    /// Today's date as the card header shows it: "Friday, November 20, 2026" /
    /// "2026年11月20日 星期五".
    pub fn long_date(self, day: Date) -> String {
        let weekday = weekday_index(day.weekday());
        match self {
            Lang::En => format!(
                "{}, {}",
                WEEKDAYS_EN[weekday],
                self.long_date_without_weekday(day)
            ),
            Lang::ZhCn => format!(
                "{} 星期{}",
                self.long_date_without_weekday(day),
                WEEKDAYS_ZH[weekday]
            ),
        }
    }

    /// The weekday column headers, Monday first: (short text, full name).
    pub fn weekday_headers(self) -> [(&'static str, &'static str); 7] {
        std::array::from_fn(|i| match self {
            Lang::En => (&WEEKDAYS_EN[i][..2], WEEKDAYS_EN[i]),
            Lang::ZhCn => (WEEKDAYS_ZH[i], WEEKDAYS_ZH_FULL[i]),
        })
    }

    // The poll (投票).

    /// The card's accessible name and its small heading.
    pub fn poll_title(self) -> &'static str {
        self.pick("Poll", "投票")
    }

    pub fn vote(self) -> &'static str {
        self.pick("Vote", "投票")
    }

    pub fn voting(self) -> &'static str {
        self.pick("Voting…", "投票中…")
    }

    pub fn change_vote(self) -> &'static str {
        self.pick("Change vote", "修改投票")
    }

    /// The hint of a multiple-choice poll.
    pub fn choose_up_to(self, max: u32) -> String {
        match self {
            Lang::En if max == 1 => "Choose one".to_owned(),
            Lang::En => format!("Choose up to {max}"),
            Lang::ZhCn => format!("最多选择 {max} 项"),
        }
    }

    /// The hint of a multiple-choice poll whose maximum is all of its options.
    pub fn choose_any(self) -> &'static str {
        self.pick("Choose all that apply", "可多选")
    }

    pub fn sign_in_to_vote(self) -> &'static str {
        self.pick("Sign in to vote", "登录后即可投票")
    }

    /// Points a member's first vote earns.
    pub fn vote_to_earn(self, points: i64) -> String {
        match self {
            Lang::En if points == 1 => "Vote to earn 1 point".to_owned(),
            Lang::En => format!("Vote to earn {points} points"),
            Lang::ZhCn => format!("投票可获得 {points} 积分"),
        }
    }

    /// An option's count: "3 votes" / "3 票".
    pub fn votes(self, n: u64) -> String {
        match self {
            Lang::En if n == 1 => "1 vote".to_owned(),
            Lang::En => format!("{n} votes"),
            Lang::ZhCn => format!("{n} 票"),
        }
    }

    /// How many voters voted: "12 voters" / "共 12 人投票".
    pub fn voters(self, n: u64) -> String {
        match self {
            _ if n == 0 => self.pick("No votes yet", "还没有人投票").to_owned(),
            Lang::En if n == 1 => "1 voter".to_owned(),
            Lang::En => format!("{n} voters"),
            Lang::ZhCn => format!("共 {n} 人投票"),
        }
    }

    pub fn results_after_vote(self) -> &'static str {
        self.pick("Results appear after you vote", "投票后即可查看结果")
    }

    pub fn results_after_close(self) -> &'static str {
        self.pick("Results appear after the poll closes", "投票结束后公布结果")
    }

    /// The badge of a closed poll.
    pub fn closed(self) -> &'static str {
        self.pick("Closed", "已结束")
    }

    /// When an open poll closes; `when` is a local date and time.
    pub fn closes_at(self, when: &str) -> String {
        match self {
            Lang::En => format!("Closes {when}"),
            Lang::ZhCn => format!("{when} 截止"),
        }
    }

    /// Marks the member's own choices among the results.
    pub fn your_choice(self) -> &'static str {
        self.pick("Your choice", "你的选择")
    }

    pub fn you_voted(self) -> &'static str {
        self.pick("You voted.", "你已投票。")
    }

    /// The hint of a poll the member voted in and may change their vote in.
    pub fn you_voted_can_change(self) -> &'static str {
        self.pick(
            "You voted. Pick again to change it.",
            "你已投票，重新选择即可修改。",
        )
    }

    pub fn voting_ended(self) -> &'static str {
        self.pick("Voting has ended.", "投票已结束。")
    }

    /// Announced after a vote: thanks, and the points it earned.
    pub fn vote_recorded(self, changed: bool, awarded: i64) -> String {
        let mut text = match (self, changed) {
            (Lang::En, false) => "Thanks for voting!".to_owned(),
            (Lang::En, true) => "Your vote was changed.".to_owned(),
            (Lang::ZhCn, false) => "投票成功！".to_owned(),
            (Lang::ZhCn, true) => "已修改投票。".to_owned(),
        };
        if awarded > 0 {
            text.push_str(&match self {
                Lang::En => format!(" +{awarded} points."),
                Lang::ZhCn => format!("+{awarded} 积分。"),
            });
        }
        text
    }

    /// The results read out after a vote, from each option's label and share of the voters:
    /// " Results: Dark mode 60%; Mobile app 40%". Empty without results.
    pub fn results_read_out(self, results: &[(&str, u64)]) -> String {
        let mut text = String::new();
        for (i, (label, percent)) in results.iter().enumerate() {
            text.push_str(match i {
                0 => self.pick(" Results: ", "结果："),
                _ => self.pick("; ", "；"),
            });
            text.push_str(&format!("{label} {percent}%"));
        }
        text
    }

    pub fn poll_not_found(self) -> &'static str {
        self.pick("This poll could not be found.", "找不到这个投票。")
    }

    pub fn polls_not_set_up(self) -> &'static str {
        self.pick(
            "Polls are not set up for this site.",
            "此站点尚未开通投票。",
        )
    }

    pub fn poll_has_closed(self) -> &'static str {
        self.pick("This poll has closed.", "投票已结束。")
    }

    pub fn already_voted(self) -> &'static str {
        self.pick("You have already voted in this poll.", "你已经投过票了。")
    }

    pub fn ip_limit_reached(self) -> &'static str {
        self.pick(
            "Too many anonymous votes came from your network. Sign in to vote.",
            "你所在网络的匿名投票已达上限，请登录后投票。",
        )
    }

    pub fn visitor_id_blocked(self) -> &'static str {
        self.pick(
            "Your browser blocked anonymous voting. Sign in to vote.",
            "浏览器阻止了匿名投票，请登录后投票。",
        )
    }

    pub fn choices_not_accepted(self) -> &'static str {
        self.pick(
            "The options have changed. Check your choice and vote again.",
            "选项已更新，请检查后重新投票。",
        )
    }

    fn pick(self, en: &'static str, zh_cn: &'static str) -> &'static str {
        match self {
            Lang::En => en,
            Lang::ZhCn => zh_cn,
        }
    }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Monday first, as the calendar is laid out.
const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const WEEKDAYS_ZH: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
const WEEKDAYS_ZH_FULL: [&str; 7] = [
    "星期一",
    "星期二",
    "星期三",
    "星期四",
    "星期五",
    "星期六",
    "星期日",
];

fn month_index(month: i8) -> usize {
    usize::try_from(month.clamp(1, 12) - 1).unwrap_or(0)
}

fn weekday_index(weekday: Weekday) -> usize {
    usize::try_from(weekday.to_monday_zero_offset()).unwrap_or(0)
}
