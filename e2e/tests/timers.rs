//! `alarm`, `setitimer` and `getitimer` (`c-tests/timers.c`), built natively
//! with `cc` and as a guest: the "same:" lines must match Linux's, and
//! arming a timer, which Linux does and a sandbox that never delivers
//! SIGALRM must refuse, shows each side's own answer.

use std::process::Command;

use wasock_e2e::{native_c, Guest};

fn lines(text: &str, prefix: &str) -> Vec<String> {
    text.lines().filter(|l| l.starts_with(prefix)).map(str::to_string).collect()
}

#[test]
fn timers_match_linux_and_never_arm_in_the_sandbox() {
    let native = Command::new(native_c("timers")).output().unwrap();
    assert!(native.status.success(), "{native:?}");
    let linux = String::from_utf8(native.stdout).unwrap();
    let guest = Guest::new("c-tests", "timers").run();
    guest.assert_success();

    let same = lines(&linux, "same:");
    assert_eq!(same.last().map(String::as_str), Some("same: done"), "{linux}");
    assert_eq!(lines(&guest.stdout, "same:"), same, "{guest}");

    assert_eq!(
        lines(&linux, "linux:"),
        ["linux: setitimer arm=0", "linux: getitimer armed=1", "linux: alarm 30=0 0", "linux: alarm 0 after=30"],
        "{linux}"
    );
    assert_eq!(
        lines(&guest.stdout, "wasi:"),
        [
            "wasi: setitimer arm=-1 ENOSYS",
            "wasi: getitimer armed=0",
            "wasi: alarm 30=0 ENOSYS",
            "wasi: alarm 0 after=0"
        ],
        "{guest}"
    );
}
