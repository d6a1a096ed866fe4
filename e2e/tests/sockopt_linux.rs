//! Linux is the oracle for socket options: `c-tests/sockopt_linux.c` sets
//! and reads back every option wasock supports, with the values and lengths
//! Linux treats specially, and prints one line per call. It is run as a
//! guest and, compiled with the system's `cc`, natively; the two outputs
//! must agree line for line.
//!
//! The one legitimate difference: the `refused ...` lines, options wasock
//! refuses on purpose because they could widen what the pool grants
//! (`SO_BINDTODEVICE`, `IP_TRANSPARENT`, ...). There the guest must get
//! `ENOPROTOOPT` whatever Linux does (which depends on the native run's
//! privileges).

use std::path::PathBuf;
use std::process::Command;

use wasock_e2e::Guest;

/// Builds the program natively; `None` (and the test is skipped with a
/// note) when there is no C compiler.
fn native_binary() -> Option<PathBuf> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../c-tests/sockopt_linux.c");
    let out = std::env::temp_dir().join(format!("wasock-sockopt-linux-{}", std::process::id()));
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    match Command::new(&cc).args(["-O1", "-Wall", "-Werror", "-o"]).arg(&out).arg(&src).status() {
        Ok(s) if s.success() => Some(out),
        Ok(s) => panic!("{cc} failed on {}: {s}", src.display()),
        Err(e) => {
            eprintln!("note: no native C compiler ({cc}: {e}); skipping the comparison with Linux");
            None
        }
    }
}

#[test]
fn options_behave_as_on_linux() {
    let Some(native) = native_binary() else { return };
    let run = Command::new(&native).output().expect("run the native build");
    let _ = std::fs::remove_file(&native);
    assert!(run.status.success(), "native run failed: {}", String::from_utf8_lossy(&run.stderr));
    let native = String::from_utf8(run.stdout).unwrap();
    // No bind and no peer: a pool is all the guest needs to open sockets.
    let guest = Guest::new("c-tests", "sockopt_linux").allow("--allow-connect", "127.0.0.1:9").run();
    guest.assert_success();

    let (native, guest) = (native.lines().collect::<Vec<_>>(), guest.stdout.lines().collect::<Vec<_>>());
    assert_eq!(native.len(), guest.len(), "the two runs printed different numbers of lines");
    let mut differ = Vec::new();
    let mut refused = 0;
    for (n, g) in native.iter().zip(&guest) {
        if g.starts_with("refused ") {
            refused += 1;
            let call = |l: &str| l.rsplit_once(" -> ").map(|p| p.0.to_string());
            assert_eq!(call(n), call(g), "the runs are out of step");
            if !g.ends_with(" -> ENOPROTOOPT") {
                differ.push(format!("refused option not refused: {g}"));
            }
        } else if n != g {
            differ.push(format!("linux: {n}\nguest: {g}"));
        }
    }
    assert!(differ.is_empty(), "{} of {} lines differ:\n{}", differ.len(), guest.len(), differ.join("\n"));
    assert!(refused >= 20, "only {refused} refused-option lines");
    assert_eq!(guest.last(), Some(&"done"));
}
