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
        let one = json!({"description": label, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{stored_name}")}}}});
        let mut one_linked = one.clone();
        one_linked["links"] = json!({
            "Update": {
                "operationId": format!("update_{}", R::KIND.code()),
                "parameters": {"path.id": "$response.body#/id", "header.If-Match": "$response.body#/version"},
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
                    "parameters": {"path.id": format!("$response.body#/{from}"), "header.If-Match": "$response.body#/version"}
                },
                "Delete": {"operationId": format!("delete_{code}"), "parameters": {"path.id": format!("$response.body#/{from}")}}
            })
        };
        let mut create_resp = error_responses(&["400", "401", "403", "404", "409", "413", "422"]);
        create_resp.insert(
            "201".into(),
            json!({
                "description": "Đã tạo",
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
                    "parameters": [{"name": "If-Match", "in": "header", "required": true, "schema": {"type": "string", "pattern": "^\"?[0-9]{1,18}\"?$"}, "description": "Phiên bản đang sửa (trường version, hoặc ETag khi đọc); thiếu thì 428"}],
                    "requestBody": body,
                    "responses": put_resp
                },
                "delete": {"summary": format!("Xóa {label}"), "operationId": format!("delete_{}", R::KIND.code()), "responses": del_resp}
            }),
        );
    }
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
    let mut schemas = k.schemas;
    for (name, s) in gen.take_definitions(true) {
        schemas.insert(name, s);
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

/// What exists now for the caller: per kind, the keys other records may
/// name and the ids the record paths take.
#[derive(Default)]
pub struct Live {
    pub keys: std::collections::BTreeMap<RecordKind, Vec<String>>,
    pub ids: std::collections::BTreeMap<RecordKind, Vec<i64>>,
    /// The versions the caller's records of a kind are at.
    pub versions: std::collections::BTreeMap<RecordKind, std::collections::BTreeSet<i64>>,
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

/// The document with the values that exist now for the caller
/// (`/api/openapi.json?live=1`): a reference field lists the keys it may
/// name, a record path the ids it may take. For API explorers and fuzzers,
/// which then reach the success paths instead of guessing keys; it is a
/// snapshot, valid until the records change.
pub fn with_live_values(mut doc: Value, live: &Live) -> Value {
    for kind in crate::api::api_kinds() {
        let name = with_record!(kind, R => <R as canhgiac_domain::schemars::JsonSchema>::schema_name().into_owned(), String::new());
        for f in kind.meta().fields {
            let (target, many) = match f.ty {
                FieldTy::Ref(k) => (k, false),
                FieldTy::Refs(k) => (k, true),
                _ => continue,
            };
            let Some(keys) = live.keys.get(&target).filter(|k| !k.is_empty()) else {
                continue;
            };
            let values: Vec<Value> = keys.iter().map(|k| json!(k)).collect();
            let Some(prop) = doc.pointer_mut(&format!("/components/schemas/{name}/properties/{}", f.name)) else {
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
        if let Some(ids) = live.ids.get(&kind).filter(|i| !i.is_empty()) {
            let path = format!("/api/v1/{}/{{id}}", kind.meta().api_path())
                .replace('~', "~0")
                .replace('/', "~1");
            if let Some(schema) = doc.pointer_mut(&format!("/paths/{path}/parameters/0/schema")) {
                schema["enum"] = json!(ids);
            }
            if let (Some(versions), Some(schema)) = (
                live.versions.get(&kind),
                doc.pointer_mut(&format!("/paths/{path}/put/parameters/0/schema")),
            ) {
                let tags: Vec<String> = versions.iter().map(i64::to_string).collect();
                schema["enum"] = json!(tags);
            }
        }
    }
    doc
}
