//! Berkeley sockets for WebAssembly guests built for `wasm32-wasip1` and run
//! under the `wasock` host.
//!
//! `wasock run` gives a module sockets through the `wasi_ephemeral_sock`
//! import module. Sockets are ordinary WASI preview-1 fds, and the only
//! network a module may touch is what the host's **address pools** grant:
//! each pool is a preopened fd carrying rules (which addresses may be
//! connected to, bound, accepted from, which names resolved). This crate
//! wraps that in three layers:
//!
//! * [`net`]: [`TcpStream`](net::TcpStream), [`TcpListener`](net::TcpListener),
//!   [`UdpSocket`](net::UdpSocket), [`lookup_host`](net::lookup_host) and
//!   [`ToSocketAddrs`](net::ToSocketAddrs), with the methods of their
//!   [`std::net`] namesakes. Write networking code as you would with std.
//! * [`Socket`] and [`Pool`]: an owned socket fd with every option of the
//!   ABI, opened from a pool you choose.
//! * [`tls`]: [`TlsStream`](tls::TlsStream) and [`TlsListener`](tls::TlsListener),
//!   TLS the host runs under the pool's policy: the guest connects by name,
//!   reads and writes plaintext, and reads the peer's verified identity.
//! * [`sys`]: the raw imports, exactly as `include/wasi_ephemeral_sock.spec`
//!   declares them.
//!
//! # A client
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use wasock::net::TcpStream;
//!
//! fn main() -> std::io::Result<()> {
//!     let mut stream = TcpStream::connect("127.0.0.1:8080")?;
//!     stream.write_all(b"hello\n")?;
//!     let mut reply = String::new();
//!     stream.read_to_string(&mut reply)?;
//!     println!("server said {reply:?}");
//!     Ok(())
//! }
//! ```
//!
//! # A server
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use wasock::net::TcpListener;
//!
//! fn main() -> std::io::Result<()> {
//!     let listener = TcpListener::bind("127.0.0.1:8080")?;
//!     println!("listening on {}", listener.local_addr()?);
//!     for stream in listener.incoming() {
//!         let mut stream = stream?;
//!         let mut buf = [0u8; 4096];
//!         loop {
//!             let n = stream.read(&mut buf)?;
//!             if n == 0 {
//!                 break;
//!             }
//!             stream.write_all(&buf[..n])?;
//!         }
//!     }
//!     Ok(())
//! }
//! ```
//!
//! # Running them
//!
//! Add `wasock = { path = ".../guest" }` to the program's dependencies and
//! build with `cargo build --target wasm32-wasip1`. Then grant each module
//! exactly the network it needs:
//!
//! ```text
//! wasock run --allow-bind 127.0.0.1:8080 server.wasm
//! wasock run --allow-connect 127.0.0.1:8080 client.wasm
//! ```
//!
//! Other rules: `--allow-accept CIDR[:PORTS]` (filter inbound peers),
//! `--allow-resolve PATTERN` (names `addr_resolve` may look up: `localhost`,
//! `*.example.com`, `*`), and `--pool NAME`, after which rules form another
//! pool, picked with [`Pool::by_name`] and the `*_in` constructors.
//! Anything not granted fails with
//! [`PermissionDenied`](std::io::ErrorKind::PermissionDenied) (errno
//! `notcapable`) before any packet leaves, and the host logs one line about it.
//!
//! # Working with std
//!
//! Every socket type converts to and from the std type of the same name
//! (and [`OwnedFd`](std::os::fd::OwnedFd)). Under `wasock run`, std's own
//! `read`, `write`, `set_nonblocking`, `shutdown` and `TcpListener::accept`
//! work on the converted value, so libraries that take std types can be fed:
//!
//! ```no_run
//! use std::io::{BufRead, BufReader, Write};
//! let stream: std::net::TcpStream = wasock::net::TcpStream::connect("127.0.0.1:8080")?.into();
//! (&stream).write_all(b"hi\n")?;
//! let mut line = String::new();
//! BufReader::new(&stream).read_line(&mut line)?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! std on `wasm32-wasip1` cannot ask for addresses or set options, and its
//! `try_clone` is always `Unsupported` (std implements no duplicate there);
//! convert back to reach them, or borrow a [`SockRef`]: wasock's `try_clone`
//! duplicates the fd through the host (`fd_dup`).
//!
//! # Async runtimes
//!
//! Features `tokio` and `mio` (off by default) add the modules `tokio` and
//! `mio`: bind, connect and accept through the pools for those runtimes,
//! which cannot open sockets on `wasm32-wasip1`, with every socket handed
//! over non-blocking and edge-triggered. tokio's streams come as
//! `tokio::TcpStream`, which reads and writes by the rule tokio keeps on
//! Linux (a short transfer ends readiness), a host call less per message.
//! tokio needs `--cfg tokio_unstable` on wasip1 and the `current_thread`
//! runtime; see the `tokio` module.
//!
//! # Threads
//!
//! The crate builds unchanged for `wasm32-wasip1-threads`, whose modules a
//! wasi-threads host runs with an OS thread per `std::thread`, all over one
//! fd table. Every socket and [`Pool`] is `Send + Sync`, as std's sockets
//! are, and `&TcpStream` reads and writes, so a connection can move to its
//! own thread or be shared through an `Arc`:
//!
//! ```no_run
//! let listener = wasock::net::TcpListener::bind("127.0.0.1:8080")?;
//! for stream in listener.incoming() {
//!     let stream = stream?;
//!     std::thread::spawn(move || {
//!         let (mut rd, mut wr) = (&stream, &stream);
//!         std::io::copy(&mut rd, &mut wr) // echo until EOF
//!     });
//! }
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Errors
//!
//! Errors are [`std::io::Error`]s with the [`ErrorKind`](std::io::ErrorKind)
//! std gives the same errno (`ConnectionRefused`, `AddrInUse`, `WouldBlock`,
//! `TimedOut`, `NotConnected`, ...; pool denials are `PermissionDenied`),
//! and a message naming the operation and address, such as
//! `connect to 127.0.0.1:9: connection refused`. [`Errno::of`] recovers the
//! errno.
//!
//! # Other targets
//!
//! The crate builds on any target, so code using it can be checked, tested
//! and documented on the developer's machine: off `target_os = "wasi"` the
//! imports are replaced by stubs that fail with
//! [`Unsupported`](std::io::ErrorKind::Unsupported) (see [`sys`]). The pure
//! logic (address records, errno mapping, address parsing) is unit-tested
//! there; the end-to-end tests run real guests under `wasock run`.
//!
//! # Layout of the crate
//!
//! The modules form layers; each uses only the ones above it, so there are
//! no import cycles (a module that needs something from a lower one gets it
//! moved up, or the item lives in the lower module, as [`Pool::open`] lives
//! in `socket`):
//!
//! | layer | modules | what they hold |
//! |---|---|---|
//! | 0 | `addr`, `error` | the ABI's values ([`Family`], [`SockType`], the address record), errno mapping |
//! | 1 | [`sys`] | the raw `wasi_ephemeral_sock` imports (uses `addr`) |
//! | 2 | `fd` | the preview-1 fd calls and their structs (uses `error`, `sys`'s import macro) |
//! | 3 | `pool` | [`Pool`]: finding pools, resolving through them |
//! | 4 | `socket` (with `socket/options` and `socket/tls`), then `sockref` | [`Socket`], [`SockRef`]; the TLS calls and [`PeerIdentity`](tls::PeerIdentity) |
//! | 5 | [`net`], then [`tls`] | the std-shaped types: inside `net`, `lookup` (names, trying each address), then `tcp`, then `connecting` and `udp`, `interop` beside them; `net/mod.rs` only re-exports; `tls` builds its streams on `net`'s pieces |
//! | 6 | `runtime`, then `tokio`, `mio`, `ureq` | the feature-gated integrations |

#![deny(missing_docs)]

mod addr;
mod error;
mod fd;
#[cfg(feature = "mio")]
pub mod mio;
pub mod net;
mod pool;
#[cfg(any(feature = "tokio", feature = "mio"))]
mod runtime;
mod socket;
mod sockref;
pub mod sys;
pub mod tls;
#[cfg(feature = "tokio")]
pub mod tokio;
#[cfg(feature = "ureq")]
pub mod ureq;

pub use addr::{Family, SockType};
pub use error::Errno;
pub use pool::Pool;
pub use socket::{RecvFlags, Socket};
pub use sockref::{SockRef, SocketExt};
