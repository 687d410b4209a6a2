//! The rewards shop's strings in en and zh-CN, kept beside the widget; like `i18n.rs`, each
//! message has both languages side by side.

use engage_core::api::rewards::RedemptionStatus;

use crate::i18n::Lang;

fn pick(lang: Lang, en: &'static str, zh_cn: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::ZhCn => zh_cn,
    }
}

impl Lang {
    pub fn rewards_title(self) -> &'static str {
        pick(self, "Rewards", "积分兑换")
    }

    pub fn sign_in_to_redeem(self) -> &'static str {
        pick(self, "Sign in to redeem", "登录后即可兑换")
    }

    pub fn rewards_not_set_up(self) -> &'static str {
        pick(
            self,
            "The rewards shop is not open on this site.",
            "此站点尚未开通积分兑换。",
        )
    }

    pub fn rewards_empty(self) -> &'static str {
        pick(
            self,
            "No rewards yet. Check back soon!",
            "暂时还没有可兑换的奖励，敬请期待！",
        )
    }

    pub fn reward_out_of_stock(self) -> &'static str {
        pick(self, "Out of stock", "已兑完")
    }

    pub fn reward_limit_reached(self) -> &'static str {
        pick(
            self,
            "You have redeemed this as often as allowed.",
            "你已达到此奖励的兑换上限。",
        )
    }

    pub fn reward_not_found(self) -> &'static str {
        pick(self, "This reward is no longer offered.", "此奖励已下架。")
    }

    pub fn reward_not_open_now(self) -> &'static str {
        pick(
            self,
            "This reward cannot be redeemed now.",
            "此奖励当前不可兑换。",
        )
    }

    /// The member's balance in the header: "You have 120 points" / "你有 120 积分".
    pub fn you_have_points(self, points: i64) -> String {
        match self {
            Lang::En if points == 1 => "You have 1 point".to_owned(),
            Lang::En => format!("You have {points} points"),
            Lang::ZhCn => format!("你有 {points} 积分"),
        }
    }

    /// A price: "120 points" / "120 积分".
    pub fn price(self, points: i64) -> String {
        match self {
            Lang::En if points == 1 => "1 point".to_owned(),
            Lang::En => format!("{points} points"),
            Lang::ZhCn => format!("{points} 积分"),
        }
    }

    /// Units left of a reward; `None` for unlimited.
    pub fn reward_stock(self, left: Option<u32>) -> String {
        match (self, left) {
            (_, Some(0)) => self.reward_out_of_stock().to_owned(),
            (Lang::En, Some(n)) => format!("{n} left"),
            (Lang::ZhCn, Some(n)) => format!("剩 {n} 件"),
            (_, None) => pick(self, "Unlimited", "不限量").to_owned(),
        }
    }

    pub fn redeem(self) -> &'static str {
        pick(self, "Redeem", "兑换")
    }

    pub fn redeeming(self) -> &'static str {
        pick(self, "Redeeming…", "兑换中…")
    }

    pub fn can_afford(self) -> &'static str {
        pick(self, "You can afford it", "积分足够")
    }

    /// Why a reward cannot be redeemed for lack of points.
    pub fn points_short(self, short: i64) -> String {
        match self {
            Lang::En if short == 1 => "You need 1 more point".to_owned(),
            Lang::En => format!("You need {short} more points"),
            Lang::ZhCn => format!("还差 {short} 积分"),
        }
    }

    /// The confirmation's question.
    pub fn redeem_question(self, name: &str) -> String {
        match self {
            Lang::En => format!("Redeem “{name}”?"),
            Lang::ZhCn => format!("确认兑换「{name}」？"),
        }
    }

    /// What the confirmation says it costs and leaves.
    pub fn redeem_cost(self, price: i64, after: i64) -> String {
        match self {
            Lang::En => format!(
                "It costs {}. Your balance after: {}.",
                self.price(price),
                self.price(after)
            ),
            Lang::ZhCn => format!("需要 {price} 积分，兑换后剩余 {after} 积分。"),
        }
    }

    /// The headline of a successful redemption.
    pub fn redeemed(self, name: &str) -> String {
        match self {
            Lang::En => format!("Redeemed: {name}"),
            Lang::ZhCn => format!("兑换成功：{name}"),
        }
    }

    pub fn your_code(self) -> &'static str {
        pick(self, "Your code", "你的兑换码")
    }

    pub fn redemption_pending(self) -> &'static str {
        pick(
            self,
            "Pending: the site will send it to you.",
            "待发放：站点会尽快发给你。",
        )
    }

    pub fn freeze_added(self) -> &'static str {
        pick(
            self,
            "Streak freeze added: a missed day will not break your streak.",
            "已获得冻结卡：漏签一天不会中断连续签到。",
        )
    }

    /// The balance after a redemption, in the result.
    pub fn balance_now(self, points: i64) -> String {
        match self {
            Lang::En => format!("Your balance: {}.", self.price(points)),
            Lang::ZhCn => format!("当前余额：{points} 积分。"),
        }
    }

    pub fn copy_code(self) -> &'static str {
        pick(self, "Copy code", "复制兑换码")
    }

    pub fn code_copied(self) -> &'static str {
        pick(self, "Copied", "已复制")
    }

    /// Where the clipboard cannot be written: the code is selected instead.
    pub fn code_selected(self) -> &'static str {
        pick(
            self,
            "Selected: press Ctrl+C (⌘C) to copy",
            "已选中，请按 Ctrl+C（⌘C）复制",
        )
    }

    pub fn my_redemptions(self) -> &'static str {
        pick(self, "My redemptions", "我的兑换")
    }

    pub fn no_redemptions(self) -> &'static str {
        pick(
            self,
            "You have not redeemed anything yet.",
            "你还没有兑换过奖励。",
        )
    }

    pub fn redemption_status(self, status: RedemptionStatus) -> &'static str {
        match status {
            RedemptionStatus::Pending => pick(self, "Pending", "待发放"),
            RedemptionStatus::Fulfilled => pick(self, "Fulfilled", "已发放"),
            RedemptionStatus::Cancelled => pick(self, "Cancelled · refunded", "已取消 · 已退还"),
        }
    }

    pub fn rewards_list(self) -> &'static str {
        pick(self, "Rewards", "奖励列表")
    }
}
