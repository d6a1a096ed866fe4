//! What carries a socket's bytes: the seam where a TLS transport will go.
//!
//! Today every socket is [`Transport::Plain`]: a kernel socket whose bytes
//! move straight between the kernel and guest memory (the zero-copy path:
//! `recvmsg`/`sendmsg` on iovecs that point into the guest). A TLS
//! transport would hold the kernel socket *and* a session: its `recv`
//! decrypts into the guest's buffers, its `send` encrypts from them, and
//! [`Transport::pending`] says when it holds plaintext (or has records to
//! flush) that the kernel fd's readiness does not show, so that
//! `poll_oneoff` asks the socket, not its fd. Everything above this type
//! (the pool checks, the readiness modes, the router) stays as it is.
//!
//! Options, addresses, `shutdown`, `listen`, `connect` and the kernel peer
//! filter always act on the kernel socket underneath ([`Transport::kernel`]).

use super::Direction;
use crate::sys::{self, IoVecs, Received};
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};

/// A socket's transport.
pub(crate) enum Transport {
    /// A kernel socket, bytes moved with no copy.
    Plain(socket2::Socket),
}

impl Transport {
    /// The kernel socket underneath.
    #[inline]
    pub fn kernel(&self) -> &socket2::Socket {
        match self {
            Transport::Plain(s) => s,
        }
    }

    /// The fd whose kernel readiness `poll_oneoff` waits on.
    #[inline]
    pub fn wait_fd(&self) -> RawFd {
        self.kernel().as_raw_fd()
    }

    /// Whether the transport is ready in `dir` without waiting for the
    /// kernel (buffered plaintext, for instance). Never for a plain socket.
    #[inline]
    pub fn pending(&self, _dir: Direction) -> bool {
        match self {
            Transport::Plain(_) => false,
        }
    }

    /// Receives into `iov` (see [`sys::recv`]).
    #[inline]
    pub fn recv(&self, iov: &mut IoVecs, flags: i32, want_from: bool, datagram: bool) -> io::Result<Received> {
        match self {
            Transport::Plain(s) => sys::recv(s.as_raw_fd(), iov, flags, want_from, datagram),
        }
    }

    /// Sends from `iov` (see [`sys::send`]).
    #[inline]
    pub fn send(&self, iov: &mut IoVecs, flags: i32, to: Option<&SocketAddr>) -> io::Result<usize> {
        match self {
            Transport::Plain(s) => sys::send(s.as_raw_fd(), iov, flags, to),
        }
    }
}
