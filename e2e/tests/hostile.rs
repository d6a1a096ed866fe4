//! A hostile guest and hostile peers against the pool (issue: pool
//! integrity). Each test runs one mode of `c-tests/hostile.c` with the pool
//! it names, on loopback only: other source addresses are other 127.0.0.0/8
//! addresses, which Linux routes to `lo`.
//!
//! What each proves is listed in docs/reliability.md ("Hostile guest and
//! peers").

use std::io::Read;
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use wasock_e2e::{free_port, free_udp_port, host_binary, module, reliability, Finished, Guest};

fn hostile() -> Guest {
    Guest::new("c-tests", "hostile")
}

fn assert_passed(f: &Finished, oks: &[&str]) {
    f.assert_success();
    for ok in oks {
        assert!(f.stdout_has(&format!("ok: {ok}")), "missing `ok: {ok}`:\n{f}");
    }
    assert!(!f.stderr.contains("FAIL"), "{f}");
}

/// Records for `make reliability` that the attack `key` was tried and held.
fn held(key: &str) {
    reliability(&format!("hostile.{key}"), "held");
}

fn have_ipv6() -> bool {
    let ok = TcpListener::bind("[::1]:0").is_ok();
    if !ok {
        eprintln!("skipped: ::1 cannot be bound on this machine");
    }
    ok
}

/// The lines of stderr the host wrote about pool decisions.
fn host_lines(f: &Finished) -> Vec<&str> {
    f.stderr.lines().filter(|l| l.starts_with("wasock: ")).collect()
}

#[test]
fn listen_after_a_refused_connect_needs_a_bind_right() {
    let port = free_port();
    let f =
        hostile().allow("--allow-connect", &format!("127.0.0.1:{port}")).arg("listen-after-refused").arg(port).run();
    assert_passed(
        &f,
        &[
            "listen after a refused connect (inet4) is denied",
            "listen after a refused connect (inet6, dual-stack) is denied",
            "listen on an unbound socket without a bind right is denied",
        ],
    );
    let listens: Vec<_> = host_lines(&f).into_iter().filter(|l| l.starts_with("wasock: denied listen on ")).collect();
    assert_eq!(listens.len(), 3, "each listen is logged as listen, with the address:\n{f}");
    assert!(listens[1].contains("[::]:"), "{f}");
    held("listen_after_a_refused_connect_needs_a_bind_right");
}

fn dual_stack(both: bool) -> Finished {
    let port = free_port();
    let mut g = hostile()
        .allow("--allow-bind", &format!("[::]:{port}"))
        .allow("--allow-connect", &format!("127.0.0.1:{port}"))
        .allow("--allow-connect", &format!("[::1]:{port}"));
    if both {
        g = g.allow("--allow-bind", &format!("0.0.0.0:{port}"));
    }
    g.arg("dual-stack").arg(port).arg(if both { "both" } else { "v6" }).run()
}

#[test]
fn an_ipv6_wildcard_grant_is_not_an_ipv4_grant() {
    if !have_ipv6() {
        return;
    }
    let f = dual_stack(false);
    assert_passed(
        &f,
        &[
            "TCP [::] bind is IPv6-only when 0.0.0.0 is not granted",
            "UDP [::] bind receives no IPv4 when 0.0.0.0 is not granted",
            "bind 0.0.0.0 follows the IPv4 rules",
        ],
    );
    assert!(f.stderr.contains("made IPv6-only"), "the narrowing is said on stderr:\n{f}");
    held("an_ipv6_wildcard_grant_is_not_an_ipv4_grant");
}

#[test]
fn a_dual_stack_bind_with_both_grants_stays_dual_stack() {
    if !have_ipv6() {
        return;
    }
    let f = dual_stack(true);
    assert_passed(
        &f,
        &[
            "TCP [::] bind is dual-stack when 0.0.0.0 is granted too",
            "UDP [::] bind receives IPv4 when 0.0.0.0 is granted too",
        ],
    );
    assert!(!f.stderr.contains("made IPv6-only"), "{f}");
    held("a_dual_stack_bind_with_both_grants_stays_dual_stack");
}

/// Sends `payload` to `to` from `from_ip` every 100 ms until `stop`.
fn sender(from_ip: &str, to: SocketAddr, payload: &'static [u8], stop: Arc<AtomicBool>) -> thread::JoinHandle<u32> {
    let s = UdpSocket::bind((from_ip, 0)).unwrap();
    thread::spawn(move || {
        let mut sent = 0;
        while !stop.load(Ordering::Relaxed) && sent < 200 {
            let _ = s.send_to(payload, to);
            sent += 1;
            thread::sleep(Duration::from_millis(100));
        }
        sent
    })
}

#[test]
fn denied_datagrams_do_not_restart_a_receive_timeout() {
    let port = free_udp_port();
    let to: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut g = hostile()
        .allow("--allow-bind", &format!("127.0.0.1:{port}"))
        .allow("--allow-accept", "127.0.0.2")
        .arg("denied-peer-timeout")
        .arg(port)
        .spawn();
    g.expect_line("listening on");
    let stop = Arc::new(AtomicBool::new(false));
    let denied = sender("127.0.0.3", to, b"denied!!", stop.clone());
    g.expect_line("admitted now");
    let admitted = sender("127.0.0.2", to, b"admitted", stop.clone());
    let f = g.wait();
    stop.store(true, Ordering::Relaxed);
    assert!(denied.join().unwrap() >= 10, "the denied peer kept sending through the timeout");
    admitted.join().unwrap();
    assert_passed(&f, &["a 1 s receive timeout holds while denied peers send", "an admitted peer's datagram arrives"]);
    held("denied_datagrams_do_not_restart_a_receive_timeout");
}

#[test]
fn a_denied_connection_does_not_stall_a_polling_server() {
    let port = free_port();
    let f = hostile()
        .allow("--allow-bind", &format!("127.0.0.1:{port}"))
        .allow("--allow-bind", "127.0.0.2")
        .allow("--allow-bind", "127.0.0.3")
        .allow("--allow-connect", &format!("127.0.0.1:{port}"))
        .allow("--allow-accept", "127.0.0.2")
        .arg("denied-peer-queue")
        .arg(port)
        .run();
    assert_passed(&f, &["a denied peer does not make the listener readable", "the admitted peer is accepted next"]);
    held("a_denied_connection_does_not_stall_a_polling_server");
}

#[test]
fn the_socket_cap_answers_emfile_and_loses_nothing() {
    let port = free_port();
    let f = hostile()
        .host_arg("--max-sockets")
        .host_arg("20")
        .allow("--allow-bind", &format!("127.0.0.1:{port}"))
        .allow("--allow-connect", &format!("127.0.0.1:{port}"))
        .arg("socket-cap")
        .arg(20)
        .arg(port)
        .run();
    assert_passed(
        &f,
        &["socket() past --max-sockets is EMFILE", "accept at the cap is EMFILE and the connection waits for room"],
    );
    held("the_socket_cap_answers_emfile_and_loses_nothing");
}

/// Runs the host under `sh -c 'ulimit -n N; exec ...'`.
fn run_with_fd_limit(limit: u32, host_args: &[&str]) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -n {limit} && exec \"$@\""))
        .arg("sh")
        .arg(host_binary())
        .arg("run")
        .args(host_args)
        .arg(module("c-tests", "hostile"))
        .arg("exhaust")
        .output()
        .expect("sh runs")
}

#[test]
fn running_out_of_fds_never_panics_the_host() {
    // A cap above the fd limit, so the kernel's EMFILE comes first.
    let out = run_with_fd_limit(64, &["--max-sockets", "100000", "--allow-connect", "127.0.0.1"]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "status {}\n{stdout}\n{stderr}", out.status);
    assert!(stdout.contains("ok: stdio works after the fds ran out"), "{stdout}\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    held("running_out_of_fds_never_panics_the_host");
}

#[test]
fn a_denial_flood_is_rate_limited_and_never_blocks_on_stderr() {
    // stderr is a pipe nobody reads until the guest is done.
    let mut child = Command::new(host_binary())
        .args(["run", "--allow-connect", "127.0.0.2"])
        .arg(module("c-tests", "hostile"))
        .args(["denial-flood", "20000"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the host blocked");
        thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(status.success(), "{status}\n{stderr}");
    let lines = stderr.lines().count();
    assert!(lines <= 25, "{lines} lines for 20000 denials:\n{stderr}");
    assert!(stderr.contains("more denials not shown"), "{stderr}");
    held("a_denial_flood_is_rate_limited_and_never_blocks_on_stderr");
}

#[test]
fn a_denied_name_cannot_forge_log_lines() {
    let name = "evil\nwasock: granted everything\u{1b}[2J\u{202e}";
    let f = hostile().allow("--allow-resolve", "localhost").arg("resolve").arg(name).run();
    assert_passed(&f, &["an ungranted name is not resolved"]);
    let lines = host_lines(&f);
    assert_eq!(lines.len(), 1, "one line, nothing forged:\n{}", f.stderr);
    assert!(lines[0].starts_with("wasock: denied resolve \"evil\\nwasock: granted everything\\u{1b}[2J\\u{202e}\""));
    assert!(f.stderr.bytes().all(|b| b == b'\n' || (b' '..=b'~').contains(&b)), "{:?}", f.stderr);
    held("a_denied_name_cannot_forge_log_lines");
}

#[test]
fn a_long_linger_does_not_hold_the_host_at_exit() {
    // A peer that accepts and never reads, with small buffers.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let holder = thread::spawn(move || l.accept().map(|(s, _)| s));
    let started = Instant::now();
    let f = hostile()
        .allow("--allow-connect", &addr.to_string())
        .arg("linger-exit")
        .arg(addr.ip())
        .arg(addr.port())
        .timeout(Duration::from_secs(30))
        .run();
    assert_passed(&f, &["a full connection with a 1,000,000 s linger is left open at exit"]);
    assert!(started.elapsed() < Duration::from_secs(20), "the host waited {:?}", started.elapsed());
    drop(holder.join().unwrap());
    held("a_long_linger_does_not_hold_the_host_at_exit");
}

#[test]
fn memory_past_the_limit_is_refused() {
    let f = hostile().host_arg("--max-memory").host_arg("32M").arg("memory").arg(100_000_000).run();
    assert_passed(&f, &["memory past --max-memory is refused, the guest goes on"]);
    // The default (1 GiB) refuses 1.5 GB too.
    let f = hostile().arg("memory").arg(1_500_000_000).run();
    assert_passed(&f, &["memory past --max-memory is refused, the guest goes on"]);
    held("memory_past_the_limit_is_refused");
}

#[test]
fn the_audit_file_records_every_decision() {
    let port = free_port();
    let path = std::env::temp_dir().join(format!("wasock-audit-{}-{port}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let f = hostile()
        .host_arg("--audit")
        .host_arg(path.to_string_lossy())
        .allow("--allow-connect", &format!("127.0.0.1:{port}"))
        .arg("listen-after-refused")
        .arg(port)
        .run();
    f.assert_success();
    let text = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    let records: Vec<serde_json::Value> =
        text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    let of = |op: &str, decision: &str| {
        records.iter().filter(|r| r["op"] == op && r["decision"] == decision).cloned().collect::<Vec<_>>()
    };
    let connects = of("connect", "granted");
    assert_eq!(connects.len(), 2, "{text}");
    assert_eq!(connects[0]["remote"], format!("127.0.0.1:{port}"));
    assert_eq!(connects[0]["rule"], format!("--allow-connect 127.0.0.1/32:{port}"));
    assert_eq!(connects[0]["pool"], "default");
    assert!(connects[0]["fd"].as_u64().is_some_and(|fd| fd >= 4), "{text}");
    assert!(connects[0]["time"].as_str().is_some_and(|t| t.ends_with('Z') && t.len() == 24), "{text}");
    let listens = of("listen", "denied");
    assert_eq!(listens.len(), 3, "{text}");
    assert!(listens.iter().all(|r| r["rule"].is_null()));
    // A stale kernel port is the local address of the denied listen.
    assert!(listens[0]["local"].as_str().is_some_and(|l| l.starts_with("0.0.0.0:")), "{text}");
    held("the_audit_file_records_every_decision");
}
