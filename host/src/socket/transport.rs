//! What carries a socket's bytes: the kernel socket, and for a TLS socket
//! the session the host runs over it.
//!
//! A plain socket's bytes move straight between the kernel and guest memory
//! (the zero-copy path: `recvmsg`/`sendmsg` on iovecs that point into the
//! guest); checking for a TLS session costs that path one atomic load. A TLS
//! socket's `recv` decrypts into the guest's buffers and its `send` encrypts
//! from them ([`crate::tls::session`]).
//!
//! A socket becomes TLS once, when the pool says so: a TLS socket's
//! `connect_name` or `listen`, or a plain socket's `connect` or `listen` that
//! a transparent rule upgrades. A listener holds only the server
//! configuration; each connection it accepts gets its own session.
//!
//! Options, addresses, `listen`, `connect` and the kernel peer filter always
//! act on the kernel socket underneath ([`Transport::kernel`]).

use super::shared::Flag;
use super::tls::wait_kernel;
use crate::tls::config::TlsServer;
use crate::tls::session::Session;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// How long closing a TLS connection waits for its unsent records, at most
/// (less if the socket's send timeout is shorter).
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// The TLS side of a socket, once it has one.
pub(crate) enum Tls {
    /// A listener whose connections are TLS with this configuration.
    Listener(Arc<TlsServer>),
    /// A connection's session.
    Session(Box<Session>),
}

/// A socket's transport.
pub(crate) struct Transport {
    kernel: socket2::Socket,
    tls: OnceLock<Tls>,
    /// The guest is exiting: closing waits for nothing.
    exiting: Flag,
}

impl Transport {
    /// A plain transport over `kernel`.
    pub fn plain(kernel: socket2::Socket) -> Transport {
        Transport { kernel, tls: OnceLock::new(), exiting: Flag::new(false) }
    }

    /// The kernel socket underneath.
    #[inline]
    pub fn kernel(&self) -> &socket2::Socket {
        &self.kernel
    }

    /// The fd whose kernel readiness `poll_oneoff` waits on.
    #[inline]
    pub fn wait_fd(&self) -> RawFd {
        self.kernel.as_raw_fd()
    }

    /// The TLS side, if the socket has one.
    #[inline]
    pub fn tls(&self) -> Option<&Tls> {
        self.tls.get()
    }

    /// The session, if this is a TLS connection.
    #[inline]
    pub fn session(&self) -> Option<&Session> {
        match self.tls.get() {
            Some(Tls::Session(s)) => Some(s),
            _ => None,
        }
    }

    /// Makes the socket TLS; false if it already was.
    pub fn set_tls(&self, tls: Tls) -> bool {
        self.tls.set(tls).is_ok()
    }

    /// The guest is exiting: a TLS connection's close sends what the kernel
    /// takes at once and waits for nothing.
    pub fn exiting(&self) {
        self.exiting.set(true);
    }
}

impl Drop for Transport {
    /// A TLS connection ends with close_notify, after its unsent records
    /// (waiting at most the send timeout, or 2 s).
    fn drop(&mut self) {
        let Some(session) = self.session() else { return };
        let fd = self.wait_fd();
        session.close_notify(fd);
        if self.exiting.get() || !session.unsent() {
            return;
        }
        let limit = self.kernel.write_timeout().ok().flatten().unwrap_or(CLOSE_WAIT).min(CLOSE_WAIT);
        let at = Some(Instant::now() + limit);
        while session.unsent() {
            if wait_kernel(fd, libc::POLLOUT, at).is_err() {
                return;
            }
            let _ = session.flush(fd);
        }
    }
}
