//! Host-side TLS: rustls sessions the host runs for guests, under pool
//! policy (docs/tls.md, the spec's "TLS" section).
//!
//! [`config`] turns the command line's TLS rules into rustls configurations
//! (what a pool's TLS rules carry); `session` runs one connection over a
//! kernel socket; the socket layer (`crate::socket`) decides when a socket
//! is TLS and drives its session.

pub(crate) mod config;
mod identity;
pub(crate) mod session;
#[cfg(test)]
mod session_tests;
#[cfg(test)]
pub(crate) mod testcerts;

pub use config::{TlsClient, TlsNameRule, TlsPattern, TlsServer, TlsSide};
