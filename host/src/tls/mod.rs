//! Host-side TLS: the rustls configurations a pool's TLS rules carry
//! (docs/tls.md has the command line).

pub(crate) mod config;
#[cfg(test)]
pub(crate) mod testcerts;

pub use config::{TlsClient, TlsNameRule, TlsPattern, TlsServer, TlsSide};
