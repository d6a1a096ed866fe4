//! One contract for every fd and every call: a bad argument is an errno
//! (never a trap), a failed call moves no data and changes no state, and
//! `poll_oneoff` wakes on what `ppoll` reports whichever path serves it.
//!
//! - More than IOV_MAX (1024) iovecs on a socket is `inval`; 1024 work.

mod common;

use common::errno::INVAL;
use common::*;
use std::time::Duration;

/// A connected UDP socket and a native peer: 1025 iovecs are `inval` for
/// fd_write, sock_send, fd_read and sock_recv, whether entry 1025 is good
/// or bad (it used to be dropped unchecked and the call to succeed); exactly
/// 1024 one-byte iovecs move one 1024-byte datagram each way.
///
/// Memory: the iovec array at 8192 (1025 entries), the bytes sent at
/// 20480..21504, received at 24576..25600.
#[test]
fn socket_iovecs_past_iov_max_are_inval() {
    let peer = udp("127.0.0.1");
    // Loopback datagrams are instant; a guest that failed a check sends no more.
    peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let port = peer.local_addr().unwrap().port();
    let guest = Guest::new(&format!(
        r#"
  ;; iovecs i = 0..1025 at 8192 point at base + i, one byte each
  (func $iovecs (param $base i32) (local $i i32)
    (loop $l
      (i32.store (i32.add (i32.const 8192) (i32.shl (local.get $i) (i32.const 3))) (i32.add (local.get $base) (local.get $i)))
      (i32.store offset=4 (i32.add (i32.const 8192) (i32.shl (local.get $i) (i32.const 3))) (i32.const 1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 1025)))))
  (func $all_inval (param $fd i32) (param $id i32)
    (call $check (call $fd_write (local.get $fd) (i32.const 8192) (i32.const 1025) (i32.const 16)) (i32.const {INVAL}) (local.get $id))
    (call $check (call $sock_send (local.get $fd) (i32.const 8192) (i32.const 1025) (i32.const 0) (i32.const 16))
      (i32.const {INVAL}) (i32.add (local.get $id) (i32.const 1)))
    (call $check (call $fd_read (local.get $fd) (i32.const 8192) (i32.const 1025) (i32.const 16)) (i32.const {INVAL})
      (i32.add (local.get $id) (i32.const 2)))
    (call $check (call $sock_recv (local.get $fd) (i32.const 8192) (i32.const 1025) (i32.const 0) (i32.const 16) (i32.const 24))
      (i32.const {INVAL}) (i32.add (local.get $id) (i32.const 3))))
  (func $main (local $fd i32) (local $i i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 5) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $ok (call $connect (local.get $fd) (i32.const 1100)) (i32.const 2))
    (loop $fill
      (i32.store8 (i32.add (i32.const 20480) (local.get $i)) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 1024))))
    ;; 1025 good iovecs, then with entry 1025 past memory
    (call $iovecs (i32.const 20480))
    (call $all_inval (local.get $fd) (i32.const 10))
    (i32.store (i32.const 16384) (i32.const 0xFFFFFFF0)) (i32.store (i32.const 16388) (i32.const 16))
    (call $all_inval (local.get $fd) (i32.const 20))
    ;; 1024: one datagram of 1024 bytes
    (call $ok (call $fd_write (local.get $fd) (i32.const 8192) (i32.const 1024) (i32.const 16)) (i32.const 3))
    (call $check (call $r) (i32.const 1024) (i32.const 4))
    ;; the peer's two datagrams, each into 1024 iovecs, each echoed as one buffer
    (call $iovecs (i32.const 24576))
    (call $ok (call $sock_recv (local.get $fd) (i32.const 8192) (i32.const 1024) (i32.const 0) (i32.const 16) (i32.const 24)) (i32.const 5))
    (call $check (call $r) (i32.const 1024) (i32.const 6))
    (call $check (i32.load16_u (i32.const 24)) (i32.const 0) (i32.const 7))
    (call $write_all (local.get $fd) (i32.const 24576) (i32.const 1024))
    (call $ok (call $fd_read (local.get $fd) (i32.const 8192) (i32.const 1024) (i32.const 16)) (i32.const 8))
    (call $check (call $r) (i32.const 1024) (i32.const 9))
    (call $write_all (local.get $fd) (i32.const 24576) (i32.const 1024)))
"#
    ))
    .flags(&["--allow-connect", &format!("127.0.0.1:{port}")])
    .spawn();
    // The peer: what the 1024 iovecs sent, and the echoes of what they received.
    let replies: [Vec<u8>; 2] =
        [(0..1024u32).map(|i| (i * 3) as u8).collect(), (0..1024u32).map(|i| (i * 5 + 1) as u8).collect()];
    let native = std::thread::spawn(move || -> std::io::Result<Vec<Vec<u8>>> {
        let mut buf = vec![0u8; 4096];
        let (n, from) = peer.recv_from(&mut buf)?;
        let mut got = vec![buf[..n].to_vec()];
        for r in &replies {
            peer.send_to(r, from)?;
        }
        for _ in &replies {
            let n = peer.recv(&mut buf)?;
            got.push(buf[..n].to_vec());
        }
        Ok(got)
    });
    guest.wait().assert_ok();
    let got = native.join().unwrap().expect("the guest's datagrams");
    assert_eq!(got[0], (0..1024u32).map(|i| i as u8).collect::<Vec<_>>(), "the datagram of 1024 iovecs");
    assert_eq!(got[1], (0..1024u32).map(|i| (i * 3) as u8).collect::<Vec<_>>(), "what sock_recv's 1024 iovecs got");
    assert_eq!(got[2], (0..1024u32).map(|i| (i * 5 + 1) as u8).collect::<Vec<_>>(), "what fd_read's 1024 iovecs got");
}
