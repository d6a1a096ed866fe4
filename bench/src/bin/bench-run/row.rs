//! One table row (a workload, a program, native and guest runs, and for
//! the TLS rows a second guest build) and the one way every family measures
//! it: warm-up runs, then the sides' runs alternating, the median of each
//! side.

use wasock_bench::{median, Workload};

use crate::Config;

/// Which build of a program a run uses.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Side {
    Native,
    Guest,
    /// The row's [`Alt`] build. Only rows with one run it, so the families
    /// without take it as the guest.
    Alt,
}

/// A second guest build measured in the same runs as the row's guest, to
/// compare the guest with (the TLS rows: TLS compiled into the guest, beside
/// the guest whose host runs TLS).
pub struct Alt {
    /// What it is, for the tables.
    pub label: &'static str,
    pub cell: Cell,
    /// The guest's speed over this one's that the project aims for.
    pub target: Option<f64>,
}

/// What a row aims for.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    None,
    /// guest/native at least this.
    Ratio(f64),
    /// The guest's figure at most this (in the row's unit), with where the
    /// bound comes from.
    GuestAtMost(f64, &'static str),
}

/// The outcome of one side's runs.
#[derive(Default)]
pub struct Cell {
    pub values: Vec<f64>,
    pub errors: Vec<String>,
}

impl Cell {
    pub fn median(&self) -> Option<f64> {
        median(&self.values)
    }
}

/// One table row.
pub struct Row {
    pub name: String,
    pub lang: &'static str,
    pub unit: &'static str,
    pub higher_is_better: bool,
    pub target: Target,
    /// Operations per run (connections, round trips, ...; 1 for start-up).
    pub ops: u64,
    /// A short description for "Short of target".
    pub describe: String,
    pub native: Cell,
    pub guest: Cell,
    pub alt: Option<Alt>,
    /// Sides not measured, and why (a build that is not there): they are
    /// neither figures nor failures.
    pub skipped: Vec<(Side, String)>,
}

impl Row {
    pub fn new(name: &str, lang: &'static str, unit: &'static str, higher_is_better: bool) -> Row {
        Row {
            name: name.into(),
            lang,
            unit,
            higher_is_better,
            target: Target::None,
            ops: 1,
            describe: name.into(),
            native: Cell::default(),
            guest: Cell::default(),
            alt: None,
            skipped: Vec::new(),
        }
    }

    /// The row of a client workload (lib.rs has its unit and target).
    pub fn of_workload(w: Workload, lang: &'static str, ops: u64) -> Row {
        let mut row = Row::new(w.name(), lang, w.unit(), w.higher_is_better());
        row.target = w.target().map_or(Target::None, Target::Ratio);
        row.ops = ops;
        row.describe = w.describe().into();
        row
    }

    pub fn target(mut self, t: Target) -> Row {
        self.target = t;
        self
    }

    pub fn ops(mut self, ops: u64) -> Row {
        self.ops = ops;
        self
    }

    pub fn describe(mut self, d: &str) -> Row {
        self.describe = d.into();
        self
    }

    /// Adds a second guest build, measured as a third side.
    pub fn alt(mut self, label: &'static str, target: Option<f64>) -> Row {
        self.alt = Some(Alt { label, cell: Cell::default(), target });
        self
    }

    /// Leaves `side` out of the measurement, saying why.
    pub fn skip(mut self, side: Side, why: &str) -> Row {
        self.skipped.push((side, why.into()));
        self
    }

    /// Why `side` was not measured, if it was not.
    pub fn skipped(&self, side: Side) -> Option<&str> {
        self.skipped.iter().find(|(s, _)| *s == side).map(|(_, why)| why.as_str())
    }

    /// The sides the row measures, in the order of its first run.
    pub fn sides(&self) -> Vec<Side> {
        let all = [Side::Native, Side::Guest, Side::Alt];
        all.into_iter().filter(|&s| (s != Side::Alt || self.alt.is_some()) && self.skipped(s).is_none()).collect()
    }

    /// A side's cell (the alt's is empty when the row has none).
    pub fn cell_of(&self, side: Side) -> &Cell {
        static NONE: Cell = Cell { values: Vec::new(), errors: Vec::new() };
        match side {
            Side::Native => &self.native,
            Side::Guest => &self.guest,
            Side::Alt => self.alt.as_ref().map_or(&NONE, |a| &a.cell),
        }
    }

    /// Guest speed over native speed (for lower-is-better units, native over guest).
    pub fn ratio(&self) -> Option<f64> {
        let (n, g) = (self.native.median()?, self.guest.median()?);
        if n <= 0.0 || g <= 0.0 {
            return None;
        }
        Some(if self.higher_is_better { g / n } else { n / g })
    }

    /// The guest's speed over the alt build's (`ratio`'s direction).
    pub fn alt_ratio(&self) -> Option<f64> {
        let (a, g) = (self.cell_of(Side::Alt).median()?, self.guest.median()?);
        if a <= 0.0 || g <= 0.0 {
            return None;
        }
        Some(if self.higher_is_better { g / a } else { a / g })
    }

    /// Whether the guest misses its target over the alt build.
    pub fn alt_short(&self) -> bool {
        let target = self.alt.as_ref().and_then(|a| a.target);
        target.is_some_and(|t| self.alt_ratio().is_some_and(|x| x < t))
    }

    /// Whether a measured side has no successful run.
    pub fn failed(&self) -> bool {
        self.sides().into_iter().any(|s| self.cell_of(s).values.is_empty())
    }

    /// Whether the row misses its target (false when it has none or failed).
    pub fn short(&self) -> bool {
        match self.target {
            Target::None => false,
            Target::Ratio(t) => self.ratio().is_some_and(|x| x < t),
            Target::GuestAtMost(max, _) => self.guest.median().is_some_and(|g| g > max),
        }
    }

    /// The target as the tables show it.
    pub fn target_text(&self) -> String {
        match self.target {
            Target::None => "-".into(),
            Target::Ratio(t) => format!("≥ {t:.2}"),
            Target::GuestAtMost(max, _) => format!("guest ≤ {max} {}", self.unit),
        }
    }

    /// The scaling row of `one` (a throughput on one CPU) and `two` (the
    /// same workload on two): per side, each of `two`'s runs over `one`'s
    /// median, so the row's median is the ratio of the two medians. Its
    /// guest/native is how the guest's scaling compares with native's.
    pub fn scaling(name: &str, one: &Row, two: &Row, target: Target) -> Row {
        let mut row = Row::new(name, one.lang, "2-CPU/1-CPU", true)
            .target(target)
            .ops(two.ops)
            .describe(&format!("{}: throughput on 2 CPUs over 1 CPU", one.describe));
        for side in [Side::Native, Side::Guest] {
            let (base, of) = if side == Side::Native { (&one.native, &two.native) } else { (&one.guest, &two.guest) };
            let cell = row.cell(side);
            match base.median().filter(|&b| b > 0.0) {
                Some(b) => cell.values = of.values.iter().map(|v| v / b).collect(),
                None => cell.errors.push(format!("no 1-CPU figure for {side:?}")),
            }
            cell.errors.extend(of.errors.iter().cloned());
        }
        row
    }

    /// A side's cell, to fill in; the alt side only exists with an [`Alt`].
    fn cell(&mut self, side: Side) -> &mut Cell {
        match side {
            Side::Native => &mut self.native,
            Side::Guest => &mut self.guest,
            Side::Alt => &mut self.alt.as_mut().expect("an alt side only runs on a row with an Alt").cell,
        }
    }

    /// Warm-up runs (unmeasured), then `cfg.runs` runs per side, rotating
    /// which side goes first so a drift in the machine's speed does not
    /// always favour the same side. `run` makes one run and returns its
    /// figure. The sides are [`sides`](Row::sides).
    pub fn measure(&mut self, cfg: &Config, warmup: usize, mut run: impl FnMut(Side) -> Result<f64, String>) {
        self.measure_with(None, cfg, warmup, |side| run(side).map(|v| (v, 0.0)));
    }

    /// [`measure`](Row::measure) for runs that yield two figures: the
    /// second goes to `also` (a row of its own, e.g. the server's CPU per
    /// operation in the same runs).
    pub fn measure_with(
        &mut self,
        mut also: Option<&mut Row>,
        cfg: &Config,
        warmup: usize,
        mut run: impl FnMut(Side) -> Result<(f64, f64), String>,
    ) {
        let sides = self.sides();
        for _ in 0..warmup {
            for &side in &sides {
                let _ = run(side);
            }
        }
        for rep in 0..cfg.runs {
            let mut order = sides.clone();
            order.rotate_left(rep % sides.len().max(1));
            for side in order {
                match run(side) {
                    Ok((v, second)) => {
                        self.cell(side).values.push(v);
                        if let Some(a) = also.as_deref_mut() {
                            a.cell(side).values.push(second);
                        }
                    }
                    Err(why) => {
                        eprintln!("  {} {} {side:?} run {} failed: {why}", self.lang, self.name, rep + 1);
                        if let Some(a) = also.as_deref_mut() {
                            a.cell(side).errors.push(why.clone());
                        }
                        self.cell(side).errors.push(why);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(higher_is_better: bool, native: &[f64], guest: &[f64], target: Target) -> Row {
        let mut r = Row::new("w", "C", "u", higher_is_better).target(target);
        r.native.values = native.to_vec();
        r.guest.values = guest.to_vec();
        r
    }

    #[test]
    fn ratios_follow_the_unit_direction() {
        assert_eq!(row(true, &[100.0], &[80.0], Target::None).ratio(), Some(0.8));
        assert_eq!(row(false, &[2.0], &[4.0], Target::None).ratio(), Some(0.5));
        // An idle CPU figure of zero has no ratio, and is not a failure.
        let idle = row(false, &[0.0], &[0.0], Target::GuestAtMost(1.0, "about zero"));
        assert_eq!(idle.ratio(), None);
        assert!(!idle.failed() && !idle.short());
    }

    #[test]
    fn scaling_is_two_cpus_over_one_per_side() {
        let one = row(true, &[100.0, 90.0, 110.0], &[50.0, 60.0, 40.0], Target::Ratio(0.9));
        let two = row(true, &[150.0, 200.0, 170.0], &[95.0, 80.0, 90.0], Target::Ratio(0.9));
        let s = Row::scaling("w_scaling", &one, &two, Target::Ratio(0.9));
        assert_eq!(s.native.values, vec![1.5, 2.0, 1.7]);
        assert_eq!(s.native.median(), Some(1.7));
        assert_eq!(s.guest.median(), Some(1.8));
        // The guest scales better than native here: the ratio is above 1.
        assert!((s.ratio().unwrap() - 1.8 / 1.7).abs() < 1e-12 && !s.short());
        // No 1-CPU figure: no scaling figure, and the row says why.
        let s = Row::scaling("w_scaling", &row(true, &[], &[50.0], Target::None), &two, Target::None);
        assert!(s.failed() && s.native.errors.len() == 1);
    }

    #[test]
    fn targets() {
        assert!(row(true, &[100.0], &[80.0], Target::Ratio(0.9)).short());
        assert!(!row(true, &[100.0], &[95.0], Target::Ratio(0.9)).short());
        assert!(row(false, &[2.0], &[14.0], Target::GuestAtMost(13.6, "")).short());
        assert!(!row(false, &[2.0], &[6.0], Target::GuestAtMost(13.6, "")).short());
        let failed = row(true, &[100.0], &[], Target::Ratio(0.9));
        assert!(failed.failed() && !failed.short());
    }

    #[test]
    fn an_alt_build_is_a_third_side() {
        let mut r = row(true, &[100.0], &[95.0], Target::Ratio(0.9)).alt("in-guest", Some(3.0));
        assert_eq!(r.sides(), [Side::Native, Side::Guest, Side::Alt]);
        // Measured, but no successful run: a failure.
        assert!(r.failed());
        r.cell(Side::Alt).values = vec![20.0];
        assert!(!r.failed() && !r.short());
        assert_eq!(r.alt_ratio(), Some(95.0 / 20.0));
        assert!(!r.alt_short());
        r.cell(Side::Alt).values = vec![40.0];
        assert!(r.alt_short(), "95 is not 3x 40");
    }

    #[test]
    fn a_skipped_side_is_neither_run_nor_failed() {
        let r = row(true, &[100.0], &[], Target::Ratio(0.9)).alt("in-guest", None).skip(Side::Guest, "not built");
        assert_eq!(r.sides(), [Side::Native, Side::Alt]);
        assert_eq!(r.skipped(Side::Guest), Some("not built"));
        assert_eq!(r.ratio(), None);
        let mut r = r;
        r.cell(Side::Alt).values = vec![20.0];
        assert!(!r.failed() && !r.short() && !r.alt_short());
    }

    #[test]
    fn runs_rotate_which_side_goes_first() {
        let cfg = crate::parse(["--runs".to_string(), "3".to_string()].into_iter()).unwrap();
        let mut r = Row::new("w", "Rust", "u", true).alt("alt", None);
        let mut order = Vec::new();
        r.measure(&cfg, 1, |side| {
            order.push(side);
            Ok(1.0)
        });
        use Side::*;
        assert_eq!(order, [Native, Guest, Alt, Native, Guest, Alt, Guest, Alt, Native, Alt, Native, Guest]);
        assert_eq!((r.native.values.len(), r.guest.values.len(), r.cell_of(Alt).values.len()), (3, 3, 3));
    }
}
