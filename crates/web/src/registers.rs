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
use canhgiac_domain::{with_record, FieldDef, FieldTy, Record, RecordKind, RegisterDef, Role};
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
        self.kind.meta().fields.iter().filter(|f| f.ty.is_flat())
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

pub fn register(slug: &str) -> Result<Register, WebError> {
    registers().find(|r| r.def.slug == slug).ok_or(WebError::NotFound)
}

/// Longest value a form field may carry.
const MAX_FIELD: usize = 20_000;

/// What a form shows after a field's label, so people know the shape.
fn hint(ty: FieldTy) -> &'static str {
    match ty {
        FieldTy::Texts => " (cách nhau bởi ;)",
        FieldTy::Instant => " (dd/mm/yyyy hh:mm, giờ Việt Nam)",
        FieldTy::Period => " (ví dụ 2024-H1)",
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
fn gather_ticked(reg: Register, form: &HashMap<String, String>) -> HashMap<String, String> {
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
            let chosen: Vec<&str> = value.split(';').map(str::trim).filter(|v| !v.is_empty()).collect();
            let (kind, mut options): (&str, Vec<(String, String)>) = match fl.ty {
                FieldTy::LongText => ("area", Vec::new()),
                FieldTy::Date => ("date", Vec::new()),
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

#[derive(Deserialize, Default)]
pub struct ListParams {
    q: Option<String>,
    #[serde(flatten)]
    paging: Paging,
    /// Exports only: `csv` or `xlsx`.
    #[serde(rename = "dinh-dang")]
    format: Option<String>,
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
        let mut params: Vec<(&str, String)> = vec![
            ("q", self.q.clone().unwrap_or_default()),
            ("sap-xep", self.paging.sort.clone().unwrap_or_default()),
            ("chieu", self.paging.dir.clone().unwrap_or_default()),
        ];
        for (k, v) in over {
            params.retain(|(p, _)| p != k);
            params.push((k, v.clone()));
        }
        listing::url(&format!("/so/{slug}"), &params)
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

/// One page of a register: its rows and the total it is a page of.
async fn rows<R: Record, S: Store>(
    app: &AppState<S>,
    user: &CurrentUser,
    reg: Register,
    p: &ListParams,
) -> Result<(Vec<minijinja::Value>, u64), WebError> {
    let mut q = ListQuery {
        search: p.search(),
        ..Default::default()
    };
    let store = app.store_for(user);
    let total = store.count_matching::<R>(&q, listing::COUNT_CAP).await?;
    p.paging.apply(&mut q, &sortable(reg));
    let list: Vec<Stored<R>> = store.list::<R>(&q).await?;
    let names = ref_options(app, user, reg, reg.def.columns).await?;
    let rows = list
        .iter()
        .map(|s| {
            let cells = cells_of(reg, &s.record, reg.def.columns, &names);
            context! { id => s.id, cells, shared => locked(s) }
        })
        .collect();
    Ok((rows, total))
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
    let mut q = ListQuery {
        search: p.search(),
        order: p.paging.order(&sortable(reg)),
        limit: Some(canhgiac_store::MAX_PAGE),
        ..Default::default()
    };
    let mut rows = Vec::new();
    let mut offset = 0;
    while offset < listing::EXPORT_ROWS {
        q.offset = Some(offset);
        let page: Vec<Stored<R>> = app.store_for(user).list::<R>(&q).await?;
        let n = page.len() as u32;
        for s in &page {
            let cells = cells_of(reg, &s.record, &columns, &names);
            rows.push(
                columns
                    .iter()
                    .zip(cells)
                    .map(|(c, text)| match R::META.field(c).map(|f| f.ty) {
                        Some(FieldTy::Int | FieldTy::Money) => text
                            .replace('.', "")
                            .parse::<f64>()
                            .map_or(Cell::Text(text), Cell::Number),
                        _ => Cell::Text(text),
                    })
                    .collect(),
            );
        }
        if n < canhgiac_store::MAX_PAGE {
            break;
        }
        offset += n;
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
    let (rows, total) = by_kind!(reg.kind, rows, &app, &user, reg, &p)?;
    let slug = reg.def.slug;
    let columns: Vec<(&str, &str)> = reg.def.columns.iter().map(|c| (*c, reg.label(c))).collect();
    let headers = listing::headings(&columns, &sortable(reg), &p.paging, &|over| p.link(slug, over));
    let pager = listing::pager(total, &p.paging, &|n| p.link(slug, &[("trang", n.to_string())]));
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
            total => listing::total_text(total), pager,
            export_csv => export("csv"), export_xlsx => export("xlsx"),
            can_edit => user.require(Role::Editor).is_ok(),
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
            user => user_ctx(user), reg_slug => reg.def.slug, title => reg.def.title, id, version,
            fields => fields_ctx(reg, values, &refs), error, error_field, locked, saved,
        },
    ))
}

pub async fn new_form<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(slug): PagePath<String>,
) -> Result<Response, WebError> {
    user.require(Role::Editor)?;
    let reg = register(&slug)?;
    Ok(Html(form_page(&app, &user, reg, Editing::default(), &HashMap::new(), None).await?).into_response())
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
        Ok(id) => Ok(Redirect::to(&format!("/so/{}/{id}?da-luu=1", reg.def.slug)).into_response()),
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
                message: e.to_string(),
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
    PageQuery(p): PageQuery<FormParams>,
) -> Result<Response, WebError> {
    let reg = register(&slug)?;
    let saved = p.saved.is_some();
    by_kind!(reg.kind, edit_page, &app, &user, reg, id, saved)
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
