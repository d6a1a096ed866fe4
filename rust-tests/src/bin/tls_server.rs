//! A TLS echo server on the host's TLS: `wasock::tls::TlsListener`, whose
//! certificate (and client authentication) the pool's `--allow-bind-tls`
//! rule names.
//!
//! Usage: `tls_server ADDR:PORT [N]`. Prints `listening on ADDR:PORT`, then
//! accepts N connections (default 1) one at a time; for each prints
//! `peer: ENTRY` per entry of the client's verified identity (or `peer:
//! none`; reading it waits for the handshake) and echoes what it reads
//! until EOF, then closes. A failed handshake or connection prints `error:
//! ENAME` and the server goes on to the next. c-tests/tls_server.c prints
//! the same lines.

use std::io;

use wasock::tls::{TlsListener, TlsStream};
use wasock_rust_tests::{addr_arg, arg, errno_name, print_identity, say, tls_exit, Res};

fn main() -> Res {
    let addr = addr_arg(1, "listen address")?;
    let count: usize = arg(2, "connections").map_or(Ok(1), |n| n.parse())?;
    tls_exit((|| {
        let listener = TlsListener::bind(addr)?;
        say(format!("listening on {}", listener.local_addr()?));
        for _ in 0..count {
            let (stream, _) = listener.accept()?;
            if let Err(e) = serve(&stream) {
                say(format!("error: {}", errno_name(&e)));
            }
        }
        Ok(())
    })())
}

/// Prints the peer's identity, then echoes until EOF.
fn serve(stream: &TlsStream) -> io::Result<()> {
    print_identity(stream.socket(), "peer")?;
    io::copy(&mut &*stream, &mut &*stream).map(drop)
}
