//! The lottery's strings in English and Simplified Chinese: an `impl Lang` block of its own, so
//! the widget's messages live beside it (the shared ones — Retry, Closed, Points — are in
//! `crate::i18n`).

use crate::i18n::Lang;

fn pick(lang: Lang, en: &'static str, zh_cn: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::ZhCn => zh_cn,
    }
}

impl Lang {
    pub fn lottery_title(self) -> &'static str {
        pick(self, "Lucky wheel", "幸运大转盘")
    }

    pub fn giveaway_title(self) -> &'static str {
        pick(self, "Giveaway", "抽奖活动")
    }

    /// The spin button: "Spin · 10 points" / "抽奖 · 10 积分".
    pub fn spin_for(self, cost: i64) -> String {
        match self {
            _ if cost <= 0 => pick(self, "Spin", "抽奖").to_owned(),
            Lang::En if cost == 1 => "Spin · 1 point".to_owned(),
            Lang::En => format!("Spin · {cost} points"),
            Lang::ZhCn => format!("抽奖 · {cost} 积分"),
        }
    }

    pub fn spinning(self) -> &'static str {
        pick(self, "Spinning…", "转盘转动中…")
    }

    /// The giveaway's button: "Enter · 10 points" / "参加 · 10 积分".
    pub fn enter_for(self, cost: i64) -> String {
        match self {
            _ if cost <= 0 => pick(self, "Enter", "参加抽奖").to_owned(),
            Lang::En if cost == 1 => "Enter · 1 point".to_owned(),
            Lang::En => format!("Enter · {cost} points"),
            Lang::ZhCn => format!("参加 · {cost} 积分"),
        }
    }

    pub fn entering(self) -> &'static str {
        pick(self, "Entering…", "报名中…")
    }

    pub fn sign_in_to_spin(self) -> &'static str {
        pick(self, "Sign in to spin", "登录后即可抽奖")
    }

    pub fn sign_in_to_enter(self) -> &'static str {
        pick(self, "Sign in to enter", "登录后即可参加")
    }

    pub fn lottery_not_found(self) -> &'static str {
        pick(self, "This lottery does not exist.", "找不到这个抽奖活动。")
    }

    pub fn lottery_not_open_yet(self) -> &'static str {
        pick(self, "This lottery has not opened yet.", "抽奖还没有开始。")
    }

    pub fn lottery_has_closed(self) -> &'static str {
        pick(self, "This lottery has closed.", "抽奖已结束。")
    }

    pub fn no_spins_left_today(self) -> &'static str {
        pick(
            self,
            "No spins left today. Come back tomorrow!",
            "今天的抽奖次数已用完，明天再来吧！",
        )
    }

    pub fn lottery_sold_out(self) -> &'static str {
        pick(self, "All prizes have been won.", "奖品已全部抽完。")
    }

    /// Why the member cannot spin (or enter) for lack of points.
    pub fn not_enough_points_to_spin(self, cost: i64, balance: i64) -> String {
        match self {
            Lang::En => format!("Not enough points: it costs {cost}, you have {balance}."),
            Lang::ZhCn => format!("积分不足：需要 {cost} 积分，你有 {balance} 积分。"),
        }
    }

    /// When a scheduled lottery opens; `when` is a local date and time.
    pub fn opens_at(self, when: &str) -> String {
        match self {
            Lang::En => format!("Opens {when}"),
            Lang::ZhCn => format!("{when} 开始"),
        }
    }

    /// When an open lottery ends.
    pub fn ends_at(self, when: &str) -> String {
        match self {
            Lang::En => format!("Ends {when}"),
            Lang::ZhCn => format!("{when} 结束"),
        }
    }

    pub fn spins_left_today(self) -> &'static str {
        pick(self, "Spins left today", "今日剩余次数")
    }

    /// The terms, for a visitor who is not signed in.
    pub fn spin_terms(self, cost: i64, daily_spins: u32) -> String {
        match self {
            Lang::En if cost <= 0 => format!("Free · {daily_spins} a day"),
            Lang::En => format!("{cost} points a spin · {daily_spins} a day"),
            Lang::ZhCn if cost <= 0 => format!("免费 · 每天 {daily_spins} 次"),
            Lang::ZhCn => format!("每次 {cost} 积分 · 每天 {daily_spins} 次"),
        }
    }

    pub fn prizes(self) -> &'static str {
        pick(self, "Prizes", "奖品")
    }

    /// A prize's stock left: "12 left" / "剩 12 件"; none: "All won" / "已抽完".
    pub fn stock_left(self, stock: u32) -> String {
        match self {
            _ if stock == 0 => pick(self, "All won", "已抽完").to_owned(),
            Lang::En => format!("{stock} left"),
            Lang::ZhCn => format!("剩 {stock} 件"),
        }
    }

    pub fn no_prize(self) -> &'static str {
        pick(self, "No prize", "谢谢参与")
    }

    /// The odds of a list item, for screen readers: "chance 12%".
    pub fn chance(self) -> &'static str {
        pick(self, "chance", "概率")
    }

    pub fn you_won(self, prize: &str) -> String {
        match self {
            Lang::En => format!("You won: {prize}!"),
            Lang::ZhCn => format!("恭喜你抽中：{prize}！"),
        }
    }

    pub fn not_this_time(self) -> &'static str {
        pick(self, "Not this time", "很遗憾，这次没有中奖")
    }

    /// Under the outcome: which spin it was and the balance left.
    pub fn spin_summary(self, spin: u32, points: i64) -> String {
        match self {
            Lang::En => format!("Spin {spin} · {points} points left"),
            Lang::ZhCn => format!("第 {spin} 次抽奖 · 剩余 {points} 积分"),
        }
    }

    pub fn ok(self) -> &'static str {
        pick(self, "OK", "好的")
    }

    pub fn fairness_details(self) -> &'static str {
        pick(self, "Fairness details", "公平性说明")
    }

    pub fn fairness_explained(self) -> &'static str {
        pick(
            self,
            "When the lottery opened, the server fixed a secret seed and published its hash. \
             Every outcome follows from the seed, the member and the spin number; the seed is \
             revealed at close, so anyone can recompute every spin.",
            "抽奖开始时，服务器确定了一个秘密种子并公布其哈希值。每次的结果都由种子、会员和\
             抽奖序号决定；活动结束时公开种子，任何人都可以重新计算每一次结果。",
        )
    }

    pub fn seed_hash_pending(self) -> &'static str {
        pick(
            self,
            "The seed hash is published when the lottery opens.",
            "抽奖开始时公布种子哈希。",
        )
    }

    pub fn seed_hash_label(self) -> &'static str {
        pick(self, "Seed hash (SHA-256)", "种子哈希 (SHA-256)")
    }

    pub fn seed_label(self) -> &'static str {
        pick(self, "Seed (revealed)", "种子（已公开）")
    }

    pub fn proof_label(self) -> &'static str {
        pick(self, "Proof of every spin", "全部抽奖记录的证明")
    }

    pub fn verify_command_intro(self) -> &'static str {
        pick(self, "Check it on your computer:", "在你的电脑上验证：")
    }

    pub fn verify_the_draw(self) -> &'static str {
        pick(self, "Verify the draw", "验证抽奖结果")
    }

    pub fn closed_explained(self) -> &'static str {
        pick(
            self,
            "This lottery has closed. The seed is revealed: every outcome can be checked.",
            "抽奖已结束，种子已公开：每一次结果都可以核验。",
        )
    }

    pub fn entrants(self, n: u64) -> String {
        match self {
            Lang::En if n == 1 => "1 entrant".to_owned(),
            Lang::En => format!("{n} entrants"),
            Lang::ZhCn => format!("{n} 人参加"),
        }
    }

    pub fn entered_giveaway(self) -> &'static str {
        pick(
            self,
            "You're in! Winners are drawn when it closes.",
            "你已参加！活动结束时抽出获奖者。",
        )
    }

    pub fn winners_drawn_at_close(self, winners: u32) -> String {
        match self {
            Lang::En if winners == 1 => "1 winner is drawn at close".to_owned(),
            Lang::En => format!("{winners} winners are drawn at close"),
            Lang::ZhCn => format!("结束时抽出 {winners} 名获奖者"),
        }
    }

    pub fn winners(self) -> &'static str {
        pick(self, "Winners", "获奖者")
    }

    pub fn no_winners(self) -> &'static str {
        pick(
            self,
            "Nobody entered, so no winner was drawn.",
            "没有人参加，未抽出获奖者。",
        )
    }
}
