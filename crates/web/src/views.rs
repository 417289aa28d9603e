//! Server-rendered pages: minijinja templates compiled into the binary,
//! HTML-escaped by default.

use minijinja::Environment;

pub struct Views {
    env: Environment<'static>,
}

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../templates/layout.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("dashboard.html", include_str!("../templates/dashboard.html")),
    ("items.html", include_str!("../templates/items.html")),
    ("watch_hits.html", include_str!("../templates/watch_hits.html")),
    ("item.html", include_str!("../templates/item.html")),
    ("cases.html", include_str!("../templates/cases.html")),
    ("case.html", include_str!("../templates/case.html")),
    ("case_new.html", include_str!("../templates/case_new.html")),
    ("report.html", include_str!("../templates/report.html")),
    ("audit.html", include_str!("../templates/audit.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("registers.html", include_str!("../templates/registers.html")),
    ("review.html", include_str!("../templates/review.html")),
    ("admin_users.html", include_str!("../templates/admin_users.html")),
    ("admin_agency.html", include_str!("../templates/admin_agency.html")),
    ("admin_tokens.html", include_str!("../templates/admin_tokens.html")),
    ("password.html", include_str!("../templates/password.html")),
    ("register_list.html", include_str!("../templates/register_list.html")),
    ("register_form.html", include_str!("../templates/register_form.html")),
    ("pager.html", include_str!("../templates/pager.html")),
    ("list_head.html", include_str!("../templates/list_head.html")),
    ("table_import.html", include_str!("../templates/table_import.html")),
    ("period_picker.html", include_str!("../templates/period_picker.html")),
    ("register_view.html", include_str!("../templates/register_view.html")),
    ("bin.html", include_str!("../templates/bin.html")),
    ("calls.html", include_str!("../templates/calls.html")),
    ("call.html", include_str!("../templates/call.html")),
    ("submission.html", include_str!("../templates/submission.html")),
];

impl Default for Views {
    fn default() -> Self {
        Self::new()
    }
}

/// A label at the start of a sentence or an option: «6 tháng đầu năm 2024»
/// becomes «6 tháng…», «quý II» becomes «Quý II».
pub fn first_upper(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

/// Where a change came from, in words: the audit trail stores `web`,
/// `api`, `cli:import tin-bai.xlsx`…; people read «Trang web», «API»,
/// «Dòng lệnh: nhập tệp tin-bai.xlsx». An origin not listed shows as stored.
pub fn origin_vn(origin: &str) -> String {
    let (what, detail) = origin.split_once(':').unwrap_or((origin, ""));
    match (what, detail) {
        ("web", "") => "Trang web".to_owned(),
        ("web", "hang-loat") => "Trang web (duyệt hàng loạt)".to_owned(),
        ("web", "khoi-phuc") => "Trang web (khôi phục từ thùng rác)".to_owned(),
        ("api", "") => "API".to_owned(),
        ("cli", "") => "Dòng lệnh".to_owned(),
        ("cli", "demo") => "Dòng lệnh: nạp dữ liệu mẫu".to_owned(),
        ("cli", "init") => "Dòng lệnh: khởi tạo hệ thống".to_owned(),
        ("cli", "user") => "Dòng lệnh: quản lý tài khoản".to_owned(),
        ("cli", "bench") => "Dòng lệnh: đo hiệu năng".to_owned(),
        ("cli", "outlet share") => "Dòng lệnh: dùng chung nguồn tin".to_owned(),
        ("cli", "report issue") => "Dòng lệnh: ban hành báo cáo".to_owned(),
        ("web", d) if d.starts_with("nhap ") => format!("Trang web: nhập tệp {}", &d["nhap ".len()..]),
        ("cli", d) if d.starts_with("import ") => format!("Dòng lệnh: nhập tệp {}", &d["import ".len()..]),
        _ => origin.to_owned(),
    }
}

impl Views {
    pub fn new() -> Self {
        let mut env = Environment::new();
        for (name, src) in TEMPLATES {
            if let Err(e) = env.add_template(name, src) {
                panic!("template {name} does not compile: {e}");
            }
        }
        env.add_filter("vn_date", |s: String| {
            canhgiac_domain::Date::parse(&s).map(|d| d.to_string()).unwrap_or(s)
        });
        // A stored instant (RFC 3339, UTC) as people read it: Vietnam time,
        // dd/mm/yyyy hh:mm. Anything else passes through unchanged.
        env.add_filter("vn_time", |s: String| {
            canhgiac_domain::Timestamp::parse(&s).map(|t| t.vn_text()).unwrap_or(s)
        });
        env.add_filter("origin", |s: String| origin_vn(&s));
        // A count as the pages write it: `7`, `1.234` (official text
        // writes `07`, with `count`).
        env.add_filter("so", |n: i64| canhgiac_domain::money::group_thousands(n));
        env.add_filter("count", |n: i64| canhgiac_domain::numbers::count(n.max(0) as u64));
        env.add_filter("money", |n: i64| {
            canhgiac_domain::Dong::new(n).map(|d| d.short()).unwrap_or_default()
        });
        Views { env }
    }

    /// Renders a page; a template error becomes a plain error page (and is
    /// logged), never a half page.
    pub fn render(&self, name: &str, ctx: minijinja::Value) -> String {
        match self.env.get_template(name).and_then(|t| t.render(ctx)) {
            Ok(html) => html,
            Err(e) => {
                tracing::error!(error = %e, template = name, "template failed");
                error_page(500, "Lỗi hệ thống khi hiển thị trang")
            }
        }
    }
}

/// A minimal error page that needs no template.
pub fn error_page(status: u16, message: &str) -> String {
    let esc = canhgiac_domain::markup::escape(message);
    format!(
        "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Lỗi {status}</title><link rel=\"stylesheet\" href=\"/tai-nguyen/app.css\"></head><body><main class=\"trang-loi\"><h1>Lỗi {status}</h1><p>{esc}</p><p><a href=\"/\">Về trang Tổng quan</a></p></main></body></html>"
    )
}

#[cfg(test)]
mod origin_tests {
    use super::origin_vn;

    #[test]
    fn origins_in_words() {
        assert_eq!(origin_vn("web"), "Trang web");
        assert_eq!(origin_vn("api"), "API");
        assert_eq!(origin_vn("cli:demo"), "Dòng lệnh: nạp dữ liệu mẫu");
        assert_eq!(origin_vn("cli:import tin-bai.xlsx"), "Dòng lệnh: nhập tệp tin-bai.xlsx");
        assert_eq!(origin_vn("nơi khác"), "nơi khác");
    }
}
