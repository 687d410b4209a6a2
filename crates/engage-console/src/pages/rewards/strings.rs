//! The rewards pages' strings in en and zh-CN, kept beside them; like `i18n.rs`, each message
//! has both languages side by side.

use engage_core::api::rewards::{RedemptionStatus, RewardKind, RewardStatus};

use super::form::FieldError;
use crate::i18n::Lang;

fn pick(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::ZhCn => zh,
    }
}

macro_rules! strings {
    ($($name:ident => $en:literal, $zh:literal;)*) => {
        impl Lang {
            $(
                pub fn $name(self) -> &'static str {
                    pick(self, $en, $zh)
                }
            )*
        }
    };
}

strings! {
    nav_rewards => "Rewards", "积分兑换";
    rewards_title => "Rewards shop", "积分兑换";
    rewards_intro => "Rewards members trade their points for: items you send, coupon codes given out one per redemption, and streak freezes.", "会员用积分兑换的奖励：由你寄送的实物、每次兑换发放一个的兑换码，以及连签冻结卡。";
    new_reward => "New reward", "新建奖励";
    create_reward => "Create reward", "创建奖励";
    save_reward => "Save changes", "保存修改";
    close_editor => "Close", "关闭";
    rewards_empty => "No rewards yet. Create one to open the shop.", "还没有奖励。创建一个即可开放兑换。";
    reward_name => "Name", "名称";
    reward_description => "Description", "描述";
    kind_label => "Kind", "类型";
    kind_item => "Item (you send it)", "实物（由你发放）";
    kind_code => "Coupon code", "兑换码";
    kind_streak_freeze => "Streak freeze", "连签冻结卡";
    price => "Price (points)", "价格（积分）";
    stock_hint => "Leave empty for unlimited.", "留空表示不限量。";
    stock_is_codes => "A coupon reward's stock is its unused codes.", "兑换码奖励的库存即未使用的兑换码。";
    per_member => "Limit per member", "每人限兑";
    per_member_hint => "Leave empty for no limit.", "留空表示不限。";
    optional_time => "Optional.", "可选。";
    archived => "Hidden from members (archived)", "对会员隐藏（已下架）";
    unlimited => "Unlimited", "不限量";
    no_limit => "No limit", "不限";
    codes_left => "Codes left", "剩余兑换码";
    redeemed_count => "Redeemed", "已兑换";
    points_taken => "Points taken", "消耗积分";
    status_label => "Status", "状态";
    hidden => "Hidden", "已下架";
    upload_codes => "Upload codes", "上传兑换码";
    codes_paste => "Codes, one a line (or the first column of a CSV file)", "兑换码，每行一个（或 CSV 文件的第一列）";
    codes_file => "Or choose a CSV or text file", "或选择 CSV / 文本文件";
    codes_none => "There are no codes to upload.", "没有可上传的兑换码。";
    upload => "Upload", "上传";
    uploading => "Uploading…", "上传中…";
    queue_title => "Fulfilment queue", "发放队列";
    queue_empty => "No redemptions match.", "没有符合条件的兑换记录。";
    all_rewards => "All rewards", "全部奖励";
    any_status => "Any status", "全部状态";
    reward => "Reward", "奖励";
    code => "Code", "兑换码";
    mark_fulfilled => "Mark fulfilled", "标记为已发放";
    cancel_refund => "Cancel and refund", "取消并退还积分";
    keep => "Keep it", "保留";
    yes_cancel => "Yes, cancel and refund", "确认取消并退还";
    redemptions_csv => "Export CSV · Redemptions", "导出 CSV · 兑换记录";
    statistics => "Statistics", "统计";
    fulfilled_done => "Marked fulfilled.", "已标记为已发放。";
    status_filter => "Status", "状态";
}

impl Lang {
    pub fn reward_kind(self, kind: RewardKind) -> &'static str {
        match kind {
            RewardKind::Item => self.kind_item(),
            RewardKind::Code => self.kind_code(),
            RewardKind::StreakFreeze => self.kind_streak_freeze(),
        }
    }

    pub fn reward_status(self, status: RewardStatus) -> &'static str {
        match status {
            RewardStatus::Scheduled => self.scheduled(),
            RewardStatus::Open => self.open(),
            RewardStatus::Closed => self.closed(),
        }
    }

    pub fn redemption_status(self, status: RedemptionStatus) -> &'static str {
        match status {
            RedemptionStatus::Pending => pick(self, "Pending", "待发放"),
            RedemptionStatus::Fulfilled => pick(self, "Fulfilled", "已发放"),
            RedemptionStatus::Cancelled => pick(self, "Cancelled", "已取消"),
        }
    }

    /// What is wrong with a field of the reward form.
    pub fn reward_field_error(self, error: FieldError) -> &'static str {
        match error {
            FieldError::IdRequired => pick(self, "Give the reward an ID.", "请填写奖励 ID。"),
            FieldError::IdInvalid => pick(
                self,
                "The ID may use only a–z, 0–9, “-” and “_”, up to 64 characters.",
                "ID 只能包含 a–z、0–9、“-” 和 “_”，最多 64 个字符。",
            ),
            FieldError::NameRequired => pick(self, "Give the reward a name.", "请填写奖励名称。"),
            FieldError::NameTooLong => pick(
                self,
                "The name is longer than 100 characters.",
                "名称超过 100 个字符。",
            ),
            FieldError::PriceInvalid => pick(
                self,
                "The price must be a whole number of points, at least 1.",
                "价格必须是不小于 1 的整数积分。",
            ),
            FieldError::StockInvalid => pick(
                self,
                "The stock must be a whole number (0 or more), or empty for unlimited.",
                "库存必须是不小于 0 的整数，或留空表示不限量。",
            ),
            FieldError::PerMemberInvalid => pick(
                self,
                "The limit per member must be a whole number, at least 1, or empty.",
                "每人限兑必须是不小于 1 的整数，或留空。",
            ),
            FieldError::TimeInvalid => pick(self, "A time is not valid.", "时间格式不正确。"),
            FieldError::ClosesBeforeOpens => pick(
                self,
                "The reward must close after it opens.",
                "结束时间必须晚于开始时间。",
            ),
            FieldError::ImageUrlInvalid => pick(
                self,
                "The image URL must start with https://, http:// or /.",
                "图片链接必须以 https://、http:// 或 / 开头。",
            ),
        }
    }

    pub fn reward_created(self, name: &str) -> String {
        match self {
            Lang::En => format!("Created “{name}”."),
            Lang::ZhCn => format!("已创建「{name}」。"),
        }
    }

    pub fn reward_saved(self, name: &str) -> String {
        match self {
            Lang::En => format!("Saved “{name}”."),
            Lang::ZhCn => format!("已保存「{name}」。"),
        }
    }

    pub fn codes_uploaded(self, added: u32, duplicates: u32, left: u32) -> String {
        match self {
            Lang::En => {
                let codes = if added == 1 { "code" } else { "codes" };
                format!(
                    "{added} {codes} added, {duplicates} already in the pool; {left} unused now."
                )
            }
            Lang::ZhCn => {
                format!("新增 {added} 个兑换码，{duplicates} 个已存在；现有 {left} 个未使用。")
            }
        }
    }

    /// Codes read from what the owner pasted or chose, before uploading.
    pub fn codes_ready(self, n: usize) -> String {
        match self {
            Lang::En if n == 1 => "1 code ready to upload.".to_owned(),
            Lang::En => format!("{n} codes ready to upload."),
            Lang::ZhCn => format!("{n} 个兑换码待上传。"),
        }
    }

    /// The three counts of a reward's redemptions.
    pub fn redemption_counts(self, pending: u64, fulfilled: u64, cancelled: u64) -> String {
        match self {
            Lang::En => {
                format!("{pending} pending · {fulfilled} fulfilled · {cancelled} cancelled")
            }
            Lang::ZhCn => format!("待发放 {pending} · 已发放 {fulfilled} · 已取消 {cancelled}"),
        }
    }

    pub fn cancel_question(self, price: i64, member: &str) -> String {
        match self {
            Lang::En => format!("Cancel this redemption and refund {price} points to {member}?"),
            Lang::ZhCn => format!("取消这次兑换并向 {member} 退还 {price} 积分？"),
        }
    }

    pub fn cancelled_refunded(self, price: i64) -> String {
        match self {
            Lang::En => format!("Cancelled; {price} points refunded."),
            Lang::ZhCn => format!("已取消，已退还 {price} 积分。"),
        }
    }

    /// The edit form's heading.
    pub fn edit_reward(self, name: &str) -> String {
        match self {
            Lang::En => format!("Edit “{name}”"),
            Lang::ZhCn => format!("编辑「{name}」"),
        }
    }

    /// A button's name for screen readers: the action and the reward.
    pub fn action_on(self, action: &str, name: &str) -> String {
        format!("{action} · {name}")
    }
}
