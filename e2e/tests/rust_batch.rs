//! The Rust crate's batched datagrams (`rust-tests/src/bin/udp_batch.rs`):
//! `UdpSocket::send_batch`/`recv_batch` between two guest sockets, with a
//! destination the pool denies in the middle of a batch.

use wasock_e2e::Guest;

#[test]
fn udp_send_batch_recv_batch() {
    let f = Guest::new("rust-tests", "udp_batch")
        .allow("--allow-bind", "127.0.0.1:*")
        .allow("--allow-connect", "127.0.0.1")
        .run();
    f.assert_success();
    assert!(f.stdout_has("batch of 32 ok") && f.stdout_has("udp_batch ok"), "{f}");
    assert_eq!(f.stderr.matches("denied send to 127.0.0.2:9").count(), 1, "one denial, one line:\n{f}");
}
