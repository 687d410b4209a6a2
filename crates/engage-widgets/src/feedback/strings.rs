//! The feedback widget's strings in en and zh-CN, kept beside the widget; like `i18n.rs`, each
//! message has both languages side by side.

use engage_core::api::feedback::FeedbackStatus;

use crate::i18n::Lang;

fn pick(lang: Lang, en: &'static str, zh_cn: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::ZhCn => zh_cn,
    }
}

impl Lang {
    pub fn feedback_title(self) -> &'static str {
        pick(self, "Feedback", "意见反馈")
    }

    /// The launcher button that opens the panel.
    pub fn feedback_launcher(self) -> &'static str {
        pick(self, "Feedback", "反馈")
    }

    pub fn feedback_not_set_up(self) -> &'static str {
        pick(
            self,
            "Feedback is not set up on this site.",
            "本站尚未开启反馈。",
        )
    }

    pub fn sign_in_to_send_feedback(self) -> &'static str {
        pick(self, "Sign in to send feedback", "登录后即可发送反馈")
    }

    pub fn feedback_sign_in_hint(self) -> &'static str {
        pick(
            self,
            "This site takes feedback from signed-in members.",
            "本站只接受已登录成员的反馈。",
        )
    }

    /// A 422 answer: the server's message names the field (in English).
    pub fn feedback_not_accepted(self, message: &str) -> String {
        match self {
            Lang::En => format!("Your feedback was not accepted: {message}"),
            Lang::ZhCn => format!("反馈未被接受：{message}"),
        }
    }

    pub fn feedback_too_large(self) -> &'static str {
        pick(
            self,
            "Your feedback is too long to send.",
            "反馈内容过长，无法发送。",
        )
    }

    pub fn your_rating(self) -> &'static str {
        pick(self, "Your rating (optional)", "评分（可选）")
    }

    /// The name of the `n`th star's radio button.
    pub fn stars(self, n: u8) -> String {
        match (self, n) {
            (Lang::En, 1) => "1 star".to_owned(),
            (Lang::En, n) => format!("{n} stars"),
            (Lang::ZhCn, n) => format!("{n} 星"),
        }
    }

    pub fn nps_question(self) -> &'static str {
        pick(
            self,
            "How likely are you to recommend us? (optional)",
            "你有多大可能向朋友推荐我们？（可选）",
        )
    }

    pub fn not_likely(self) -> &'static str {
        pick(self, "0 · Not likely", "0 · 不太可能")
    }

    pub fn very_likely(self) -> &'static str {
        pick(self, "Very likely · 10", "非常可能 · 10")
    }

    pub fn feedback_category(self) -> &'static str {
        pick(self, "Category (optional)", "类别（可选）")
    }

    pub fn choose_category(self) -> &'static str {
        pick(self, "Choose…", "请选择…")
    }

    pub fn your_message(self) -> &'static str {
        pick(self, "Your message", "你的反馈")
    }

    pub fn feedback_contact(self) -> &'static str {
        pick(
            self,
            "Email or handle, if you'd like an answer (optional)",
            "联系方式（可选，方便我们回复你）",
        )
    }

    /// The live count under the text: "123 / 2000", and by how much it is over the limit.
    pub fn characters_count(self, count: usize, max: usize) -> String {
        let over = count.saturating_sub(max);
        match (self, over) {
            (_, 0) => format!("{count} / {max}"),
            (Lang::En, over) => format!("{count} / {max} · {over} too many"),
            (Lang::ZhCn, over) => format!("{count} / {max} · 超出 {over} 字"),
        }
    }

    pub fn send_feedback(self) -> &'static str {
        pick(self, "Send feedback", "发送反馈")
    }

    pub fn sending_feedback(self) -> &'static str {
        pick(self, "Sending…", "发送中…")
    }

    pub fn first_feedback_earns(self, points: i64) -> String {
        match self {
            Lang::En => format!("Your first feedback earns {points} points"),
            Lang::ZhCn => format!("首次反馈可获得 {points} 积分"),
        }
    }

    pub fn draft_kept(self) -> &'static str {
        pick(
            self,
            "Your message is kept on this device.",
            "你写的内容已保存在本设备上。",
        )
    }

    pub fn feedback_thanks(self) -> &'static str {
        pick(
            self,
            "Thanks! We read every message.",
            "谢谢！每条反馈我们都会认真阅读。",
        )
    }

    pub fn points_earned(self, points: i64) -> String {
        match self {
            Lang::En => format!("+{points} points"),
            Lang::ZhCn => format!("+{points} 积分"),
        }
    }

    pub fn send_more_feedback(self) -> &'static str {
        pick(self, "Send more feedback", "再写一条")
    }

    pub fn your_feedback(self) -> &'static str {
        pick(self, "Your feedback", "我的反馈")
    }

    pub fn write_feedback(self) -> &'static str {
        pick(self, "Write feedback", "写反馈")
    }

    pub fn no_feedback_yet(self) -> &'static str {
        pick(
            self,
            "You haven't sent any feedback yet.",
            "你还没有发送过反馈。",
        )
    }

    /// Where a piece of feedback is, as its sender sees it.
    pub fn feedback_status(self, status: FeedbackStatus) -> &'static str {
        match status.as_seen_by_sender() {
            FeedbackStatus::InProgress => pick(self, "In progress", "处理中"),
            FeedbackStatus::Done => pick(self, "Done", "已完成"),
            FeedbackStatus::New | FeedbackStatus::Spam => pick(self, "New", "待处理"),
        }
    }

    pub fn reply_from_team(self) -> &'static str {
        pick(self, "Reply from the team", "官方回复")
    }

    pub fn rated_stars(self, n: u8) -> String {
        match self {
            Lang::En => format!("Rated {n} of 5 stars"),
            Lang::ZhCn => format!("评分 {n}/5 星"),
        }
    }

    pub fn nps_given(self, n: u8) -> String {
        match self {
            Lang::En => format!("Score {n} of 10"),
            Lang::ZhCn => format!("推荐度 {n}/10"),
        }
    }
}
