//! `--audit FILE`: one JSON object per line for every pool decision.
//!
//! ```json
//! {"time":"2026-12-01T09:46:53.120Z","pool":"default","op":"connect","decision":"granted","fd":4,
//!  "local":null,"remote":"127.0.0.1:8080","rule":"--allow-connect 127.0.0.1/32:8080"}
//! ```
//!
//! (one line in the file). `remote` is an address, or for `resolve` the
//! name asked for; `local` is the socket's local address when it has one;
//! `rule` is the rule that granted the operation (`null`: denied); `note`
//! appears on grants the host narrowed. Lines lost to a full queue are
//! reported by a `{"dropped":N}` line.

use super::escape::json_string;
use super::writer::LineWriter;
use super::{Decision, DecisionHook, Target};
use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// `--audit FILE`: every pool decision as one JSON object per line.
pub struct AuditFile {
    writer: LineWriter,
}

impl AuditFile {
    /// Opens (creating, appending to) `path`.
    pub fn open(path: &Path) -> std::io::Result<AuditFile> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let writer = LineWriter::new("wasock-audit", Box::new(std::io::BufWriter::new(file)), |n| {
            format!("{{\"dropped\":{n}}}\n")
        });
        Ok(AuditFile { writer })
    }

    /// Flushes and stops the writer (waiting a bounded time).
    pub fn close(&self) {
        self.writer.close();
    }
}

/// One decision as a JSON line.
pub fn record(d: &Decision<'_>) -> String {
    let opt = |v: Option<String>| v.map_or("null".to_string(), |s| json_string(&s));
    let remote = match d.target {
        Target::Addr(a) => a.to_string(),
        Target::Name(n) => n.to_string(),
    };
    let mut line = format!(
        "{{\"time\":\"{}\",\"pool\":{},\"op\":\"{}\",\"decision\":\"{}\",\"fd\":{},\"local\":{},\"remote\":{},\"rule\":{}",
        rfc3339(d.time),
        json_string(d.pool),
        d.op.name(),
        if d.granted() { "granted" } else { "denied" },
        d.fd.map_or("null".to_string(), |f| f.to_string()),
        opt(d.local.map(|a| a.to_string())),
        json_string(&remote),
        opt(d.rule.map(|r| r.to_string())),
    );
    if let Some(note) = d.note {
        let _ = write!(line, ",\"note\":{}", json_string(note));
    }
    line.push_str("}\n");
    line
}

/// UTC time as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let (days, secs) = (d.as_secs() / 86_400, d.as_secs() % 86_400);
    let (y, m, day) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        d.subsec_millis()
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard
/// Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl DecisionHook for AuditFile {
    fn decided(&self, d: &Decision<'_>) {
        self.writer.push(record(d));
    }
}

impl Drop for AuditFile {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Operation, Rule};
    use std::time::Duration;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(20_788), (2026, 12, 1));
        let t = UNIX_EPOCH + Duration::from_millis(1_764_582_413_120);
        assert_eq!(rfc3339(t), "2025-12-01T09:46:53.120Z");
    }

    #[test]
    fn a_denied_name_is_escaped_json() {
        let d = Decision {
            time: UNIX_EPOCH,
            pool: "default",
            op: Operation::Resolve,
            fd: Some(3),
            local: None,
            target: Target::Name("evil\n{\"x\":1}\u{1b}"),
            rule: None,
            note: None,
        };
        let line = record(&d);
        assert_eq!(line.matches('\n').count(), 1);
        assert!(line.ends_with("}\n"));
        assert!(line.contains(r#""remote":"evil\n{\"x\":1}\u001b""#), "{line}");
        assert!(line.contains(r#""rule":null"#) && line.contains(r#""decision":"denied""#), "{line}");
        let granted = Decision { rule: Some(Rule::AnyPeer), ..d };
        assert!(record(&granted).contains(r#""decision":"granted""#));
    }
}
