//! Linux is the oracle: `c-tests/linux_io.c` is built natively with `cc` and
//! as a guest with `wasock-cc` (`make c-guests`), each section runs in both
//! against loopback with stdin from /dev/null, and the two must print the
//! same lines. The program prints observations symbolically (flag and errno
//! names), since wasi-libc's numbers are not Linux's.
//!
//! Where the two may legitimately differ, the program does not look: the
//! timing of a timeout is printed as "waited >= 140 ms", not in ms, and
//! nothing prints fd numbers or ports.

use wasock_e2e::{host_binary, module, native_c, Run};

/// Runs to the end (stdin from /dev/null, the harness's time limit), which
/// must be a success, and returns the lines printed.
fn lines(run: Run, what: &str) -> Vec<String> {
    let out = run.run();
    assert!(out.status.success(), "{what} failed:\n{out}");
    out.lines().into_iter().map(str::to_string).collect()
}

/// Runs one section natively and as a guest; the outputs must be identical.
fn agree(section: &str) {
    let linux = lines(Run::new(native_c("linux_io")).arg(section), "the native build");
    let guest = Run::new(host_binary())
        .args(["run", "--allow-bind", "127.0.0.1", "--allow-connect", "127.0.0.1"])
        .arg(module("c-tests", "linux_io"))
        .arg(section);
    let guest = lines(guest, "the guest");
    assert_eq!(linux.last().map(String::as_str), Some("done"), "{linux:#?}");
    for (i, (l, w)) in linux.iter().zip(&guest).enumerate() {
        assert_eq!(
            l,
            w,
            "line {} differs (left: Linux, right: wasock)\nLinux:\n{linux:#?}\nwasock:\n{guest:#?}",
            i + 1
        );
    }
    assert_eq!(linux.len(), guest.len(), "Linux:\n{linux:#?}\nwasock:\n{guest:#?}");
}

/// read(fd, buf, 0) is 0 at once; recv(fd, buf, 0, ...) is the protocol's.
#[test]
fn zero_length_reads() {
    agree("zero_length");
}

/// recvfrom/recvmsg on a connected stream: no address, length 0.
#[test]
fn stream_recvfrom_has_no_source() {
    agree("stream_source");
}

/// listen(-1) is the system maximum.
#[test]
fn negative_backlog_is_the_maximum() {
    agree("big_backlog");
}

/// poll() entries: events = 0, fd < 0, a closed fd (POLLNVAL), timeouts,
/// POLLRDNORM/POLLWRNORM.
#[test]
fn poll_entries_as_on_linux() {
    agree("poll_entries");
}

/// poll() on a peer's half-close (POLLIN|POLLRDHUP, no POLLHUP), a reset
/// (POLLERR|POLLHUP, then ECONNRESET from recv), a refused non-blocking
/// connect (POLLERR on POLLOUT, SO_ERROR ECONNREFUSED) and shutdown(SHUT_RDWR)
/// (still POLLOUT|POLLWRNORM).
#[test]
fn poll_conditions_as_on_linux() {
    agree("poll_conditions");
}

/// select() counts errors and hang-ups as readable and writable.
#[test]
fn select_conditions_as_on_linux() {
    agree("select_conditions");
}

/// stdin in poll(), alone and beside a reset socket (the host's mixed path).
#[test]
fn poll_with_stdin_as_on_linux() {
    agree("poll_stdin");
}

/// A connected UDP socket after an ICMP refusal: POLLERR without POLLIN
/// (the host's not-ready flag), then ECONNREFUSED from recv.
#[test]
fn udp_error_as_on_linux() {
    agree("udp_error");
}
