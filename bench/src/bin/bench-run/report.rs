//! The tables: aligned text for the terminal, markdown for results.md.

use std::fmt::Write as _;

use crate::proc::{command_output, cpu_model};
use crate::row::{Cell, Row, Side, Target};
use crate::syscalls::{fmt_per_op, strace_ops, SyscallRow};
use crate::Config;

/// Formats a figure with precision to suit its size.
pub fn fmt_value(v: Option<f64>) -> String {
    match v {
        None => "failed".into(),
        Some(v) if v >= 1000.0 => format!("{v:.0}"),
        Some(v) if v >= 10.0 => format!("{v:.1}"),
        Some(v) if v >= 1.0 => format!("{v:.2}"),
        Some(v) => format!("{v:.3}"),
    }
}

pub fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "-".into(), |r| format!("{r:.2}"))
}

/// A side's median as the tables show it: "not built" for a side that was
/// left out, "failed" for one without a successful run.
pub fn cell_text(row: &Row, side: Side) -> String {
    if row.skipped(side).is_some() {
        return "not built".into();
    }
    fmt_value(row.cell_of(side).median())
}

fn main_table(rows: &[Row]) -> String {
    let mut t = String::from(
        "| workload | program | unit | native | guest | guest/native | target |\n|---|---|---|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} | {}{} | {} |",
            r.name,
            r.lang,
            r.unit,
            fmt_value(r.native.median()),
            cell_text(r, Side::Guest),
            fmt_ratio(r.ratio()),
            if r.short() { " (short)" } else { "" },
            r.target_text()
        );
    }
    t
}

/// The rows with a second guest build (the TLS rows): the three sides and
/// their ratios, the columns named after the first such row's build. Empty
/// without such rows.
fn alt_table(rows: &[Row]) -> String {
    let mut t = String::new();
    for r in rows {
        let Some(alt) = &r.alt else { continue };
        if t.is_empty() {
            let l = alt.label;
            let _ = writeln!(
                t,
                "| workload | unit | native | guest | {l} | guest/native | guest/{l} | {l}/native | target guest/{l} |"
            );
            t.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        }
        let alt_native = match (alt.cell.median(), r.native.median()) {
            (Some(a), Some(n)) if a > 0.0 && n > 0.0 => Some(if r.higher_is_better { a / n } else { n / a }),
            _ => None,
        };
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} | {}{} | {}{} | {} | {} |",
            r.name,
            r.unit,
            fmt_value(r.native.median()),
            cell_text(r, Side::Guest),
            cell_text(r, Side::Alt),
            fmt_ratio(r.ratio()),
            if r.short() { " (short)" } else { "" },
            fmt_ratio(r.alt_ratio()),
            if r.alt_short() { " (short)" } else { "" },
            fmt_ratio(alt_native),
            alt.target.map_or_else(|| "-".into(), |x| format!("≥ {x:.2}"))
        );
    }
    t
}

/// The table as aligned plain text for the terminal.
pub fn console_table(rows: &[Row]) -> String {
    let mut lines =
        vec![["workload", "program", "unit", "native", "guest", "guest/native", "target"].map(String::from)];
    for r in rows {
        lines.push([
            r.name.clone(),
            r.lang.into(),
            r.unit.into(),
            fmt_value(r.native.median()),
            cell_text(r, Side::Guest),
            format!("{}{}", fmt_ratio(r.ratio()), if r.short() { " *" } else { "" }),
            r.target_text().replace('≥', ">=").replace('≤', "<="),
        ]);
    }
    // In characters, as `format!` pads ("µs" is one column, two bytes).
    let widths: Vec<usize> = (0..7).map(|i| lines.iter().map(|l| l[i].chars().count()).max().unwrap_or(0)).collect();
    let mut s = String::new();
    for l in &lines {
        let cells: Vec<String> = l
            .iter()
            .enumerate()
            .map(|(i, c)| if i < 3 { format!("{c:<w$}", w = widths[i]) } else { format!("{c:>w$}", w = widths[i]) })
            .collect();
        let _ = writeln!(s, "  {}", cells.join("  "));
    }
    s
}

/// The "Short of target" list; empty when every row meets its target.
fn short_list(rows: &[Row], missing: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for row in rows {
        if let Some(why) = row.skipped(Side::Guest) {
            out.push(format!("{} {}: the guest was not run: {why}", row.lang, row.name));
        }
        if row.failed() {
            let errs: Vec<_> =
                [Side::Native, Side::Guest, Side::Alt].iter().flat_map(|&s| row.cell_of(s).errors.clone()).collect();
            out.push(format!("{} {}: no figure, runs failed: {}", row.lang, row.name, errs.join("; ")));
            continue;
        }
        if let (true, Some(alt)) = (row.alt_short(), &row.alt) {
            out.push(format!(
                "{} {}: the guest is {}x the {} build, target ≥ {:.2} ({} {} guest, {} {}).",
                row.lang,
                row.describe,
                fmt_ratio(row.alt_ratio()),
                alt.label,
                alt.target.unwrap_or_default(),
                cell_text(row, Side::Guest),
                row.unit,
                cell_text(row, Side::Alt),
                alt.label
            ));
        }
        if row.short() {
            let (n, g) = (fmt_value(row.native.median()), fmt_value(row.guest.median()));
            out.push(match row.target {
                Target::GuestAtMost(max, from) => {
                    format!(
                        "{} {}: guest {g} {}, target at most {max} ({from}); native {n}.",
                        row.lang, row.describe, row.unit
                    )
                }
                _ => format!(
                    "{} {}: {} of native, target {} ({n} {} native, {g} guest).",
                    row.lang,
                    row.describe,
                    fmt_ratio(row.ratio()),
                    row.target_text(),
                    row.unit
                ),
            });
        }
    }
    out.extend(missing.iter().map(|m| format!("{m}.")));
    out
}

pub fn report(cfg: &Config, pinning: &str, rows: &[Row], missing: &[String], syscalls: &[SyscallRow]) -> String {
    let mut r = String::new();
    let date = command_output(&["date", "-u", "+%Y-%m-%d %H:%M UTC"]);
    let _ = writeln!(r, "# wasock benchmark results\n");
    let _ = writeln!(r, "Written by `make bench` (bench/src/bin/bench-run/); how to read it: bench/README.md.\n");
    let _ = writeln!(r, "- date: {date}");
    let _ = writeln!(
        r,
        "- machine: {} CPUs (`nproc`), {} (/proc/cpuinfo), kernel {} (`uname -r`)",
        command_output(&["nproc"]),
        cpu_model(),
        command_output(&["uname", "-r"])
    );
    let _ = writeln!(r, "- toolchain: {}", command_output(&["rustc", "--version"]));
    let _ = writeln!(
        r,
        "- host: `{}` (release), wasock commit {}",
        cfg.wasock.display(),
        command_output(&["git", "describe", "--always", "--dirty"])
    );
    let _ = writeln!(r, "- pinning: {pinning}");
    let _ = writeln!(
        r,
        "- each cell: median of {} runs after {} unmeasured warm-up run(s) per side, native and guest runs alternating; \
         each run a fresh process (client or server) timing only its loop{}",
        cfg.runs,
        cfg.warmup,
        if cfg.scale == 1.0 { String::new() } else { format!("; operation counts scaled by {}", cfg.scale) }
    );
    let _ = writeln!(r);
    r.push_str(&main_table(rows));
    let _ = writeln!(
        r,
        "\nguest/native is guest speed over native speed (for ns/call, ms and CPU ms/s: native over guest): 1.00 is \
         parity, higher is better. \"native\" is the same program built for x86_64 Linux; \"guest\" is it built for \
         wasm32-wasip1 (thread_echo*: wasm32-wasip1-threads) and run by `wasock run`. The program is the client for \
         the client workloads and the server for static_http, echo_500, tokio_* and thread_echo*; \
         thread_echo_scaling is each side's 2-CPU throughput over its 1-CPU throughput. For tls_*, \"guest\" is the \
         guest whose host runs TLS (wasock::tls), the next table has the guest with TLS compiled in beside it.\n"
    );
    let alt = alt_table(rows);
    if !alt.is_empty() {
        let _ = writeln!(r, "## TLS: host-side TLS against TLS in the guest\n");
        let _ = writeln!(
            r,
            "native: rustls with ring; guest: the same workload through wasock::tls (the host runs rustls with \
             ring); in-guest TLS: rustls with rustls-rustcrypto compiled into the guest, over a plain wasock TCP socket. TLS \
             1.3, {:?} and {:?} in every column, full handshakes (no resumption).\n",
            wasock_bench::tls::SUITE,
            wasock_bench::tls::GROUP
        );
        r.push_str(&alt);
        r.push('\n');
    }

    let _ = writeln!(r, "## Short of target\n");
    let short = short_list(rows, missing);
    if short.is_empty() {
        let _ = writeln!(r, "Every figure meets its target.");
    }
    for s in short {
        let _ = writeln!(r, "- {s}");
    }

    let _ = writeln!(r, "\n## Every run\n");
    let _ = writeln!(r, "| workload | program | ops per run | native runs | guest runs |\n|---|---|---:|---|---|");
    let list = |row: &Row, side: Side| {
        if row.skipped(side).is_some() {
            return "not built".to_string();
        }
        let c: &Cell = row.cell_of(side);
        let mut v: Vec<String> = c.values.iter().map(|&x| fmt_value(Some(x))).collect();
        v.extend(c.errors.iter().map(|_| "failed".to_string()));
        v.join(", ")
    };
    for row in rows {
        let (n, g) = (list(row, Side::Native), list(row, Side::Guest));
        let _ = writeln!(r, "| {} | {} | {} | {n} | {g} |", row.name, row.lang, row.ops);
        if let Some(alt) = &row.alt {
            let a = list(row, Side::Alt);
            let _ = writeln!(r, "| {} | {}, {} | {} | - | {a} |", row.name, row.lang, alt.label, row.ops);
        }
    }

    if !syscalls.is_empty() {
        let _ = writeln!(r, "\n## System calls per operation\n");
        let _ = writeln!(
            r,
            "Counted with `strace -f -c` over the client process (for the guest: the whole `wasock run` process), \
             unpinned, as the difference between runs of N and of 2N operations divided by N (each the per-call \
             minimum of two runs), so start-up cancels out; calls under 0.05 per operation are left out. An operation \
             is a 64 KiB chunk written and read back, a round trip, a connection, a getter call or a batch of 32 \
             datagrams.\n"
        );
        let _ = writeln!(r, "| workload | client | N | native | guest (wasock) |\n|---|---|---:|---|---|");
        for s in syscalls {
            let _ = writeln!(
                r,
                "| {} | {} | {} | {} | {} |",
                s.workload,
                s.lang,
                strace_ops(s.workload),
                fmt_per_op(&s.native),
                fmt_per_op(&s.guest)
            );
        }
    }

    if let Ok(notes) = std::fs::read_to_string(&cfg.findings) {
        let _ = writeln!(r, "\n{}", notes.trim_end());
    }
    r
}
