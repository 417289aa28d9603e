//! The registers (sổ theo dõi): list, create and edit pages for every kind
//! whose declaration has a register (`KindMeta::register`). The form's
//! fields are the kind's declared fields; a submitted form becomes a JSON
//! object that the record type parses, so a page accepts exactly what the
//! import and the API accept, with the same Vietnamese messages.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canhgiac_domain::kind::{flat_text, flat_value};
use canhgiac_domain::{with_record, Dataset, FieldDef, FieldTy, LexiconPhrase, Record, RecordKind, RegisterDef, Role};
use canhgiac_store::{Actor, ListQuery, Store, Stored};
use minijinja::context;
use serde::Deserialize;
use serde_json::{Map, Value};

use canhgiac_interchange::sheet::{Cell, Sheet};

use crate::auth::CurrentUser;
use crate::extract::{PageForm, PagePath, PageQuery};
use crate::listing::{self, Paging};
use crate::pages::user_ctx;
use crate::{AppState, WebError};

/// A register: a record kind whose declaration has a register page.
#[derive(Clone, Copy)]
pub struct Register {
    pub kind: RecordKind,
    pub def: &'static RegisterDef,
}

impl Register {
    /// The fields a form carries: every field a person can type.
    fn fields(&self) -> impl Iterator<Item = &'static FieldDef> {
        let kind = self.kind;
        // A case's status (and the reason of its last move) moves through
        // its workflow, never on its form.
        self.kind.meta().fields.iter().filter(move |f| {
            f.ty.is_flat() && !(kind == RecordKind::Case && matches!(f.name, "status" | "status_reason"))
        })
    }

    fn label(&self, name: &str) -> &'static str {
        self.kind.meta().field(name).map_or("", |f| f.label)
    }
}

/// Every register, in the order of the kinds.
pub fn registers() -> impl Iterator<Item = Register> {
    RecordKind::ALL
        .iter()
        .filter_map(|k| k.meta().register.as_ref().map(|def| Register { kind: *k, def }))
}

/// Media items are added with the same form as a register's record, but
/// they have their own list and page (`/tin-bai`).
static ITEM_FORM: RegisterDef = RegisterDef {
    slug: "tin-bai",
    title: "Tin, bài",
    columns: &["published_on", "title", "outlet"],
};

pub fn item_register() -> Register {
    Register {
        kind: RecordKind::MediaItem,
        def: &ITEM_FORM,
    }
}

/// Cases are edited with the same form (their status aside), at `/vu-viec`.
static CASE_FORM: RegisterDef = RegisterDef {
    slug: "vu-viec",
    title: "Vụ việc",
    columns: &["code", "title"],
};

pub fn case_register() -> Register {
    Register {
        kind: RecordKind::Case,
        def: &CASE_FORM,
    }
}

impl Register {
    /// Where this register's records live: `/so/{slug}`, `/tin-bai`, `/vu-viec`.
    fn base(&self) -> String {
        match self.kind {
            RecordKind::MediaItem => "/tin-bai".to_owned(),
            RecordKind::Case => "/vu-viec".to_owned(),
            _ => format!("/so/{}", self.def.slug),
        }
    }

    /// Where a form posts: a new record to the list; an edit to the record
    /// (`/so/…/{id}`), or to its edit page where the record's own page
    /// takes other posts (items, cases).
    fn action(&self, id: Option<i64>) -> String {
        match (id, self.kind) {
            (None, _) => self.base(),
            (Some(id), RecordKind::MediaItem | RecordKind::Case) => format!("{}/{id}/sua", self.base()),
            (Some(id), _) => format!("{}/{id}", self.base()),
        }
    }
}

pub fn register(slug: &str) -> Result<Register, WebError> {
    registers().find(|r| r.def.slug == slug).ok_or(WebError::NotFound)
}

/// Longest value a form field may carry.
const MAX_FIELD: usize = 20_000;

/// What a form shows after a field's label, so people know the shape.
fn hint(ty: FieldTy) -> &'static str {
    match ty {
        FieldTy::Texts => " (cách nhau bởi ;)",
        FieldTy::Instant => " (giờ Việt Nam)",
        FieldTy::Money => " (đồng)",
        _ => "",
    }
}

/// Why a form was refused: the message, and the field it is about, shown
/// next to that field (and at the top of the form).
struct Refusal {
    field: Option<String>,
    message: String,
}

impl Refusal {
    fn at(field: &str, message: String) -> Self {
        Refusal {
            field: Some(field.to_owned()),
            message,
        }
    }
}

/// Turns a submitted form into the JSON object the record type parses,
/// on top of `base` (the stored record's fields, when editing), so fields
/// the form does not carry are kept.
fn form_to_json(
    reg: Register,
    form: &HashMap<String, String>,
    mut base: Map<String, Value>,
) -> Result<Map<String, Value>, Refusal> {
    for fl in reg.fields() {
        let raw = form.get(fl.name).map(|s| s.trim()).unwrap_or("");
        if raw.chars().count() > MAX_FIELD {
            return Err(Refusal::at(
                fl.name,
                format!("«{}»: dài quá {MAX_FIELD} ký tự", fl.label),
            ));
        }
        // An unticked box is not sent at all: it means "no".
        let value = match fl.ty {
            FieldTy::Bool if raw.is_empty() => Some(Value::Bool(false)),
            _ => flat_value(fl, raw).map_err(|m| Refusal::at(fl.name, format!("«{}»: {m}", fl.label)))?,
        };
        match value {
            Some(v) => {
                base.insert(fl.name.to_owned(), v);
            }
            None if fl.required => {
                return Err(Refusal::at(fl.name, format!("«{}»: không được để trống", fl.label)));
            }
            None => {
                base.remove(fl.name);
            }
        }
    }
    Ok(base)
}

fn parse<R: Record>(reg: Register, form: &HashMap<String, String>, base: Map<String, Value>) -> Result<R, Refusal> {
    let filled;
    let form = match day_of_instant(reg, form) {
        Some(f) => {
            filled = f;
            &filled
        }
        None => form,
    };
    let obj = form_to_json(reg, form, base)?;
    serde_path_to_error::deserialize::<_, R>(Value::Object(obj)).map_err(|e| {
        let field = e.path().to_string();
        let field = field.split(['.', '[']).next().unwrap_or("").to_owned();
        let label = match reg.label(&field) {
            "" => field.as_str(),
            l => l,
        };
        let message = format!(
            "«{label}»: {}",
            canhgiac_interchange::vietnamese(&e.into_inner().to_string())
        );
        Refusal::at(&field, message)
    })
}

/// An item given its publication time takes its day from it (the
/// Vietnam-time day; the form's day, which defaults to today, gives way).
fn day_of_instant(reg: Register, form: &HashMap<String, String>) -> Option<HashMap<String, String>> {
    if reg.kind != RecordKind::MediaItem {
        return None;
    }
    let at = canhgiac_domain::Timestamp::parse_local(form.get("published_at")?).ok()?;
    let mut filled = form.clone();
    filled.insert("published_on".into(), at.vn_date().to_string());
    Some(filled)
}

/// The field a store's refusal is about, when it names one of the form's.
fn refused_field(reg: Register, e: &canhgiac_store::StoreError) -> Option<String> {
    use canhgiac_store::StoreError;
    match e {
        StoreError::Invalid { errors, .. } => errors
            .0
            .iter()
            .map(|i| i.field.split(['.', '[']).next().unwrap_or(""))
            .find(|f| reg.fields().any(|fl| fl.name == *f))
            .map(str::to_owned),
        // The first field that refers to the missing kind.
        StoreError::MissingReference { target_kind, .. } => reg
            .fields()
            .find(|fl| matches!(fl.ty, FieldTy::Ref(k) | FieldTy::Refs(k) if k == *target_kind))
            .map(|fl| fl.name.to_owned()),
        _ => None,
    }
}

/// A store's refusal as people read it: the record by what they call it,
/// never by its key (`Đã có văn bản chỉ đạo «Kế hoạch 120/KH-STTTT …»`).
fn in_words<R: Record>(e: &canhgiac_store::StoreError, rec: &R) -> String {
    use canhgiac_store::StoreError;
    let name = rec.describe();
    match e {
        StoreError::Conflict { kind, .. } => format!(
            "Đã có {} «{name}» (trùng mã hoặc số, ký hiệu); hãy sửa bản ghi đã có thay vì thêm mới",
            kind.label_vn()
        ),
        StoreError::Invalid { kind, errors, .. } => format!("{} «{name}» không hợp lệ: {errors}", kind.label_vn()),
        StoreError::MissingReference { target_kind, .. } => {
            format!(
                "{} đã chọn không còn trong hệ thống; hãy chọn lại",
                crate::views::first_upper(target_kind.label_vn())
            )
        }
        StoreError::InUse { kind, .. } => format!(
            "Không đổi được mã của {} «{name}» vì bản ghi khác đang tham chiếu tới nó",
            kind.label_vn()
        ),
        e => e.to_string(),
    }
}

fn json_of<R: Record>(rec: &R) -> Map<String, Value> {
    match serde_json::to_value(rec) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

/// The form's values for a stored record, as people read and type them.
fn values_of<R: Record>(reg: Register, rec: &R) -> HashMap<String, String> {
    let m = json_of(rec);
    reg.fields()
        .map(|fl| {
            let v = m.get(fl.name).unwrap_or(&Value::Null);
            let s = match (fl.ty, v) {
                (FieldTy::Bool, Value::Bool(true)) => "on".to_owned(),
                (FieldTy::Bool, _) => String::new(),
                _ => flat_text(fl, v),
            };
            (fl.name.to_owned(), s)
        })
        .collect()
}

/// A form value as a list cell shows it: a choice by its Vietnamese label,
/// never its code; a yes/no field as «Có» or nothing.
fn cell_text(field: Option<&FieldDef>, value: String) -> String {
    match field.map(|f| f.ty) {
        Some(FieldTy::Choice(opts)) => opts()
            .into_iter()
            .find(|(code, _)| *code == value)
            .map_or(value, |(_, label)| label.to_string()),
        Some(FieldTy::Bool) if value == "on" => "Có".to_owned(),
        Some(FieldTy::Money) => value
            .parse::<i64>()
            .ok()
            .and_then(|n| canhgiac_domain::Dong::new(n).ok())
            .map_or(value, |d| d.to_string()),
        _ => value,
    }
}

/// How many records a reference field offers to choose from, newest first.
const MAX_OPTIONS: u32 = 1000;

/// What each reference field among `names` may point to, as (key, what
/// people call the record), sorted by the latter: people pick records by
/// name and never type a key.
async fn ref_options<S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    reg: Register,
    names: &[&str],
) -> Result<HashMap<&'static str, Vec<(String, String)>>, WebError> {
    let store = app.store_for(user);
    let q = ListQuery {
        limit: Some(MAX_OPTIONS),
        ..Default::default()
    };
    let mut out = HashMap::new();
    for fl in reg.fields().filter(|f| names.contains(&f.name)) {
        let (FieldTy::Ref(target) | FieldTy::Refs(target)) = fl.ty else {
            continue;
        };
        let mut options = with_record!(target, R => store
            .list::<R>(&q)
            .await
            .map(|l| l.into_iter().map(|s| (s.key, s.record.describe())).collect::<Vec<_>>()), Ok(Vec::new()))?;
        options.sort_by_cached_key(|(_, label)| canhgiac_domain::fold(label));
        out.insert(fl.name, options);
    }
    Ok(out)
}

/// A form's reference fields, for [`ref_options`].
fn ref_fields(reg: Register) -> Vec<&'static str> {
    reg.fields()
        .filter(|f| matches!(f.ty, FieldTy::Ref(_) | FieldTy::Refs(_)))
        .map(|f| f.name)
        .collect()
}

/// A list of records (topics) is sent as one box per record,
/// `topics:PCMT`; this joins the ticked ones into the field as the parsers
/// read it. A form without the boxes (an older client, a test) sends the
/// field itself, which is kept.
pub(crate) fn gather_ticked(reg: Register, form: &HashMap<String, String>) -> HashMap<String, String> {
    let mut out = form.clone();
    for fl in reg.fields().filter(|f| matches!(f.ty, FieldTy::Refs(_))) {
        let prefix = format!("{}:", fl.name);
        let mut ticked: Vec<&str> = form.keys().filter_map(|k| k.strip_prefix(&prefix)).collect();
        if !ticked.is_empty() {
            ticked.sort_unstable();
            out.insert(fl.name.to_owned(), ticked.join("; "));
        }
        out.retain(|k, _| !k.starts_with(&prefix));
    }
    out
}

fn fields_ctx(
    reg: Register,
    values: &HashMap<String, String>,
    refs: &HashMap<&'static str, Vec<(String, String)>>,
) -> Vec<minijinja::Value> {
    reg.fields()
        .map(|fl| {
            let value = values.get(fl.name).cloned().unwrap_or_default();
            // Pickers take ISO values; what they cannot show stays as typed.
            let value = match fl.ty {
                FieldTy::Date => canhgiac_domain::Date::parse(&value).map_or(value, |d| d.iso()),
                FieldTy::Instant => canhgiac_domain::Timestamp::parse_local(&value).map_or(value, |t| t.vn_input()),
                FieldTy::Month => canhgiac_domain::Month::parse(&value).map_or(value, |m| m.iso()),
                _ => value,
            };
            let chosen: Vec<&str> = value.split(';').map(str::trim).filter(|v| !v.is_empty()).collect();
            let (kind, mut options): (&str, Vec<(String, String)>) = match fl.ty {
                FieldTy::LongText => ("area", Vec::new()),
                FieldTy::Date => ("date", Vec::new()),
                FieldTy::Instant => ("datetime", Vec::new()),
                FieldTy::Month => ("month", Vec::new()),
                // A period is picked by name, never typed as a code.
                FieldTy::Period => ("ref", period_options()),
                FieldTy::Bool => ("bool", Vec::new()),
                FieldTy::Choice(opts) => (
                    "choice",
                    opts().into_iter().map(|(c, l)| (c.to_owned(), l.to_owned())).collect(),
                ),
                FieldTy::Ref(_) => ("ref", refs.get(fl.name).cloned().unwrap_or_default()),
                FieldTy::Refs(_) => ("refs", refs.get(fl.name).cloned().unwrap_or_default()),
                _ => ("text", Vec::new()),
            };
            // A value the list does not hold (older than its newest
            // records) stays choosable, under its key.
            if matches!(fl.ty, FieldTy::Ref(_) | FieldTy::Refs(_)) {
                for v in &chosen {
                    if !options.iter().any(|(k, _)| k == v) {
                        options.push(((*v).to_owned(), (*v).to_owned()));
                    }
                }
            }
            let options: Vec<minijinja::Value> = options
                .iter()
                .map(|(c, l)| context! { code => c, label => l, checked => chosen.contains(&c.as_str()) })
                .collect();
            context! {
                name => fl.name, label => format!("{}{}", fl.label, hint(fl.ty)), kind, options,
                required => fl.required,
                value,
            }
        })
        .collect()
}

/// The periods a period field offers: this year's and next, and five years
/// back, by name (`6 tháng đầu năm 2024`).
fn period_options() -> Vec<(String, String)> {
    let y = canhgiac_domain::Date::today().year();
    ((y - 5)..=(y + 1))
        .rev()
        .flat_map(canhgiac_domain::Period::all_of_year)
        .map(|p| (p.to_string(), crate::views::first_upper(&p.label_vn())))
        .collect()
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    q: Option<String>,
    #[serde(flatten)]
    paging: Paging,
    /// Exports only: `csv` or `xlsx`.
    #[serde(rename = "dinh-dang")]
    format: Option<String>,
    /// Set by the redirect after deleting: what was deleted.
    #[serde(rename = "da-xoa")]
    deleted: Option<String>,
}

impl ListParams {
    fn search(&self) -> Option<String> {
        self.q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(|q| canhgiac_domain::nfc(&q.chars().take(200).collect::<String>()))
    }

    /// The address of this list with `over` in place of its own values.
    fn link(&self, slug: &str, over: &[(&str, String)]) -> String {
        listing::relink(
            &format!("/so/{slug}"),
            vec![
                ("q", self.q.clone().unwrap_or_default()),
                ("sap-xep", self.paging.sort.clone().unwrap_or_default()),
                ("chieu", self.paging.dir.clone().unwrap_or_default()),
            ],
            over,
        )
    }
}

/// The columns of a register a list may be ordered by: its listed fields
/// kept as single values.
fn sortable(reg: Register) -> Vec<&'static str> {
    reg.def
        .columns
        .iter()
        .copied()
        .filter(|c| {
            reg.kind
                .meta()
                .field(c)
                .is_some_and(|f| f.ty.storage() != canhgiac_domain::Storage::Json)
        })
        .collect()
}

/// A record's values under `columns`, as the list shows them: references
/// by name, choices by their label.
fn cells_of<R: Record>(
    reg: Register,
    rec: &R,
    columns: &[&str],
    names: &HashMap<&'static str, Vec<(String, String)>>,
) -> Vec<String> {
    let v = values_of(reg, rec);
    columns
        .iter()
        .map(|c| {
            let value = v.get(*c).cloned().unwrap_or_default();
            match names.get(c) {
                Some(options) => value
                    .split(';')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(|k| options.iter().find(|(key, _)| key == k).map_or(k, |(_, n)| n.as_str()))
                    .collect::<Vec<_>>()
                    .join("; "),
                None => cell_text(R::META.field(c), value),
            }
        })
        .collect()
}

/// One page of a register: its rows, and the total and pager it is a
/// page of.
async fn rows<R: Record, S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    reg: Register,
    p: &ListParams,
) -> Result<(Vec<minijinja::Value>, String, minijinja::Value), WebError> {
    let q = ListQuery {
        search: p.search(),
        ..Default::default()
    };
    let page = listing::page_of::<R, S>(&app.store_for(user), q, &p.paging, &sortable(reg)).await?;
    let slug = reg.def.slug;
    let pager = page.pager(&p.paging, &|n| p.link(slug, &[("trang", n.to_string())]));
    let names = ref_options(app, user, reg, reg.def.columns).await?;
    let rows = page
        .rows
        .iter()
        .map(|s| {
            let cells = cells_of(reg, &s.record, reg.def.columns, &names);
            context! { id => s.id, cells, shared => locked(s) }
        })
        .collect();
    Ok((rows, page.total_text(), pager))
}

/// Every matching record of a register (up to [`listing::EXPORT_ROWS`]),
/// in the list's order, with every field a form shows.
async fn sheet<R: Record, S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    reg: Register,
    p: &ListParams,
) -> Result<Sheet, WebError> {
    let columns: Vec<&'static str> = reg.fields().map(|f| f.name).collect();
    let names = ref_options(app, user, reg, &columns).await?;
    let q = ListQuery {
        search: p.search(),
        order: p.paging.order(&sortable(reg)),
        ..Default::default()
    };
    let mut rows = Vec::new();
    for s in listing::all_matching::<R, S>(&app.store_for(user), q).await? {
        let raw = values_of(reg, &s.record);
        let cells = cells_of(reg, &s.record, &columns, &names);
        rows.push(
            columns
                .iter()
                .zip(cells)
                .map(|(c, text)| match R::META.field(c).map(|f| f.ty) {
                    Some(FieldTy::Int | FieldTy::Money) => raw
                        .get(*c)
                        .and_then(|v| v.parse::<f64>().ok())
                        .map_or(Cell::Text(text), Cell::Number),
                    _ => Cell::Text(text),
                })
                .collect(),
        );
    }
    Ok(Sheet {
        title: reg.def.title.to_owned(),
        headers: columns.iter().map(|c| reg.label(c).to_owned()).collect(),
        rows,
    })
}

/// A shared record of a kind agencies may also own (a shared outlet): the
/// agency reads it, the installation changes it.
fn locked<R: Record>(s: &Stored<R>) -> bool {
    s.shared && R::META.owner == canhgiac_domain::Ownership::Shareable
}

/// Runs `$f::<R, S>(args)` for the record type of a register's kind.
macro_rules! by_kind {
    ($kind:expr, $f:ident, $($arg:expr),*) => {
        with_record!($kind, R => $f::<R, S>($($arg),*).await, Err(WebError::NotFound))
    };
}

pub async fn index<S: Store>(State(app): State<AppState<S>>, user: CurrentUser) -> Result<Response, WebError> {
    let regs: Vec<minijinja::Value> = registers()
        .map(|r| context! { slug => r.def.slug, title => r.def.title })
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
    let (rows, total, pager) = by_kind!(reg.kind, rows, &app, &user, reg, &p)?;
    let slug = reg.def.slug;
    let columns: Vec<(&str, &str)> = reg.def.columns.iter().map(|c| (*c, reg.label(c))).collect();
    let headers = listing::headings(&columns, &sortable(reg), &p.paging, &|over| p.link(slug, over));
    let export = |format: &str| {
        let mut link = p.link(slug, &[("dinh-dang", format.to_owned())]);
        link.insert_str(format!("/so/{slug}").len(), "/xuat");
        link
    };
    let html = app.views.render(
        "register_list.html",
        context! {
            user => user_ctx(&user), reg_slug => slug, title => reg.def.title, headers, rows,
            q => p.q.clone().unwrap_or_default(),
            total, pager,
            export_csv => export("csv"), export_xlsx => export("xlsx"),
            deleted => listing::deleted_notice(p.deleted.as_deref()),
            can_restore => user.require(Role::Admin).is_ok(),
            can_edit => user.require(Role::Editor).is_ok(),
            can_import => reg.kind.meta().table.is_some(),
        },
    );
    Ok(Html(html).into_response())
}

/// The list as a file: `/so/{slug}/xuat?dinh-dang=xlsx&…` with the list's
/// own search and order.
pub async fn export<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(slug): PagePath<String>,
    PageQuery(p): PageQuery<ListParams>,
) -> Result<Response, WebError> {
    let reg = register(&slug)?;
    let sheet = by_kind!(reg.kind, sheet, &app, &user, reg, &p)?;
    crate::pages::download_sheet(&sheet, reg.def.slug, p.format.as_deref())
}

/// What a register's upload page imports; only kinds with a table file.
fn upload_target(slug: &str) -> Result<crate::pages::upload::Target, WebError> {
    let reg = register(slug)?;
    if reg.kind.meta().table.is_none() {
        return Err(WebError::NotFound);
    }
    Ok(crate::pages::upload::Target {
        kind: reg.kind,
        title: reg.def.title.to_owned(),
        action: format!("/so/{}/nhap", reg.def.slug),
        list: format!("/so/{}", reg.def.slug),
    })
}

/// `/so/{slug}/nhap`: the upload form of a register whose kind has a
/// table file (a month's spam reports, an operator's station list).
pub async fn import_form<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(slug): PagePath<String>,
) -> Result<Response, WebError> {
    user.require(Role::Editor)?;
    let target = upload_target(&slug)?;
    Ok(Html(crate::pages::upload::page(&app, &user, &target, None, "")).into_response())
}

/// The upload itself: the whole file, or nothing and the first bad row.
pub async fn import<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(slug): PagePath<String>,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let target = upload_target(&slug)?;
    crate::pages::upload::import(&app, &user, &target, form).await
}

/// `/so/{slug}/nhap/mau.xlsx`: the blank template.
pub async fn import_template(user: CurrentUser, PagePath(slug): PagePath<String>) -> Result<Response, WebError> {
    user.require(Role::Viewer)?;
    crate::pages::upload::template(&upload_target(&slug)?)
}

/// Which record a form edits: none for a new one; its id and version,
/// whether it is a shared record the agency only reads, and whether it was
/// just saved (the page then says so).
#[derive(Clone, Copy, Default)]
struct Editing {
    id: Option<i64>,
    version: Option<i64>,
    locked: bool,
    saved: bool,
}

async fn form_page<S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    reg: Register,
    editing: Editing,
    values: &HashMap<String, String>,
    refusal: Option<&Refusal>,
) -> Result<String, WebError> {
    let Editing {
        id,
        version,
        locked,
        saved,
    } = editing;
    let refs = ref_options(app, user, reg, &ref_fields(reg)).await?;
    let error = refusal.map(|r| r.message.as_str()).unwrap_or_default();
    let error_field = refusal.and_then(|r| r.field.as_deref()).unwrap_or_default();
    Ok(app.views.render(
        "register_form.html",
        context! {
            user => user_ctx(user), reg_slug => reg.def.slug, action => reg.action(id),
            back => id.and_then(|id| record_href(reg.kind, id)).unwrap_or_else(|| reg.base()),
            title => reg.def.title, id, version,
            fields => fields_ctx(reg, values, &refs), error, error_field, locked, saved,
        },
    ))
}

/// What a new record's form starts with: today for a required day, the
/// user's own agency where an agency is asked for, the half-year being
/// reported on for a period.
fn defaults(reg: Register, user: &CurrentUser) -> HashMap<String, String> {
    let today = canhgiac_domain::Date::today();
    reg.fields()
        .filter_map(|f| {
            let v = match f.ty {
                FieldTy::Date if f.required => today.to_string(),
                FieldTy::Month if f.required => canhgiac_domain::Month::of(today).to_string(),
                FieldTy::Ref(RecordKind::Agency) => user.agency.clone()?,
                FieldTy::Period => {
                    canhgiac_domain::Period::current_half(today, canhgiac_domain::PeriodRule::Calendar).to_string()
                }
                _ => return None,
            };
            Some((f.name.to_owned(), v))
        })
        .collect()
}

pub async fn new_form<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(slug): PagePath<String>,
) -> Result<Response, WebError> {
    user.require(Role::Editor)?;
    let reg = register(&slug)?;
    let values = defaults(reg, &user);
    Ok(Html(form_page(&app, &user, reg, Editing::default(), &values, None).await?).into_response())
}

async fn save<R: Record, S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    reg: Register,
    id: Option<i64>,
    form: &HashMap<String, String>,
) -> Result<Response, WebError> {
    let form = &gather_ticked(reg, form);
    let version = form.get("_version").and_then(|v| v.parse::<i64>().ok());
    let refuse = |refusal: Refusal| async move {
        let mut shown = form.clone();
        shown.retain(|_, v| v.len() <= MAX_FIELD);
        let editing = Editing {
            id,
            version,
            locked: false,
            saved: false,
        };
        let page = form_page(app, user, reg, editing, &shown, Some(&refusal)).await?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
    };
    // Editing starts from the stored record, so fields the form does not
    // carry (nested ones such as a programme's cadence) are kept.
    let base = match id {
        Some(id) => match app.store_for(user).get::<R>(id).await? {
            Some(s) => json_of(&s.record),
            None => return Err(WebError::NotFound),
        },
        None => Map::new(),
    };
    let rec: R = match parse(reg, form, base) {
        Ok(r) => r,
        Err(refusal) => return refuse(refusal).await,
    };
    let actor = Actor::new(&user.username, "web");
    let result = match id {
        Some(id) => app.store_for(user).update(&actor, id, version, &rec).await.map(|_| id),
        None => app.store_for(user).create(&actor, &rec).await,
    };
    match result {
        Ok(id) => {
            let page = record_href(reg.kind, id).unwrap_or_else(|| format!("{}/{id}", reg.base()));
            Ok(Redirect::to(&format!("{page}?da-luu=1")).into_response())
        }
        Err(
            e @ (canhgiac_store::StoreError::Invalid { .. }
            | canhgiac_store::StoreError::Conflict { .. }
            | canhgiac_store::StoreError::MissingReference { .. }
            | canhgiac_store::StoreError::StaleVersion { .. }
            | canhgiac_store::StoreError::SharedRecord { .. }
            | canhgiac_store::StoreError::InUse { .. }),
        ) => {
            let field = refused_field(reg, &e);
            refuse(Refusal {
                field,
                message: in_words(&e, &rec),
            })
            .await
        }
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
    reg: Register,
    id: i64,
    saved: bool,
) -> Result<Response, WebError> {
    let s = app.store_for(user).get::<R>(id).await?.ok_or(WebError::NotFound)?;
    Ok(Html(
        form_page(
            app,
            user,
            reg,
            Editing {
                id: Some(id),
                version: Some(s.version),
                locked: locked(&s),
                saved,
            },
            &values_of(reg, &s.record),
            None,
        )
        .await?,
    )
    .into_response())
}

/// Where a record of `kind` is shown: its register's page, or the page of
/// the kinds that have their own (items, cases).
pub fn record_href(kind: RecordKind, id: i64) -> Option<String> {
    match kind {
        RecordKind::MediaItem => Some(format!("/tin-bai/{id}")),
        RecordKind::Case => Some(format!("/vu-viec/{id}")),
        k => k.meta().register.as_ref().map(|r| format!("/so/{}/{id}", r.slug)),
    }
}

/// What people call a list of records of `kind`: its register's title.
fn kind_title(kind: RecordKind) -> String {
    match kind {
        RecordKind::MediaItem => "Tin, bài".to_owned(),
        RecordKind::Case => "Vụ việc".to_owned(),
        k => k
            .meta()
            .register
            .as_ref()
            .map_or_else(|| crate::views::first_upper(k.label_vn()), |r| r.title.to_owned()),
    }
}

/// The names of the records a record refers to, by field, looked up one by
/// one (a record page names a few, never a whole list).
async fn names_of_refs<R: Record, S: Store>(
    store: &S,
    reg: Register,
    rec: &R,
) -> Result<HashMap<&'static str, Vec<(String, String)>>, WebError> {
    let values = values_of(reg, rec);
    let mut out = HashMap::new();
    for fl in reg.fields() {
        let (FieldTy::Ref(target) | FieldTy::Refs(target)) = fl.ty else {
            continue;
        };
        let mut names = Vec::new();
        for key in values
            .get(fl.name)
            .into_iter()
            .flat_map(|v| v.split(';'))
            .map(str::trim)
        {
            if key.is_empty() {
                continue;
            }
            let name = with_record!(target, T => store.get_by_key::<T>(key).await?.map(|s| s.record.describe()), None);
            names.push((key.to_owned(), name.unwrap_or_else(|| key.to_owned())));
        }
        out.insert(fl.name, names);
    }
    Ok(out)
}

/// How many related records of one kind a record page lists.
const RELATED: u32 = 20;

/// The records that refer to `key` of `kind`, grouped by the kind and field
/// that refer: an inspection's subjects and sanctions, an outlet's
/// programmes and items, a case's checks.
async fn related<S: Store>(store: &S, kind: RecordKind, key: &str) -> Result<Vec<minijinja::Value>, WebError> {
    let mut groups = Vec::new();
    for k in RecordKind::ALL {
        let refs: Vec<&FieldDef> = k
            .meta()
            .fields
            .iter()
            .filter(|f| matches!(f.ty, FieldTy::Ref(t) if t == kind))
            .collect();
        for fl in &refs {
            let q = ListQuery {
                filters: vec![(fl.name.to_owned(), key.to_owned())],
                limit: Some(RELATED),
                ..Default::default()
            };
            let (rows, total): (Vec<(i64, String)>, u64) = with_record!(*k, T => {
                let total = store.count_matching::<T>(&q, 1000).await?;
                let rows = if total == 0 { Vec::new() } else {
                    store.list::<T>(&q).await?.into_iter().map(|s| (s.id, s.record.describe())).collect()
                };
                (rows, total)
            }, (Vec::new(), 0));
            if total == 0 {
                continue;
            }
            let title = if refs.len() > 1 {
                format!("{} ({})", kind_title(*k), fl.label.to_lowercase())
            } else {
                kind_title(*k)
            };
            let more = total.saturating_sub(rows.len() as u64);
            let all = match k {
                RecordKind::MediaItem if fl.name == "outlet" => Some(format!(
                    "/tin-bai?outlet={}",
                    form_urlencoded::byte_serialize(key.as_bytes()).collect::<String>()
                )),
                _ => None,
            };
            let rows: Vec<minijinja::Value> = rows
                .into_iter()
                .map(|(id, label)| context! { href => record_href(*k, id), label })
                .collect();
            groups.push(context! { title, total => listing::total_text(total, 1000), rows, more, all });
        }
    }
    Ok(groups)
}

/// A record's history: who did what, when, and which fields changed from
/// what to what, in words.
pub(crate) async fn history<S: Store>(store: &S, kind: RecordKind, id: i64) -> Result<Vec<minijinja::Value>, WebError> {
    let trail = store
        .audit(&canhgiac_store::AuditQuery {
            kind: Some(kind),
            record_id: Some(id),
            limit: Some(50),
            ..Default::default()
        })
        .await?;
    let mut out = Vec::with_capacity(trail.len());
    for a in &trail {
        // A creation or a deletion says so; an update lists what changed.
        let changes = if a.action == canhgiac_domain::AuditAction::Update {
            changes_in_words(store, kind, a.before.as_ref(), a.after.as_ref()).await?
        } else {
            Vec::new()
        };
        out.push(context! {
            at => a.at.vn_text(), actor => &a.actor, action => a.action.label_vn(),
            origin => crate::views::origin_vn(&a.origin), changes,
        });
    }
    Ok(out)
}

/// The fields an audit entry changed, in words: labels, choices by their
/// label, references by the name of the record.
pub(crate) async fn changes_in_words<S: Store>(
    store: &S,
    kind: RecordKind,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Result<Vec<minijinja::Value>, WebError> {
    let mut out = Vec::new();
    for (f, b, a) in canhgiac_domain::kind::changed_fields(kind.meta(), before, after) {
        let words = |v: String| cell_text(Some(f), v);
        let (b, a) = match f.ty {
            FieldTy::Ref(target) | FieldTy::Refs(target) => {
                (ref_names(store, target, &b).await?, ref_names(store, target, &a).await?)
            }
            FieldTy::Bool => (b, a),
            _ => (words(b), words(a)),
        };
        out.push(context! { label => f.label, before => b, after => a, nested => !f.ty.is_flat() });
    }
    Ok(out)
}

/// References (`k1; k2`) by the names of their records; a key no longer
/// found stays as it is.
async fn ref_names<S: Store>(store: &S, target: RecordKind, keys: &str) -> Result<String, WebError> {
    let mut names = Vec::new();
    for key in keys.split(';').map(str::trim).filter(|k| !k.is_empty()) {
        let name = with_record!(target, T => store.get_by_key::<T>(key).await?.map(|s| s.record.describe()), None);
        names.push(name.unwrap_or_else(|| key.to_owned()));
    }
    Ok(names.join("; "))
}

async fn view_page<R: Record, S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    reg: Register,
    id: i64,
    notice: &str,
    error: &str,
) -> Result<Response, WebError> {
    let store = app.store_for(user);
    let s = store.get::<R>(id).await?.ok_or(WebError::NotFound)?;
    let columns: Vec<&'static str> = reg.fields().map(|f| f.name).collect();
    let names = names_of_refs(&store, reg, &s.record).await?;
    let cells = cells_of(reg, &s.record, &columns, &names);
    let fields: Vec<minijinja::Value> = columns
        .iter()
        .zip(cells)
        .filter(|(_, v)| !v.is_empty())
        .map(|(c, value)| {
            let long = matches!(R::META.field(c).map(|f| f.ty), Some(FieldTy::LongText | FieldTy::Texts));
            context! { label => reg.label(c), value, long }
        })
        .collect();
    let can_edit = user.require(Role::Editor).is_ok() && !locked(&s);
    let health = if R::KIND == RecordKind::Source {
        Some(source_health(&store, id).await?)
    } else {
        None
    };
    let fine = match (&s.record as &dyn std::any::Any).downcast_ref::<canhgiac_domain::SanctionDecision>() {
        Some(d) => fine_check(&store, d).await?,
        None => None,
    };
    let html = app.views.render(
        "register_view.html",
        context! {
            user => user_ctx(user), reg_slug => reg.def.slug, title => reg.def.title, id,
            name => s.record.describe(), fields, health, fine,
            related => related(&store, R::KIND, &s.key).await?,
            history => history(&store, R::KIND, id).await?,
            updated => s.updated_at.vn_text(),
            locked => locked(&s), can_edit, notice, error,
        },
    );
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Html(html)).into_response())
}

/// A sanction decision against its provision: the version in force on the
/// violation's day (the decision's when none is recorded), the usual fine
/// for the subject's kind, and a warning when the fine lies outside the
/// range. None without a provision from the catalogue.
async fn fine_check<S: Store>(
    store: &S,
    d: &canhgiac_domain::SanctionDecision,
) -> Result<Option<minijinja::Value>, WebError> {
    let Some(code) = &d.provision else { return Ok(None) };
    let catalogue: Vec<canhgiac_domain::LegalBasis> = store
        .list::<canhgiac_domain::LegalBasis>(&ListQuery {
            limit: Some(canhgiac_store::MAX_PAGE),
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|b| b.record)
        .collect();
    let Some(chosen) = catalogue.iter().find(|b| &b.code == code) else {
        return Ok(None);
    };
    let day = d.violation_on.unwrap_or(d.issued_on);
    let applies = canhgiac_domain::LegalBasis::in_force(&catalogue, chosen, day);
    let other_version = (applies.code != chosen.code).then(|| {
        format!(
            "Ngày vi phạm {day}: áp dụng {} (đang có hiệu lực), không phải {}",
            applies.citation(),
            chosen.citation()
        )
    });
    Ok(Some(context! {
        applies => applies.citation(),
        usual => applies.usual_fine(d.subject_kind).map(|f| f.full()),
        warning => applies.fine_outside(d.subject_kind, d.fine),
        other_version,
    }))
}

/// A source's collection health, in words.
async fn source_health<S: Store>(store: &S, id: i64) -> Result<minijinja::Value, WebError> {
    let Some((_, h)) = store.source_health(&[id]).await?.into_iter().next() else {
        return Ok(context! { status => "Chưa thu thập", failing => false });
    };
    let when = |t: Option<canhgiac_domain::Timestamp>| t.map(canhgiac_domain::Timestamp::vn_text);
    Ok(context! {
        status => h.status(),
        failing => h.failures_in_row > 0,
        last_success => when(h.last_success),
        last_error => h.last_error,
        last_error_at => when(h.last_error_at),
        next_due => h.next_due.vn_text(),
        interval => canhgiac_domain::numbers::count(h.interval_secs / 60),
        last_new => canhgiac_domain::numbers::count(u64::from(h.last_new)),
        last_read => canhgiac_domain::numbers::count(u64::from(h.last_read)),
        total_new => canhgiac_domain::numbers::count(h.total_new),
    })
}

/// «Thu thập ngay»: queues a fetch of the source now (one at a time: a
/// fetch already queued is not queued twice).
pub async fn fetch_now<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath((slug, id)): PagePath<(String, i64)>,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &form)?;
    let reg = register(&slug)?;
    if reg.kind != RecordKind::Source {
        return Err(WebError::NotFound);
    }
    let store = app.store_for(&user);
    store
        .get::<canhgiac_domain::Source>(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let job = canhgiac_ingest::schedule::fetch_job(id, store.scope());
    let notice = match store.enqueue(&job).await? {
        Some(_) => "Đã xếp lịch thu thập ngay; kết quả hiện ở đây sau ít phút.",
        None => "Nguồn tin này đã có lượt thu thập đang chờ hoặc đang chạy.",
    };
    by_kind!(reg.kind, view_page, &app, &user, reg, id, notice, "")
}

/// «Chép bộ từ khóa mặc định»: the lexicon shipped with the program becomes
/// the agency's own phrases, to be edited; only while it has none.
pub async fn lexicon_defaults<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &form)?;
    let store = app.store_for(&user);
    let own = store.count_matching::<LexiconPhrase>(&ListQuery::default(), 1).await?;
    if own > 0 {
        return Err(WebError::BadRequest(
            "Cơ quan đã có bộ từ khóa riêng; hãy sửa từng cụm từ hoặc nhập từ tệp".into(),
        ));
    }
    let shipped = canhgiac_ingest::Lexicon::default_vi().map_err(|e| WebError::Internal(e.to_string()))?;
    let data = Dataset {
        lexicon_phrases: shipped.to_records(),
        ..Dataset::default()
    };
    store.import(&Actor::new(&user.username, "web"), &data).await?;
    Ok(Redirect::to("/so/tu-khoa-phan-loai").into_response())
}

/// A record's page: its fields in words, the records that refer to it,
/// its history; editing and deleting are buttons on it.
pub async fn view<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath((slug, id)): PagePath<(String, i64)>,
    PageQuery(p): PageQuery<FormParams>,
) -> Result<Response, WebError> {
    let reg = register(&slug)?;
    let notice = if p.saved.is_some() { "Đã lưu." } else { "" };
    by_kind!(reg.kind, view_page, &app, &user, reg, id, notice, "")
}

async fn remove<R: Record, S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    reg: Register,
    id: i64,
) -> Result<Response, WebError> {
    let store = app.store_for(user);
    let s = store.get::<R>(id).await?.ok_or(WebError::NotFound)?;
    match store.delete::<R>(&Actor::new(&user.username, "web"), id).await {
        Ok(()) => {
            let to = listing::url(&reg.base(), &[("da-xoa", s.record.describe())]);
            Ok(Redirect::to(&to).into_response())
        }
        Err(
            e @ (canhgiac_store::StoreError::InUse { .. }
            | canhgiac_store::StoreError::SharedRecord { .. }
            | canhgiac_store::StoreError::Refused(_)),
        ) => {
            let message = match e {
                canhgiac_store::StoreError::InUse { .. } => format!(
                    "Không xóa được «{}»: bản ghi khác đang tham chiếu tới nó (xem mục «Bản ghi liên quan»). Hãy xóa hoặc sửa các bản ghi đó trước.",
                    s.record.describe()
                ),
                e => e.to_string(),
            };
            match reg.kind.meta().register {
                Some(_) => view_page::<R, S>(app, user, reg, id, "", &message).await,
                // Items and cases have pages of their own: the message alone.
                None => Err(canhgiac_store::StoreError::Refused(message).into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// Deletes a record (editors and administrators). It goes to the bin, from
/// which an administrator restores it; one that others refer to stays.
pub async fn delete<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath((slug, id)): PagePath<(String, i64)>,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &form)?;
    let reg = register(&slug)?;
    by_kind!(reg.kind, remove, &app, &user, reg, id)
}

#[derive(Deserialize, Default)]
pub struct FormParams {
    /// Set by the redirect after saving.
    #[serde(rename = "da-luu")]
    saved: Option<String>,
}

pub async fn edit_form<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath((slug, id)): PagePath<(String, i64)>,
) -> Result<Response, WebError> {
    user.require(Role::Editor)?;
    let reg = register(&slug)?;
    by_kind!(reg.kind, edit_page, &app, &user, reg, id, false)
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

#[derive(Deserialize, Default)]
pub struct BinParams {
    before: Option<i64>,
    #[serde(rename = "da-khoi-phuc")]
    restored: Option<String>,
}

/// What people call the record of an audit entry: its name from the
/// fields the entry keeps (after the change, or before a deletion); an
/// entry of a kind kept apart (an issued report) names its kind.
pub(crate) fn entry_name(entry: &canhgiac_domain::AuditEntry) -> String {
    let Some(fields) = entry.after.clone().or_else(|| entry.before.clone()) else {
        return entry.kind.label_vn().to_owned();
    };
    with_record!(entry.kind, T => serde_json::from_value::<T>(fields).map(|r| r.describe()).ok(), None)
        .unwrap_or_else(|| entry.kind.label_vn().to_owned())
}

async fn bin_page<S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    before: Option<i64>,
    notice: &str,
    error: &str,
) -> Result<Response, WebError> {
    let list = app.store_for(user).deleted(before, 50).await?;
    let next = (list.len() == 50)
        .then(|| list.last().map(|d| format!("/thung-rac?before={}", d.entry.seq)))
        .flatten();
    let deleted: Vec<minijinja::Value> = list
        .iter()
        .map(|d| {
            context! {
                seq => d.entry.seq, at => d.entry.at.vn_text(), actor => &d.entry.actor,
                kind => kind_title(d.entry.kind), name => entry_name(&d.entry), restorable => d.restorable,
            }
        })
        .collect();
    let html = app.views.render(
        "bin.html",
        context! { user => user_ctx(user), deleted, next, notice, error },
    );
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Html(html)).into_response())
}

/// Thùng rác: the records deleted in this agency, for an administrator to
/// restore.
pub async fn bin<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageQuery(p): PageQuery<BinParams>,
) -> Result<Response, WebError> {
    user.require(Role::Admin)?;
    let notice = p
        .restored
        .as_deref()
        .map(|n| format!("Đã khôi phục «{}».", n.chars().take(300).collect::<String>()))
        .unwrap_or_default();
    bin_page(&app, &user, p.before, &notice, "").await
}

/// Restores a deleted record and opens its page.
pub async fn restore<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(seq): PagePath<i64>,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Admin, &form)?;
    let store = app.store_for(&user);
    match store.restore(&Actor::new(&user.username, "web:khoi-phuc"), seq).await {
        Ok((kind, id)) => {
            let to = match record_href(kind, id) {
                Some(href) => format!("{href}?da-luu=1"),
                None => "/thung-rac".to_owned(),
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(
            e @ (canhgiac_store::StoreError::Refused(_)
            | canhgiac_store::StoreError::Conflict { .. }
            | canhgiac_store::StoreError::MissingReference { .. }
            | canhgiac_store::StoreError::Invalid { .. }),
        ) => bin_page(&app, &user, None, "", &format!("Không khôi phục được: {e}")).await,
        Err(e) => Err(e.into()),
    }
}

/// Thêm tin, bài: the item form, references picked by name.
pub async fn item_new<S: Store>(State(app): State<AppState<S>>, user: CurrentUser) -> Result<Response, WebError> {
    user.require(Role::Editor)?;
    let values = defaults(item_register(), &user);
    let page = form_page(&app, &user, item_register(), Editing::default(), &values, None).await?;
    Ok(Html(page).into_response())
}

pub async fn item_create<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &form)?;
    save::<canhgiac_domain::MediaItem, S>(&app, &user, item_register(), None, &form).await
}

/// The edit form of an item or a case, the same as a register's.
async fn own_edit<S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    reg: Register,
    id: i64,
) -> Result<Response, WebError> {
    user.require(Role::Editor)?;
    by_kind!(reg.kind, edit_page, app, user, reg, id, false)
}

pub async fn item_edit<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
) -> Result<Response, WebError> {
    own_edit(&app, &user, item_register(), id).await
}

pub async fn case_edit<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
) -> Result<Response, WebError> {
    own_edit(&app, &user, case_register(), id).await
}

pub async fn item_update<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &form)?;
    save::<canhgiac_domain::MediaItem, S>(&app, &user, item_register(), Some(id), &form).await
}

pub async fn case_update<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &form)?;
    save::<canhgiac_domain::Case, S>(&app, &user, case_register(), Some(id), &form).await
}

pub async fn item_delete<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &form)?;
    remove::<canhgiac_domain::MediaItem, S>(&app, &user, item_register(), id).await
}

pub async fn case_delete<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    user.may_submit(Role::Editor, &form)?;
    remove::<canhgiac_domain::Case, S>(&app, &user, case_register(), id).await
}
