//! A TLS workload run once with TLS in the host:
//! `bench-tls-host tls_bulk|tls_handshakes PORT [OPS]`, a wasm32-wasip1
//! guest only.
//!
//! `wasock::tls::TlsStream::connect("localhost", PORT)` asks the host to
//! connect, run the handshake and verify the peer as `localhost`; the guest
//! then reads and writes plaintext. It needs
//! `--allow-connect-tls localhost:PORT,ca=CA_FILE`; what it trusts is the
//! host's business, so it takes no CA_FILE. The loops are the ones
//! `bench-tls-client` runs (`wasock_bench::tls`).

use std::process::ExitCode;

#[cfg(target_os = "wasi")]
fn main() -> ExitCode {
    use wasock_bench::tls::{self, SERVER_NAME};
    tls::client_main("bench-tls-host", false, |a| {
        tls::run(a.workload, a.ops, || {
            let stream = wasock::tls::TlsStream::connect(SERVER_NAME, a.port)?;
            // As the native client sets it (before its handshake; here the
            // host has made the handshake by now, so this covers the requests).
            stream.socket().set_nodelay(true)?;
            Ok(stream)
        })
    })
}

#[cfg(not(target_os = "wasi"))]
fn main() -> ExitCode {
    eprintln!("bench-tls-host is a wasm32-wasip1 guest: host-side TLS is wasock's");
    ExitCode::from(2)
}
