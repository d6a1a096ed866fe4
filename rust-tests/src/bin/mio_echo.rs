//! mio on `wasock::mio`: one event loop that is both a client and a server.
//!
//! Usage: `mio_echo BIND_ADDR ECHO_ADDR`. Connects (non-blocking) to the echo
//! server at ECHO_ADDR and checks that `hello mio` comes back; meanwhile
//! listens on BIND_ADDR, accepts one connection and echoes it until EOF.
//! Prints `connected`, `echoed hello mio`, `accepted PEER`, `closed PEER
//! after N bytes`. Every socket is edge-triggered, so each event is followed
//! by reads or writes until `WouldBlock`.

use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use wasock::mio::IntoMio;
use wasock_rust_tests::{addr_arg, ensure, say, Res};

const LISTENER: Token = Token(0);
const CLIENT: Token = Token(1);
const SERVED: Token = Token(2);
const GREETING: &[u8] = b"hello mio";

fn main() -> Res {
    let bind = addr_arg(1, "bind address")?;
    let echo = addr_arg(2, "echo server address")?;
    let mut poll = Poll::new()?;
    let mut events = Events::with_capacity(16);

    let mut client = wasock::mio::connect(echo)?;
    poll.registry().register(&mut client, CLIENT, Interest::READABLE | Interest::WRITABLE)?;
    let mut listener = wasock::net::TcpListener::bind(bind)?.into_mio()?;
    poll.registry().register(&mut listener, LISTENER, Interest::READABLE)?;
    say(format!("listening on {bind}"));

    let (mut connected, mut reply) = (false, Vec::new());
    let mut served: Option<(TcpStream, SocketAddr, usize)> = None;
    let mut served_done = false;
    while reply.len() < GREETING.len() || !served_done {
        poll.poll(&mut events, Some(Duration::from_secs(20)))?;
        ensure!(!events.is_empty(), "no event in 20 s");
        for event in &events {
            match event.token() {
                LISTENER => {
                    let (mut stream, peer) = wasock::mio::accept(&listener)?;
                    poll.registry().register(&mut stream, SERVED, Interest::READABLE)?;
                    say(format!("accepted {peer}"));
                    served = Some((stream, peer, 0));
                }
                CLIENT => {
                    if !connected && event.is_writable() {
                        wasock::mio::finish_connect(&client, echo)?;
                        connected = true;
                        say("connected");
                        client.write_all(GREETING)?;
                    }
                    if event.is_readable() && read_available(&mut client, &mut reply)? {
                        ensure!(false, "the echo server closed early");
                    }
                    if reply.len() >= GREETING.len() {
                        ensure!(reply == GREETING, "echoed {reply:?}");
                        say("echoed hello mio");
                    }
                }
                SERVED => {
                    let (stream, peer, total) = served.as_mut().ok_or("event for no connection")?;
                    let mut data = Vec::new();
                    let eof = read_available(stream, &mut data)?;
                    stream.write_all(&data)?;
                    *total += data.len();
                    if eof {
                        say(format!("closed {peer} after {total} bytes"));
                        served_done = true;
                    }
                }
                t => ensure!(false, "unknown token {t:?}"),
            }
        }
    }
    Ok(())
}

/// Reads until `WouldBlock` (as edge-triggered readiness requires) or EOF;
/// returns whether EOF was reached.
fn read_available(stream: &mut TcpStream, into: &mut Vec<u8>) -> std::io::Result<bool> {
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Ok(true),
            Ok(n) => into.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(false),
            Err(e) => return Err(e),
        }
    }
}
