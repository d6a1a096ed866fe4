//! The C SDK end to end: the programs in `c-tests/`, built with
//! `build/bin/wasock-cc` (`make c-guests`), run under `wasock run` against
//! native peers on loopback. Each test starts the peers, runs one guest with
//! the pool rules it needs, and checks the guest's exit status, what it
//! printed and what the native side saw.
//!
//! A guest prints `ok: ...` for each group of checks that held and `FAIL ...`
//! on stderr for each that did not; it exits 0 only when all held.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use wasock_e2e::{
    free_port, free_udp_port, host_binary, native_silent_server, native_tcp_echo, native_tcp_server, native_udp_echo,
    Finished, Guest, Run,
};

fn c_guest(name: &str) -> Guest {
    Guest::new("c-tests", name)
}

/// Checks a finished guest: exit 0 and every `ok:` line it should print.
fn assert_passed(f: &Finished, oks: &[&str]) {
    f.assert_success();
    for ok in oks {
        assert!(f.stdout_has(&format!("ok: {ok}")), "missing `ok: {ok}`:\n{f}");
    }
    assert!(!f.stderr.contains("FAIL"), "{f}");
}

fn rule(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => format!("{}:{}", a.ip(), a.port()),
        SocketAddr::V6(a) => format!("[{}/128]:{}", a.ip(), a.port()),
    }
}

/// A native server that accepts connections and closes them at once.
fn native_tcp_closer() -> SocketAddr {
    native_tcp_server("127.0.0.1:0", drop)
}

/// A native listener that counts the connections it accepts.
fn native_tcp_counter() -> (SocketAddr, Arc<AtomicUsize>) {
    let n = Arc::new(AtomicUsize::new(0));
    let counter = n.clone();
    let a = native_tcp_server("127.0.0.1:0", move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    (a, n)
}

/// A port with nothing listening on it (bound and released).
fn closed_port() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()))
}

fn ipv6_available() -> bool {
    TcpListener::bind("[::1]:0").is_ok()
}

// --- poll() echo server ----------------------------------------------------------

fn echo_clients(server: SocketAddr, clients: usize, rounds: usize) -> Vec<SocketAddr> {
    let handles: Vec<_> = (0..clients)
        .map(|k| {
            thread::spawn(move || {
                let mut s = TcpStream::connect(server).expect("connect to the guest");
                s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
                let local = s.local_addr().unwrap();
                for i in 0..rounds {
                    let msg = format!("client {k} message {i}\n");
                    s.write_all(msg.as_bytes()).unwrap();
                    let mut back = vec![0u8; msg.len()];
                    s.read_exact(&mut back).unwrap();
                    assert_eq!(back, msg.as_bytes(), "client {k} round {i}");
                }
                // A bigger payload, which needs several reads and writes.
                let big: Vec<u8> = (0..300_000u32).map(|i| (i * 31 + k as u32) as u8).collect();
                let mut w = s.try_clone().unwrap();
                let to_send = big.clone();
                let writer = thread::spawn(move || w.write_all(&to_send).unwrap());
                let mut back = vec![0u8; big.len()];
                s.read_exact(&mut back).unwrap();
                writer.join().unwrap();
                assert!(back == big, "client {k}: big payload corrupted");
                local
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().expect("client thread")).collect()
}

#[test]
fn poll_echo_server_serves_concurrent_clients() {
    let port = free_port();
    let mut g = c_guest("poll_echo_server")
        .allow("--allow-bind", &format!("127.0.0.1:{port}"))
        .arg(format!("127.0.0.1:{port}"))
        .arg(5)
        .spawn();
    let addr = g.listening_addr();
    assert_eq!(addr, SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    let locals = echo_clients(addr, 5, 30);
    let f = g.wait();
    f.assert_success();
    assert!(f.stdout_has("served 5"), "{f}");
    for l in locals {
        assert!(f.stdout_has(&format!("accepted {l}")), "the guest saw another peer than {l}:\n{f}");
    }
}

#[test]
fn poll_echo_server_on_an_ephemeral_port() {
    let mut g = c_guest("poll_echo_server").allow("--allow-bind", "127.0.0.1:*").arg("127.0.0.1:0").arg(1).spawn();
    let addr = g.listening_addr();
    assert_ne!(addr.port(), 0);
    echo_clients(addr, 1, 3);
    g.wait().assert_success();
}

#[test]
fn poll_echo_server_ipv6() {
    if !ipv6_available() {
        eprintln!("no IPv6 loopback here; skipped");
        return;
    }
    let port = free_port();
    let mut g = c_guest("poll_echo_server")
        .allow("--allow-bind", &format!("[::1]:{port}"))
        .arg(format!("[::1]:{port}"))
        .arg(3)
        .spawn();
    let addr = g.listening_addr();
    assert!(addr.is_ipv6(), "{addr}");
    let locals = echo_clients(addr, 3, 5);
    let f = g.wait();
    f.assert_success();
    for l in locals {
        assert!(f.stdout_has(&format!("accepted {l}")), "{l}:\n{f}");
    }
}

// --- select() client ----------------------------------------------------------------

#[test]
fn select_client() {
    let echo = native_tcp_echo("127.0.0.1:0");
    let f = c_guest("select_client").allow("--allow-connect", &rule(echo)).arg(echo).run();
    assert_passed(
        &f,
        &[
            "select: writable, nothing to read",
            "select: timeout",
            "select: 20 echo round trips",
            "select: except set accepted",
            "select: non-blocking connect",
            "select: two fds",
            "select: end of stream after shutdown",
        ],
    );
}

// --- UDP ------------------------------------------------------------------------------

#[test]
fn udp_client_against_native_echo() {
    let echo = native_udp_echo("127.0.0.1:0");
    let f = c_guest("udp_echo").allow("--allow-connect", &rule(echo)).arg("client").arg(echo).run();
    assert_passed(
        &f,
        &[
            "udp: sendto/recvfrom fills the source address and length",
            "udp: getsockname after an implicit bind",
            "udp: recvfrom with a short address buffer",
            "udp: MSG_PEEK",
            "udp: MSG_TRUNC",
            "udp: MSG_DONTWAIT",
            "udp: sendmsg/recvmsg with iovecs",
            "udp: connected send/recv/read/write",
        ],
    );
}

#[test]
fn udp_client_ipv6() {
    if !ipv6_available() {
        return;
    }
    let echo = native_udp_echo("[::1]:0");
    let f = c_guest("udp_echo").allow("--allow-connect", &rule(echo)).arg("client").arg(echo).run();
    assert_passed(&f, &["udp: sendto/recvfrom fills the source address and length", "udp: MSG_TRUNC"]);
}

#[test]
fn udp_server_answers_native_peer() {
    let port = free_udp_port();
    let mut g = c_guest("udp_echo")
        .allow("--allow-bind", &format!("127.0.0.1:{port}"))
        .allow("--allow-connect", "127.0.0.1")
        .arg("server")
        .arg(format!("127.0.0.1:{port}"))
        .spawn();
    let addr = g.listening_addr();
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let me = s.local_addr().unwrap();
    for i in 0..10 {
        let msg = format!("datagram {i}");
        s.send_to(msg.as_bytes(), addr).unwrap();
        let mut buf = [0u8; 100];
        let (n, from) = s.recv_from(&mut buf).expect("an echo from the guest");
        assert_eq!(&buf[..n], msg.as_bytes());
        assert_eq!(from, addr);
    }
    s.send_to(b"quit", addr).unwrap();
    let f = g.wait();
    f.assert_success();
    assert!(f.stdout_has(&format!("first datagram from {me}")), "{f}");
    assert!(f.stdout_has("echoed 11 datagrams"), "{f}");
}

// --- getaddrinfo ----------------------------------------------------------------------

#[test]
fn getaddrinfo_in_the_guest_needs_no_pool() {
    let f = c_guest("gai").run();
    assert_passed(
        &f,
        &[
            "gai: numeric IPv4, socktype 0 gives stream and datagram",
            "gai: numeric IPv6",
            "gai: literal of the other family",
            "gai: localhost by family",
            "gai: AI_PASSIVE and NULL host",
            "gai: ai_protocol",
            "gai: services",
            "gai: AI_CANONNAME",
            "gai: errors",
            "getnameinfo",
        ],
    );
}

/// A host name other than `localhost` that the native resolver knows, and one
/// of its addresses (the machine's own name, normally in /etc/hosts).
fn resolvable_name() -> Option<(String, String)> {
    let out = Command::new("hostname").output().ok()?;
    let name = String::from_utf8(out.stdout).ok()?.trim().to_string();
    if name.is_empty() || name.eq_ignore_ascii_case("localhost") {
        return None;
    }
    let addr = std::net::ToSocketAddrs::to_socket_addrs(&(name.as_str(), 0)).ok()?.next()?;
    Some((name, addr.ip().to_string()))
}

#[test]
fn getaddrinfo_through_the_host() {
    let mut g = c_guest("gai").allow("--allow-resolve", "*").arg("noname").arg("no-such-host.invalid");
    let resolved = resolvable_name();
    if let Some((name, ip)) = &resolved {
        g = g.arg("resolve").arg(name).arg(ip);
    }
    let f = g.run();
    f.assert_success();
    assert!(f.stdout_has("no such name no-such-host.invalid"), "{f}");
    if let Some((name, _)) = resolved {
        assert!(f.stdout_has(&format!("resolved {name}")), "{f}");
    }
}

#[test]
fn getaddrinfo_of_a_name_the_pool_does_not_grant() {
    let f = c_guest("gai").allow("--allow-resolve", "*.example.org").arg("denied").arg("example.com").run();
    f.assert_success();
    assert!(f.stdout_has("denied example.com"), "{f}");
    assert!(f.stderr.contains("denied"), "the host should log the denial:\n{f}");
}

// --- non-blocking connect ------------------------------------------------------------

#[test]
fn nonblocking_connect_success_and_refused() {
    let echo = native_tcp_echo("127.0.0.1:0");
    let closed = closed_port();
    let f = c_guest("nonblock_connect")
        .allow("--allow-connect", &rule(echo))
        .allow("--allow-connect", &rule(closed))
        .arg(echo)
        .arg(closed)
        .run();
    assert_passed(
        &f,
        &[
            "non-blocking connect: success after EINPROGRESS",
            "non-blocking connect: refused",
            "blocking connect: ECONNREFUSED",
            "blocking connect, then FIONBIO",
        ],
    );
}

// --- socket options --------------------------------------------------------------------

#[test]
fn every_socket_option_round_trips() {
    let port = free_port();
    let f = c_guest("sockopts")
        .allow("--allow-bind", &format!("127.0.0.1:{port}"))
        .allow("--allow-connect", "239.255.0.0/16")
        .allow("--allow-connect", "ff15::/16")
        .arg(port)
        .run();
    assert_passed(
        &f,
        &[
            "IPv4 socket options",
            "IPv6 socket options",
            "SO_REUSEADDR and SO_REUSEPORT take effect for UDP",
            "SO_REUSEPORT takes effect for TCP",
        ],
    );
}

#[test]
fn so_rcvtimeo_expires() {
    let silent = native_silent_server();
    let port = free_udp_port();
    let f = c_guest("rcvtimeo")
        .allow("--allow-bind", &format!("127.0.0.1:{port}"))
        .allow("--allow-connect", &rule(silent))
        .arg(format!("127.0.0.1:{port}"))
        .arg(silent)
        .run();
    f.assert_success();
    assert!(f.stdout_has("ok: SO_RCVTIMEO expired on UDP"), "{f}");
    assert!(f.stdout_has("ok: SO_RCVTIMEO expired on TCP"), "{f}");
}

// --- sockets as fds -------------------------------------------------------------------

#[test]
fn read_write_ioctl_fcntl_close_on_sockets() {
    let echo = native_tcp_echo("127.0.0.1:0");
    let f = c_guest("rw_ioctl").allow("--allow-connect", &rule(echo)).arg(echo).run();
    assert_passed(
        &f,
        &[
            "write, ioctl(FIONREAD), read",
            "writev, readv",
            "MSG_PEEK, MSG_WAITALL",
            "MSG_DONTWAIT",
            "sendmsg, recvmsg on TCP",
            "FIONBIO, fcntl O_NONBLOCK",
            "200000 bytes through a non-blocking socket",
            "shutdown(SHUT_WR), EOF",
            "close",
        ],
    );
}

// --- IPv6 -------------------------------------------------------------------------------

#[test]
fn ipv6_server_sees_the_right_addresses() {
    if !ipv6_available() {
        eprintln!("no IPv6 loopback here; skipped");
        return;
    }
    let port = free_port();
    let mut g = c_guest("ipv6")
        .allow("--allow-bind", &format!("[::1]:{port}"))
        .arg("server")
        .arg(format!("[::1]:{port}"))
        .spawn();
    let addr = g.listening_addr();
    assert_eq!(addr, format!("[::1]:{port}").parse().unwrap());
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let me = s.local_addr().unwrap();
    s.write_all(b"hello over six\n").unwrap();
    let mut line = String::new();
    BufReader::new(&s).read_line(&mut line).unwrap();
    assert_eq!(line, "hello over six\n");
    let f = g.wait();
    f.assert_success();
    assert!(f.stdout_has(&format!("peer {me}")), "getpeername/accept disagree with the client's {me}:\n{f}");
    assert!(f.stdout_has(&format!("local {addr}")), "getsockname on the accepted socket:\n{f}");
}

#[test]
fn ipv6_client_against_native_echo() {
    if !ipv6_available() {
        return;
    }
    let echo = native_tcp_echo("[::1]:0");
    let f = c_guest("ipv6").allow("--allow-connect", &rule(echo)).arg("client").arg(echo).run();
    f.assert_success();
    assert!(f.stdout_has("local [::1]:"), "{f}");
}

// --- what the pool does not grant --------------------------------------------------------

#[test]
fn denied_operations_are_enotcapable_and_reach_no_peer() {
    let (tcp, accepted) = native_tcp_counter();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let udp_addr = udp.local_addr().unwrap();
    let other = free_port(); // the only thing the pool grants
    let bind_to = free_port();
    let f = c_guest("denied")
        .allow("--allow-connect", &format!("127.0.0.1:{other}"))
        .arg("pool")
        .arg(tcp)
        .arg(udp_addr)
        .arg(format!("127.0.0.1:{bind_to}"))
        .run();
    assert_passed(
        &f,
        &["denied: TCP connect", "denied: UDP sendto, sendmsg, connect", "denied: bind", "denied: resolve"],
    );
    assert!(f.stderr.contains("denied"), "the host should log each denial:\n{f}");
    thread::sleep(Duration::from_millis(200));
    assert_eq!(accepted.load(Ordering::SeqCst), 0, "a denied connect reached the peer");
    udp.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let mut buf = [0u8; 16];
    match udp.recv_from(&mut buf) {
        Ok((n, from)) => panic!("a denied datagram arrived: {n} bytes from {from}"),
        Err(e) => assert!(matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut), "{e}"),
    }
}

#[test]
fn without_a_pool_socket_is_enotcapable() {
    let f = c_guest("denied").arg("nopool").run();
    assert_passed(&f, &["no pool: socket() is ENOTCAPABLE"]);
}

// --- the raw ABI ------------------------------------------------------------------------------

#[test]
fn raw_abi_calls() {
    let f = c_guest("raw_abi").allow("--allow-connect", "127.0.0.1").run();
    assert_passed(&f, &["raw imports"]);
}

// --- errno ------------------------------------------------------------------------------------

#[test]
fn errno_values() {
    let echo = native_tcp_echo("127.0.0.1:0");
    let closer = native_tcp_closer();
    let port = free_port();
    let f = c_guest("errors")
        .allow("--allow-connect", &rule(echo))
        .allow("--allow-connect", &rule(closer))
        .allow("--allow-bind", &format!("127.0.0.1:{port}"))
        .arg(echo)
        .arg(closer)
        .arg(format!("127.0.0.1:{port}"))
        .run();
    assert_passed(
        &f,
        &[
            "unsupported families and types",
            "ENOTCONN",
            "EINVAL, EOPNOTSUPP, EBADF",
            "ENOTSOCK",
            "EADDRINUSE",
            "EPIPE after the peer closed",
        ],
    );
}

// --- pools (wasock.h) ---------------------------------------------------------------------

#[test]
fn pools_by_name() {
    let echo = native_tcp_echo("127.0.0.1:0");
    let f = c_guest("pools")
        .allow("--pool", "a")
        .allow("--allow-connect", &rule(echo))
        .allow("--pool", "b")
        .allow("--allow-bind", "127.0.0.1:*")
        .arg("named")
        .arg(echo)
        .run();
    assert_passed(
        &f,
        &[
            "pools: listed and found by name",
            "pools: wasock_socket uses each pool's rights",
            "pools: closing a pool gives it up",
        ],
    );
}

#[test]
fn pool_named_default_is_the_default() {
    let echo = native_tcp_echo("127.0.0.1:0");
    let f = c_guest("pools")
        .allow("--allow-connect", &rule(echo))
        .allow("--pool", "extra")
        .allow("--allow-bind", "127.0.0.1:*")
        .arg("default")
        .arg(echo)
        .run();
    assert_passed(&f, &["pools: the pool named default is the default"]);
}

// --- wasock-cc ---------------------------------------------------------------------------------

/// `build/` (or `WASOCK_BUILD_DIR`, as for the modules).
fn build_dir() -> PathBuf {
    std::env::var_os("WASOCK_BUILD_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../build"))
}

/// Unmodified-looking C that includes every header porting code uses and names
/// their constants.
const PORTED: &str = r#"
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    int opts[] = {SOL_SOCKET, SO_REUSEADDR, SO_REUSEPORT, SO_RCVBUF, SO_SNDBUF, SO_RCVTIMEO,
                  SO_SNDTIMEO, SO_KEEPALIVE, SO_LINGER, SO_BROADCAST, SO_ERROR, SO_TYPE,
                  IPPROTO_IP, IPPROTO_IPV6, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6, TCP_NODELAY,
                  IPV6_V6ONLY, IP_TTL, IPV6_UNICAST_HOPS, IP_MULTICAST_TTL, IP_MULTICAST_LOOP,
                  IPV6_MULTICAST_HOPS, IPV6_MULTICAST_LOOP, IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP,
                  IPV6_JOIN_GROUP, IPV6_LEAVE_GROUP, MSG_PEEK, MSG_WAITALL, MSG_TRUNC, MSG_DONTWAIT,
                  MSG_NOSIGNAL, MSG_OOB, AI_PASSIVE, AI_CANONNAME, AI_NUMERICHOST, AI_NUMERICSERV,
                  AI_V4MAPPED, AI_ADDRCONFIG, NI_NUMERICHOST, NI_NUMERICSERV, NI_NAMEREQD, NI_DGRAM,
                  EAI_NONAME, EAI_AGAIN, EAI_FAIL, EAI_FAMILY, EAI_SOCKTYPE, EAI_SERVICE, EAI_SYSTEM,
                  SHUT_RD, SHUT_WR, SHUT_RDWR, SOCK_NONBLOCK, SOCK_CLOEXEC, SOCK_RAW, SOMAXCONN,
                  PF_INET, AF_UNIX, FIONREAD, FIONBIO, O_NONBLOCK, F_GETFL, F_SETFL, POLLIN, POLLOUT,
                  POLLPRI, POLLERR, POLLHUP, EINPROGRESS, EWOULDBLOCK, ENOTCAPABLE};
    struct sockaddr_in sin;
    memset(&sin.sin_zero, 0, sizeof sin.sin_zero);
    struct sockaddr_un un;
    strncpy(un.sun_path, "/x", sizeof un.sun_path);
    struct sockaddr_storage ss;
    struct ip_mreq mreq;
    struct ipv6_mreq mreq6;
    struct linger lg;
    struct msghdr mh;
    fd_set fds;
    FD_ZERO(&fds);
    (void)mreq; (void)mreq6; (void)lg; (void)mh; (void)ss;
    printf("%d %zu %s\n", (int)(sizeof opts / sizeof opts[0]), sizeof(struct sockaddr_in),
           inet_ntoa(sin.sin_addr = (struct in_addr){htonl(INADDR_LOOPBACK)}));
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 && errno == ENOTCAPABLE) puts("no pool: ENOTCAPABLE");
    return 0;
}
"#;

#[test]
fn wasock_cc_builds_ported_code_from_any_directory() {
    let cc =
        build_dir().join("bin/wasock-cc").canonicalize().expect("build/bin/wasock-cc is missing: run `make c-guests`");
    let dir = std::env::temp_dir().join(format!("wasock-cc-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ported.c"), PORTED).unwrap();
    // Compile and link in separate steps, from an unrelated directory, through a symlink.
    let link = dir.join("cc");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&cc, &link).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(&link).args(args).current_dir(&dir).output().expect("run wasock-cc");
        assert!(
            out.status.success(),
            "wasock-cc {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["-Wall", "-Wextra", "-Werror", "-O2", "-DPORTED=1", "-c", "ported.c", "-o", "ported.o"]);
    run(&["-O2", "ported.o", "-o", "ported.wasm"]);
    run(&["--version"]);
    // The headers also hold up under strict standards and feature macros.
    for flags in [
        &["-std=c99", "-pedantic"][..],
        &["-std=c11", "-D_POSIX_C_SOURCE=200809L"],
        &["-std=gnu17", "-D_GNU_SOURCE"],
        &["-D_XOPEN_SOURCE=700"],
    ] {
        let mut args = vec!["-Wall", "-Wextra", "-Werror", "-fsyntax-only", "ported.c"];
        args.extend_from_slice(flags);
        run(&args);
    }
    // Within the run's time limit (60 s), stdin from /dev/null.
    let out = Run::new(host_binary()).arg("run").arg(dir.join("ported.wasm")).run();
    out.assert_success();
    assert!(out.stdout_has(" 16 127.0.0.1"), "{out}");
    assert!(out.stdout_has("no pool: ENOTCAPABLE"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
