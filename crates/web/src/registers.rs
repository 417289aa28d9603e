//! The registers (sổ theo dõi): list, create and edit pages for the record
//! kinds kept by hand — directives, outlets, programmes, inspections and
//! their subjects, sanction decisions, plan items, report requests.
//! Each kind is a list of form fields; a submitted form becomes a JSON
//! object that the record type parses, so a page accepts exactly what the
//! import and the API accept, with the same Vietnamese messages.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canhgiac_domain::*;
use canhgiac_store::{Actor, ListQuery, Store, Stored};
use minijinja::context;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::auth::CurrentUser;
use crate::extract::{PageForm, PagePath, PageQuery};
use crate::pages::user_ctx;
use crate::{AppState, WebError};

#[derive(Clone, Copy)]
pub enum Input {
    Text,
    Area,
    Date,
    Code,
    /// One of a vocabulary: (code, label) pairs.
    Choice(fn() -> Vec<(&'static str, &'static str)>),
    /// Several values separated by `;`.
    List,
    Bool,
    Number,
    Money,
}

pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub input: Input,
    pub required: bool,
}

const fn f(name: &'static str, label: &'static str, input: Input, required: bool) -> Field {
    Field {
        name,
        label,
        input,
        required,
    }
}

macro_rules! choices {
    ($t:ty) => {
        Input::Choice(|| <$t>::ALL.iter().map(|v| (v.code(), v.label_vn())).collect())
    };
}

pub struct Register {
    pub slug: &'static str,
    pub title: &'static str,
    pub kind: RecordKind,
    pub fields: &'static [Field],
    /// Fields shown as columns of the list.
    pub columns: &'static [&'static str],
}

pub const REGISTERS: &[Register] = &[
    Register {
        slug: "van-ban-chi-dao",
        title: "Văn bản chỉ đạo",
        kind: RecordKind::Directive,
        fields: &[
            f("number", "Số, ký hiệu", Input::Text, false),
            f("kind", "Loại văn bản", choices!(DirectiveKind), true),
            f("issued_on", "Ngày ban hành", Input::Date, true),
            f("title", "Trích yếu", Input::Area, true),
            f("issuer", "Mã cơ quan ban hành", Input::Code, true),
            f("topics", "Chủ đề (mã, cách nhau bởi ;)", Input::List, false),
            f("recipients", "Nơi nhận (cách nhau bởi ;)", Input::List, false),
            f("note", "Ghi chú", Input::Area, false),
        ],
        columns: &["issued_on", "number", "title"],
    },
    Register {
        slug: "co-quan-bao-chi",
        title: "Cơ quan báo chí, hệ thống thông tin cơ sở",
        kind: RecordKind::Outlet,
        fields: &[
            f("code", "Mã", Input::Code, true),
            f("name", "Tên", Input::Text, true),
            f("kind", "Loại hình", choices!(OutletKind), true),
            f("level", "Cấp", choices!(Level), true),
            f("parent", "Mã cơ quan chủ quản", Input::Code, false),
            f("website", "Trang web", Input::Text, false),
            f("feeds", "Nguồn tin RSS/Atom (cách nhau bởi ;)", Input::List, false),
            f("active", "Đang theo dõi", Input::Bool, false),
        ],
        columns: &["code", "name", "kind"],
    },
    Register {
        slug: "chuyen-trang-chuyen-muc",
        title: "Chuyên trang, chuyên mục",
        kind: RecordKind::Programme,
        fields: &[
            f("code", "Mã", Input::Code, true),
            f("outlet", "Mã cơ quan báo chí", Input::Code, true),
            f("name", "Tên", Input::Text, true),
            f("kind", "Loại", choices!(ProgrammeKind), true),
            f("duration_minutes", "Thời lượng (phút)", Input::Number, false),
            f("co_producer", "Đơn vị phối hợp", Input::Text, false),
            f("topics", "Chủ đề (mã, cách nhau bởi ;)", Input::List, false),
            f("started_on", "Bắt đầu", Input::Date, false),
            f("ended_on", "Kết thúc", Input::Date, false),
            f("note", "Ghi chú", Input::Area, false),
        ],
        columns: &["code", "name", "outlet"],
    },
    Register {
        slug: "kiem-tra-go-bo",
        title: "Kiểm tra gỡ bỏ",
        kind: RecordKind::TakedownCheck,
        fields: &[
            f("case", "Mã vụ việc", Input::Code, true),
            f("url", "Đường dẫn kiểm tra", Input::Text, true),
            f(
                "checked_at",
                "Thời điểm kiểm tra (RFC 3339, ví dụ 2024-06-10T09:00:00+07:00)",
                Input::Text,
                true,
            ),
            f("result", "Kết quả", choices!(TakedownResult), true),
            f("checked_by", "Người kiểm tra", Input::Text, true),
            f("next_check_on", "Kiểm tra lại vào ngày", Input::Date, false),
            f("evidence", "Mã chứng cứ", Input::Code, false),
            f("note", "Ghi chú", Input::Area, false),
        ],
        columns: &["checked_at", "case", "result"],
    },
    Register {
        slug: "thanh-tra-kiem-tra",
        title: "Thanh tra, kiểm tra",
        kind: RecordKind::Inspection,
        fields: &[
            f("code", "Mã cuộc", Input::Code, true),
            f("kind", "Hình thức", choices!(InspectionKind), true),
            f("field", "Lĩnh vực", Input::Text, true),
            f("title", "Nội dung", Input::Area, true),
            f("decision_number", "Số quyết định", Input::Text, false),
            f("lead", "Đơn vị chủ trì", Input::Text, true),
            f("started_on", "Ngày bắt đầu", Input::Date, true),
            f("ended_on", "Ngày kết thúc", Input::Date, false),
            f("findings", "Kết luận", Input::Area, false),
        ],
        columns: &["started_on", "code", "title"],
    },
    Register {
        slug: "doi-tuong-thanh-tra",
        title: "Đối tượng thanh tra, kiểm tra",
        kind: RecordKind::InspectionSubject,
        fields: &[
            f("inspection", "Mã cuộc thanh tra, kiểm tra", Input::Code, true),
            f("name", "Tên đối tượng", Input::Text, true),
            f("kind", "Loại đối tượng", choices!(SubjectKind), true),
            f("address", "Địa chỉ", Input::Text, false),
            f("violation_found", "Có vi phạm", Input::Bool, false),
            f("findings", "Kết quả", Input::Area, false),
        ],
        columns: &["inspection", "name", "kind"],
    },
    Register {
        slug: "xu-phat",
        title: "Quyết định xử phạt",
        kind: RecordKind::SanctionDecision,
        fields: &[
            f("number", "Số quyết định", Input::Text, true),
            f("issued_on", "Ngày ban hành", Input::Date, true),
            f("subject_kind", "Loại đối tượng", choices!(SubjectKind), true),
            f("subject_name", "Tên đối tượng", Input::Text, true),
            f("subject_account", "Tài khoản", Input::Text, false),
            f("violation", "Hành vi vi phạm", Input::Area, true),
            f("legal_basis", "Căn cứ pháp lý", Input::Text, false),
            f("fine", "Số tiền phạt (đồng)", Input::Money, true),
            f("remedies", "Biện pháp khắc phục (cách nhau bởi ;)", Input::List, false),
            f("issuer", "Người ra quyết định", Input::Text, true),
            f("issued_by_agency", "Do cơ quan ban hành", Input::Bool, false),
            f("case", "Mã vụ việc", Input::Code, false),
            f("inspection", "Mã cuộc thanh tra, kiểm tra", Input::Code, false),
        ],
        columns: &["issued_on", "number", "subject_name"],
    },
    Register {
        slug: "nhiem-vu",
        title: "Phương hướng nhiệm vụ",
        kind: RecordKind::PlanItem,
        fields: &[
            f("agency", "Mã cơ quan", Input::Code, true),
            f("period", "Kỳ (ví dụ 2024-H2)", Input::Text, true),
            f("ordinal", "Thứ tự", Input::Number, true),
            f("text", "Nội dung", Input::Area, true),
            f("topics", "Chủ đề (mã, cách nhau bởi ;)", Input::List, false),
        ],
        columns: &["period", "ordinal", "text"],
    },
    Register {
        slug: "yeu-cau-bao-cao",
        title: "Văn bản yêu cầu báo cáo",
        kind: RecordKind::ReportRequest,
        fields: &[
            f("number", "Số, ký hiệu", Input::Text, true),
            f("issued_on", "Ngày", Input::Date, true),
            f("requester", "Cơ quan yêu cầu", Input::Text, true),
            f("subject", "Nội dung yêu cầu", Input::Area, true),
            f("agency", "Mã cơ quan báo cáo", Input::Code, true),
            f("report_kind", "Loại báo cáo", choices!(ReportKind), true),
            f("period", "Kỳ (ví dụ 2024-H1)", Input::Text, false),
            f("deadline", "Hạn gửi", Input::Date, false),
        ],
        columns: &["issued_on", "number", "requester"],
    },
];

pub fn register(slug: &str) -> Result<&'static Register, WebError> {
    REGISTERS.iter().find(|r| r.slug == slug).ok_or(WebError::NotFound)
}

/// Longest value a form field may carry.
const MAX_FIELD: usize = 20_000;

/// Turns a submitted form into the JSON object the record type parses.
fn form_to_json(reg: &Register, form: &HashMap<String, String>) -> Result<Map<String, Value>, String> {
    let mut obj = Map::new();
    for fl in reg.fields {
        let raw = form.get(fl.name).map(|s| s.trim()).unwrap_or("");
        if raw.chars().count() > MAX_FIELD {
            return Err(format!("«{}»: dài quá {MAX_FIELD} ký tự", fl.label));
        }
        let v = match fl.input {
            Input::Bool => Value::Bool(matches!(raw, "on" | "true" | "1" | "co")),
            _ if raw.is_empty() => {
                if fl.required {
                    return Err(format!("«{}»: không được để trống", fl.label));
                }
                continue;
            }
            Input::List => Value::Array(
                raw.split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_owned()))
                    .collect(),
            ),
            Input::Number => Value::Number(
                raw.parse::<u32>()
                    .map_err(|_| format!("«{}»: cần một số nguyên không âm", fl.label))?
                    .into(),
            ),
            Input::Money => Value::Number(
                Dong::parse(raw)
                    .map_err(|e| format!("«{}»: {}", fl.label, e.message))?
                    .get()
                    .into(),
            ),
            _ => Value::String(raw.to_owned()),
        };
        obj.insert(fl.name.to_owned(), v);
    }
    Ok(obj)
}

fn parse<R: Record>(reg: &Register, form: &HashMap<String, String>) -> Result<R, String> {
    let obj = form_to_json(reg, form)?;
    serde_path_to_error::deserialize::<_, R>(Value::Object(obj)).map_err(|e| {
        let field = e.path().to_string();
        let field = field.split(['.', '[']).next().unwrap_or("").to_owned();
        let label = reg
            .fields
            .iter()
            .find(|f| f.name == field)
            .map_or(field.as_str(), |f| f.label);
        format!(
            "«{label}»: {}",
            canhgiac_interchange::vietnamese(&e.into_inner().to_string())
        )
    })
}

/// The form's values for a stored record (lists joined by `; `).
fn values_of<R: Record>(reg: &Register, rec: &R) -> HashMap<String, String> {
    let mut out = HashMap::new();
    if let Ok(Value::Object(m)) = serde_json::to_value(rec) {
        for fl in reg.fields {
            let s = match m.get(fl.name) {
                Some(Value::String(s)) => match fl.input {
                    Input::Date => Date::parse(s).map(|d| d.to_string()).unwrap_or_else(|_| s.clone()),
                    _ => s.clone(),
                },
                Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; "),
                Some(Value::Bool(b)) => if *b { "on" } else { "" }.to_owned(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            out.insert(fl.name.to_owned(), s);
        }
    }
    out
}

fn fields_ctx(reg: &Register, values: &HashMap<String, String>) -> Vec<minijinja::Value> {
    reg.fields
        .iter()
        .map(|fl| {
            let (kind, options) = match fl.input {
                Input::Text | Input::Code | Input::Number | Input::Money => ("text", Vec::new()),
                Input::Area => ("area", Vec::new()),
                Input::Date => ("date", Vec::new()),
                Input::List => ("text", Vec::new()),
                Input::Bool => ("bool", Vec::new()),
                Input::Choice(opts) => ("choice", opts()),
            };
            let options: Vec<minijinja::Value> = options
                .into_iter()
                .map(|(c, l)| context! { code => c, label => l })
                .collect();
            context! {
                name => fl.name, label => fl.label, kind, options, required => fl.required,
                value => values.get(fl.name).cloned().unwrap_or_default(),
            }
        })
        .collect()
}

#[derive(Deserialize)]
pub struct ListParams {
    q: Option<String>,
    before: Option<i64>,
}

async fn rows<R: Record, S: Store>(
    app: &AppState<S>,
    reg: &Register,
    p: &ListParams,
) -> Result<(Vec<minijinja::Value>, Option<i64>), WebError> {
    let list: Vec<Stored<R>> = app
        .store
        .list::<R>(&ListQuery {
            search: p
                .q
                .clone()
                .filter(|q| !q.trim().is_empty())
                .map(|q| q.chars().take(200).collect()),
            before_id: p.before,
            limit: Some(50),
            ..Default::default()
        })
        .await?;
    let next = (list.len() == 50).then(|| list.last().map(|s| s.id)).flatten();
    let rows = list
        .iter()
        .map(|s| {
            let v = values_of(reg, &s.record);
            let cells: Vec<String> = reg
                .columns
                .iter()
                .map(|c| v.get(*c).cloned().unwrap_or_default())
                .collect();
            context! { id => s.id, cells }
        })
        .collect();
    Ok((rows, next))
}

macro_rules! by_kind {
    ($kind:expr, $f:ident, $($arg:expr),*) => {
        match $kind {
            RecordKind::Directive => $f::<Directive, S>($($arg),*).await,
            RecordKind::Outlet => $f::<Outlet, S>($($arg),*).await,
            RecordKind::Programme => $f::<Programme, S>($($arg),*).await,
            RecordKind::Inspection => $f::<Inspection, S>($($arg),*).await,
            RecordKind::TakedownCheck => $f::<TakedownCheck, S>($($arg),*).await,
            RecordKind::InspectionSubject => $f::<InspectionSubject, S>($($arg),*).await,
            RecordKind::SanctionDecision => $f::<SanctionDecision, S>($($arg),*).await,
            RecordKind::PlanItem => $f::<PlanItem, S>($($arg),*).await,
            RecordKind::ReportRequest => $f::<ReportRequest, S>($($arg),*).await,
            _ => Err(WebError::NotFound),
        }
    };
}

pub async fn index<S: Store>(State(app): State<AppState<S>>, user: CurrentUser) -> Result<Response, WebError> {
    let regs: Vec<minijinja::Value> = REGISTERS
        .iter()
        .map(|r| context! { slug => r.slug, title => r.title })
        .collect();
    Ok(Html(app.views.render(
        "registers.html",
        context! { user => user_ctx(&user), registers => regs },
    ))
    .into_response())
}

pub async fn list<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(slug): PagePath<String>,
    PageQuery(p): PageQuery<ListParams>,
) -> Result<Response, WebError> {
    let reg = register(&slug)?;
    let (rows, next) = by_kind!(reg.kind, rows, &app, reg, &p)?;
    let headers: Vec<&str> = reg
        .columns
        .iter()
        .map(|c| reg.fields.iter().find(|f| f.name == *c).map_or(*c, |f| f.label))
        .collect();
    let html = app.views.render(
        "register_list.html",
        context! {
            user => user_ctx(&user), reg_slug => reg.slug, title => reg.title, headers, rows,
            q => p.q.clone().unwrap_or_default(),
            next => next.map(|n| format!("/so/{}?before={n}", reg.slug)),
            can_edit => user.require(Role::Editor).is_ok(),
        },
    );
    Ok(Html(html).into_response())
}

fn form_page<S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    reg: &Register,
    id: Option<i64>,
    version: Option<i64>,
    values: &HashMap<String, String>,
    error: &str,
) -> String {
    app.views.render(
        "register_form.html",
        context! {
            user => user_ctx(user), reg_slug => reg.slug, title => reg.title, id, version,
            fields => fields_ctx(reg, values), error,
        },
    )
}

pub async fn new_form<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(slug): PagePath<String>,
) -> Result<Response, WebError> {
    user.require(Role::Editor)?;
    let reg = register(&slug)?;
    Ok(Html(form_page(&app, &user, reg, None, None, &HashMap::new(), "")).into_response())
}

async fn save<R: Record, S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    reg: &Register,
    id: Option<i64>,
    form: &HashMap<String, String>,
) -> Result<Response, WebError> {
    let version = form.get("_version").and_then(|v| v.parse::<i64>().ok());
    let refuse = |msg: String| {
        let mut shown = form.clone();
        shown.retain(|_, v| v.len() <= MAX_FIELD);
        Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(form_page(app, user, reg, id, version, &shown, &msg)),
        )
            .into_response())
    };
    let rec: R = match parse(reg, form) {
        Ok(r) => r,
        Err(msg) => return refuse(msg),
    };
    let actor = Actor::new(&user.username, "web");
    let result = match id {
        Some(id) => app.store.update(&actor, id, version, &rec).await.map(|_| id),
        None => app.store.create(&actor, &rec).await,
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/so/{}/{id}", reg.slug)).into_response()),
        Err(
            e @ (canhgiac_store::StoreError::Invalid { .. }
            | canhgiac_store::StoreError::Conflict { .. }
            | canhgiac_store::StoreError::MissingReference { .. }
            | canhgiac_store::StoreError::StaleVersion { .. }
            | canhgiac_store::StoreError::InUse { .. }),
        ) => refuse(e.to_string()),
        Err(e) => Err(e.into()),
    }
}

pub async fn create<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(slug): PagePath<String>,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &form)?;
    let reg = register(&slug)?;
    by_kind!(reg.kind, save, &app, &user, reg, None, &form)
}

async fn edit_page<R: Record, S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    reg: &Register,
    id: i64,
) -> Result<Response, WebError> {
    let s = app.store.get::<R>(id).await?.ok_or(WebError::NotFound)?;
    Ok(Html(form_page(
        app,
        user,
        reg,
        Some(id),
        Some(s.version),
        &values_of(reg, &s.record),
        "",
    ))
    .into_response())
}

pub async fn edit_form<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath((slug, id)): PagePath<(String, i64)>,
) -> Result<Response, WebError> {
    let reg = register(&slug)?;
    by_kind!(reg.kind, edit_page, &app, &user, reg, id)
}

pub async fn update<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath((slug, id)): PagePath<(String, i64)>,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &form)?;
    let reg = register(&slug)?;
    by_kind!(reg.kind, save, &app, &user, reg, Some(id), &form)
}
