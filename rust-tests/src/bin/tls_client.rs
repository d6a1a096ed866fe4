//! A TLS client on the host's TLS: `wasock::tls::TlsStream::connect` by
//! name, then plaintext.
//!
//! Usage: `tls_client NAME PORT [MSG]`. Connects to NAME:PORT, writes MSG
//! (default `hello tls\n`), shuts its write half (close_notify), reads to
//! EOF, and prints `reply: TEXT`, `version: 0x....`, `cipher: 0x....`,
//! `server_name: NAME` and a `peer_identity: ENTRY` line per entry; any
//! failure prints `error: ENAME` and exits with 1. c-tests/tls_client.c
//! prints the same lines.

use std::io::{Read, Write};
use std::net::Shutdown;

use wasock::tls::TlsStream;
use wasock_rust_tests::{arg, print_tls_session, tls_exit, Res, TLS_MESSAGE};

fn main() -> Res {
    let name = arg(1, "server name")?;
    let port: u16 = arg(2, "port")?.parse()?;
    let msg = arg(3, "message").unwrap_or_else(|_| TLS_MESSAGE.to_string());
    tls_exit((|| {
        let mut stream = TlsStream::connect(&name, port)?;
        stream.write_all(msg.as_bytes())?;
        stream.shutdown(Shutdown::Write)?;
        let mut reply = Vec::new();
        stream.read_to_end(&mut reply)?;
        print_tls_session(stream.socket(), &reply)
    })())
}
