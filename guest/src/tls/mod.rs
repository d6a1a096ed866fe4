//! TLS run by the host: [`TlsStream`] and [`TlsListener`] read and write
//! plaintext while `wasock run` makes the handshake and the record layer
//! (rustls, native code) under the pool's policy.
//!
//! What is security is decided on the host's command line, not here: which
//! names the guest may reach over TLS and which roots it trusts
//! (`--allow-connect-tls PATTERN:PORTS[,ca=FILE|system-roots]`), which
//! certificate a listener presents and whether clients must authenticate
//! (`--allow-bind-tls CIDR:PORTS,cert=F,key=F[,client-ca=F]`). The guest
//! cannot weaken it: a client connects **by name**, the name the host
//! verifies, and reads the verified [`PeerIdentity`] afterwards. A pool's
//! TLS rules grant nothing to plain sockets and its plain rules nothing to
//! TLS sockets. (Transparent mode, `--tls-connect` / `--tls-listen`, makes a
//! plain [`TcpStream`](crate::net::TcpStream) TLS with no code at all;
//! the [`Socket`](crate::Socket) getters such as
//! [`Socket::tls_peer_identity`](crate::Socket::tls_peer_identity) work on it.)
//!
//! ```no_run
//! // Run with: wasock run --allow-connect-tls example.com:443 client.wasm
//! use std::io::{Read, Write};
//! use wasock::tls::TlsStream;
//!
//! let mut stream = TlsStream::connect("example.com", 443)?;
//! stream.write_all(b"GET / HTTP/1.0\r\nHost: example.com\r\n\r\n")?;
//! let mut reply = Vec::new();
//! stream.read_to_end(&mut reply)?;
//! println!("{:#06x} {:#06x}", stream.protocol_version()?, stream.cipher_suite()?);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! ```no_run
//! // Run with: wasock run --allow-bind-tls 127.0.0.1:8443,cert=c.pem,key=k.pem,client-ca=ca.pem server.wasm
//! use std::io::{Read, Write};
//! use wasock::tls::TlsListener;
//!
//! let listener = TlsListener::bind("127.0.0.1:8443")?;
//! for stream in listener.incoming() {
//!     let mut stream = stream?;
//!     // The handshake runs as the stream is first used: here.
//!     match stream.peer_identity() {
//!         Ok(id) => println!("client: {}", id.common_name().unwrap_or("?")),
//!         Err(e) => { eprintln!("handshake failed: {e}"); continue }
//!     }
//!     let mut line = [0u8; 64];
//!     let n = stream.read(&mut line)?;
//!     stream.write_all(&line[..n])?;
//! }
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Errors
//!
//! | errno | `ErrorKind` | when |
//! |---|---|---|
//! | `notcapable` | `PermissionDenied` | no TLS rule of the pool grants the name and port (or the address, for a listener) |
//! | `acces` | `PermissionDenied` | the peer's certificate was not accepted: untrusted issuer, wrong name, expired; a server's missing or refused client certificate |
//! | `connrefused` | `ConnectionRefused` | the handshake failed otherwise: no shared version or suite, the peer's alert, not TLS at all (and, as for TCP, a closed port) |
//! | `connreset` | `ConnectionReset` | after the handshake: a corrupt record, or the stream ended without `close_notify` |
//!
//! [`Errno::of`](crate::Errno::of) tells `notcapable` from `acces`. The
//! host logs the reason (rustls' own words); the guest gets only the errno.
//! A failure is sticky: every later read and write returns it.
//!
//! # Families
//!
//! The host resolves the name in the socket's family only. [`TlsStream::connect`]
//! opens an IPv4 socket first and, when that attempt fails because the name
//! has no IPv4 address or IPv4 cannot reach it (`noent`, `addrnotavail`,
//! `afnosupport`, `netunreach`, `hostunreach`), an IPv6 one; a numeric
//! name is tried in its own family only. A refused connection, a failed
//! handshake or a denial is never retried, so the host logs a denial once.
//!
//! # Non-blocking and async
//!
//! [`TlsStream::connect_nonblocking`] starts the connect and the handshake
//! and answers with a [`Connecting`]: the stream is reported writable once
//! the handshake is done or failed, and [`Connecting::wait`] or
//! [`Connect::connect_done`](crate::net::Connect::connect_done) says which.
//! With the `tokio` feature, [`crate::tokio::connect_tls`] does that for
//! tokio and gives a [`crate::tokio::TcpStream`] (tokio's stream over the
//! one fd; the TLS is on the host's side of it).
//!
//! # Working with std
//!
//! A TLS socket is one fd, as a TCP socket is, so a [`TlsStream`] converts
//! to and from [`std::net::TcpStream`] (and [`TlsListener`] to and from
//! [`std::net::TcpListener`]): std's `read` and `write` on the converted
//! value move plaintext. Converting a std stream that is not a TLS socket
//! into a [`TlsStream`] is not checked; its TLS getters then fail with
//! `noprotoopt`.

mod listener;
mod stream;

use crate::net::Connecting;
pub use crate::socket::{IdentityEntry, PeerIdentity, ServerName};
pub use listener::{TlsIncoming, TlsListener};
#[cfg(feature = "tokio")]
pub(crate) use stream::handshake_done;
pub use stream::TlsStream;
