//! `send_batch` / `recv_batch` from a WAT guest against a native UDP socket:
//! a bad record anywhere sends nothing, a count past 1024 is 1024 (as
//! Linux caps vlen), and a count of 0 does nothing.
//! (Bad records of every kind: bad_input_table.rs; Linux's semantics
//! through sendmmsg/recvmmsg: e2e/tests/batch_oracle.rs.)

mod common;

use common::*;

#[test]
fn batches_are_checked_whole_and_capped_at_1024() {
    let native = udp("127.0.0.1");
    let port = native.local_addr().unwrap().port();
    let wat = format!(
        r#"
  (data (i32.const 1024) "pingmark")
  ;; iovecs: 1200 {{1024, 4}} "ping", 1208 {{1028, 4}} "mark"
  (data (i32.const 1200) "\00\04\00\00\04\00\00\00\04\04\00\00\04\00\00\00")
  (func $record (param $at i32) (param $iovs i32)
    (i32.store (local.get $at) (local.get $iovs))
    (i32.store offset=4 (local.get $at) (i32.const 1)))
  (func $main (local $fd i32) (local $i i32)
    (call $ok (call $open (i32.const 3) (i32.const 1) (i32.const 5) (i32.const 16)) (i32.const 1))
    (local.set $fd (call $r))
    (call $addr4 (i32.const 1100) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const {port}))
    (call $ok (call $connect (local.get $fd) (i32.const 1100)) (i32.const 2))
    ;; four records at 2048, the last one's iovec array outside memory: fault, nothing sent
    (call $record (i32.const 2048) (i32.const 1200))
    (call $record (i32.const 2092) (i32.const 1200))
    (call $record (i32.const 2136) (i32.const 1200))
    (call $record (i32.const 2180) (i32.const 70000))
    (i32.store (i32.const 16) (i32.const 77))
    (call $check (call $send_batch (local.get $fd) (i32.const 2048) (i32.const 4) (i32.const 0) (i32.const 16)) (i32.const 21) (i32.const 3))
    (call $check (call $r) (i32.const 77) (i32.const 4))
    (call $check (i32.load (i32.const 2084)) (i32.const 0) (i32.const 5))
    (call $ok (call $send (local.get $fd) (i32.const 1028) (i32.const 4) (i32.const 0) (i32.const 16)) (i32.const 6))
    ;; 1100 records of "ping" to the connected peer: 1024 are sent
    (loop $l
      (call $record (i32.add (i32.const 4096) (i32.mul (local.get $i) (i32.const 44))) (i32.const 1200))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 1100))))
    (call $ok (call $send_batch (local.get $fd) (i32.const 4096) (i32.const 1100) (i32.const 0) (i32.const 16)) (i32.const 7))
    (call $check (call $r) (i32.const 1024) (i32.const 8))
    (call $check (i32.load (i32.const 4132)) (i32.const 4) (i32.const 9))
    (call $check (i32.load (i32.const {last_len})) (i32.const 4) (i32.const 10))
    (call $check (i32.load (i32.const {past_len})) (i32.const 0) (i32.const 11))
    ;; count 0: nothing received, the count is 0
    (call $ok (call $recv_batch (local.get $fd) (i32.const 4096) (i32.const 0) (i32.const 0) (i32.const 16)) (i32.const 12))
    (call $check (call $r) (i32.const 0) (i32.const 13))
    ;; waitforone (4) is a flag; 8 is not
    (call $check (call $recv_batch (local.get $fd) (i32.const 4096) (i32.const 1) (i32.const 8) (i32.const 16)) (i32.const 28) (i32.const 14))
    (call $print (i32.const 1028) (i32.const 4)) (call $nl))
"#,
        last_len = 4096 + 1023 * 44 + 36,
        past_len = 4096 + 1024 * 44 + 36,
    );
    let out = Guest::new(&wat).flags(&["--allow-connect", &format!("127.0.0.1:{port}")]).run();
    out.assert_success();
    assert_eq!(out.lines(), ["mark"]);
    let mut buf = [0u8; 16];
    let n = native.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"mark", "the batch with a bad record sent nothing");
    let n = native.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"ping");
}
