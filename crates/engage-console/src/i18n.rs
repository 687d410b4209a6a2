//! The console's two languages (English and Simplified Chinese) and every string it shows.
//!
//! Each message is one line of the `strings!` table with both languages side by side, so a
//! message cannot exist in one language only. Messages with numbers or names in them are
//! functions below the table.

/// A language the console is translated into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    ZhCn,
}

impl Lang {
    /// Reads a BCP 47 tag: every `zh*` tag is Simplified Chinese, every `en*` tag English.
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

    /// The browser's language (`navigator.languages`, first one we have), else English.
    pub fn from_browser() -> Lang {
        let Some(window) = web_sys::window() else {
            return Lang::En;
        };
        let navigator = window.navigator();
        navigator
            .languages()
            .iter()
            .filter_map(|tag| tag.as_string())
            .chain(navigator.language())
            .find_map(|tag| Lang::parse(&tag))
            .unwrap_or_default()
    }

    /// The tag for `lang` attributes and for the server.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The owner's saved choice, as the server keeps it.
    pub fn from_server(lang: engage_core::api::console::ConsoleLang) -> Lang {
        match lang {
            engage_core::api::console::ConsoleLang::En => Lang::En,
            engage_core::api::console::ConsoleLang::ZhCn => Lang::ZhCn,
        }
    }

    /// The language as the server keeps an owner's choice.
    pub fn for_server(self) -> engage_core::api::console::ConsoleLang {
        match self {
            Lang::En => engage_core::api::console::ConsoleLang::En,
            Lang::ZhCn => engage_core::api::console::ConsoleLang::ZhCn,
        }
    }

    /// The language's own name, for the switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhCn => "简体中文",
        }
    }

    fn pick(self, en: &'static str, zh: &'static str) -> &'static str {
        match self {
            Lang::En => en,
            Lang::ZhCn => zh,
        }
    }
}

/// The console's colour theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Theme {
    Light,
    Dark,
    /// Follows `prefers-color-scheme`.
    #[default]
    Auto,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::Auto, Theme::Light, Theme::Dark];

    pub fn parse(text: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Auto => "auto",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Theme::Light => lang.theme_light(),
            Theme::Dark => lang.theme_dark(),
            Theme::Auto => lang.theme_auto(),
        }
    }
}

macro_rules! strings {
    ($($name:ident => $en:literal, $zh:literal;)*) => {
        impl Lang {
            $(
                #[doc = $en]
                pub fn $name(self) -> &'static str {
                    self.pick($en, $zh)
                }
            )*
        }
    };
}

strings! {
    // The frame.
    console_title => "Engage console", "Engage 控制台";
    skip_to_content => "Skip to content", "跳到正文";
    navigation => "Navigation", "导航";
    nav_sites => "Sites", "站点";
    nav_rules => "Rules", "规则";
    nav_polls => "Polls", "投票";
    nav_lotteries => "Lotteries", "抽奖";
    nav_feedback => "Feedback", "反馈";
    nav_members => "Members", "会员";
    nav_webhooks => "Webhooks", "Webhook";
    nav_audit => "Audit", "审计日志";
    nav_export => "Export", "导出";
    nav_analytics => "Analytics", "数据分析";
    site_switcher => "Site", "站点";
    no_site => "No site yet", "还没有站点";
    language => "Language", "语言";
    theme => "Theme", "主题";
    theme_light => "Light", "浅色";
    theme_dark => "Dark", "深色";
    theme_auto => "Auto", "跟随系统";
    sign_out => "Sign out", "退出登录";
    signed_in_as => "Signed in as", "当前登录";
    loading => "Loading…", "加载中…";
    retry => "Retry", "重试";
    refresh => "Refresh", "刷新";
    offline => "The server could not be reached. Check your connection and try again.", "无法连接服务器，请检查网络后重试。";
    unexpected_response => "The server sent an answer the console does not understand.", "服务器返回了无法识别的内容。";
    not_found => "Not found.", "未找到。";
    forbidden => "You have no access to this site.", "你没有此站点的权限。";
    origin_refused => "The request was refused because it did not come from this console's address.", "请求来源与控制台地址不符，已被拒绝。";
    page_not_found => "There is no such page.", "没有这个页面。";
    back_to_sites => "Back to sites", "返回站点列表";
    save => "Save", "保存";
    saving => "Saving…", "保存中…";
    saved => "Saved.", "已保存。";
    cancel => "Cancel", "取消";
    copy => "Copy", "复制";
    copied => "Copied", "已复制";
    copy_failed => "Copy failed: select the text and copy it by hand.", "复制失败：请手动选中文本复制。";
    load_more => "Load more", "加载更多";
    yes => "Yes", "是";
    no => "No", "否";
    any => "Any", "全部";
    never => "Never", "从不";
    none => "None", "无";
    remove => "Remove", "删除";
    created => "Created", "创建时间";
    actions => "Actions", "操作";
    details => "Details", "详情";
    shown_once => "Shown this once: copy it now and keep it on your backend.", "只显示这一次：请立即复制并保存在你的后端。";

    // Sign-in and setup.
    sign_in_title => "Sign in to Engage", "登录 Engage";
    sign_in_intro => "Run your community: sites, rules, polls, lotteries, feedback and members.", "管理你的社区：站点、规则、投票、抽奖、反馈和会员。";
    email => "Email", "邮箱";
    password => "Password", "密码";
    sign_in => "Sign in", "登录";
    signing_in => "Signing in…", "登录中…";
    invalid_credentials => "The email or password is wrong.", "邮箱或密码不正确。";
    setup_title => "Set up Engage", "初始化 Engage";
    setup_intro => "Create the first owner account. It can create sites and invite other owners.", "创建第一个管理员账号，它可以创建站点并添加其他站点主。";
    repeat_password => "Repeat password", "再次输入密码";
    passwords_differ => "The two passwords differ.", "两次输入的密码不一致。";
    password_too_short => "Use at least 12 characters.", "密码至少需要 12 个字符。";
    create_account => "Create account", "创建账号";
    setup_no_token => "This setup link has no token. Use the link the server printed when it started.", "此初始化链接缺少令牌，请使用服务器启动时输出的链接。";
    setup_token_invalid => "This setup link is used up or has expired. Restart the server for a new one, or add an owner with `engage-server owner add`.", "此初始化链接已使用或已过期。请重启服务器获取新链接，或用 `engage-server owner add` 添加账号。";

    // Sites.
    sites_title => "Sites", "站点";
    sites_intro => "Each site is one community: its members, points and widgets.", "每个站点就是一个社区：有自己的会员、积分和组件。";
    sites_empty => "No sites yet.", "还没有站点。";
    sites_empty_owner => "No site has been granted to you yet. Ask an admin to add you to one.", "还没有分配给你的站点，请联系管理员。";
    new_site => "New site", "新建站点";
    create_site => "Create site", "创建站点";
    creating => "Creating…", "创建中…";
    site_id => "Site id", "站点 ID";
    site_id_hint => "Lowercase letters, digits and dashes; used in every snippet.", "小写字母、数字和连字符，会出现在嵌入代码中。";
    site_name => "Name", "名称";
    time_zone => "Time zone", "时区";
    time_zone_hint => "Days, streaks and leaderboards follow this zone.", "日期、连续签到和排行榜都按这个时区计算。";
    origins => "Allowed origins", "允许的来源";
    origins_hint => "One per line, such as https://www.example.com: the pages that may embed the widgets.", "每行一个，例如 https://www.example.com：允许嵌入组件的网页来源。";
    site_created => "Site created", "站点已创建";
    member_token_secret => "Member-token secret", "会员令牌密钥";
    api_key => "API key", "API 密钥";
    open_site => "Open", "打开";
    settings => "Settings", "设置";
    secrets => "Secret and API key", "密钥与 API 密钥";
    secrets_intro => "Rotate a leaked or old value. The previous one keeps working during the overlap, so your backend can switch without downtime.", "泄露或过旧时请轮换。在过渡期内旧值仍然有效，后端可以无缝切换。";
    overlap => "Overlap", "过渡期";
    overlap_none => "None (stop the old one now)", "无（立即停用旧值）";
    overlap_hour => "1 hour", "1 小时";
    overlap_day => "24 hours", "24 小时";
    overlap_week => "7 days", "7 天";
    rotate_secret => "Rotate secret", "轮换密钥";
    rotate_api_key => "Rotate API key", "轮换 API 密钥";
    rotating => "Rotating…", "轮换中…";
    new_secret => "New member-token secret", "新的会员令牌密钥";
    new_api_key => "New API key", "新的 API 密钥";
    previous_stops_now => "The previous value no longer works.", "旧值已停用。";

    // The embed builder.
    embed_title => "Embed a widget", "嵌入组件";
    embed_intro => "Pick a widget and its options, try it in the preview, then copy the snippet into your pages.", "选择组件和选项，在预览中试用，然后把代码复制到你的网页中。";
    widget => "Widget", "组件";
    widget_checkin => "Daily check-in", "每日签到";
    widget_poll => "Poll", "投票";
    widget_lottery => "Lottery", "抽奖";
    widget_feedback => "Feedback", "反馈";
    widget_leaderboard => "Leaderboard", "积分榜";
    poll_id => "Poll id", "投票 ID";
    lottery_id => "Lottery id", "抽奖 ID";
    feedback_mode => "Mode", "显示方式";
    feedback_launcher => "Launcher button", "浮动按钮";
    feedback_inline => "Inline form", "内嵌表单";
    period => "Period", "周期";
    period_day => "Today", "今日";
    period_week => "This week", "本周";
    period_month => "This month", "本月";
    period_all => "All time", "总榜";
    rows => "Rows", "行数";
    widget_lang => "Widget language", "组件语言";
    lang_page => "The page's", "跟随页面";
    embed_as => "Embed as", "嵌入方式";
    custom_element => "Custom element (script tag)", "自定义元素（script 标签）";
    iframe => "Iframe", "Iframe";
    snippet => "Snippet", "代码";
    copy_snippet => "Copy snippet", "复制代码";
    preview => "Preview", "预览";
    preview_note => "The preview shows the widget as a signed-out visitor sees it, loaded from this server's /engage.js.", "预览以未登录访客的视角显示组件，加载自本服务器的 /engage.js。";
    iframe_preview_note => "An iframe shows the same widget; only the site's allowed origins may frame it, so the preview shows the element.", "iframe 显示的是同一个组件；只有站点允许的来源才能嵌入 iframe，所以这里预览的是自定义元素。";
    token_recipe => "Member token", "会员令牌";
    token_recipe_intro => "Your backend signs a short-lived token for the signed-in member with the site's secret and puts it on the element (member-token) or calls Engage.identify(token).", "由你的后端用站点密钥为已登录会员签发短期令牌，放在元素的 member-token 属性上，或调用 Engage.identify(token)。";
    backend_language => "Backend language", "后端语言";
    copy_recipe => "Copy code", "复制代码";

    // Rules.
    rules_title => "Rules", "规则";
    rules_intro => "Points, check-ins, levels, badges and feedback settings, as one TOML or JSON document. Checked as you type with the server's own parser.", "积分、签到、等级、勋章和反馈设置都在这一份 TOML 或 JSON 文档里。输入时即用服务器同款解析器校验。";
    rules_document => "Rules document", "规则文档";
    format => "Format", "格式";
    rules_valid => "Valid: ready to install.", "校验通过，可以安装。";
    rules_defaults => "This site runs on the default rules.", "此站点正在使用默认规则。";
    install => "Install", "安装";
    installing => "Installing…", "安装中…";
    go_to_line => "Go to the line", "跳到该行";
    levels => "Levels", "等级";
    min_points => "From points", "起始积分";
    title => "Title", "头衔";
    badges => "Badges", "勋章";
    no_badges => "No badges defined.", "未定义勋章。";
    checkin_points => "Points per check-in", "每次签到积分";
    milestones => "Streak bonuses", "连续签到奖励";
    makeup => "Make-up check-ins", "补签";
    enabled => "On", "开启";
    disabled => "Off", "关闭";
    preview_of_rules => "What members get", "会员能得到什么";
    preview_stale => "Showing the last valid document.", "显示的是最后一次有效的文档。";
    history => "Version history", "历史版本";
    history_empty => "No version installed yet.", "还没有安装过版本。";
    version => "Version", "版本";
    installed_at => "Installed", "安装时间";
    installed_by => "By", "操作人";
    compare => "Compare with the editor", "与编辑器对比";
    load_into_editor => "Load into the editor", "载入编辑器";
    diff_title => "Changes", "改动";
    diff_same => "The editor holds exactly this version.", "编辑器内容与此版本完全相同。";
    removed_line => "removed", "删除";
    added_line => "added", "新增";

    // Polls.
    polls_title => "Polls", "投票";
    polls_empty => "No polls yet. Create one and embed it with the poll widget.", "还没有投票。创建一个，用投票组件嵌入网页。";
    new_poll => "New poll", "新建投票";
    create_poll => "Create poll", "创建投票";
    question => "Question", "问题";
    options => "Options", "选项";
    option_id => "Option id", "选项 ID";
    option_label => "Label", "文字";
    add_option => "Add option", "添加选项";
    multiple_choice => "Multiple choice", "多选";
    max_choices => "At most", "最多可选";
    closes_at => "Closes", "截止时间";
    closes_at_hint => "In your browser's time zone; leave empty for no close time.", "按浏览器所在时区；留空表示不截止。";
    results_visibility => "Results visible", "结果可见";
    results_always => "Always", "始终可见";
    results_after_vote => "After voting", "投票后可见";
    results_after_close => "After closing", "截止后可见";
    anonymous_votes => "Visitors without an account may vote", "未登录访客也可投票";
    allow_change => "Voters may change their vote", "允许改票";
    points_per_vote => "Points per first vote", "首次投票积分";
    ip_limit => "Anonymous votes per IP address", "每个 IP 的匿名票数";
    status => "Status", "状态";
    open => "Open", "进行中";
    closed => "Closed", "已结束";
    scheduled => "Scheduled", "未开始";
    votes => "Votes", "票数";
    voters => "Voters", "投票人数";
    results => "Results", "结果";
    edit => "Edit", "编辑";
    close_now => "Close now", "立即结束";
    closing => "Closing…", "结束中…";
    poll_closed_note => "This poll is closed; its final results are shown to everyone.", "投票已结束，最终结果对所有人可见。";

    // Lotteries.
    lotteries_title => "Lotteries", "抽奖";
    lotteries_empty => "No lotteries yet. Create a lucky wheel or a giveaway.", "还没有抽奖。创建一个大转盘或抽奖活动。";
    new_lottery => "New lottery", "新建抽奖";
    create_lottery => "Create lottery", "创建抽奖";
    mode => "Mode", "类型";
    mode_wheel => "Lucky wheel", "大转盘";
    mode_giveaway => "Giveaway", "抽奖活动";
    prizes => "Prizes", "奖品";
    prize_id => "Prize id", "奖品 ID";
    prize_name => "Name", "名称";
    weight => "Weight", "权重";
    stock => "Stock", "库存";
    stock_left => "Left", "剩余";
    image_url => "Image URL", "图片地址";
    add_prize => "Add prize", "添加奖品";
    no_prize_weight => "Weight of “no prize”", "“未中奖”的权重";
    cost => "Points per spin or entry", "每次消耗积分";
    daily_spins => "Spins per member per day", "每人每日次数";
    opens_at => "Opens", "开始时间";
    winners => "Winners to draw", "中奖人数";
    open_now => "Open now", "立即开始";
    opening => "Opening…", "开始中…";
    seed_hash => "Seed hash (published)", "种子哈希（已公布）";
    seed => "Seed (revealed)", "种子（已揭晓）";
    proof => "Proof", "公证数据";
    proof_not_yet => "Opening the lottery publishes the SHA-256 hash of its secret seed here; closing it reveals the seed, so that anyone can recompute every spin.", "抽奖开始时在此公布秘密种子的 SHA-256 哈希；结束时公开种子，任何人都可以据此复算每一次抽奖。";
    verify_proof => "Verify the draw", "验证抽奖";
    spins => "Spins", "抽奖次数";
    entrants => "Entrants", "参与人数";
    drawn_winners => "Winners", "中奖者";
    spins_log => "Spins log", "抽奖记录";
    spins_empty => "No spins yet.", "还没有抽奖记录。";
    no_prize => "No prize", "未中奖";
    member => "Member", "会员";
    spin_number => "Spin", "次数";
    prize => "Prize", "奖品";
    at => "When", "时间";
    lottery_edit_hint => "A lottery can be edited until it is opened. Once opened, its seed hash and prizes are published and stay fixed, so that its proof holds.", "抽奖开始前可以修改。开始后种子哈希和奖品即公布并固定，以保证公证有效。";
    edit_lottery => "Edit lottery", "修改抽奖";
    save_lottery => "Save changes", "保存修改";
    lottery_locked => "This lottery has been opened: its seed hash and prizes are published and can no longer be changed.", "此抽奖已开始：种子哈希和奖品已公布，不能再修改。";
    lottery_closed_locked => "This lottery is closed and can no longer be changed.", "此抽奖已结束，不能再修改。";

    // Export.
    export_title => "Export (CSV)", "导出（CSV）";
    export_intro => "Download every table as a CSV file: all rows, streamed by the server, one header row.", "将每张表下载为 CSV 文件：包含全部记录，由服务器分批输出，首行为表头。";
    export_excel => "The files are UTF-8 with a byte-order mark, so Excel and Numbers open Chinese text intact. Cells that would start a formula (=, +, -, @) are prefixed with an apostrophe.", "文件为带 BOM 的 UTF-8 编码，用 Excel 或 Numbers 打开中文不会乱码。可能被当作公式的单元格（以 =、+、-、@ 开头）前加了撇号。";
    export_audited => "Every download is recorded in the audit log.", "每次下载都会记入审计日志。";
    export_csv => "Export CSV", "导出 CSV";
    export_table => "Table", "数据表";
    export_contents => "Contents", "内容";
    export_file => "File", "文件";
    export_members => "Members", "会员";
    export_members_about => "Every member: id, name, points, first and last seen.", "全部会员：ID、名称、积分、首次和最近访问时间。";
    export_ledger => "Points ledger", "积分流水";
    export_ledger_about => "Every points entry: member, source, amount, key, detail, day and time.", "每条积分记录：会员、来源、数量、键、详情、日期和时间。";
    export_checkins => "Check-ins", "签到记录";
    export_checkins_about => "Every check-in and make-up check-in: member, day, kind, time.", "每次签到和补签：会员、日期、类型、时间。";
    export_votes => "Poll votes", "投票记录";
    export_votes_about => "Every vote of every poll: voter, option, when voted and changed.", "所有投票的每一票：投票者、选项、投票和修改时间。";
    export_spins => "Lottery spins", "转盘记录";
    export_spins_about => "Every spin of every lucky wheel, with the prize won.", "所有大转盘的每次抽奖及所中奖品。";
    export_entries => "Giveaway entries", "抽奖报名";
    export_entries_about => "Every entry into every giveaway, with the winners' places.", "所有抽奖活动的每个报名及中奖名次。";
    export_feedback => "Feedback", "反馈";
    export_feedback_about => "Every piece of feedback: status, rating, NPS, category, text, contact, page.", "每条反馈：状态、评分、NPS、分类、内容、联系方式、页面。";
    export_badges => "Badges earned", "已获徽章";
    export_badges_about => "Every badge each member earned, and when.", "每位会员获得的每枚徽章及时间。";
    export_audit => "Audit log", "审计日志";
    export_audit_about => "Who did what in the console and through the API, and when.", "谁在控制台或通过 API 做了什么，以及时间。";
    export_redemptions => "Reward redemptions", "积分兑换记录";
    export_redemptions_about => "Every redemption in the rewards shop: member, reward, price, status, code.", "积分商城的每次兑换：会员、奖励、价格、状态、兑换码。";

    // Feedback.
    feedback_title => "Feedback", "反馈";
    feedback_empty => "No feedback matches.", "没有符合条件的反馈。";
    filters => "Filters", "筛选";
    search => "Search", "搜索";
    search_hint => "Text, contact or member name", "内容、联系方式或会员名";
    category => "Category", "分类";
    all_categories => "All categories", "全部分类";
    no_categories => "The site's rules define no feedback categories.", "站点规则未定义反馈分类。";
    rating => "Rating", "评分";
    from_date => "From", "开始日期";
    to_date => "To", "结束日期";
    apply_filters => "Apply", "应用";
    clear_filters => "Clear", "清除";
    status_new => "New", "新反馈";
    status_in_progress => "In progress", "处理中";
    status_done => "Done", "已完成";
    status_spam => "Spam", "垃圾";
    not_spam => "Not spam", "不是垃圾";
    reply => "Reply", "回复";
    send_reply => "Send reply", "发送回复";
    sending => "Sending…", "发送中…";
    replies => "Replies", "回复";
    reply_visible => "The sender sees replies in their feedback widget.", "发送者可以在反馈组件中看到回复。";
    visitor => "Visitor", "访客";
    contact => "Contact", "联系方式";
    page => "Page", "页面";
    held_as_spam => "Held as spam", "被判为垃圾";
    select_item => "Select", "选择";
    select_all => "Select all shown", "全选本页";
    bulk_set_status => "Set status of selected", "批量设置状态";
    apply => "Apply", "应用";
    summary => "Last 30 days", "最近 30 天";
    feedback_count => "Feedback", "反馈数";
    average_rating => "Average rating", "平均评分";
    nps => "NPS", "NPS";
    promoters => "Promoters", "推荐者";
    passives => "Passives", "中立者";
    detractors => "Detractors", "贬损者";
    spam_count => "Spam", "垃圾";

    // Members.
    members_title => "Members", "会员";
    members_empty => "No member matches.", "没有符合条件的会员。";
    search_members => "Search by id or name", "按 ID 或名称搜索";
    name => "Name", "名称";
    points => "Points", "积分";
    level => "Level", "等级";
    last_seen => "Last seen", "最近访问";
    streak => "Streak", "连续签到";
    longest_streak => "Longest streak", "最长连续签到";
    ledger => "Ledger", "积分明细";
    ledger_empty => "No entries yet.", "还没有积分记录。";
    source => "Source", "来源";
    amount => "Amount", "数量";
    key => "Key", "标识";
    reason => "Reason", "原因";
    adjust_points => "Adjust points", "调整积分";
    adjust_intro => "Give or take points by hand. The member sees the entry and its reason in their ledger; a balance never goes below zero.", "手动增减积分。会员能在积分明细中看到这条记录和原因；余额不会低于零。";
    adjust_amount => "Amount (negative takes points away)", "数量（负数为扣除）";
    adjust => "Adjust", "调整";
    adjusting => "Adjusting…", "调整中…";
    amount_not_zero => "Enter a whole number other than 0.", "请输入非零整数。";
    reason_required => "Say why (1 to 200 characters).", "请填写原因（1 到 200 个字符）。";
    insufficient_points => "That would take the balance below zero.", "扣除后余额会低于零。";
    no_badges_yet => "No badges yet.", "还没有勋章。";
    back_to_members => "All members", "全部会员";

    // Webhooks.
    webhooks_title => "Webhooks", "Webhook";
    webhooks_intro => "Engage posts signed events (check-ins, badges, prizes) to your backend. Check the Engage-Signature header with the secret.", "Engage 会把签名事件（签到、勋章、奖品）推送到你的后端。请用密钥校验 Engage-Signature 请求头。";
    webhook_none => "No webhook is set.", "还没有设置 Webhook。";
    webhook_url => "Endpoint URL", "接收地址";
    signing_secret => "Signing secret", "签名密钥";
    events => "Events", "事件";
    deliveries => "Deliveries", "推送记录";
    deliveries_empty => "Nothing delivered yet.", "还没有推送记录。";
    event_type => "Event", "事件";
    attempts => "Attempts", "尝试次数";
    last_answer => "Last answer", "最近响应";
    redeliver => "Redeliver", "重新推送";
    redelivery_queued => "Queued again.", "已重新排队。";
    delivery_pending => "Pending", "等待中";
    delivery_delivered => "Delivered", "已送达";
    delivery_failed => "Failed", "失败";

    // Audit.
    audit_title => "Audit log", "审计日志";
    audit_intro => "Who did what, and when.", "谁在什么时候做了什么。";
    audit_empty => "Nothing recorded yet.", "还没有记录。";
    who => "Who", "操作人";
    action => "What", "操作";
    detail => "Detail", "详情";

    // Analytics.
    analytics_title => "Analytics", "数据分析";
    analytics_next => "Charts of active members, retention, participation and NPS come in the next release. Until then, export any table as CSV from the server.", "活跃会员、留存、参与度和 NPS 图表将在下一个版本推出。在此之前，可以从服务器导出各数据表的 CSV。";
}

impl Lang {
    /// The message for an API error, in this language. The server's messages are English, so
    /// the codes the console knows get their own text; others show the server's message.
    pub fn error_message(self, error: &crate::api::ApiError) -> String {
        let text = match error.code.as_str() {
            "offline" => self.offline(),
            "bad_response" => self.unexpected_response(),
            "invalid_credentials" => self.invalid_credentials(),
            "origin_refused" => self.origin_refused(),
            "insufficient_points" => self.insufficient_points(),
            "lottery_open" => self.lottery_locked(),
            "rate_limited" => return self.rate_limited(error.retry_after),
            _ if error.status == 403 => self.forbidden(),
            _ if error.message.is_empty() && error.status == 404 => self.not_found(),
            _ if error.message.is_empty() => return self.server_error(error.status),
            _ => return error.message.clone(),
        };
        text.to_owned()
    }

    pub fn rate_limited(self, seconds: Option<u32>) -> String {
        match (self, seconds) {
            (Lang::En, Some(s)) => format!("Too many attempts. Try again in {s} s."),
            (Lang::En, None) => "Too many attempts. Try again in a moment.".to_owned(),
            (Lang::ZhCn, Some(s)) => format!("尝试次数过多，请 {s} 秒后再试。"),
            (Lang::ZhCn, None) => "尝试次数过多，请稍后再试。".to_owned(),
        }
    }

    pub fn server_error(self, status: u16) -> String {
        match self {
            Lang::En => format!("The server could not do that (HTTP {status})."),
            Lang::ZhCn => format!("服务器无法完成此操作（HTTP {status}）。"),
        }
    }

    /// Where a rules error is: "Line 7, field checkin.points".
    pub fn rules_error_place(self, line: Option<usize>, field: Option<&str>) -> String {
        let line = line.map(|n| match self {
            Lang::En => format!("Line {n}"),
            Lang::ZhCn => format!("第 {n} 行"),
        });
        let field = field.map(|f| match self {
            Lang::En => format!("field {f}"),
            Lang::ZhCn => format!("字段 {f}"),
        });
        let separator = self.pick(", ", "，");
        [line, field]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(separator)
    }

    pub fn rules_installed(self, version: i64) -> String {
        match self {
            Lang::En => format!(
                "Installed as version {version}. New points follow it; the past is unchanged."
            ),
            Lang::ZhCn => format!("已安装为第 {version} 版。新的积分按新规则计算，历史不变。"),
        }
    }

    pub fn version_n(self, version: i64) -> String {
        match self {
            Lang::En => format!("Version {version}"),
            Lang::ZhCn => format!("第 {version} 版"),
        }
    }

    pub fn valid_until(self, when: &str) -> String {
        match self {
            Lang::En => format!("The previous value works until {when}."),
            Lang::ZhCn => format!("旧值在 {when} 之前仍然有效。"),
        }
    }

    pub fn selected_count(self, n: usize) -> String {
        match self {
            Lang::En => format!("{n} selected"),
            Lang::ZhCn => format!("已选 {n} 条"),
        }
    }

    pub fn bulk_updated(self, n: u64) -> String {
        match self {
            Lang::En => format!("{n} updated."),
            Lang::ZhCn => format!("已更新 {n} 条。"),
        }
    }

    pub fn points_adjusted(self, amount: i64, balance: i64) -> String {
        match self {
            Lang::En => format!("{amount:+} points recorded; the balance is now {balance}."),
            Lang::ZhCn => format!("已记录 {amount:+} 积分，当前余额 {balance}。"),
        }
    }

    pub fn level_n(self, level: u32, title: &str) -> String {
        match self {
            Lang::En => format!("Level {level} · {title}"),
            Lang::ZhCn => format!("等级 {level} · {title}"),
        }
    }

    pub fn days(self, n: u32) -> String {
        match self {
            Lang::En if n == 1 => "1 day".to_owned(),
            Lang::En => format!("{n} days"),
            Lang::ZhCn => format!("{n} 天"),
        }
    }

    pub fn milestone(self, day: u32, bonus: i64) -> String {
        match self {
            Lang::En => format!("Day {day}: +{bonus}"),
            Lang::ZhCn => format!("第 {day} 天：+{bonus}"),
        }
    }

    pub fn makeup_summary(self, window: u32, cost: i64) -> String {
        match self {
            Lang::En => format!("Up to {window} days back, {cost} points each"),
            Lang::ZhCn => format!("可补 {window} 天内，每次 {cost} 积分"),
        }
    }

    pub fn diff_summary(self, added: usize, removed: usize) -> String {
        match self {
            Lang::En => format!("{added} lines added, {removed} removed"),
            Lang::ZhCn => format!("新增 {added} 行，删除 {removed} 行"),
        }
    }

    pub fn option_n(self, n: usize) -> String {
        match self {
            Lang::En => format!("Option {n}"),
            Lang::ZhCn => format!("选项 {n}"),
        }
    }

    pub fn prize_n(self, n: usize) -> String {
        match self {
            Lang::En => format!("Prize {n}"),
            Lang::ZhCn => format!("奖品 {n}"),
        }
    }

    pub fn stock_of(self, left: u32) -> String {
        match self {
            Lang::En => format!("{left} left"),
            Lang::ZhCn => format!("剩余 {left}"),
        }
    }

    pub fn rated(self, stars: u8) -> String {
        match self {
            Lang::En => format!("{stars} of 5"),
            Lang::ZhCn => format!("{stars} / 5 星"),
        }
    }

    pub fn nps_score(self, score: u8) -> String {
        match self {
            Lang::En => format!("NPS {score} of 10"),
            Lang::ZhCn => format!("NPS {score} / 10"),
        }
    }

    pub fn delivery_status(self, status: &str) -> &'static str {
        match status {
            "pending" => self.delivery_pending(),
            "delivered" => self.delivery_delivered(),
            "failed" => self.delivery_failed(),
            _ => "",
        }
    }

    pub fn feedback_status(
        self,
        status: engage_core::api::feedback::FeedbackStatus,
    ) -> &'static str {
        use engage_core::api::feedback::FeedbackStatus;
        match status {
            FeedbackStatus::New => self.status_new(),
            FeedbackStatus::InProgress => self.status_in_progress(),
            FeedbackStatus::Done => self.status_done(),
            FeedbackStatus::Spam => self.status_spam(),
        }
    }

    /// An audit action's name, e.g. `rotate_secret` → "Rotated the secret".
    pub fn audit_action(self, action: &str) -> String {
        let (en, zh) = match action {
            "sign_in" => ("Signed in", "登录"),
            "sign_in_failed" => ("Failed sign-in", "登录失败"),
            "sign_out" => ("Signed out", "退出登录"),
            "rotate_secret" => ("Rotated the secret", "轮换密钥"),
            "rotate_api_key" => ("Rotated the API key", "轮换 API 密钥"),
            "rules_install" => ("Installed rules", "安装规则"),
            "points_adjust" => ("Adjusted points", "调整积分"),
            "export" => ("Exported CSV", "导出 CSV"),
            "site_update" => ("Changed site settings", "修改站点设置"),
            "webhook_set" => ("Set the webhook", "设置 Webhook"),
            "webhook_redeliver" => ("Redelivered an event", "重新推送事件"),
            "poll_create" => ("Created a poll", "创建投票"),
            "poll_update" => ("Changed a poll", "修改投票"),
            "lottery_create" => ("Created a lottery", "创建抽奖"),
            "lottery_update" => ("Changed a lottery", "修改抽奖"),
            "lottery_open" => ("Opened a lottery", "开始抽奖"),
            "lottery_close" => ("Closed a lottery", "结束抽奖"),
            "feedback_status" => ("Changed feedback status", "修改反馈状态"),
            "feedback_reply" => ("Replied to feedback", "回复反馈"),
            "reward_create" => ("Created a reward", "创建奖励"),
            "reward_update" => ("Changed a reward", "修改奖励"),
            "reward_codes_add" => ("Uploaded coupon codes", "上传兑换码"),
            "redemption_status" => ("Changed a redemption", "修改兑换状态"),
            other => return other.to_owned(),
        };
        self.pick(en, zh).to_owned()
    }

    /// Who did something: an owner's e-mail address, a host backend's API key, the command
    /// line; `None` for entries from before the audit log.
    pub fn actor(self, actor: Option<&engage_core::api::console::Actor>) -> String {
        use engage_core::api::console::Actor;
        match actor {
            Some(Actor::Owner { email, .. }) => email.clone(),
            Some(Actor::ApiKey) => self.pick("API key", "API 密钥").to_owned(),
            Some(Actor::Cli) => self.pick("Command line", "命令行").to_owned(),
            None => "—".to_owned(),
        }
    }

    /// A webhook delivery's failure category, in words.
    pub fn delivery_failure(
        self,
        failure: engage_core::api::webhooks::DeliveryFailure,
    ) -> &'static str {
        use engage_core::api::webhooks::DeliveryFailure as F;
        match failure {
            F::InvalidUrl => self.pick(
                "The webhook URL cannot be requested",
                "无法请求该 Webhook 地址",
            ),
            F::Dns => self.pick("The host name did not resolve", "域名无法解析"),
            F::ForbiddenAddress => self.pick(
                "The host resolves only to addresses webhooks may not reach",
                "该域名只解析到不允许访问的地址",
            ),
            F::Connect => self.pick("Could not connect to the receiver", "无法连接接收方"),
            F::Tls => self.pick(
                "The TLS handshake with the receiver failed",
                "与接收方的 TLS 握手失败",
            ),
            F::Timeout => self.pick("The receiver did not answer in time", "接收方未及时响应"),
            F::Protocol => self.pick(
                "The connection ended before a complete HTTP answer",
                "连接在完整的 HTTP 响应之前中断",
            ),
            F::HttpStatus => self.pick(
                "The receiver answered with an error status",
                "接收方返回了错误状态",
            ),
        }
    }

    /// A ledger source's name.
    pub fn ledger_source(self, source: engage_core::ledger::Source) -> &'static str {
        use engage_core::ledger::Source;
        match source {
            Source::Checkin => self.pick("Check-in", "签到"),
            Source::Makeup => self.pick("Make-up", "补签"),
            Source::Vote => self.pick("Vote", "投票"),
            Source::Spin => self.pick("Lottery", "抽奖"),
            Source::Feedback => self.pick("Feedback", "反馈"),
            Source::HostEvent => self.pick("Site event", "站点事件"),
            Source::Admin => self.pick("Adjustment", "手动调整"),
            Source::Import => self.pick("Imported", "导入"),
            Source::Redemption => self.pick("Reward", "积分兑换"),
        }
    }
}
