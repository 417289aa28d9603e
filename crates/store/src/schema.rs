//! The migration runner. A record kind's table has the storage columns
//! and one column per declared field (`KindMeta::fields`); the migrations
//! create them, and a test checks that every declared field has its column.

use sha2::{Digest, Sha256};

use crate::db::{Cols, Engine, Pool, Ty, Value};
use crate::StoreError;

/// A migration: one SQL text for both engines, and on SQLite, where a
/// constraint cannot be altered, a rebuild of tables after it.
struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
    sqlite_rebuild: Option<Rebuild>,
}

/// A table rebuild the SQLite runner does after a migration's script.
#[derive(Clone, Copy)]
enum Rebuild {
    /// Keys unique per owner, references composite (migration 12).
    OwnerKeys,
    /// References to outlets through the outlet's owner (migration 14).
    SharedOutlets,
    /// An inspection subject's reference to a BTS station (migration 18).
    SubjectStation,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sql: include_str!("../migrations/0001_init.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 2,
        name: "issued_reports",
        sql: include_str!("../migrations/0002_issued_reports.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 3,
        name: "item_day_counts",
        sql: include_str!("../migrations/0003_item_day_counts.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 4,
        name: "agency_layout",
        sql: include_str!("../migrations/0004_agency_layout.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 5,
        name: "sessions_tokens",
        sql: include_str!("../migrations/0005_sessions_tokens.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 6,
        name: "takedown_checks",
        sql: include_str!("../migrations/0006_takedown_checks.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 7,
        name: "jobs",
        sql: include_str!("../migrations/0007_jobs.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 8,
        name: "legal_bases",
        sql: include_str!("../migrations/0008_legal_bases.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 9,
        name: "ownership",
        sql: include_str!("../migrations/0009_ownership.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 10,
        name: "submissions",
        sql: include_str!("../migrations/0010_submissions.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 11,
        name: "row_level_security",
        sql: include_str!("../migrations/0011_row_level_security.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 12,
        name: "owner_keys",
        sql: include_str!("../migrations/0012_owner_keys.sql"),
        sqlite_rebuild: Some(Rebuild::OwnerKeys),
    },
    Migration {
        version: 13,
        name: "sign_in_attempts",
        sql: include_str!("../migrations/0013_sign_in_attempts.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 14,
        name: "shared_outlets",
        sql: include_str!("../migrations/0014_shared_outlets.sql"),
        sqlite_rebuild: Some(Rebuild::SharedOutlets),
    },
    Migration {
        version: 15,
        name: "must_change_password",
        sql: include_str!("../migrations/0015_must_change_password.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 16,
        name: "key_lookups",
        sql: include_str!("../migrations/0016_key_lookups.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 17,
        name: "items_by_day",
        sql: include_str!("../migrations/0017_items_by_day.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 18,
        name: "telecom",
        sql: include_str!("../migrations/0018_telecom.sql"),
        sqlite_rebuild: Some(Rebuild::SubjectStation),
    },
    Migration {
        version: 19,
        name: "sources",
        sql: include_str!("../migrations/0019_sources.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 20,
        name: "full_text",
        sql: include_str!("../migrations/0020_full_text.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 21,
        name: "watch",
        sql: include_str!("../migrations/0021_watch.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 22,
        name: "lexicon",
        sql: include_str!("../migrations/0022_lexicon.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 23,
        name: "title_key",
        sql: include_str!("../migrations/0023_title_key.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 24,
        name: "case_workflow",
        sql: include_str!("../migrations/0024_case_workflow.sql"),
        sqlite_rebuild: None,
    },
    Migration {
        version: 25,
        name: "provisions",
        sql: include_str!("../migrations/0025_provisions.sql"),
        sqlite_rebuild: None,
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
    migrate_to(pool, latest_version()).await
}

/// Applies the migrations up to `target` only: for tests that build a
/// store as an older build left it, then upgrade it.
pub async fn migrate_to(pool: &Pool, target: i64) -> Result<i64, StoreError> {
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
    for row in applied {
        let mut c = Cols::new(row, "schema_migrations");
        let v = c.int()?;
        let sum = c.text()?;
        match MIGRATIONS.iter().find(|m| m.version == v) {
            None => {
                return Err(StoreError::Schema(format!(
                    "Cơ sở dữ liệu ở phiên bản lược đồ {v}, mới hơn chương trình này (phiên bản {}); hãy cập nhật chương trình",
                    latest_version()
                )))
            }
            Some(m) if checksum(m.sql) != sum.as_str() => {
                return Err(StoreError::Schema(format!(
                    "Lược đồ phiên bản {v} ({}) đã bị thay đổi sau khi áp dụng",
                    m.name
                )))
            }
            Some(_) => current = v,
        }
    }
    let start = current;
    for m in MIGRATIONS.iter().filter(|m| m.version > start && m.version <= target) {
        tx.exec_script(&render(m.sql, tx.engine())).await?;
        match (m.sqlite_rebuild, tx.engine()) {
            (Some(Rebuild::OwnerKeys), Engine::Sqlite) => rebuild_sqlite(&mut tx, OWNER_KEYED, owner_keyed_sql).await?,
            (Some(Rebuild::SharedOutlets), Engine::Sqlite) => {
                rebuild_sqlite(&mut tx, SHARED_OUTLETS, shared_outlets_sql).await?
            }
            (Some(Rebuild::SubjectStation), Engine::Sqlite) => {
                rebuild_sqlite(&mut tx, &["inspection_subjects"], subject_station_sql).await?
            }
            _ => {}
        }
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

/// The owned tables whose natural key becomes unique per owner, parents
/// before the tables that refer to them (the copy order), with
/// `media_item_topics`, which refers to media items and is rebuilt with them.
const OWNER_KEYED: &[&str] = &[
    "outlets",
    "programmes",
    "media_items",
    "media_item_topics",
    "directives",
    "report_requests",
    "plan_items",
    "cases",
    "evidence",
    "takedown_checks",
    "inspections",
    "inspection_subjects",
    "sanction_decisions",
];

/// The tables another owned table refers to by key.
const OWNER_REFERENCED: &[&str] = &["outlets", "programmes", "cases", "evidence", "inspections"];

/// A table's `CREATE TABLE` text with its key unique per owner and its
/// references to owned tables composite. Works on the text SQLite keeps,
/// which is the migrations' own (plus `, owner TEXT` appended by `ADD
/// COLUMN`); anything unexpected is an error, never a guess.
fn owner_keyed_sql(table: &str, sql: &str) -> Result<String, StoreError> {
    let bad = |what: &str| StoreError::Schema(format!("không dựng lại được bảng {table}: {what}"));
    let mut out = sql.replace("\"key\" TEXT NOT NULL UNIQUE", "\"key\" TEXT NOT NULL");
    let mut constraints = Vec::new();
    if table != "media_item_topics" {
        if out == sql {
            return Err(bad("không thấy khóa tự nhiên"));
        }
        constraints.push("UNIQUE (owner, \"key\")".to_owned());
    }
    for target in OWNER_REFERENCED {
        let clause = format!(" REFERENCES {target} (\"key\")");
        while let Some(at) = out.find(&clause) {
            // The column is the first word of the line the clause ends.
            let line_start = out[..at].rfind('\n').map_or(0, |i| i + 1);
            let column = out[line_start..at]
                .split_whitespace()
                .next()
                .ok_or_else(|| bad("cột tham chiếu"))?
                .to_owned();
            out.replace_range(at..at + clause.len(), "");
            constraints.push(format!(
                "FOREIGN KEY (owner, {column}) REFERENCES {target} (owner, \"key\")"
            ));
        }
    }
    let close = out.rfind(')').ok_or_else(|| bad("thiếu dấu đóng ngoặc"))?;
    let mut extra = String::new();
    for c in constraints {
        extra.push_str(",\n    ");
        extra.push_str(&c);
    }
    out.insert_str(close, &extra);
    Ok(out)
}

/// The tables migration 14 rebuilds: the outlets and those that refer to
/// them, with `media_item_topics`, which refers to media items.
const SHARED_OUTLETS: &[&str] = &["outlets", "programmes", "media_items", "media_item_topics"];

/// A table's `CREATE TABLE` text (as migration 12 left it) with its
/// reference to an outlet made through the outlet's owner column.
fn shared_outlets_sql(table: &str, sql: &str) -> Result<String, StoreError> {
    let (from, to) = match table {
        "outlets" => ("FOREIGN KEY (owner, parent)", "FOREIGN KEY (parent_owner, parent)"),
        "programmes" | "media_items" => ("FOREIGN KEY (owner, outlet)", "FOREIGN KEY (outlet_owner, outlet)"),
        _ => return Ok(sql.to_owned()),
    };
    if !sql.contains(from) {
        return Err(StoreError::Schema(format!(
            "không dựng lại được bảng {table}: không thấy tham chiếu tới nguồn tin"
        )));
    }
    Ok(sql.replace(from, to))
}

/// Migration 18 on SQLite: the subject's new `station` column gains its
/// reference, (owner, station) → the agency's station of that code.
fn subject_station_sql(table: &str, sql: &str) -> Result<String, StoreError> {
    let end = sql
        .rfind(')')
        .filter(|_| sql.contains("station"))
        .ok_or_else(|| StoreError::Schema(format!("không dựng lại được bảng {table}: không thấy cột station")))?;
    let mut out = sql.to_owned();
    out.insert_str(
        end,
        ", FOREIGN KEY (owner, station) REFERENCES bts_stations (owner, \"key\")",
    );
    Ok(out)
}

/// SQLite, which cannot alter a constraint: rebuilds `tables` (parents
/// first, with every table that refers to one of them) from their
/// `CREATE TABLE` text as `transform` changes it, inside the migration's
/// transaction: every table moves aside (which repoints the references to
/// it), the new tables are created and filled parents first, the old ones
/// dropped children first, the indexes and AUTOINCREMENT counters
/// restored, and the references checked.
async fn rebuild_sqlite(
    tx: &mut crate::db::Tx,
    tables: &[&str],
    transform: fn(&str, &str) -> Result<String, StoreError>,
) -> Result<(), StoreError> {
    let mut plans = Vec::new();
    for t in tables {
        let sql = tx
            .row(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1",
                &[Value::from(*t)],
                &[Ty::Text],
            )
            .await?
            .ok_or_else(|| StoreError::Schema(format!("thiếu bảng {t}")))?;
        let sql = Cols::new(sql, "sqlite_master").text()?;
        let indexes: Vec<String> = tx
            .rows(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL",
                &[Value::from(*t)],
                &[Ty::Text],
            )
            .await?
            .into_iter()
            .map(|r| Cols::new(r, "sqlite_master").text())
            .collect::<Result<_, _>>()?;
        let columns: Vec<String> = tx
            .rows(&format!("SELECT name FROM pragma_table_info('{t}')"), &[], &[Ty::Text])
            .await?
            .into_iter()
            .map(|r| Cols::new(r, "pragma_table_info").text().map(|c| format!("\"{c}\"")))
            .collect::<Result<_, _>>()?;
        plans.push((*t, transform(t, &sql)?, indexes, columns.join(", ")));
    }
    for (t, ..) in &plans {
        tx.exec(&format!("ALTER TABLE {t} RENAME TO {t}__old"), &[]).await?;
    }
    for (_, create, ..) in &plans {
        tx.exec(create, &[]).await?;
    }
    for (t, _, _, cols) in &plans {
        tx.exec(&format!("INSERT INTO {t} ({cols}) SELECT {cols} FROM {t}__old"), &[])
            .await?;
        tx.exec(
            "UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = $1) \
             WHERE name = $2 AND EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = $1)",
            &[Value::from(format!("{t}__old")), Value::from(*t)],
        )
        .await?;
    }
    for (t, ..) in plans.iter().rev() {
        tx.exec(&format!("DROP TABLE {t}__old"), &[]).await?;
    }
    for (_, _, indexes, _) in &plans {
        for i in indexes {
            tx.exec(i, &[]).await?;
        }
    }
    let broken = tx
        .rows("SELECT \"table\" FROM pragma_foreign_key_check", &[], &[Ty::Text])
        .await?;
    if let Some(row) = broken.into_iter().next() {
        let t = Cols::new(row, "pragma_foreign_key_check").text()?;
        return Err(StoreError::Schema(format!(
            "tham chiếu hỏng trong bảng {t} sau khi dựng lại"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use canhgiac_domain::RecordKind;

    #[test]
    fn every_declared_field_has_its_column() {
        let sql = MIGRATIONS.iter().map(|m| m.sql).collect::<String>();
        for kind in RecordKind::ALL {
            let meta = kind.meta();
            let start = sql
                .find(&format!("CREATE TABLE {} (", meta.plural))
                .unwrap_or_else(|| panic!("table {} in a migration", meta.plural));
            let body = &sql[start..start + sql[start..].find(");").expect("end of table")];
            for f in meta.fields {
                let c = f.name;
                assert!(
                    body.contains(&format!("\n    {c} "))
                        || body.contains(&format!("\n    \"{c}\" "))
                        || sql.contains(&format!("ALTER TABLE {} ADD COLUMN {c} ", meta.plural)),
                    "{}.{c} missing from migration",
                    meta.plural
                );
            }
        }
    }
}
