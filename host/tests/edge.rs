//! Edge-triggered readiness (`wasock.edge_triggered`, for async runtimes):
//! a direction reported ready is not reported again until an operation in
//! that direction answers `again`; level-triggered (the default) reports
//! it on every call.

mod common;

use common::*;
use std::io::{Read, Write};

/// Helpers both guests use (check ids 90-99).
const HELPERS: &str = r#"
  ;; Polls fd for `kind` (1 read, 2 write) with a `ns` clock; returns the
  ;; userdata of the first event (1 the fd, 2 the clock).
  (func $poll2 (param $fd i32) (param $kind i32) (param $ns i64) (result i32)
    (call $sub_fd (i32.const 2000) (i32.const 1) (local.get $kind) (local.get $fd))
    (call $sub_clock (i32.const 2048) (i32.const 2) (local.get $ns))
    (call $ok (call $poll_oneoff (i32.const 2000) (i32.const 3000) (i32.const 2) (i32.const 16)) (i32.const 90))
    (call $ev_userdata (i32.const 3000)))
  (func $edge (param $fd i32) (param $on i32)
    (call $ok (call $setopt (local.get $fd) (i32.const 5) (i32.const 1) (local.get $on)) (i32.const 91)))
"#;

/// The guest: connects to the peer at `port`, then checks each step; the
/// peer sends "abc" at once, and "d" after reading "go".
fn guest(port: u16) -> String {
    HELPERS.to_string()
        + &format!(
            r#"
  (func $main (local $fd i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $ok (call $connect (local.get $fd) (i32.const 1100)) (i32.const 2))
    ;; off by default; a value other than 0 or 1 is inval
    (call $ok (call $getopt (local.get $fd) (i32.const 5) (i32.const 1)) (i32.const 3))
    (call $check (call $r) (i32.const 0) (i32.const 4))
    (call $check (call $setopt (local.get $fd) (i32.const 5) (i32.const 1) (i32.const 2)) (i32.const 28) (i32.const 5))
    (call $edge (local.get $fd) (i32.const 1))

    ;; writable: reported once, then the idle socket does not wake the guest
    (call $check (call $poll2 (local.get $fd) (i32.const 2) (i64.const 2000000000)) (i32.const 1) (i32.const 10))
    (call $check (call $poll2 (local.get $fd) (i32.const 2) (i64.const 100000000)) (i32.const 2) (i32.const 11))
    ;; readable once "abc" is there, then not again while it is unread
    (call $check (call $poll2 (local.get $fd) (i32.const 1) (i64.const 5000000000)) (i32.const 1) (i32.const 12))
    (call $check (call $poll2 (local.get $fd) (i32.const 1) (i64.const 100000000)) (i32.const 2) (i32.const 13))
    ;; level-triggered reports it every time; switching back re-arms
    (call $edge (local.get $fd) (i32.const 0))
    (call $check (call $poll2 (local.get $fd) (i32.const 1) (i64.const 100000000)) (i32.const 1) (i32.const 14))
    (call $check (call $poll2 (local.get $fd) (i32.const 1) (i64.const 100000000)) (i32.const 1) (i32.const 15))
    (call $edge (local.get $fd) (i32.const 1))
    (call $check (call $poll2 (local.get $fd) (i32.const 1) (i64.const 100000000)) (i32.const 1) (i32.const 16))
    (call $check (call $poll2 (local.get $fd) (i32.const 1) (i64.const 100000000)) (i32.const 2) (i32.const 17))
    ;; drain to `again`: that re-arms reading
    (call $ok (call $fd_fdstat_set_flags (local.get $fd) (i32.const 4)) (i32.const 18))
    (call $read_exact (local.get $fd) (i32.const 1200) (i32.const 3))
    (call $check (call $recv (local.get $fd) (i32.const 1200) (i32.const 16) (i32.const 0) (i32.const 16)) (i32.const 6) (i32.const 19))
    (call $check (call $poll2 (local.get $fd) (i32.const 1) (i64.const 100000000)) (i32.const 2) (i32.const 20))
    ;; the peer's next byte is reported
    (call $write_all (local.get $fd) (i32.const 1024) (i32.const 2))
    (call $check (call $poll2 (local.get $fd) (i32.const 1) (i64.const 5000000000)) (i32.const 1) (i32.const 21))
    (call $print (i32.const 1024) (i32.const 2)) (call $nl))
  (data (i32.const 1024) "go")
"#
        )
}

#[test]
fn edge_triggered_reports_a_direction_once_until_again() {
    let (l, port) = listener("127.0.0.1");
    let peer = std::thread::spawn(move || {
        let mut s = accept(&l);
        s.write_all(b"abc").unwrap();
        let mut go = [0u8; 2];
        s.read_exact(&mut go).unwrap();
        assert_eq!(&go, b"go");
        s.write_all(b"d").unwrap();
        let _ = s.read(&mut [0u8; 1]);
    });
    let out = Guest::new(&guest(port)).flags(&["--allow-connect", &format!("127.0.0.1:{port}")]).run();
    out.assert_success();
    assert_eq!(out.stdout.trim(), "go");
    peer.join().unwrap();
}

/// The guest of the short-transfer test: connects to the peer at `port`,
/// which answers each two-byte prompt with the next bytes and, after the
/// prompts, drains what it is sent and answers "k" each time it has.
///
/// Whether data has arrived is learnt by peeking (a recv with flags goes to
/// the kernel and spends nothing), never by polling the socket, since a
/// poll that reports it would end the spending under test.
fn short_transfer_guest(port: u16) -> String {
    HELPERS.to_string()
        + &format!(
            r#"
  ;; Sleeps `ms` on a clock alone.
  (func $sleep (param $ms i64)
    (call $sub_clock (i32.const 2048) (i32.const 2) (i64.mul (local.get $ms) (i64.const 1000000)))
    (call $ok (call $poll_oneoff (i32.const 2048) (i32.const 3000) (i32.const 1) (i32.const 16)) (i32.const 92)))
  (func $nonblocking (param $fd i32) (param $on i32)
    (call $ok (call $fd_fdstat_set_flags (local.get $fd) (i32.mul (local.get $on) (i32.const 4))) (i32.const 93)))
  ;; recv into 1200 with a 16-byte buffer and `flags`: the errno; the length is in R.
  (func $recv16 (param $fd i32) (param $flags i32) (result i32)
    (call $recv (local.get $fd) (i32.const 1200) (i32.const 16) (local.get $flags) (i32.const 16)))
  ;; Waits (at most 10 s) until data is queued, peeking every 10 ms.
  (func $await_data (param $fd i32)
    (local $tries i32)
    (loop $wait
      (if (i32.eqz (call $recv16 (local.get $fd) (i32.const 1)))
        (then (return)))
      (call $sleep (i64.const 10))
      (local.set $tries (i32.add (local.get $tries) (i32.const 1)))
      (br_if $wait (i32.lt_u (local.get $tries) (i32.const 1000))))
    (call $proc_exit (i32.const 94)))
  ;; Writes the 2-byte prompt at p and waits for the answer to arrive.
  (func $prompt (param $fd i32) (param $p i32)
    (call $write_all (local.get $fd) (local.get $p) (i32.const 2))
    (call $await_data (local.get $fd)))
  ;; Waits for the peer's "k" (it has drained what was sent) and reads it.
  (func $await_k (param $fd i32)
    (call $await_data (local.get $fd))
    (call $ok (call $recv16 (local.get $fd) (i32.const 0)) (i32.const 95))
    (call $check (i32.load8_u (i32.const 1200)) (i32.const 107) (i32.const 96)))
  ;; fd_write of 4 MiB (128 iovecs over the zeroed 32 KiB at 32768): the errno; the length is in R.
  (func $send_big (param $fd i32) (result i32)
    (local $i i32)
    (loop $fill
      (i32.store (i32.add (i32.const 4096) (i32.shl (local.get $i) (i32.const 3))) (i32.const 32768))
      (i32.store offset=4 (i32.add (i32.const 4096) (i32.shl (local.get $i) (i32.const 3))) (i32.const 32768))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 128))))
    (call $fd_write (local.get $fd) (i32.const 4096) (i32.const 128) (i32.const 16)))
  (func $main (local $fd i32) (local $sent i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 6) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    (call $ok (call $setopt (local.get $fd) (i32.const 1) (i32.const 6) (i32.const 4096)) (i32.const 2))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $ok (call $connect (local.get $fd) (i32.const 1100)) (i32.const 3))
    (call $edge (local.get $fd) (i32.const 1))
    (call $nonblocking (local.get $fd) (i32.const 1))

    ;; Edge-triggered: a short read ("abc" into 16 bytes) spends reading, so
    ;; the next recv answers again although "d" is queued; poll then asks
    ;; the kernel and reports it, and the recv after that reads it.
    (call $check (call $poll2 (local.get $fd) (i32.const 1) (i64.const 5000000000)) (i32.const 1) (i32.const 10))
    (call $ok (call $recv16 (local.get $fd) (i32.const 0)) (i32.const 11))
    (call $check (call $r) (i32.const 3) (i32.const 12))
    (call $prompt (local.get $fd) (i32.const 1024))
    (call $check (call $recv16 (local.get $fd) (i32.const 0)) (i32.const 6) (i32.const 13))
    (call $check (call $poll2 (local.get $fd) (i32.const 1) (i64.const 5000000000)) (i32.const 1) (i32.const 14))
    (call $ok (call $recv16 (local.get $fd) (i32.const 0)) (i32.const 15))
    (call $check (call $r) (i32.const 1) (i32.const 16))
    ;; That read was short too, but a blocking recv asks the kernel (and waits for "h").
    (call $nonblocking (local.get $fd) (i32.const 0))
    (call $write_all (local.get $fd) (i32.const 1026) (i32.const 2))
    (call $ok (call $recv16 (local.get $fd) (i32.const 0)) (i32.const 17))
    (call $check (call $r) (i32.const 1) (i32.const 18))
    (call $print (i32.const 1200) (i32.const 1))
    (call $nonblocking (local.get $fd) (i32.const 1))

    ;; Level-triggered: every recv is the kernel's ("ef" short, then "g").
    (call $edge (local.get $fd) (i32.const 0))
    (call $prompt (local.get $fd) (i32.const 1028))
    (call $ok (call $recv16 (local.get $fd) (i32.const 0)) (i32.const 20))
    (call $check (call $r) (i32.const 2) (i32.const 21))
    (call $prompt (local.get $fd) (i32.const 1030))
    (call $ok (call $recv16 (local.get $fd) (i32.const 0)) (i32.const 22))
    (call $check (call $r) (i32.const 1) (i32.const 23))

    ;; Edge-triggered writes: 4 MiB into a 4 KiB send buffer, towards a peer
    ;; with a 4 KiB receive buffer that waits before it reads, is short. Once
    ;; the peer has drained everything, the next write still answers again,
    ;; poll reports the socket writable, and the write after that is taken.
    (call $edge (local.get $fd) (i32.const 1))
    (call $ok (call $send_big (local.get $fd)) (i32.const 30))
    (local.set $sent (call $r))
    (call $assert (i32.lt_u (local.get $sent) (i32.const 4194304)) (i32.const 31))
    (call $await_k (local.get $fd))
    (call $check (call $send_big (local.get $fd)) (i32.const 6) (i32.const 32))
    (call $check (call $poll2 (local.get $fd) (i32.const 2) (i64.const 5000000000)) (i32.const 1) (i32.const 33))
    (call $ok (call $send_big (local.get $fd)) (i32.const 34))
    (local.set $sent (i32.add (local.get $sent) (call $r)))
    ;; Level-triggered: after a short write, the next one is the kernel's.
    (call $edge (local.get $fd) (i32.const 0))
    (call $await_k (local.get $fd))
    (call $ok (call $send_big (local.get $fd)) (i32.const 36))
    (local.set $sent (i32.add (local.get $sent) (call $r)))
    (call $print (i32.const 1032) (i32.const 1))
    (call $print_u32 (local.get $sent))
    (call $ok (call $shutdown (local.get $fd) (i32.const 2)) (i32.const 37)))
  (data (i32.const 1024) "gogbg2g3 ")
"#
        )
}

#[test]
fn edge_triggered_short_transfer_spends_the_direction_until_poll() {
    let (l, port) = listener("127.0.0.1");
    // Inherited by the accepted socket: the guest's first 4 MiB cannot all fit.
    socket2::SockRef::from(&l).set_recv_buffer_size(4096).unwrap();
    let peer = std::thread::spawn(move || {
        let mut s = accept(&l);
        s.set_read_timeout(Some(TIMEOUT)).unwrap();
        let mut prompt = [0u8; 2];
        s.write_all(b"abc").unwrap();
        for (want, answer) in [(b"go", &b"d"[..]), (b"gb", b"h"), (b"g2", b"ef"), (b"g3", b"g")] {
            s.read_exact(&mut prompt).unwrap();
            assert_eq!(&prompt, want);
            s.write_all(answer).unwrap();
        }
        // Twice: take what the guest sends until it has been quiet for
        // 200 ms (it waits for the answer), then answer "k". The first time
        // only after a pause, while the guest fills its buffers.
        std::thread::sleep(std::time::Duration::from_millis(300));
        let mut got = 0u64;
        let mut buf = vec![0u8; 1 << 16];
        for _ in 0..2 {
            s.set_read_timeout(Some(std::time::Duration::from_millis(200))).unwrap();
            loop {
                match s.read(&mut buf) {
                    Ok(0) => panic!("the guest closed before its last write"),
                    Ok(n) => got += n as u64,
                    Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                        break
                    }
                    Err(e) => panic!("peer read: {e}"),
                }
            }
            s.write_all(b"k").unwrap();
        }
        s.set_read_timeout(Some(TIMEOUT)).unwrap();
        loop {
            match s.read(&mut buf).unwrap() {
                0 => return got,
                n => got += n as u64,
            }
        }
    });
    let out = Guest::new(&short_transfer_guest(port)).flags(&["--allow-connect", &format!("127.0.0.1:{port}")]).run();
    out.assert_success();
    let received = peer.join().unwrap();
    let (h, sent) = out.stdout.trim().split_once(' ').expect("the guest prints `h SENT`");
    assert_eq!(h, "h");
    assert_eq!(sent.parse::<u64>().unwrap(), received, "every byte written arrives");
}
