//! Network faults, seen from a guest: `faults SCENARIO ARGS...`, run by
//! e2e/tests/faults.rs against native peers that misbehave on purpose.
//! Each scenario checks the exact error the guest gets, then that the host
//! still serves it (a fresh connection works), and prints what happened.
//!
//! - `reset ADDR`: the peer sends 64 KiB, then resets (SO_LINGER 0) while
//!   the guest waits in `read`: ConnectionReset, nothing of the 64 KiB lost.
//! - `eof ADDR`: the peer sends `bye` and closes: `bye`, then EOF (twice),
//!   then writes fail with BrokenPipe (the host never raises SIGPIPE).
//! - `refused ADDR LIVE`: nothing listens at ADDR: ConnectionRefused, from
//!   `connect` and from a non-blocking connect's `take_error`.
//! - `resolve NAME`: NAME does not exist: NotFound; a name the pool does not
//!   grant: PermissionDenied.
//! - `backlog ADDR`: a native listener with a full queue: connect_timeout
//!   gives TimedOut on time; a non-blocking connect stays pending (not
//!   writable, no error, not connected); after the test drains the queue
//!   (the guest waits for a line on stdin) a connect succeeds again.
//! - `leave-open SERVER LISTEN UDP N MODE`: opens N connections to SERVER, a
//!   listener on LISTEN (and accepts one connection on it), a UDP socket on
//!   UDP, then ends without closing any of them: MODE `trap` (abort),
//!   `panic`, `exit` (status 3) or `return` (sockets forgotten).

use std::io::{BufRead, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::time::{Duration, Instant};

use wasock::net::{lookup_host, TcpListener, TcpStream, UdpSocket};
use wasock::{Errno, Family, SockType, Socket};
use wasock_rust_tests::{addr_arg, arg, ensure, expect_err, pattern, say, Res};

/// The host still works: a new connection echoes a few bytes.
fn still_serves(addr: SocketAddr, what: &str) -> Res {
    let mut s = TcpStream::connect(addr)?;
    s.write_all(b"again")?;
    let mut back = [0u8; 5];
    s.read_exact(&mut back)?;
    ensure!(&back == b"again", "{what}: the echo after the fault differs");
    Ok(())
}

fn reset(addr: SocketAddr) -> Res {
    let mut s = TcpStream::connect(addr)?;
    let want = pattern(64 * 1024, 9);
    let mut got = vec![0u8; want.len()];
    s.read_exact(&mut got)?;
    ensure!(got == want, "the 64 KiB before the reset differ");
    // Tell the peer everything arrived; it resets while we wait in read.
    s.write_all(b"k")?;
    let mut more = [0u8; 16];
    let e = match s.read(&mut more) {
        Ok(n) => return Err(format!("read after the reset gave {n} bytes, not an error").into()),
        Err(e) => e,
    };
    ensure!(e.kind() == ErrorKind::ConnectionReset, "read after the reset: {:?} ({e})", e.kind());
    // The connection is dead for writing too, and stays dead.
    let w = s.write(b"x");
    ensure!(w.is_err(), "write after the reset succeeded: {w:?}");
    let r = s.read(&mut more);
    ensure!(matches!(r, Ok(0) | Err(_)), "read after the reset again: {r:?}");
    say(format!("reset: {:?} after {} bytes; then write {:?}", e.kind(), want.len(), w.unwrap_err().kind()));
    still_serves(addr, "reset")?;
    say("reset ok");
    Ok(())
}

fn eof(addr: SocketAddr) -> Res {
    let mut s = TcpStream::connect(addr)?;
    let mut all = Vec::new();
    s.read_to_end(&mut all)?;
    ensure!(all == b"bye", "before EOF: {all:?}");
    let mut buf = [0u8; 8];
    ensure!(s.read(&mut buf)? == 0, "a second read after EOF is not EOF");
    ensure!(s.read(&mut buf)? == 0, "a third read after EOF is not EOF");
    // The peer is gone: the first writes may still be accepted by the
    // kernel; once the peer's reset is back, writing is BrokenPipe (EPIPE),
    // and no signal kills the host.
    let started = Instant::now();
    let mut accepted = 0;
    let err = loop {
        match s.write(b"are you there?") {
            Ok(_) if started.elapsed() < Duration::from_secs(5) => {
                accepted += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(_) => return Err("writes to a closed peer kept succeeding for 5 s".into()),
            Err(e) => break e,
        }
    };
    ensure!(err.kind() == ErrorKind::BrokenPipe, "write to a closed peer: {:?} ({err})", err.kind());
    let again = s.write(b"x").expect_err("a write after BrokenPipe succeeded");
    ensure!(again.kind() == ErrorKind::BrokenPipe, "second failing write: {:?}", again.kind());
    say(format!("eof: bye, EOF, EOF, then {:?} after {accepted} accepted write(s)", err.kind()));
    still_serves(addr, "eof")?;
    say("eof ok");
    Ok(())
}

fn refused(closed: SocketAddr, live: SocketAddr) -> Res {
    expect_err(TcpStream::connect(closed), ErrorKind::ConnectionRefused, "connect to a closed port")?;
    let s = Socket::new(Family::Inet4, SockType::Stream)?;
    s.set_nonblocking(true)?;
    let err = match s.connect(&closed) {
        // In progress: the refusal arrives as the pending error.
        Err(e) if Errno::of(&e) == Some(Errno::INPROGRESS) => {
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                if let Some(e) = s.take_error()? {
                    break e;
                }
                ensure!(Instant::now() < deadline, "no error pending 5 s after a refused connect");
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        Err(e) => e,
        Ok(()) => return Err("a non-blocking connect to a closed port succeeded".into()),
    };
    ensure!(err.kind() == ErrorKind::ConnectionRefused, "non-blocking connect: {:?} ({err})", err.kind());
    ensure!(s.take_error()?.is_none(), "take_error did not clear the error");
    still_serves(live, "refused")?;
    say("refused ok");
    Ok(())
}

fn resolve(name: &str) -> Res {
    expect_err(lookup_host(name), ErrorKind::NotFound, "a name that does not exist")?;
    expect_err(lookup_host("example.com"), ErrorKind::PermissionDenied, "a name not granted")?;
    // A numeric host needs no lookup and no grant.
    let local: Vec<SocketAddr> = lookup_host("127.0.0.1")?.collect();
    ensure!(local == ["127.0.0.1:0".parse()?], "numeric lookup: {local:?}");
    say("resolve ok");
    Ok(())
}

fn backlog(full: SocketAddr) -> Res {
    let timeout = Duration::from_millis(300);
    let mut queued = Vec::new();
    let mut timed_out = None;
    for _ in 0..8 {
        let start = Instant::now();
        match TcpStream::connect_timeout(&full, timeout) {
            Ok(s) => queued.push(s),
            Err(e) if e.kind() == ErrorKind::TimedOut => {
                timed_out = Some(start.elapsed());
                break;
            }
            Err(e) => return Err(format!("connect_timeout to a full queue: {:?} ({e})", e.kind()).into()),
        }
    }
    let elapsed = timed_out.ok_or("8 connects to a full queue all completed")?;
    ensure!(elapsed >= timeout && elapsed < timeout * 4, "TimedOut after {elapsed:?} for a {timeout:?} limit");

    // A non-blocking connect stays pending: not writable, no error, not connected.
    let s = Socket::new(Family::Inet4, SockType::Stream)?;
    s.set_nonblocking(true)?;
    match s.connect(&full) {
        Err(e) if Errno::of(&e) == Some(Errno::INPROGRESS) => {}
        other => return Err(format!("non-blocking connect to a full queue: {other:?}").into()),
    }
    std::thread::sleep(timeout);
    ensure!(s.take_error()?.is_none(), "an error is pending on the stalled connect");
    let p = s.peer_addr();
    ensure!(p.is_err() && p.unwrap_err().kind() == ErrorKind::NotConnected, "the stalled connect completed");
    drop(s);
    say(format!(
        "backlog: TimedOut after {} ms with {} queued; pending connect stays pending",
        elapsed.as_millis(),
        queued.len()
    ));

    // The test drains the queue, then we connect again.
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    ensure!(line.trim() == "drained", "unexpected line {line:?}");
    drop(queued);
    let s = TcpStream::connect_timeout(&full, Duration::from_secs(5))?;
    s.shutdown(Shutdown::Both)?;
    say("backlog ok");
    Ok(())
}

fn leave_open(server: SocketAddr, listen: SocketAddr, udp: SocketAddr, n: usize, mode: &str) -> Res {
    let mut held = Vec::new();
    for i in 0..n {
        let mut s = TcpStream::connect(server)?;
        s.write_all(&[i as u8])?;
        held.push(s);
    }
    let l = TcpListener::bind(listen)?;
    let u = UdpSocket::bind(udp)?;
    let (c, _) = l.accept()?;
    eprintln!("leave-open: {n} connections, a listener, an accepted connection and a UDP socket open; {mode}");
    match mode {
        "trap" => std::process::abort(),
        "panic" => {
            // A short line instead of the default "thread 'main' panicked" report.
            std::panic::set_hook(Box::new(|_| eprintln!("leave-open: panicking on purpose")));
            panic!("leaving with sockets open")
        }
        "exit" => std::process::exit(3),
        "return" => {
            std::mem::forget((held, l, u, c));
            Ok(())
        }
        other => Err(format!("unknown mode {other}").into()),
    }
}

fn main() -> Res {
    let scenario = arg(1, "scenario")?;
    match scenario.as_str() {
        "reset" => reset(addr_arg(2, "server")?),
        "eof" => eof(addr_arg(2, "server")?),
        "refused" => refused(addr_arg(2, "closed port")?, addr_arg(3, "live echo server")?),
        "resolve" => resolve(&arg(2, "missing name")?),
        "backlog" => backlog(addr_arg(2, "full listener")?),
        "leave-open" => leave_open(
            addr_arg(2, "server")?,
            addr_arg(3, "listen address")?,
            addr_arg(4, "udp address")?,
            arg(5, "connections")?.parse()?,
            &arg(6, "mode")?,
        ),
        other => Err(format!("unknown scenario {other}").into()),
    }
}
