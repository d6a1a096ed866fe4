//! Batched datagrams against Linux: `c-tests/udp_batch.c` (sendmmsg and
//! recvmmsg between two UDP sockets on loopback: batches of 32, MSG_WAITFORONE,
//! truncation, SO_RCVTIMEO, vlen 0, IOV_MAX, connected sockets) built natively
//! and as a guest must print the same lines, except where the pool is meant
//! to differ: a destination it denies (127.0.0.2, which Linux sends to) in
//! the middle of a batch ends the guest's batch there and its next call is
//! ENOTCAPABLE (the "pool call:" lines).

use std::process::{Command, Stdio};
use wasock_e2e::{native_c, Guest};

const POOL_CALL: &str = "pool call:";

fn lines(out: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(out).lines().map(str::to_string).collect()
}

#[test]
fn sendmmsg_recvmmsg_match_linux() {
    let native = Command::new(native_c("udp_batch")).stdin(Stdio::null()).output().expect("run the native build");
    assert!(native.status.success(), "native build failed: {}", String::from_utf8_lossy(&native.stdout));
    let linux = lines(&native.stdout);
    let run = Guest::new("c-tests", "udp_batch")
        .allow("--allow-bind", "127.0.0.1")
        .allow("--allow-connect", "127.0.0.1")
        .run();
    run.assert_success();
    let guest = lines(run.stdout.as_bytes());
    let (linux_pool, linux_rest): (Vec<_>, Vec<_>) = linux.iter().partition(|l| l.starts_with(POOL_CALL));
    let (guest_pool, guest_rest): (Vec<_>, Vec<_>) = guest.iter().partition(|l| l.starts_with(POOL_CALL));
    assert_eq!(linux_rest.last().map(|s| s.as_str()), Some("done"), "{linux:#?}");
    assert_eq!(linux_rest, guest_rest, "left: Linux, right: wasock");
    assert_eq!(linux_pool, ["pool call: 32"]);
    assert_eq!(guest_pool, ["pool call: 16", "pool call: -1 ENOTCAPABLE", "pool call: 15"]);
    // The one denial is logged once.
    assert_eq!(run.stderr.matches("denied send to 127.0.0.2:").count(), 1, "{}", run.stderr);
    assert!(!run.stderr.contains("repeated"), "{}", run.stderr);
}
