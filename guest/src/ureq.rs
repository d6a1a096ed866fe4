//! ureq 3 on wasock (feature `ureq`): a [`Connector`] that opens ureq's
//! connections through wasock's pools and a [`Resolver`] that resolves host
//! names through them.
//!
//! ureq's own `TcpConnector` cannot work on wasm32-wasip1: it connects with
//! std (unsupported there) and sets std's read and write timeouts (also
//! unsupported). Its default resolver uses std's name lookup, which wasip1
//! lacks. This module does both with `wasock::net`. Plain HTTP only; for
//! TLS, chain a TLS connector after [`Connector`] (see README.md for the
//! build variables TLS crates need).
//!
//! ```no_run
//! let agent = wasock::ureq::agent(ureq::config::Config::default());
//! let body = agent.get("http://localhost:8080/").call()?.body_mut().read_to_string()?;
//! # Ok::<(), ureq::Error>(())
//! ```

use std::fmt;
use std::io::{self, ErrorKind, Read, Write};

use ::ureq::config::Config;
use ::ureq::http::Uri;
use ::ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver as UreqResolver};
use ::ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector as UreqConnector, Either, LazyBuffers, NextTimeout,
    Transport as UreqTransport,
};
use ::ureq::{Agent, Error};

use crate::net::{self as wnet, ToSocketAddrs};
use crate::pool::Pool;

/// An agent whose connections and name lookups go through the default pool.
pub fn agent(config: Config) -> Agent {
    Agent::with_parts(config, Connector::default(), Resolver::default())
}

/// An agent whose connections and name lookups go through `pool`.
pub fn agent_in(pool: &Pool, config: Config) -> Agent {
    Agent::with_parts(config, Connector::in_pool(pool), Resolver::in_pool(pool))
}

/// Opens ureq's TCP connections with `wasock::net::TcpStream`.
#[derive(Debug, Default, Clone)]
pub struct Connector {
    pool: Option<Pool>,
}

impl Connector {
    /// Connects with sockets from `pool` (the default pool otherwise).
    pub fn in_pool(pool: &Pool) -> Connector {
        Connector { pool: Some(pool.clone()) }
    }
}

impl<In: UreqTransport> UreqConnector<In> for Connector {
    type Out = Either<In, Transport>;

    fn connect(&self, details: &ConnectionDetails, chained: Option<In>) -> Result<Option<Self::Out>, Error> {
        // An earlier connector in a chain (a proxy, say) already made the transport.
        if let Some(t) = chained {
            return Ok(Some(Either::A(t)));
        }
        let addrs: &[std::net::SocketAddr] = &details.addrs;
        let stream = match &self.pool {
            Some(p) => wnet::TcpStream::connect_in(p, addrs)?,
            None => wnet::TcpStream::connect(addrs)?,
        };
        if details.config.no_delay() {
            stream.set_nodelay(true)?;
        }
        let config = details.config;
        let buffers = LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size());
        Ok(Some(Either::B(Transport { stream, buffers })))
    }
}

/// Resolves the URI's host through a pool (numeric hosts in the guest).
#[derive(Debug, Default, Clone)]
pub struct Resolver {
    pool: Option<Pool>,
}

impl Resolver {
    /// Resolves through `pool` (the default pool otherwise).
    pub fn in_pool(pool: &Pool) -> Resolver {
        Resolver { pool: Some(pool.clone()) }
    }
}

impl UreqResolver for Resolver {
    // ureq's resolve timeout is not applied: the lookup is one blocking host
    // call, and wasip1 has no thread to abandon a slow one on.
    fn resolve(&self, uri: &Uri, _config: &Config, _timeout: NextTimeout) -> Result<ResolvedSocketAddrs, Error> {
        let host_port = uri
            .scheme()
            .zip(uri.authority())
            .and_then(|(s, a)| DefaultResolver::host_and_port(s, a))
            .ok_or_else(|| Error::BadUri(uri.to_string()))?;
        let mut out = self.empty();
        let found: Vec<_> = match &self.pool {
            Some(p) => host_port.to_socket_addrs_in(p)?.collect(),
            None => host_port.to_socket_addrs()?.collect(),
        };
        // ureq keeps at most a fixed number of addresses; the first are the ones tried.
        for a in found {
            if out.try_push(a).is_err() {
                break;
            }
        }
        Ok(out)
    }
}

/// A connection made by [`Connector`]: a blocking wasock stream whose
/// per-call timeouts are wasock's (std's are unsupported on wasip1).
pub struct Transport {
    stream: wnet::TcpStream,
    buffers: LazyBuffers,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("wasock::ureq::Transport").field("stream", &self.stream).finish()
    }
}

/// A timeout as ureq words it, or the I/O error as it is.
fn timeout_or(e: io::Error, timeout: &NextTimeout) -> Error {
    match e.kind() {
        ErrorKind::TimedOut | ErrorKind::WouldBlock => Error::Timeout(timeout.reason),
        _ => Error::Io(e),
    }
}

impl UreqTransport for Transport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        let timeout = timeout.for_write();
        if timeout.after.is_zero() {
            // The budget is spent; `not_zero` would read as "no timeout".
            return Err(Error::Timeout(timeout.reason));
        }
        self.stream.set_write_timeout(timeout.not_zero().map(|d| *d))?;
        let output = &self.buffers.output()[..amount];
        self.stream.write_all(output).map_err(|e| timeout_or(e, &timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        let timeout = timeout.for_read();
        if timeout.after.is_zero() {
            return Err(Error::Timeout(timeout.reason));
        }
        self.stream.set_read_timeout(timeout.not_zero().map(|d| *d))?;
        let n = loop {
            match self.stream.read(self.buffers.input_append_buf()) {
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                r => break r.map_err(|e| timeout_or(e, &timeout))?,
            }
        };
        self.buffers.input_appended(n);
        Ok(n > 0)
    }

    /// Whether a pooled connection can be reused: nothing to read and not
    /// closed, checked with a non-blocking peek.
    fn is_open(&mut self) -> bool {
        if self.stream.set_nonblocking(true).is_err() {
            return false;
        }
        let idle = matches!(self.stream.peek(&mut [0u8]), Err(e) if e.kind() == ErrorKind::WouldBlock);
        self.stream.set_nonblocking(false).is_ok() && idle
    }
}
