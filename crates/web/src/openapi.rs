//! The OpenAPI 3.1 document of `/api/v1`, generated from the record types
//! (their JSON Schemas come from the same serde definitions the API parses
//! with), so the document cannot drift from the code.

use canhgiac_domain::schemars::generate::SchemaSettings;
use canhgiac_domain::{with_record, Record};
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
        let mut create_resp = error_responses(&["400", "401", "403", "404", "409", "413", "422"]);
        create_resp.insert(
            "201".into(),
            json!({"description": "Đã tạo", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Created"}}}}),
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
                        {"name": "from", "in": "query", "schema": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}},
                        {"name": "to", "in": "query", "schema": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}}
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
        get_resp.insert("200".into(), one.clone());
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
        json!({"type": "object", "required": ["id", "key"], "properties": {"id": {"type": "integer"}, "key": {"type": "string"}}}),
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
