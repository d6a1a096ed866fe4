//! Host-side TLS end to end (issue 15, docs/tls.md): guests built from
//! `c-tests/tls_*.c` and `rust-tests/src/bin/tls_*.rs`, and the plain echo
//! guests in transparent mode, run under `wasock run` with TLS rules,
//! against native rustls peers on loopback (`wasock_testkit::tls`) with
//! certificates made for each test.
//!
//! The guest TLS clients print `reply: TEXT`, `version: 0x....`,
//! `cipher: 0x....`, `server_name: NAME` and `peer_identity: ...` lines,
//! or `error: ENAME` (the C errno name, which the Rust programs print
//! too) and exit with 1; the servers print `listening on ADDR`, then `peer: IDENTITY` or
//! `peer: none` for each connection, or `error: ...` for one whose
//! handshake failed, and go on to the next.

use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use wasock_e2e::tls::{
    client_config, garbage_tls_server, server_config, tls_client_echo, Pki, Session, TlsEchoServer, CLIENT_CN,
    CLIENT_DNS, CLIENT_EMAIL, SERVER_NAME,
};
use wasock_e2e::{free_port, reliability, Finished, Guest};

/// What the guest TLS clients send when given no message.
const HELLO: &[u8] = b"hello tls\n";

/// The time limit of each run here: a TLS failure must be an errno at once,
/// never a hang.
const RUN_LIMIT: Duration = Duration::from_secs(30);

/// Records for `make reliability` that the attack `key` was tried and held.
fn held(key: &str) {
    reliability(&format!("hostile.{key}"), "held");
}

fn c(name: &str) -> Guest {
    Guest::new("c-tests", name).timeout(RUN_LIMIT)
}

fn rust(name: &str) -> Guest {
    Guest::new("rust-tests", name).timeout(RUN_LIMIT)
}

/// `--allow-connect-tls PATTERN:PORT,ca=FILE` for `pattern` and `port`, trusting `ca`.
fn connect_rule(pattern: &str, port: u16, ca: &std::path::Path) -> String {
    format!("{pattern}:{port},ca={}", ca.display())
}

/// `127.0.0.1:PORT,cert=F,key=F` for a listener presenting the PKI's server certificate.
fn listen_rule(pki: &Pki, port: u16) -> String {
    format!("127.0.0.1:{port},cert={},key={}", pki.server.cert.display(), pki.server.key.display())
}

/// A tls_client run: `NAME PORT` with the TLS connect rule `rule`.
fn tls_client(g: Guest, rule: &str, name: &str, port: u16) -> Finished {
    g.allow("--allow-connect-tls", rule).arg(name).arg(port).run()
}

/// The value of the line `KEY: VALUE` in the guest's stdout.
fn value<'a>(f: &'a Finished, key: &str) -> &'a str {
    let prefix = format!("{key}:");
    f.stdout
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no `{key}:` line:\n{f}"))
}

/// A `0x....` value, as a number (the case of the digits is the guest's).
fn hex(f: &Finished, key: &str) -> u16 {
    let v = value(f, key);
    u16::from_str_radix(v.trim_start_matches("0x"), 16).unwrap_or_else(|e| panic!("`{key}: {v}`: {e}\n{f}"))
}

/// The TLS lines of a client's stdout (what C and Rust must print alike).
fn tls_lines(f: &Finished) -> Vec<&str> {
    const KEYS: [&str; 5] = ["reply:", "version:", "cipher:", "server_name:", "peer_identity:"];
    f.stdout.lines().filter(|l| KEYS.iter().any(|k| l.starts_with(k))).collect()
}

/// Checks a client run that worked against the session the server saw.
#[track_caller]
fn assert_verified(f: &Finished, s: &Session) {
    f.assert_success();
    assert_eq!(s.error, None, "{f}");
    assert_eq!(s.received, HELLO, "the server got the message:\n{f}");
    assert!(s.close_notify, "the guest's shutdown(write) sent close_notify:\n{f}");
    assert_eq!(s.server_name.as_deref(), Some(SERVER_NAME), "the guest's name went out as SNI");
    assert_eq!(value(f, "reply"), "hello tls", "{f}");
    assert_eq!(hex(f, "version"), 0x0304, "{f}");
    assert_eq!(Some(hex(f, "cipher")), s.cipher, "the suite the server negotiated:\n{f}");
    assert_eq!(value(f, "server_name"), SERVER_NAME, "{f}");
    // The server certificate's SANs and subject, as the host verified them.
    for id in ["dns:localhost", "ip:127.0.0.1", "cn:localhost"] {
        assert!(f.stdout_has(id), "the peer identity lists {id}:\n{f}");
    }
}

/// The host's own lines on stderr. The host writes each in one piece from
/// its log thread, but a guest printing to stderr in several writes (Rust's
/// `Debug` of an error does) can have one land inside its own line: a host
/// line is what follows `wasock: ` to the end of a line.
fn host_lines(f: &Finished) -> Vec<&str> {
    f.stderr.lines().filter_map(|l| l.find("wasock: ").map(|at| &l[at..])).collect()
}

/// Checks that a client failed with `error: NAME` and exit status 1, that
/// the host said why on stderr in words containing `reason`, and did not panic.
#[track_caller]
fn assert_refused(f: &Finished, name: &str, reason: &str) {
    f.assert_code(1);
    assert_eq!(value(f, "error"), name, "{f}");
    assert!(!f.stdout_has("reply:"), "{f}");
    assert!(host_lines(f).iter().any(|l| l.contains(reason)), "the host's log gives the reason ({reason}):\n{f}");
    assert!(!f.stderr.contains("panicked"), "{f}");
}

// --- clients -----------------------------------------------------------

#[test]
fn c_and_rust_clients_are_verified_and_print_the_same() {
    let pki = Pki::generate();
    let server = TlsEchoServer::start(server_config(&pki.server));
    let rule = connect_rule(SERVER_NAME, server.port, &pki.ca.cert);
    let from_c = tls_client(c("tls_client"), &rule, SERVER_NAME, server.port);
    assert_verified(&from_c, &server.session());
    let from_rust = tls_client(rust("tls_client"), &rule, SERVER_NAME, server.port);
    assert_verified(&from_rust, &server.session());
    assert_eq!(tls_lines(&from_c), tls_lines(&from_rust), "C:\n{from_c}\nRust:\n{from_rust}");
}

/// The records of the audit file at `path` (then removed).
fn audit_records(path: &std::path::Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let _ = std::fs::remove_file(path);
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

#[test]
fn a_certificate_for_another_name_is_eacces_logged_and_audited() {
    let pki = Pki::generate();
    let server = TlsEchoServer::start(server_config(&pki.wrong_name));
    let rule = connect_rule(SERVER_NAME, server.port, &pki.ca.cert);
    let audit = pki.dir().join("audit.jsonl");
    let f = tls_client(
        c("tls_client").host_arg("--audit").host_arg(audit.to_string_lossy()),
        &rule,
        SERVER_NAME,
        server.port,
    );
    // rustls' words for a certificate without the name.
    const REASON: &str = "not valid for name";
    assert_refused(&f, "EACCES", REASON);
    let s = server.session();
    assert!(s.received.is_empty(), "nothing was sent over the refused connection: {s:?}");
    assert!(s.error.as_ref().is_some_and(|e| e.contains("BadCertificate")), "the host told the server why: {s:?}");
    let records = audit_records(&audit);
    assert!(
        records.iter().any(|r| r.to_string().contains(REASON) && r["pool"] == "default"),
        "an audit record of the pool gives the reason: {records:#?}"
    );

    let f = tls_client(rust("tls_client"), &rule, SERVER_NAME, server.port);
    assert_refused(&f, "EACCES", REASON);
    held("a_certificate_for_another_name_is_eacces_logged_and_audited");
}

#[test]
fn an_untrusted_issuer_and_an_expired_certificate_are_eacces() {
    let pki = Pki::generate();
    let server = TlsEchoServer::start(server_config(&pki.server));
    // The rule trusts the second CA, which did not sign the server's certificate.
    let rule = connect_rule(SERVER_NAME, server.port, &pki.untrusted_ca.cert);
    for g in [c("tls_client"), rust("tls_client")] {
        assert_refused(&tls_client(g, &rule, SERVER_NAME, server.port), "EACCES", "UnknownIssuer");
    }

    let expired = TlsEchoServer::start(server_config(&pki.expired));
    let rule = connect_rule(SERVER_NAME, expired.port, &pki.ca.cert);
    assert_refused(&tls_client(c("tls_client"), &rule, SERVER_NAME, expired.port), "EACCES", "expired");
    held("an_untrusted_issuer_and_an_expired_certificate_are_eacces");
}

#[test]
fn a_name_no_rule_grants_is_enotcapable_and_logged() {
    let pki = Pki::generate();
    let server = TlsEchoServer::start(server_config(&pki.server));
    let rule = connect_rule(SERVER_NAME, server.port, &pki.ca.cert);
    // The same port under another name: the host never looks it up.
    let other = "not-granted.example";
    for g in [c("tls_client"), rust("tls_client")] {
        let f = tls_client(g, &rule, other, server.port);
        f.assert_code(1);
        assert_eq!(value(&f, "error"), "ENOTCAPABLE", "{f}");
        assert!(
            host_lines(&f).iter().any(|l| l.starts_with("wasock: denied") && l.contains(other)),
            "the denial is logged with the name:\n{f}"
        );
    }
    held("a_name_no_rule_grants_is_enotcapable_and_logged");
}

#[test]
fn a_tls_rule_grants_no_plain_tcp() {
    let pki = Pki::generate();
    let server = TlsEchoServer::start(server_config(&pki.server));
    // The exact address, granted for TLS only: the plain echo client's connect is refused.
    let f = rust("echo_client")
        .allow("--allow-connect-tls", &connect_rule("127.0.0.1", server.port, &pki.ca.cert))
        .arg(server.addr())
        .run();
    f.assert_code(1);
    assert!(f.stderr.contains("notcapable"), "the guest's connect failed with notcapable:\n{f}");
    let denied = format!("wasock: denied connect to {}", server.addr());
    assert!(host_lines(&f).iter().any(|l| l.starts_with(&denied)), "{f}");
    held("a_tls_rule_grants_no_plain_tcp");
}

/// Through `wasock::tokio::TcpStream`, which waits for the host's next
/// report after a short read: the reply is one, so the end of the stream
/// is seen only because a short TLS read re-arms the read direction.
#[test]
fn tokio_tls_client_is_verified() {
    let pki = Pki::generate();
    let server = TlsEchoServer::start(server_config(&pki.server));
    let rule = connect_rule(SERVER_NAME, server.port, &pki.ca.cert);
    let f = tls_client(rust("tokio_tls_client"), &rule, SERVER_NAME, server.port);
    assert_verified(&f, &server.session());
}

#[test]
fn a_server_that_is_not_tls_is_econnrefused_and_the_host_exits_as_the_guest_chose() {
    let pki = Pki::generate();
    let port = garbage_tls_server();
    let rule = connect_rule(SERVER_NAME, port, &pki.ca.cert);
    for g in [c("tls_client"), rust("tls_client")] {
        let f = tls_client(g, &rule, SERVER_NAME, port);
        // assert_refused checks exit status 1 (the guest's own), no panic, a logged reason.
        assert_refused(&f, "ECONNREFUSED", "corrupt message");
    }
    held("a_server_that_is_not_tls_is_econnrefused_and_the_host_exits_as_the_guest_chose");
}

// --- servers -----------------------------------------------------------

/// A tls_server guest on a free port with the TLS bind rule `rule(port)`,
/// serving `n` connections; returns the run and its port.
fn tls_server(g: Guest, rule: impl Fn(u16) -> String, n: usize) -> (wasock_e2e::Running, u16) {
    let port = free_port();
    let mut run = g.allow("--allow-bind-tls", &rule(port)).arg(format!("127.0.0.1:{port}")).arg(n).spawn();
    assert_eq!(run.listening_addr(), SocketAddr::from(([127, 0, 0, 1], port)));
    (run, port)
}

#[test]
fn a_server_without_client_authentication_echoes_and_sends_close_notify() {
    let pki = Pki::generate();
    let config = client_config(&pki.ca, None);
    for g in [c("tls_server"), rust("tls_server")] {
        let (mut run, port) = tls_server(g, |port| listen_rule(&pki, port), 1);
        // Ok means the echo ended with the guest's close_notify, not a bare TCP end.
        let back = tls_client_echo(port, SERVER_NAME, config.clone(), b"to the guest and back\n");
        assert_eq!(back.expect("a verified echo, ended by close_notify"), b"to the guest and back\n");
        assert_eq!(run.expect_line("peer:"), "none");
        run.wait().assert_success();
    }
}

#[test]
fn a_server_with_client_authentication_sees_the_identity_and_refuses_a_client_without_one() {
    let pki = Pki::generate();
    let rule = |port| format!("{},client-ca={}", listen_rule(&pki, port), pki.ca.cert.display());
    for g in [c("tls_server"), rust("tls_server")] {
        let (run, port) = tls_server(g, rule, 2);
        // A client without a certificate first: refused, and the guest goes on.
        let e = tls_client_echo(port, SERVER_NAME, client_config(&pki.ca, None), HELLO).unwrap_err();
        // The host sends the alert and the guest closes the connection,
        // whose client's request it never read: TCP resets it, and the
        // client's write can meet the reset before it reads the alert.
        let reset = matches!(e.kind(), std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset);
        assert!(e.to_string().contains("CertificateRequired") || reset, "the host's alert: {e}");
        let back = tls_client_echo(port, SERVER_NAME, client_config(&pki.ca, Some(&pki.client)), HELLO);
        assert_eq!(back.expect("the authenticated client's echo"), HELLO);
        let f = run.wait();
        f.assert_success();
        assert_eq!(value(&f, "error"), "EACCES", "the failed handshake is that connection's error:\n{f}");
        for id in [format!("dns:{CLIENT_DNS}"), format!("email:{CLIENT_EMAIL}"), format!("cn:{CLIENT_CN}")] {
            assert!(f.stdout_has(&id), "the client's verified identity lists {id}:\n{f}");
        }
        assert!(!f.stdout_has("peer: none"), "{f}");
        assert!(host_lines(&f).iter().any(|l| l.contains("no certificates")), "the host logs why:\n{f}");
    }
    held("a_server_with_client_authentication_sees_the_identity_and_refuses_a_client_without_one");
}

// --- transparent mode --------------------------------------------------

#[test]
fn an_unmodified_client_is_made_tls_by_policy() {
    let pki = Pki::generate();
    let server = TlsEchoServer::start(server_config(&pki.server));
    let rule = format!("127.0.0.1:{},name={SERVER_NAME},ca={}", server.port, pki.ca.cert.display());
    let f = rust("echo_client").allow("--tls-connect", &rule).arg(server.addr()).run();
    f.assert_success();
    let total: usize = value(&f, "echo_client ok").split_whitespace().next().unwrap().parse().unwrap();
    let s = server.session();
    assert_eq!(s.error, None, "{f}");
    assert_eq!(s.received.len(), total, "every byte the guest checked went over TLS:\n{f}");
    assert!(s.close_notify, "the guest's shutdown(write) became close_notify:\n{f}");
    assert_eq!(s.server_name.as_deref(), Some(SERVER_NAME), "the rule's name is the SNI");
}

#[test]
fn an_unmodified_server_is_made_tls_by_policy() {
    let pki = Pki::generate();
    let port = free_port();
    let mut run = rust("echo_server")
        .allow("--tls-listen", &listen_rule(&pki, port))
        .arg(format!("127.0.0.1:{port}"))
        .arg(1)
        .spawn();
    run.listening_addr();
    let msg = b"plain program, TLS on the wire\n";
    let back = tls_client_echo(port, SERVER_NAME, client_config(&pki.ca, None), msg);
    assert_eq!(back.expect("an echo over TLS, ended by close_notify"), msg);
    let f = run.wait();
    f.assert_success();
    assert!(f.stdout_has(&format!("echoed {} bytes", msg.len())), "{f}");
}

// --- readiness ---------------------------------------------------------

#[test]
fn poll_reports_plaintext_not_half_a_record() {
    let pki = Pki::generate();
    let server = TlsEchoServer::start_split(server_config(&pki.server), Duration::from_millis(300));
    let rule = connect_rule(SERVER_NAME, server.port, &pki.ca.cert);
    let f = c("tls_poll").allow("--allow-connect-tls", &rule).arg("client").arg(SERVER_NAME).arg(server.port).run();
    f.assert_success();
    for check in [
        "non-blocking connect_name: POLLOUT, then SO_ERROR 0",
        "no plaintext yet: recv is EAGAIN and poll reports no POLLIN",
        "half a record: no POLLIN, recv is EAGAIN",
        "POLLIN once the whole record is in, and recv returns all of it",
        "EOF after the server's close_notify",
    ] {
        assert!(f.stdout_has(&format!("ok: {check}")), "missing `ok: {check}`:\n{f}");
    }
    let s = server.session();
    assert!(s.close_notify && s.error.is_none(), "{s:?}");
}

#[test]
fn a_silent_client_does_not_stall_a_polling_tls_server() {
    let pki = Pki::generate();
    let port = free_port();
    let mut run = c("tls_poll")
        .allow("--allow-bind-tls", &listen_rule(&pki, port))
        .arg("server")
        .arg(format!("127.0.0.1:{port}"))
        .spawn();
    let addr = run.listening_addr();
    // Connected, and never a ClientHello.
    let silent = TcpStream::connect(addr).unwrap();
    assert_eq!(run.expect_line("accepted"), "1");
    let t = Instant::now();
    let back = tls_client_echo(port, SERVER_NAME, client_config(&pki.ca, None), HELLO);
    assert_eq!(back.expect("the second client's echo"), HELLO);
    assert!(t.elapsed() < Duration::from_secs(5), "the echo took {:?}", t.elapsed());
    let f = run.wait();
    drop(silent);
    f.assert_success();
    assert!(
        f.stdout_has("ok: a client was echoed while a silent one held a connection that was never reported"),
        "{f}"
    );
    held("a_silent_client_does_not_stall_a_polling_tls_server");
}
