//! Native peers on loopback for guests to talk to, and ports for them.
//!
//! Every wait here is bounded by [`PEER_TIMEOUT`], so a guest that never
//! connects, answers or closes fails its test instead of hanging it.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

/// How long a native peer waits for a guest (to connect, listen, send).
pub const PEER_TIMEOUT: Duration = Duration::from_secs(20);

/// A port that was free on 127.0.0.1 a moment ago: for a guest server to
/// bind, or for a connect that nothing accepts.
pub fn free_port() -> u16 {
    listener("127.0.0.1").1
}

/// A port that was free for UDP on 127.0.0.1 a moment ago.
pub fn free_udp_port() -> u16 {
    UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap().local_addr().unwrap().port()
}

/// A port number that is not `port`.
pub fn other_port(port: u16) -> u16 {
    if port == u16::MAX {
        port - 1
    } else {
        port + 1
    }
}

/// Whether IPv6 loopback works here (tests that need it skip otherwise).
pub fn have_ipv6() -> bool {
    TcpListener::bind("[::1]:0").is_ok()
}

/// A TCP listener on `ip` port 0, and its port.
pub fn listener(ip: &str) -> (TcpListener, u16) {
    let l = TcpListener::bind((ip, 0)).expect("bind a native listener");
    let port = l.local_addr().unwrap().port();
    (l, port)
}

/// Gives a stream the peers' read and write timeouts.
fn bounded(s: TcpStream) -> TcpStream {
    s.set_read_timeout(Some(PEER_TIMEOUT)).unwrap();
    s.set_write_timeout(Some(PEER_TIMEOUT)).unwrap();
    s
}

/// Accepts one connection within [`PEER_TIMEOUT`]; the stream gets read and
/// write timeouts.
pub fn accept(l: &TcpListener) -> TcpStream {
    l.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + PEER_TIMEOUT;
    loop {
        match l.accept() {
            Ok((s, _)) => {
                s.set_nonblocking(false).unwrap();
                return bounded(s);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(5))
            }
            Err(e) => panic!("no connection to the native listener: {e}"),
        }
    }
}

/// Connects to `addr`, retrying until the guest listens (within [`PEER_TIMEOUT`]).
pub fn connect_retry(addr: SocketAddr) -> TcpStream {
    let deadline = Instant::now() + PEER_TIMEOUT;
    loop {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
            Ok(s) => return bounded(s),
            Err(_) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
            Err(e) => panic!("cannot connect to the guest at {addr}: {e}"),
        }
    }
}

/// A UDP socket on `ip` port 0, with a read timeout.
pub fn udp(ip: &str) -> UdpSocket {
    let s = UdpSocket::bind((ip, 0)).expect("bind a native UDP socket");
    s.set_read_timeout(Some(PEER_TIMEOUT)).unwrap();
    s
}

/// Reads exactly `n` bytes.
pub fn read_n(s: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    s.read_exact(&mut buf).expect("read from the guest");
    buf
}

/// Reads until EOF (which must come within the read timeout).
pub fn read_to_eof(s: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).expect("read to EOF from the guest");
    buf
}

/// Writes all of `data`.
pub fn write(s: &mut TcpStream, data: &[u8]) {
    s.write_all(data).expect("write to the guest");
}

/// Spawns a native TCP server on `addr` that hands each connection it
/// accepts to `serve`, until the test process ends; returns its bound address.
pub fn native_tcp_server(addr: &str, mut serve: impl FnMut(TcpStream) + Send + 'static) -> SocketAddr {
    let l = TcpListener::bind(addr).unwrap_or_else(|e| panic!("bind a native server on {addr}: {e}"));
    let a = l.local_addr().unwrap();
    thread::spawn(move || l.incoming().flatten().for_each(&mut serve));
    a
}

/// A native TCP echo server on `addr` (a thread for each connection).
pub fn native_tcp_echo(addr: &str) -> SocketAddr {
    native_tcp_server(addr, |mut s| {
        thread::spawn(move || {
            let mut r = s.try_clone().unwrap();
            let _ = std::io::copy(&mut r, &mut s);
        });
    })
}

/// A TCP server on 127.0.0.1 that accepts connections and never sends
/// anything; the connections stay open until the test process ends.
pub fn native_silent_server() -> SocketAddr {
    let mut held = Vec::new();
    native_tcp_server("127.0.0.1:0", move |s| held.push(s))
}

/// Spawns a native UDP echo server on `addr`; returns its bound address.
pub fn native_udp_echo(addr: &str) -> SocketAddr {
    let s = UdpSocket::bind(addr).expect("bind native udp echo");
    let a = s.local_addr().unwrap();
    thread::spawn(move || {
        let mut buf = [0u8; 65536];
        while let Ok((n, from)) = s.recv_from(&mut buf) {
            let _ = s.send_to(&buf[..n], from);
        }
    });
    a
}
