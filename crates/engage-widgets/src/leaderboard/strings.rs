//! The leaderboard's strings in en and zh-CN, kept beside the widget; like `i18n.rs`, each
//! message has both languages side by side.

use engage_core::api::leaderboard::Period;

use crate::i18n::Lang;

fn pick(lang: Lang, en: &'static str, zh_cn: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::ZhCn => zh_cn,
    }
}

impl Lang {
    pub fn leaderboard_title(self) -> &'static str {
        pick(self, "Leaderboard", "积分榜")
    }

    /// The name of the tab list.
    pub fn leaderboard_periods(self) -> &'static str {
        pick(self, "Period", "时间范围")
    }

    /// A period's tab.
    pub fn period_name(self, period: Period) -> &'static str {
        match period {
            Period::Day => pick(self, "Today", "今日"),
            Period::Week => pick(self, "Week", "本周"),
            Period::Month => pick(self, "Month", "本月"),
            Period::All => pick(self, "All time", "总榜"),
        }
    }

    /// What an empty period says.
    pub fn leaderboard_empty(self, period: Period) -> &'static str {
        match period {
            Period::Day => pick(
                self,
                "No points yet today — be the first!",
                "今天还没有人获得积分，快来拔得头筹！",
            ),
            Period::Week => pick(
                self,
                "No points yet this week — be the first!",
                "本周还没有人获得积分，快来拔得头筹！",
            ),
            Period::Month => pick(
                self,
                "No points yet this month — be the first!",
                "本月还没有人获得积分，快来拔得头筹！",
            ),
            Period::All => pick(
                self,
                "No points yet — be the first!",
                "还没有人获得积分，快来拔得头筹！",
            ),
        }
    }

    pub fn leaderboard_not_available(self) -> &'static str {
        pick(
            self,
            "The leaderboard is not available on this site.",
            "本站尚未开启积分榜。",
        )
    }

    pub fn sign_in_to_see_rank(self) -> &'static str {
        pick(self, "Sign in to see your rank", "登录后查看你的排名")
    }

    pub fn sign_in_to_see_rank_hint(self) -> &'static str {
        pick(
            self,
            "Your points, level and badges appear here once you are signed in.",
            "登录后，这里会显示你的积分、等级和勋章。",
        )
    }

    /// The viewing member's own row, when their name is not known yet.
    pub fn you(self) -> &'static str {
        pick(self, "You", "你")
    }

    /// Read before a row's rank: "Rank 2" / "第 2 名".
    pub fn rank_label(self, rank: u32) -> String {
        match self {
            Lang::En => format!("Rank {rank}"),
            Lang::ZhCn => format!("第 {rank} 名"),
        }
    }

    /// Read after the member's own row.
    pub fn your_rank(self) -> &'static str {
        pick(self, "(you)", "（你）")
    }

    /// The column headings, for the eye (each row says them to screen readers).
    pub fn rank_heading(self) -> &'static str {
        pick(self, "Rank", "排名")
    }

    pub fn member_heading(self) -> &'static str {
        pick(self, "Member", "成员")
    }

    pub fn badges_heading(self) -> &'static str {
        pick(self, "Badges", "勋章")
    }

    /// Points earned in the shown period, in a row.
    pub fn period_points(self, points: i64) -> String {
        match self {
            Lang::En => format!("{points} pts"),
            Lang::ZhCn => format!("{points} 分"),
        }
    }

    /// A row's badge count, for screen readers.
    pub fn badge_count(self, n: usize) -> String {
        match self {
            Lang::En if n == 1 => "1 badge".to_owned(),
            Lang::En => format!("{n} badges"),
            Lang::ZhCn => format!("{n} 枚勋章"),
        }
    }

    /// The rows between the top and the member's neighbours, for screen readers.
    pub fn more_ranks(self) -> &'static str {
        pick(self, "More ranks", "更多名次")
    }

    /// The member's own card: "Level 2 · Regular" / "等级 2 · 活跃成员".
    pub fn level_line(self, level: u32, title: &str) -> String {
        match self {
            Lang::En => format!("Level {level} · {title}"),
            Lang::ZhCn => format!("等级 {level} · {title}"),
        }
    }

    /// The member's balance on their own card.
    pub fn balance(self, points: i64) -> String {
        match self {
            Lang::En => format!("{points} points"),
            Lang::ZhCn => format!("{points} 积分"),
        }
    }

    /// Under the progress bar: how far the next level is.
    pub fn to_next_level(self, missing: i64, level: u32, title: &str) -> String {
        match self {
            Lang::En => format!("{missing} more points to Level {level} · {title}"),
            Lang::ZhCn => format!("再得 {missing} 积分升至等级 {level} · {title}"),
        }
    }

    pub fn top_level_reached(self) -> &'static str {
        pick(self, "Top level reached", "已达最高等级")
    }

    /// The heading of the badges earned on the member's own card.
    pub fn badges_earned(self) -> &'static str {
        pick(self, "Badges", "勋章")
    }

    /// The heading of the badges still to earn.
    pub fn badges_to_earn(self) -> &'static str {
        pick(self, "To earn", "待解锁")
    }

    pub fn no_badges_yet(self) -> &'static str {
        pick(self, "None yet", "暂无")
    }
}
