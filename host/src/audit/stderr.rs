//! The stderr log: one line per denial, naming the operation, the address
//! and the pool; repeats coalesced and the rate limited, so a remote sender
//! cannot flood the operator's terminal or fill a pipe.

use super::writer::LineWriter;
use super::{escape, Decision, DecisionHook};
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most this many lines per [`WINDOW`]; the rest are counted.
const LINES_PER_WINDOW: u32 = 20;
const WINDOW: Duration = Duration::from_secs(1);

/// Denials (and notes on narrowed grants) to stderr.
pub struct StderrLog {
    writer: LineWriter,
    throttle: Mutex<Throttle>,
}

#[derive(Default)]
struct Throttle {
    /// The last line written, and how many identical lines came after it.
    last: Option<String>,
    repeats: u64,
    window_start: Option<Instant>,
    in_window: u32,
    /// Lines not written because the window was full.
    suppressed: u64,
}

impl Throttle {
    /// The lines to write for `line`, arriving at `now`.
    fn admit(&mut self, line: String, now: Instant) -> Vec<String> {
        if self.last.as_deref() == Some(line.as_str()) {
            self.repeats += 1;
            return Vec::new();
        }
        let mut out = self.pending();
        if self.window_start.is_none_or(|s| now.duration_since(s) >= WINDOW) {
            self.window_start = Some(now);
            self.in_window = 0;
        }
        if self.in_window >= LINES_PER_WINDOW {
            self.suppressed += 1;
            return out;
        }
        if self.suppressed > 0 {
            out.push(format!(
                "wasock: {} more denials not shown (rate limit; --audit FILE records every decision)\n",
                std::mem::take(&mut self.suppressed)
            ));
        }
        self.in_window += 1;
        out.push(line.clone());
        self.last = Some(line);
        out
    }

    /// The summary of repeats not yet reported.
    fn pending(&mut self) -> Vec<String> {
        match std::mem::take(&mut self.repeats) {
            0 => Vec::new(),
            n => vec![format!("wasock: the line above repeated {n} more times\n")],
        }
    }

    /// Everything still owed at the end of the run.
    fn finish(&mut self) -> Vec<String> {
        let mut out = self.pending();
        if self.suppressed > 0 {
            out.push(format!("wasock: {} more denials not shown (rate limit)\n", std::mem::take(&mut self.suppressed)));
        }
        out
    }
}

impl StderrLog {
    /// Starts the log and its writer thread.
    pub fn new() -> std::io::Result<StderrLog> {
        Self::to(Box::new(std::io::stderr()))
    }

    /// A log to any output (tests use a pipe).
    pub fn to(out: Box<dyn Write + Send>) -> std::io::Result<StderrLog> {
        let writer = LineWriter::new("wasock-log", out, |n| {
            format!("wasock: {n} log lines dropped (stderr is not being read)\n")
        });
        Ok(StderrLog { writer, throttle: Mutex::new(Throttle::default()) })
    }

    /// Writes what is owed and stops the writer (waiting a bounded time).
    pub fn close(&self) {
        if let Ok(mut t) = self.throttle.lock() {
            for l in t.finish() {
                self.writer.push(l);
            }
        }
        self.writer.close();
    }

    fn line(d: &Decision<'_>) -> Option<String> {
        let pool = escape(d.pool);
        match (d.rule, d.note) {
            (None, Some(why)) => {
                Some(format!("wasock: {} {}: {} (pool \"{pool}\")\n", d.op.phrase(), d.target, escape(why)))
            }
            (None, None) => {
                Some(format!("wasock: denied {} {}: not granted by pool \"{pool}\"\n", d.op.phrase(), d.target))
            }
            (Some(_), Some(note)) => Some(format!("wasock: {} {}: {note} (pool \"{pool}\")\n", d.op.name(), d.target)),
            (Some(_), None) => None,
        }
    }
}

impl DecisionHook for StderrLog {
    fn decided(&self, d: &Decision<'_>) {
        let Some(line) = Self::line(d) else { return };
        let Ok(mut t) = self.throttle.lock() else { return };
        for l in t.admit(line, Instant::now()) {
            self.writer.push(l);
        }
    }

    fn wants_grants(&self) -> bool {
        // Grants only matter when they carry a note; those are rare and
        // come from paths that build the decision anyway.
        false
    }
}

impl Drop for StderrLog {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(t: &mut Throttle, line: &str, n: usize, now: Instant) -> Vec<String> {
        (0..n).flat_map(|_| t.admit(format!("{line}\n"), now)).collect()
    }

    #[test]
    fn repeats_are_coalesced() {
        let mut t = Throttle::default();
        let now = Instant::now();
        let out = lines(&mut t, "a", 1000, now);
        assert_eq!(out, vec!["a\n"]);
        let out = lines(&mut t, "b", 1, now);
        assert_eq!(out, vec!["wasock: the line above repeated 999 more times\n".to_string(), "b\n".into()]);
        assert!(t.finish().is_empty());
    }

    #[test]
    fn distinct_lines_are_rate_limited() {
        let mut t = Throttle::default();
        let now = Instant::now();
        let out: Vec<_> = (0..10_000).flat_map(|i| t.admit(format!("line {i}\n"), now)).collect();
        assert_eq!(out.len(), LINES_PER_WINDOW as usize);
        let later = t.admit("next\n".into(), now + WINDOW);
        assert_eq!(later.len(), 2, "{later:?}");
        assert!(later[0].contains(&format!("{} more denials not shown", 10_000 - LINES_PER_WINDOW)), "{later:?}");
        assert!(t.finish().is_empty());
    }
}
