//! dup, dup2, dup3, fcntl(F_DUPFD), socketpair and pipe: `c-tests/descriptors.c`
//! built as a guest and natively with the system's `cc`, their outputs
//! compared line for line (Linux is the oracle), and a leak check of the
//! host's own fds while a guest makes and closes thousands of descriptors.

use std::process::Command;
use std::time::Duration;
use wasock_e2e::{native_c, open_fds, Guest};

fn loopback_guest() -> Guest {
    Guest::new("c-tests", "descriptors").allow("--allow-bind", "127.0.0.1:*").allow("--allow-connect", "127.0.0.1:*")
}

/// (native, guest) lines that differ on purpose: the SDK's pipe is a Unix
/// stream socketpair shut down one way on each side (sdk/src/descriptors.c
/// says why), so writing its read end is EPIPE where a kernel pipe says
/// EBADF. (fstat agrees: wasi-libc's S_IFIFO is its S_IFSOCK.) Every other
/// line must be the same.
const KNOWN_DIFFERENCES: &[(&str, &str)] =
    &[("pipe: write on the read end: -1 EBADF", "pipe: write on the read end: -1 EPIPE")];

#[test]
fn descriptors_behave_as_on_linux() {
    let native = Command::new(native_c("descriptors")).output().expect("the native build runs");
    let native_out = String::from_utf8_lossy(&native.stdout).into_owned();
    assert!(native.status.success(), "natively:\n{native_out}\n{}", String::from_utf8_lossy(&native.stderr));
    let guest = loopback_guest().run();
    guest.assert_success();
    let (n, g): (Vec<&str>, Vec<&str>) = (native_out.lines().collect(), guest.stdout.lines().collect());
    for (i, (a, b)) in n.iter().zip(&g).enumerate() {
        if KNOWN_DIFFERENCES.contains(&(*a, *b)) {
            continue;
        }
        assert_eq!(
            a,
            b,
            "line {} differs (native, then guest)\nnative:\n{native_out}\nguest:\n{}",
            i + 1,
            guest.stdout
        );
    }
    assert_eq!(n.len(), g.len(), "native:\n{native_out}\nguest:\n{}", guest.stdout);
    assert!(n.len() > 60, "too few lines to mean anything:\n{native_out}");
}

#[test]
fn host_fds_return_to_their_start_after_churn() {
    let mut run = loopback_guest().arg("churn").arg(2000).timeout(Duration::from_secs(120)).spawn();
    let pid = run.pid().to_string();
    run.expect_line("ready");
    run.write_stdin(b"go\n");
    run.expect_line("start");
    // The guest now waits on stdin, as it will after the churn.
    std::thread::sleep(Duration::from_millis(100));
    let before = open_fds(&pid);
    run.write_stdin(b"go\n");
    run.expect_line("churned: end");
    run.expect_line("done");
    std::thread::sleep(Duration::from_millis(100));
    let after = open_fds(&pid);
    run.write_stdin(b"go\n");
    run.wait().assert_success();
    let kinds = |m: &std::collections::BTreeMap<u32, String>| m.values().filter(|t| t.starts_with("socket:")).count();
    assert_eq!(before.len(), after.len(), "host fds before the churn: {before:?}\nafter: {after:?}");
    assert_eq!(kinds(&before), kinds(&after), "host sockets before: {before:?}\nafter: {after:?}");
}

/// The Rust crate's `try_clone` (TcpStream, TcpListener, UdpSocket, Socket)
/// over `fd_dup`; std's own `try_clone` on wasip1 stays `Unsupported`
/// (std implements no duplicate there, whatever the host offers).
#[test]
fn rust_try_clone() {
    let f = Guest::new("rust-tests", "try_clone")
        .allow("--allow-bind", "127.0.0.1:*")
        .allow("--allow-connect", "127.0.0.1:*")
        .run();
    f.assert_success();
    for line in ["tcp try_clone ok", "udp try_clone ok", "std try_clone: Unsupported", "try_clone ok"] {
        assert!(f.stdout_has(line), "no {line:?} in\n{f}");
    }
}
