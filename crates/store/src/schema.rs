//! How each record kind maps to its table, and the migration runner.

use canhgiac_domain::RecordKind;
use sha2::{Digest, Sha256};

use crate::db::{Engine, Pool, Ty, Value};
use crate::StoreError;

/// How a record field is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColTy {
    Text,
    Int,
    Bool,
    /// A nested value (list, struct) kept as JSON text.
    Json,
}

impl ColTy {
    pub fn ty(self) -> Ty {
        match self {
            ColTy::Text | ColTy::Json => Ty::Text,
            ColTy::Int => Ty::Int,
            ColTy::Bool => Ty::Bool,
        }
    }
}

/// A record kind's table: its columns are exactly the record's serde fields.
pub struct TableDef {
    pub kind: RecordKind,
    pub table: &'static str,
    pub columns: &'static [(&'static str, ColTy)],
    /// Fields folded into the `search` column.
    pub search: &'static [&'static str],
    /// The date field lists sort and filter on, if any.
    pub date_field: Option<&'static str>,
}

use ColTy::{Bool as B, Int as I, Json as J, Text as T};

const TABLES: &[TableDef] = &[
    TableDef {
        kind: RecordKind::Agency,
        table: "agencies",
        columns: &[
            ("code", T),
            ("names", J),
            ("signer", J),
            ("recipients", J),
            ("period_rule", T),
            ("heading_case", T),
            ("drafting_unit", T),
            ("layout", J),
        ],
        search: &["code", "names"],
        date_field: None,
    },
    TableDef {
        kind: RecordKind::User,
        table: "users",
        columns: &[
            ("username", T),
            ("full_name", T),
            ("role", T),
            ("password_hash", T),
            ("email", T),
            ("active", B),
        ],
        search: &["username", "full_name", "email"],
        date_field: None,
    },
    TableDef {
        kind: RecordKind::Topic,
        table: "topics",
        columns: &[
            ("code", T),
            ("name", T),
            ("short_name", T),
            ("ordinal", I),
            ("description", T),
        ],
        search: &["code", "name"],
        date_field: None,
    },
    TableDef {
        kind: RecordKind::Outlet,
        table: "outlets",
        columns: &[
            ("code", T),
            ("name", T),
            ("kind", T),
            ("level", T),
            ("parent", T),
            ("website", T),
            ("feeds", J),
            ("active", B),
        ],
        search: &["code", "name"],
        date_field: None,
    },
    TableDef {
        kind: RecordKind::Programme,
        table: "programmes",
        columns: &[
            ("code", T),
            ("outlet", T),
            ("name", T),
            ("kind", T),
            ("cadence", J),
            ("duration_minutes", I),
            ("co_producer", T),
            ("topics", J),
            ("started_on", T),
            ("ended_on", T),
            ("note", T),
        ],
        search: &["code", "name", "co_producer"],
        date_field: None,
    },
    TableDef {
        kind: RecordKind::MediaItem,
        table: "media_items",
        columns: &[
            ("outlet", T),
            ("programme", T),
            ("kind", T),
            ("title", T),
            ("url", T),
            ("published_on", T),
            ("topics", J),
            ("featured", B),
            ("summary", T),
            ("body", T),
            ("duplicate_of", T),
            ("source", T),
        ],
        search: &["title", "summary"],
        date_field: Some("published_on"),
    },
    TableDef {
        kind: RecordKind::Directive,
        table: "directives",
        columns: &[
            ("number", T),
            ("kind", T),
            ("issued_on", T),
            ("title", T),
            ("issuer", T),
            ("topics", J),
            ("recipients", J),
            ("note", T),
        ],
        search: &["number", "title"],
        date_field: Some("issued_on"),
    },
    TableDef {
        kind: RecordKind::ReportRequest,
        table: "report_requests",
        columns: &[
            ("number", T),
            ("issued_on", T),
            ("requester", T),
            ("subject", T),
            ("agency", T),
            ("report_kind", T),
            ("period", T),
            ("deadline", T),
        ],
        search: &["number", "requester", "subject"],
        date_field: Some("issued_on"),
    },
    TableDef {
        kind: RecordKind::PlanItem,
        table: "plan_items",
        columns: &[("agency", T), ("period", T), ("ordinal", I), ("text", T), ("topics", J)],
        search: &["text"],
        date_field: None,
    },
    TableDef {
        kind: RecordKind::Case,
        table: "cases",
        columns: &[
            ("code", T),
            ("title", T),
            ("platform", T),
            ("account", T),
            ("account_url", T),
            ("urls", J),
            ("summary", T),
            ("category", T),
            ("source", T),
            ("coordinating", J),
            ("status", T),
            ("opened_on", T),
            ("closed_on", T),
            ("notable", B),
            ("outcome", T),
        ],
        search: &["code", "title", "account", "summary"],
        date_field: Some("opened_on"),
    },
    TableDef {
        kind: RecordKind::Evidence,
        table: "evidence",
        columns: &[
            ("code", T),
            ("case", T),
            ("kind", T),
            ("description", T),
            ("url", T),
            ("captured_at", T),
            ("captured_by", T),
            ("sha256", T),
            ("stored_uri", T),
            ("item_count", I),
        ],
        search: &["code", "description"],
        date_field: Some("captured_at"),
    },
    TableDef {
        kind: RecordKind::TakedownCheck,
        table: "takedown_checks",
        columns: &[
            ("case", T),
            ("url", T),
            ("checked_at", T),
            ("result", T),
            ("checked_by", T),
            ("next_check_on", T),
            ("evidence", T),
            ("note", T),
        ],
        search: &["url", "note"],
        date_field: Some("checked_at"),
    },
    TableDef {
        kind: RecordKind::Inspection,
        table: "inspections",
        columns: &[
            ("code", T),
            ("kind", T),
            ("field", T),
            ("title", T),
            ("decision_number", T),
            ("lead", T),
            ("started_on", T),
            ("ended_on", T),
            ("findings", T),
        ],
        search: &["code", "field", "title"],
        date_field: Some("started_on"),
    },
    TableDef {
        kind: RecordKind::InspectionSubject,
        table: "inspection_subjects",
        columns: &[
            ("inspection", T),
            ("name", T),
            ("kind", T),
            ("address", T),
            ("violation_found", B),
            ("findings", T),
        ],
        search: &["name", "address"],
        date_field: None,
    },
    TableDef {
        kind: RecordKind::SanctionDecision,
        table: "sanction_decisions",
        columns: &[
            ("number", T),
            ("issued_on", T),
            ("subject_kind", T),
            ("subject_name", T),
            ("subject_account", T),
            ("violation", T),
            ("legal_basis", T),
            ("fine", I),
            ("remedies", J),
            ("issuer", T),
            ("issued_by_agency", B),
            ("case", T),
            ("inspection", T),
        ],
        search: &["number", "subject_name", "violation"],
        date_field: Some("issued_on"),
    },
];

pub fn table(kind: RecordKind) -> &'static TableDef {
    // TABLES lists every kind once, in RecordKind::ALL order (checked by a test).
    &TABLES[RecordKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)]
}

/// A migration: one SQL text for both engines.
struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sql: include_str!("../migrations/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "issued_reports",
        sql: include_str!("../migrations/0002_issued_reports.sql"),
    },
    Migration {
        version: 3,
        name: "item_day_counts",
        sql: include_str!("../migrations/0003_item_day_counts.sql"),
    },
    Migration {
        version: 4,
        name: "agency_layout",
        sql: include_str!("../migrations/0004_agency_layout.sql"),
    },
    Migration {
        version: 5,
        name: "sessions_tokens",
        sql: include_str!("../migrations/0005_sessions_tokens.sql"),
    },
    Migration {
        version: 6,
        name: "takedown_checks",
        sql: include_str!("../migrations/0006_takedown_checks.sql"),
    },
];

/// The latest schema version this build knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

/// The migration text for one engine: `@ID@` and `@BLOB@` become the
/// engine's types, and lines after `-- @sqlite` or `-- @postgres` are kept
/// for that engine only, until `-- @both`.
fn render(sql: &str, engine: Engine) -> String {
    let (id, blob) = match engine {
        Engine::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB"),
        Engine::Postgres => ("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BYTEA"),
    };
    let mut keep = true;
    let mut out = String::with_capacity(sql.len());
    for line in sql.lines() {
        match line.trim() {
            "-- @sqlite" => keep = engine == Engine::Sqlite,
            "-- @postgres" => keep = engine == Engine::Postgres,
            "-- @both" => keep = true,
            _ if keep => {
                out.push_str(line);
                out.push('\n');
            }
            _ => {}
        }
    }
    out.replace("@ID@", id).replace("@BLOB@", blob)
}

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

/// Applies the migrations this store lacks, each in its own transaction.
/// Refuses a store whose applied migrations differ from this build's, or
/// that a newer build has migrated further.
pub async fn migrate(pool: &Pool) -> Result<i64, StoreError> {
    let mut tx = pool.begin().await?;
    if tx.engine() == Engine::Postgres {
        // Several web nodes may start at once: one migrates, the others wait.
        tx.exec("SELECT pg_advisory_xact_lock(7304180)", &[]).await?;
    }
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
        &[],
    )
    .await?;
    let applied = tx
        .rows(
            "SELECT version, checksum FROM schema_migrations ORDER BY version",
            &[],
            &[Ty::Int, Ty::Text],
        )
        .await?;
    let mut current = 0;
    for row in &applied {
        let v = row[0].as_i64().unwrap_or(0);
        let sum = row[1].as_str().unwrap_or("");
        match MIGRATIONS.iter().find(|m| m.version == v) {
            None => {
                return Err(StoreError::Schema(format!(
                    "Cơ sở dữ liệu ở phiên bản lược đồ {v}, mới hơn chương trình này (phiên bản {}); hãy cập nhật chương trình",
                    latest_version()
                )))
            }
            Some(m) if checksum(m.sql) != sum => {
                return Err(StoreError::Schema(format!(
                    "Lược đồ phiên bản {v} ({}) đã bị thay đổi sau khi áp dụng",
                    m.name
                )))
            }
            Some(_) => current = v,
        }
    }
    let start = current;
    for m in MIGRATIONS.iter().filter(|m| m.version > start) {
        tx.exec_script(&render(m.sql, tx.engine())).await?;
        tx.exec(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
            &[
                Value::Int(m.version),
                Value::from(m.name),
                Value::from(checksum(m.sql)),
                Value::from(canhgiac_domain::Timestamp::now().rfc3339()),
            ],
        )
        .await?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
        current = m.version;
    }
    tx.commit().await?;
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_table_per_kind_in_order() {
        assert_eq!(TABLES.len(), RecordKind::ALL.len());
        for (t, k) in TABLES.iter().zip(RecordKind::ALL) {
            assert_eq!(t.kind, *k);
            assert_eq!(t.table, k.plural());
            for s in t.search {
                assert!(t.columns.iter().any(|(c, _)| c == s), "{}: search field {s}", t.table);
            }
        }
    }

    #[test]
    fn every_column_is_in_the_migration() {
        let sql = MIGRATIONS.iter().map(|m| m.sql).collect::<String>();
        for t in TABLES {
            let start = sql
                .find(&format!("CREATE TABLE {} (", t.table))
                .expect("table in migration");
            let body = &sql[start..start + sql[start..].find(");").expect("end of table")];
            for (c, _) in t.columns {
                assert!(
                    body.contains(&format!("\n    {c} "))
                        || body.contains(&format!("\n    \"{c}\" "))
                        || sql.contains(&format!("ALTER TABLE {} ADD COLUMN {c} ", t.table)),
                    "{}.{c} missing from migration",
                    t.table
                );
            }
        }
    }
}
