//! The command line: rule errors, help, exit status and traps.

mod common;

use common::*;

#[test]
fn malformed_rule_exits_2_naming_flag_and_text() {
    let out = wasock(&["run", "--allow-connect", "1.2.3.4:99999", "never-read.wasm"]);
    out.assert_code(2);
    assert!(out.stderr.contains("--allow-connect"), "names the flag: {}", out.stderr);
    assert!(out.stderr.contains("1.2.3.4:99999"), "names the text: {}", out.stderr);
    let out = wasock(&["run", "--allow-bind", "300.1.1.1", "never-read.wasm"]);
    out.assert_code(2);
    assert!(out.stderr.contains("--allow-bind") && out.stderr.contains("300.1.1.1"), "{}", out.stderr);
    let out = wasock(&["run", "--allow-resolve", "bad name", "never-read.wasm"]);
    out.assert_code(2);
    assert!(out.stderr.contains("--allow-resolve") && out.stderr.contains("bad name"), "{}", out.stderr);
}

#[test]
fn help_succeeds() {
    let out = wasock(&["--help"]);
    out.assert_code(0);
    assert!(out.stdout.contains("run"), "top-level help lists `run`: {}", out.stdout);
    let out = wasock(&["run", "--help"]);
    out.assert_code(0);
    for flag in ["--allow-connect", "--allow-bind", "--allow-accept", "--allow-resolve", "--pool", "--dir", "--env"] {
        assert!(out.stdout.contains(flag), "`run --help` documents {flag}: {}", out.stdout);
    }
}

#[test]
fn guest_exit_code_is_propagated() {
    let out = Guest::new(r#"(func $main (call $proc_exit (i32.const 7)))"#).run();
    out.assert_code(7);
    // Returning from _start is 0.
    Guest::raw(r#"(module (memory (export "memory") 1) (func (export "_start")))"#).run().assert_code(0);
}

#[test]
fn trap_exits_134_with_a_message() {
    let out = Guest::new(r#"(func $main unreachable)"#).run();
    out.assert_code(134);
    assert!(out.stderr.contains("trap"), "says it trapped: {}", out.stderr);
}

#[test]
fn missing_module_fails_with_a_message() {
    let path = temp_path("wasm");
    let out = wasock(&["run", path.to_str().unwrap()]);
    assert!(!matches!(out.status.code(), Some(0) | None), "{out:?}");
    assert!(out.stderr.contains(path.to_str().unwrap()), "names the module: {}", out.stderr);
}

/// Arguments after the module go to the guest (argv[0] is the module path);
/// options there are the guest's, not the host's.
#[test]
fn guest_arguments() {
    let wat = r#"
  (func $main
    (call $ok (call $args_sizes_get (i32.const 16) (i32.const 24)) (i32.const 1))
    (call $check (call $r) (i32.const 3) (i32.const 2))
    (call $ok (call $args_get (i32.const 1024) (i32.const 2048)) (i32.const 3))
    ;; print argv[1] and argv[2] (NUL-terminated, lengths from the pointers)
    (call $print (i32.load (i32.const 1028)) (i32.sub (i32.sub (i32.load (i32.const 1032)) (i32.load (i32.const 1028))) (i32.const 1)))
    (call $nl)
    (call $print (i32.load (i32.const 1032)) (i32.const 15))
    (call $nl))
"#;
    let out = Guest::new(wat).args(&["hello", "--allow-connect"]).run();
    out.assert_success();
    assert_eq!(out.lines(), ["hello", "--allow-connect"]);
}

/// The harness itself: a failed `$check` exits with its id and says why.
#[test]
fn harness_check_reports_mismatch() {
    let out = Guest::new(r#"(func $main (call $check (i32.const 1) (i32.const 2) (i32.const 42)))"#).run();
    out.assert_code(42);
    assert!(out.stderr.contains("check 42: got 1 want 2"), "{}", out.stderr);
    let out = Guest::new(r#"(func $main (call $print_u32 (i32.const 1234567)) (call $nl) (call $print_hex (i32.const 512) (i32.const 3)))"#).run();
    out.assert_success();
    assert_eq!(out.stdout, "1234567\n636865");
}
