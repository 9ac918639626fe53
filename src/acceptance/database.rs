//! Pre-filled databases in a delivery: SQLite files whose own tables hold rows,
//! and SQL scripts that insert data.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, MAIN_DB, OpenFlags};

/// The first bytes of every SQLite 3 database file.
pub const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// Tables of a SQLite database that hold rows, with their row counts. SQLite's own
/// tables (`sqlite_*`) do not count; virtual tables are counted through the
/// tables that store their content.
///
/// The bytes are opened read-only in memory, in SQLite's defensive mode and with
/// untrusted schemas: nothing the file defines (views, triggers, functions in
/// its schema) runs.
pub fn sqlite_rows(bytes: &[u8]) -> Result<Vec<(String, u64)>, String> {
    let failed = |err: rusqlite::Error| format!("not a readable SQLite database: {err}");
    let mut db = Connection::open_with_flags(
        ":memory:",
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(failed)?;
    db.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true).map_err(failed)?;
    db.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false).map_err(failed)?;
    db.deserialize_read_exact(MAIN_DB, bytes, bytes.len(), true).map_err(failed)?;

    let mut tables: Vec<String> = Vec::new();
    {
        let mut statement = db
            .prepare(
                "SELECT name, coalesce(sql, '') FROM main.sqlite_schema \
                 WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
            )
            .map_err(failed)?;
        let rows = statement
            .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))
            .map_err(failed)?;
        for row in rows {
            let (name, sql) = row.map_err(failed)?;
            if !sql.trim_start().to_ascii_uppercase().starts_with("CREATE VIRTUAL") {
                tables.push(name);
            }
        }
    }

    let mut filled = Vec::new();
    for table in tables {
        let quoted = table.replace('"', "\"\"");
        let count: i64 = db
            .query_row(&format!("SELECT count(*) FROM main.\"{quoted}\""), [], |row| row.get(0))
            .map_err(failed)?;
        if count > 0 {
            filled.push((table, count.unsigned_abs()));
        }
    }
    Ok(filled)
}

static INSERT: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(
        r#"(?im)^[ \t]*(?:insert|replace)(?:\s+or\s+\w+)?(?:\s+ignore)?\s+into\s+((?:[\w$]+|"[^"]+"|`[^`]+`|\[[^\]]+\])(?:\.(?:[\w$]+|"[^"]+"|`[^`]+`|\[[^\]]+\]))*)|^[ \t]*copy\s+((?:[\w$]+|"[^"]+")(?:\.(?:[\w$]+|"[^"]+"))*)[^;]*\bfrom\s+stdin"#,
    )
    .expect("constant pattern")
});

/// A table a SQL script fills: its name, where the first statement is, and how
/// many statements fill it.
#[derive(Debug, PartialEq, Eq)]
pub struct Insert {
    pub table: String,
    pub first: Range<usize>,
    pub statements: usize,
}

/// The tables a SQL script inserts rows into (`INSERT`, `REPLACE`, `COPY ... FROM
/// stdin`), in order of first appearance. Statements in `--` comment lines do not
/// count; a statement must start its line.
pub fn sql_inserts(text: &str) -> Vec<Insert> {
    let mut inserts: Vec<Insert> = Vec::new();
    for found in INSERT.captures_iter(text) {
        let Some(name) = found.get(1).or_else(|| found.get(2)) else { continue };
        let table = unquote_name(name.as_str());
        match inserts.iter_mut().find(|i| i.table == table) {
            Some(insert) => insert.statements += 1,
            None => inserts.push(Insert {
                table,
                first: found.get(0).map_or(name.range(), |m| m.range()),
                statements: 1,
            }),
        }
    }
    inserts
}

/// `"public"."users"` -> `users`: the table's own name, unquoted.
fn unquote_name(name: &str) -> String {
    let last = split_last(name);
    last.trim_matches(|c| matches!(c, '"' | '`' | '[' | ']')).to_string()
}

fn split_last(name: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (at, c) in name.char_indices() {
        match (quote, c) {
            (None, '"' | '`') => quote = Some(c),
            (None, '[') => quote = Some(']'),
            (Some(q), c) if c == q => quote = None,
            (None, '.') => start = at + 1,
            _ => {}
        }
    }
    &name[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_are_found_and_grouped() {
        let script = "CREATE TABLE users (id int);\n-- INSERT INTO users VALUES (0);\n\
                      INSERT INTO users VALUES (1);\ninsert into \"public\".\"users\" values (2);\n\
                      COPY public.meters (id) FROM stdin;\n1\n\\.\n";
        let found = sql_inserts(script);
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].table.as_str(), found[0].statements), ("users", 2));
        assert_eq!(found[1].table, "meters");
        assert!(sql_inserts("CREATE TABLE t (id int);\nSELECT * FROM t;\n").is_empty());
    }

    #[test]
    fn garbage_is_an_error_not_a_pass() {
        let mut bytes = SQLITE_MAGIC.to_vec();
        bytes.extend([0u8; 200]);
        assert!(sqlite_rows(&bytes).is_err());
    }
}
