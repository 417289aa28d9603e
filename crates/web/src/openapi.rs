//! The OpenAPI 3.1 document of `/api/v1`, generated from the record types
//! (their JSON Schemas come from the same serde definitions the API parses
//! with), so the document cannot drift from the code.

use canhgiac_domain::schemars::generate::SchemaSettings;
use canhgiac_domain::{with_record, FieldTy, Record, RecordKind};
use serde_json::{json, Map, Value};

fn error_responses(codes: &[&str]) -> Map<String, Value> {
    let mut m = Map::new();
    for c in codes {
        let text = match *c {
            "400" => "Yêu cầu không hợp lệ",
            "401" => "Chưa đăng nhập hoặc mã truy cập không hợp lệ",
            "403" => "Không có quyền",
            "404" => "Không tìm thấy",
            "409" => "Xung đột (trùng khóa, đang được tham chiếu, phiên bản cũ)",
            "413" => "Nội dung quá lớn",
            "422" => "Dữ liệu không hợp lệ",
            "428" => "Thiếu If-Match (phiên bản đang sửa)",
            _ => "Lỗi",
        };
        m.insert(
            (*c).to_owned(),
            json!({"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}),
        );
    }
    m
}

fn stored(name: &str) -> Value {
    json!({
        "type": "object",
        "required": ["id", "key", "version", "created_at", "updated_at", "shared", "record"],
        "properties": {
            "id": {"type": "integer"},
            "key": {"type": "string"},
            "version": {"type": "integer"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "shared": {
                "type": "boolean",
                "description": "Dữ liệu dùng chung cho mọi cơ quan (chủ đề, căn cứ pháp lý, nguồn tin dùng chung): cơ quan đọc, không sửa"
            },
            "record": {"$ref": format!("#/components/schemas/{name}")}
        }
    })
}

struct Kinds {
    schemas: Map<String, Value>,
    paths: Map<String, Value>,
}

impl Kinds {
    fn add<R: Record>(&mut self, gen: &mut canhgiac_domain::schemars::SchemaGenerator) {
        let name = R::schema_name().into_owned();
        let _ = gen.subschema_for::<R>();
        let stored_name = format!("Stored{name}");
        self.schemas.insert(stored_name.clone(), stored(&name));
        let plural = R::META.api_path();
        let label = R::KIND.label_vn();
        let body = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}}});
        let etag = json!({"ETag": {"description": "Phiên bản của bản ghi, gửi lại trong If-Match khi sửa", "schema": {"type": "string", "pattern": "^\"[0-9]{1,18}\"$"}}});
        let one = json!({
            "description": label,
            "headers": etag,
            "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{stored_name}")}}}
        });
        let mut one_linked = one.clone();
        one_linked["links"] = json!({
            "Update": {
                "operationId": format!("update_{}", R::KIND.code()),
                "parameters": {"path.id": "$response.body#/id", "header.If-Match": "$response.header.ETag"},
                "requestBody": "$response.body#/record"
            },
            "Delete": {"operationId": format!("delete_{}", R::KIND.code()), "parameters": {"path.id": "$response.body#/id"}}
        });
        let mut list_resp = error_responses(&["400", "401", "403"]);
        list_resp.insert(
            "200".into(),
            json!({"description": format!("Danh sách {label}"), "content": {"application/json": {"schema": {
                "type": "object", "required": ["items", "next_before"],
                "properties": {
                    "items": {"type": "array", "items": {"$ref": format!("#/components/schemas/{stored_name}")}},
                    "next_before": {"type": ["integer", "null"]}
                }
            }}}}),
        );
        let code = R::KIND.code();
        // Links: what a client does next with the record it created or read,
        // which is also the path a stateful fuzzer follows.
        let by_id = |from: &str| {
            json!({
                "Read": {"operationId": format!("get_{code}"), "parameters": {"path.id": format!("$response.body#/{from}")}},
                "Update": {
                    "operationId": format!("update_{code}"),
                    "parameters": {"path.id": format!("$response.body#/{from}"), "header.If-Match": "$response.header.ETag"}
                },
                "Delete": {"operationId": format!("delete_{code}"), "parameters": {"path.id": format!("$response.body#/{from}")}}
            })
        };
        let mut create_resp = error_responses(&["400", "401", "403", "404", "409", "413", "422"]);
        create_resp.insert(
            "201".into(),
            json!({
                "description": "Đã tạo",
                "headers": {
                    "ETag": etag["ETag"],
                    "Location": {"description": "Đường dẫn của bản ghi vừa tạo", "schema": {"type": "string"}}
                },
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Created"}}},
                "links": by_id("id")
            }),
        );
        self.paths.insert(
            format!("/api/v1/{plural}"),
            json!({
                "get": {
                    "summary": format!("Danh sách {label}, mới nhất trước"),
                    "operationId": format!("list_{}", R::KIND.code()),
                    "parameters": [
                        {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}, "description": "Tìm không phân biệt dấu"},
                        {"name": "before", "in": "query", "schema": {"type": "integer"}, "description": "Trang sau: mã số cuối của trang trước"},
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                        {"name": "from", "in": "query", "schema": {"type": "string", "pattern": canhgiac_domain::date::DATE_PATTERN}},
                        {"name": "to", "in": "query", "schema": {"type": "string", "pattern": canhgiac_domain::date::DATE_PATTERN}}
                    ],
                    "responses": list_resp
                },
                "post": {
                    "summary": format!("Tạo {label}"),
                    "operationId": format!("create_{}", R::KIND.code()),
                    "requestBody": body,
                    "responses": create_resp
                }
            }),
        );
        let id_param = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
        let mut get_resp = error_responses(&["400", "401", "403", "404"]);
        get_resp.insert("200".into(), one_linked);
        let mut put_resp = error_responses(&["400", "401", "403", "404", "409", "413", "422", "428"]);
        put_resp.insert("200".into(), one);
        let mut del_resp = error_responses(&["400", "401", "403", "404", "409"]);
        del_resp.insert("204".into(), json!({"description": "Đã xóa"}));
        self.paths.insert(
            format!("/api/v1/{plural}/{{id}}"),
            json!({
                "parameters": [id_param],
                "get": {"summary": format!("Một {label}"), "operationId": format!("get_{}", R::KIND.code()), "responses": get_resp},
                "put": {
                    "summary": format!("Sửa {label}"),
                    "operationId": format!("update_{}", R::KIND.code()),
                    "parameters": [{"name": "If-Match", "in": "header", "required": true, "schema": {"type": "string", "pattern": "^(\\*|\"?[0-9]{1,18}\"?)$"}, "description": "Phiên bản đang sửa (trường version, hoặc ETag khi đọc); * để ghi đè bất kể phiên bản; thiếu thì 428"}],
                    "requestBody": body,
                    "responses": put_resp
                },
                "delete": {"summary": format!("Xóa {label}"), "operationId": format!("delete_{}", R::KIND.code()), "responses": del_resp}
            }),
        );
    }
}

/// schemars names Rust's integer widths (`format: uint32`) but leaves the
/// upper bound to a validator that knows the format; most do not, so the
/// bound is stated.
fn state_integer_bounds(v: &mut Value) {
    match v {
        Value::Object(o) => {
            let max = match o.get("format").and_then(Value::as_str) {
                Some("uint8") => Some(u64::from(u8::MAX)),
                Some("uint16") => Some(u64::from(u16::MAX)),
                Some("uint32") => Some(u64::from(u32::MAX)),
                _ => None,
            };
            if let Some(max) = max {
                o.entry("maximum").or_insert(json!(max));
            }
            o.values_mut().for_each(state_integer_bounds);
        }
        Value::Array(a) => a.iter_mut().for_each(state_integer_bounds),
        _ => {}
    }
}

/// A link field (`x-link`) as a request sends it: [`canhgiac_domain::URL_PATTERN`].
fn links_as_sent(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if o.remove("x-link").is_some() {
                o.insert("pattern".into(), json!(canhgiac_domain::URL_PATTERN));
            }
            o.values_mut().for_each(links_as_sent);
        }
        Value::Array(a) => a.iter_mut().for_each(links_as_sent),
        _ => {}
    }
}

/// `GET /api/v1/search`: full-text search over media items.
fn search_path() -> Value {
    let segments = json!({"type": "array", "items": {"type": "object", "required": ["text", "hit"], "properties": {
        "text": {"type": "string"}, "hit": {"type": "boolean"}
    }}});
    let mut responses = error_responses(&["400", "401", "403"]);
    responses.insert(
        "200".into(),
        json!({"description": "Tin, bài tìm thấy, phù hợp nhất trước", "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["total", "more_than", "hits"],
            "properties": {
                "total": {"type": "integer", "minimum": 0},
                "more_than": {"type": "boolean", "description": "Có hơn 10.000 kết quả (total là mức tối thiểu)"},
                "hits": {"type": "array", "items": {"type": "object", "required": ["id", "key", "title", "outlet", "published_on", "topics", "score", "title_marked", "snippet"], "properties": {
                    "id": {"type": "integer"}, "key": {"type": "string"}, "title": {"type": "string"},
                    "url": {"type": ["string", "null"]}, "outlet": {"type": "string"},
                    "published_on": {"type": "string", "format": "date"},
                    "topics": {"type": "array", "items": {"type": "string"}},
                    "score": {"type": "number"}, "title_marked": segments, "snippet": segments
                }}}
            }
        }}}}),
    );
    let param = |name: &str, required: bool, schema: Value, description: &str| json!({"name": name, "in": "query", "required": required, "schema": schema, "description": description});
    json!({"get": {
        "summary": "Tìm tin, bài theo nội dung, không phân biệt dấu: từ, \"cụm từ\", AND, OR, NOT, ngoặc đơn",
        "operationId": "search_media_items",
        "parameters": [
            param("q", true, json!({"type": "string", "minLength": 1, "maxLength": 500}), "Câu tìm kiếm, ví dụ: \"ma túy\" AND (bán OR mua) NOT \"phòng chống\""),
            param("outlet", false, json!({"type": "string"}), "Mã cơ quan báo chí"),
            param("topic", false, json!({"type": "string"}), "Mã chủ đề"),
            param("kind", false, json!({"type": "string"}), "Loại tin bài"),
            param("featured", false, json!({"type": "boolean"}), "Chỉ tin, bài tiêu biểu"),
            param("from", false, json!({"type": "string", "format": "date"}), "Từ ngày"),
            param("to", false, json!({"type": "string", "format": "date"}), "Đến ngày"),
            param("order", false, json!({"type": "string", "enum": ["newest", "oldest"]}), "Xếp theo ngày thay vì mức phù hợp"),
            param("offset", false, json!({"type": "integer", "minimum": 0, "maximum": 100_000}), "Bỏ qua bao nhiêu kết quả"),
            param("limit", false, json!({"type": "integer", "minimum": 1, "maximum": 100}), "Số kết quả tối đa"),
        ],
        "responses": responses
    }})
}

fn watch_hits_path() -> Value {
    let mut responses = error_responses(&["400", "401", "403"]);
    let text_or_null = json!({"type": ["string", "null"]});
    responses.insert(
        "200".into(),
        json!({"description": "Tin, bài khớp quy tắc theo dõi, mới nhất trước", "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["total", "hits"],
            "properties": {
                "total": {"type": "integer", "minimum": 0},
                "hits": {"type": "array", "items": {"type": "object", "required": ["id", "rule", "rule_name", "query", "item", "title", "outlet", "published_on", "found_at", "status"], "properties": {
                    "id": {"type": "integer"}, "rule": {"type": "integer"}, "rule_name": {"type": "string"},
                    "query": {"type": "string"}, "item": {"type": "integer"}, "title": {"type": "string"},
                    "url": text_or_null, "outlet": {"type": "string"},
                    "published_on": {"type": "string", "format": "date"},
                    "found_at": {"type": "string", "format": "date-time"},
                    "status": {"type": "string", "enum": ["new", "case", "dismissed"]},
                    "case": text_or_null, "reviewed_by": text_or_null,
                    "reviewed_at": {"type": ["string", "null"], "format": "date-time"}
                }}}
            }
        }}}}),
    );
    let param = |name: &str, schema: Value, description: &str| json!({"name": name, "in": "query", "required": false, "schema": schema, "description": description});
    json!({"get": {
        "summary": "Hàng chờ xem xét: tin, bài khớp các quy tắc theo dõi từ khóa",
        "operationId": "list_watch_hits",
        "parameters": [
            param("status", json!({"type": "string", "enum": ["new", "case", "dismissed"]}), "Chưa xem xét, đã tạo vụ việc, đã bỏ qua"),
            param("rule", json!({"type": "integer"}), "Mã số quy tắc"),
            param("offset", json!({"type": "integer", "minimum": 0, "maximum": 100_000}), "Bỏ qua bao nhiêu kết quả"),
            param("limit", json!({"type": "integer", "minimum": 1, "maximum": 100}), "Số kết quả tối đa"),
        ],
        "responses": responses
    }})
}

fn import_path() -> Value {
    // The sections a file may hold, each a list of records in the file
    // format (docs/import-format.md).
    let sections: Map<String, Value> = RecordKind::ALL
        .iter()
        .map(|k| {
            (
                k.plural().to_owned(),
                json!({"type": "array", "items": {"type": "object"}}),
            )
        })
        .collect();
    let counts = json!({"type": "object", "additionalProperties": {"type": "integer", "minimum": 1},
        "description": "Số bản ghi theo loại (đường dẫn API của loại, ví dụ media-items)"});
    let mut responses = error_responses(&["400", "401", "403", "404", "409", "413", "422"]);
    responses.insert(
        "200".into(),
        json!({"description": "Đã nhập: số bản ghi tạo mới, cập nhật, giữ nguyên theo loại", "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["created", "updated", "unchanged"],
            "properties": {"created": counts, "updated": counts, "unchanged": counts}
        }}}}),
    );
    json!({"post": {
        "summary": "Nhập nhiều bản ghi một lần (định dạng tệp JSON của canhgiac, docs/import-format.md): tất cả hoặc không bản ghi nào",
        "operationId": "import_records",
        "parameters": [{"name": "update", "in": "query", "required": false, "schema": {"type": "boolean"},
            "description": "true: bản ghi đã có được cập nhật theo nội dung gửi; mặc định giữ nguyên"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {
            "type": "object",
            "description": "{\"format\": \"canhgiac\", \"schema_version\": 1, \"records\": {\"media_items\": […], …}}",
            "required": ["format", "schema_version", "records"],
            "additionalProperties": false,
            "properties": {
                "format": {"const": "canhgiac"},
                "schema_version": {"const": 1},
                "exported_at": {"type": "string", "format": "date-time"},
                "notes": {"type": "array", "items": {"type": "string"}},
                "records": {"type": "object", "additionalProperties": false, "properties": sections}
            }
        }}}},
        "responses": responses
    }})
}

/// The document served at `/api/openapi.json`.
pub fn document() -> Value {
    let mut gen = SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "/components/schemas/".into())
        .into_generator();
    let mut k = Kinds {
        schemas: Map::new(),
        paths: Map::new(),
    };
    for kind in crate::api::api_kinds() {
        with_record!(kind, R => k.add::<R>(&mut gen), ());
    }
    let mut created = error_responses(&["400", "401", "403", "404", "409", "413", "422"]);
    created.insert(
        "201".into(),
        json!({"description": "Đã tiếp nhận, chờ duyệt", "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["id", "agency", "version", "status", "manifest_sha256"],
            "properties": {
                "id": {"type": "integer"}, "agency": {"type": "string"}, "version": {"type": "integer"},
                "status": {"type": "string"}, "manifest_sha256": {"type": "string"}
            }
        }}}}),
    );
    k.paths.insert(
        "/api/v1/submissions".into(),
        json!({"post": {
            "summary": "Tiếp nhận gói báo cáo ký số của đơn vị (docs/import-format.md)",
            "operationId": "receive_submission",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object",
                "description": "Gói báo cáo: format, manifest, files, public_key, signature (Ed25519)"
            }}}},
            "responses": created
        }}),
    );
    k.paths.insert("/api/v1/search".into(), search_path());
    k.paths.insert("/api/v1/watch-hits".into(), watch_hits_path());
    k.paths.insert("/api/v1/import".into(), import_path());
    let mut schemas = k.schemas;
    for (name, s) in gen.take_definitions(true) {
        schemas.insert(name, s);
    }
    for s in schemas.values_mut() {
        state_integer_bounds(s);
    }
    // Request bodies are written out whole, with the rules of what is sent
    // (a link's pattern); responses refer to the record schemas, which
    // describe what is stored.
    for kind in crate::api::api_kinds() {
        let name = with_record!(kind, R => <R as canhgiac_domain::schemars::JsonSchema>::schema_name().into_owned(), String::new());
        let Some(record_schema) = schemas.get(&name) else {
            continue;
        };
        let mut body = inlined(record_schema, &schemas, 8);
        links_as_sent(&mut body);
        let plural = kind.meta().api_path();
        for (path, method) in [
            (format!("/api/v1/{plural}"), "post"),
            (format!("/api/v1/{plural}/{{id}}"), "put"),
        ] {
            if let Some(media) = k
                .paths
                .get_mut(&path)
                .and_then(|p| p.pointer_mut(&format!("/{method}/requestBody/content/application~1json")))
            {
                media["schema"] = body.clone();
            }
        }
    }
    schemas.insert(
        "Error".into(),
        json!({"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string", "description": "Thông báo tiếng Việt"}
        }}),
    );
    schemas.insert(
        "Created".into(),
        json!({"type": "object", "required": ["id", "key", "version"], "properties": {
            "id": {"type": "integer"}, "key": {"type": "string"}, "version": {"type": "integer", "const": 1}
        }}),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "canhgiac API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Dữ liệu phục vụ công tác phòng, chống tội phạm của Sở Thông tin và Truyền thông. Lỗi trả về {code, message}, thông báo bằng tiếng Việt."
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": k.paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "description": "Mã truy cập với phạm vi read, write hoặc ingest"}}
        }
    })
}

/// How many existing values a live document lists per field.
pub const LIVE_VALUES: u32 = 100;

/// One of the caller's own records, as a live document shows it.
pub struct OwnRecord {
    pub id: i64,
    /// Its natural key (`VV-2024-01`, `2024|2023/BCĐ-CAT`).
    pub key: String,
    /// The record's fields, as `GET` returns them under `record`.
    pub record: Value,
}

/// What exists now for the caller: per kind, the keys other records may
/// name, and the caller's own records (newest first), whose ids the record
/// paths take.
#[derive(Default)]
pub struct Live {
    pub keys: std::collections::BTreeMap<RecordKind, Vec<String>>,
    pub own: std::collections::BTreeMap<RecordKind, Vec<OwnRecord>>,
    /// The caller's sign-in name: the one user a field naming a user
    /// (a comment's writer, a case's assignee) is offered, since the
    /// accounts are not listed.
    pub me: Option<String>,
}

/// The kinds whose keys or ids a live document lists: the API's kinds and
/// every kind their fields refer to.
pub fn live_kinds() -> std::collections::BTreeSet<RecordKind> {
    let mut kinds = std::collections::BTreeSet::new();
    for kind in crate::api::api_kinds() {
        kinds.insert(kind);
        for f in kind.meta().fields {
            if let FieldTy::Ref(k) | FieldTy::Refs(k) = f.ty {
                kinds.insert(k);
            }
        }
    }
    // Never a kind the API does not serve (accounts): its keys stay private.
    kinds.retain(|k| k.meta().api != canhgiac_domain::ApiAccess::None);
    kinds
}

/// Narrows a schema to `values` (keeping `null` where it was allowed).
fn set_enum(s: &mut Value, values: &[Value]) {
    if let Some(branches) = s.get_mut("anyOf").and_then(Value::as_array_mut) {
        for b in branches.iter_mut().filter(|b| b.get("type") != Some(&json!("null"))) {
            set_enum(b, values);
        }
        return;
    }
    let nullable = s
        .get("type")
        .and_then(Value::as_array)
        .is_some_and(|t| t.contains(&json!("null")));
    let mut e = values.to_vec();
    if nullable {
        e.push(Value::Null);
    }
    if let Some(o) = s.as_object_mut() {
        o.remove("pattern");
        o.insert("enum".into(), Value::Array(e));
    }
}

/// `schema` with every `#/components/schemas/…` reference replaced by
/// what it names (record schemas do not refer to themselves; `depth`
/// stops a cycle all the same).
fn inlined(schema: &Value, schemas: &Map<String, Value>, depth: u8) -> Value {
    match schema {
        Value::Object(o) => {
            let target = o
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .and_then(|name| schemas.get(name));
            match target {
                Some(t) if depth > 0 => {
                    let mut out = inlined(t, schemas, depth - 1);
                    // Keywords beside the reference (default, description) stay.
                    if let Value::Object(out_o) = &mut out {
                        for (k, v) in o.iter().filter(|(k, _)| k.as_str() != "$ref") {
                            out_o.insert(k.clone(), inlined(v, schemas, depth));
                        }
                    }
                    out
                }
                _ => Value::Object(o.iter().map(|(k, v)| (k.clone(), inlined(v, schemas, depth))).collect()),
            }
        }
        Value::Array(a) => Value::Array(a.iter().map(|v| inlined(v, schemas, depth)).collect()),
        other => other.clone(),
    }
}

/// The document with the values that exist now for the caller
/// (`/api/openapi.json?live=1`): in what requests send, a reference field
/// lists the keys it may name, a record path the ids it may take, and an
/// update goes as `If-Match: *` with, as its example, the newest record. For API
/// explorers and fuzzers, which then reach the success paths instead of
/// guessing keys. Only request bodies are narrowed; responses keep the
/// record schemas (a record may refer to a key past the listed ones). A
/// snapshot, valid until the records change.
pub fn with_live_values(mut doc: Value, live: &Live) -> Value {
    for kind in crate::api::api_kinds() {
        let plural = kind.meta().api_path();
        let list_path = format!("/api/v1/{plural}").replace('~', "~0").replace('/', "~1");
        let post = format!("/paths/{list_path}/post/requestBody/content/application~1json/schema");
        let Some(mut body) = doc.pointer(&post).cloned() else {
            continue;
        };
        for f in kind.meta().fields {
            let (target, many) = match f.ty {
                FieldTy::Ref(k) => (k, false),
                FieldTy::Refs(k) => (k, true),
                _ => continue,
            };
            let values: Vec<Value> = if target == RecordKind::User {
                live.me.iter().map(|k| json!(k)).collect()
            } else {
                live.keys
                    .get(&target)
                    .map(|keys| keys.iter().map(|k| json!(k)).collect())
                    .unwrap_or_default()
            };
            if values.is_empty() {
                continue;
            }
            let Some(prop) = body.pointer_mut(&format!("/properties/{}", f.name)) else {
                continue;
            };
            if many {
                if let Some(items) = prop.get_mut("items") {
                    set_enum(items, &values);
                }
            } else {
                set_enum(prop, &values);
            }
        }
        for (path, method) in [
            (format!("/api/v1/{plural}"), "post"),
            (format!("/api/v1/{plural}/{{id}}"), "put"),
        ] {
            let path = path.replace('~', "~0").replace('/', "~1");
            if let Some(media) =
                doc.pointer_mut(&format!("/paths/{path}/{method}/requestBody/content/application~1json"))
            {
                media["schema"] = body.clone();
            }
        }
        let Some(own) = live.own.get(&kind).filter(|o| !o.is_empty()) else {
            continue;
        };
        let path = format!("/api/v1/{}/{{id}}", kind.meta().api_path())
            .replace('~', "~0")
            .replace('/', "~1");
        // The first id is the newest record's, and its fields are the
        // update's example: a request built from the first values (and the
        // examples) is one that succeeds.
        let first = &own[0];
        if let Some(param) = doc.pointer_mut(&format!("/paths/{path}/parameters/0")) {
            param["schema"]["enum"] = json!(own.iter().map(|r| r.id).collect::<Vec<_>>());
            param["example"] = json!(first.id);
        }
        // Updates go unconditionally (`If-Match: *`): a generated update
        // otherwise finds the version it names already moved on by the one
        // before. Following links from a read or a creation sends the real
        // version (its ETag), and the plain document asks for a version.
        if let Some(param) = doc.pointer_mut(&format!("/paths/{path}/put/parameters/0")) {
            param["schema"]["enum"] = json!(["*"]);
            param["example"] = json!("*");
        }
        if let Some(media) = doc.pointer_mut(&format!("/paths/{path}/put/requestBody/content/application~1json")) {
            media["example"] = first.record.clone();
            // A case's status moves only as its workflow allows, from what
            // is on record: an update generated from the document keeps it.
            if kind == RecordKind::Case {
                if let (Some(status), Some(prop)) = (
                    first.record.get("status").cloned(),
                    media.pointer_mut("/schema/properties/status"),
                ) {
                    set_enum(prop, &[status]);
                }
            }
            // An update keeps the record's key (renaming one that others
            // refer to is refused): the fields the key is made of take the
            // first record's values, and the update goes to that record.
            let parts: Vec<&str> = first.key.split('|').collect();
            if let Some(fields) = first.record.as_object() {
                for (name, value) in fields {
                    let text = match value {
                        Value::String(t) => t.clone(),
                        Value::Number(n) => n.to_string(),
                        _ => continue,
                    };
                    if parts.contains(&text.as_str()) {
                        if let Some(prop) = media.pointer_mut(&format!("/schema/properties/{name}")) {
                            set_enum(prop, std::slice::from_ref(value));
                        }
                    }
                }
            }
        }
        if let Some(put) = doc
            .pointer_mut(&format!("/paths/{path}/put/parameters"))
            .and_then(Value::as_array_mut)
        {
            put.push(json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "enum": [first.id]}, "example": first.id}));
        }
    }
    doc
}
