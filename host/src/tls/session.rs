//! One TLS connection run by the host: a rustls connection over a kernel
//! socket, with the guest reading and writing plaintext.
//!
//! Every kernel call here is non-blocking (`MSG_DONTWAIT`), made under the
//! session's lock, and never waits: an operation that needs the kernel
//! answers [`Step::Wait`] with the poll events it needs, and the socket
//! layer waits for them outside the lock (or answers `again` to a
//! non-blocking guest). So one thread blocked in `recv` never holds up
//! another's `send`, and `poll_oneoff` can advance a handshake or decrypt
//! what arrived ([`Session::advance`]) without blocking.
//!
//! What the guest sees follows the spec's "TLS" section: readable only with
//! plaintext (or at end of stream or error), writable once the handshake is
//! done and no earlier records wait for the kernel, and every failure a
//! sticky errno whose reason goes to the host's log ([`Session::failure`]).

use super::identity;
use crate::abi::Errno;
use crate::sys::IoVecs;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, Connection, ServerConfig, ServerConnection};
use std::io::{self, BufRead, Read, Write};
use std::os::fd::RawFd;
use std::sync::{Arc, Mutex, MutexGuard};

/// At most this much plaintext is taken from one send, so that what a
/// non-blocking send leaves waiting for the kernel stays one send's worth.
const MAX_SEND: usize = 64 * 1024;
/// Reading from the kernel stops once this much plaintext is buffered.
const MAX_BUFFERED: usize = 64 * 1024;

/// What an operation needs before it can go on.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Kernel readiness (`POLLIN`/`POLLOUT`) to wait for, then try again.
    Wait(libc::c_short),
    /// The operation failed.
    Fail(Errno),
}

impl From<Errno> for Step {
    fn from(e: Errno) -> Step {
        Step::Fail(e)
    }
}

/// A direction of use, for readiness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Use {
    Read,
    Write,
}

/// Facts about an established session, for the `tls.*` options.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Info {
    PeerCertificate,
    PeerIdentity,
    ServerName,
    Version,
    CipherSuite,
}

/// A TLS session over one kernel socket.
pub(crate) struct Session {
    inner: Mutex<Inner>,
    /// Client: the name verified (for `tls.server_name`).
    name: Option<String>,
}

struct Inner {
    conn: Connection,
    /// The sticky failure: every later recv and send returns it.
    error: Option<Errno>,
    /// Whether `take_error` has reported the failure once.
    error_taken: bool,
    /// Why it failed, until the socket layer has logged it.
    unreported: Option<String>,
    /// The kernel reported the end of the TCP stream.
    tcp_eof: bool,
    /// The peer's close_notify arrived.
    peer_closed: bool,
    /// Plaintext waiting to be read.
    plaintext: usize,
}

/// The kernel socket as rustls' byte source and sink, never blocking.
struct Kernel(RawFd);

impl Read for Kernel {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // SAFETY: `buf` is valid for `buf.len()` bytes.
        let r = unsafe { libc::recv(self.0, buf.as_mut_ptr().cast(), buf.len(), libc::MSG_DONTWAIT) };
        if r < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(r as usize)
        }
    }
}

impl Write for Kernel {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let flags = libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL;
        // SAFETY: `buf` is valid for `buf.len()` bytes.
        let r = unsafe { libc::send(self.0, buf.as_ptr().cast(), buf.len(), flags) };
        if r < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(r as usize)
        }
    }

    /// One `sendmsg` for every chunk rustls has queued (the default would
    /// send only the first).
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        // SAFETY: an all-zero msghdr is valid; `IoSlice` is ABI-compatible
        // with `iovec` on Unix, and `bufs` outlives the call.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = bufs.as_ptr() as *mut libc::iovec;
        msg.msg_iovlen = bufs.len().min(crate::sys::MAX_IOVECS);
        // SAFETY: the kernel only reads the buffers.
        let r = unsafe { libc::sendmsg(self.0, &msg, libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL) };
        if r < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(r as usize)
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The errno for a rustls failure (the spec's table).
fn errno_for(e: &rustls::Error, handshaking: bool) -> Errno {
    use rustls::Error as E;
    match e {
        E::InvalidCertificate(_) | E::NoCertificatesPresented | E::InvalidCertRevocationList(_) => Errno::ACCES,
        _ if handshaking => Errno::CONNREFUSED,
        _ => Errno::CONNRESET,
    }
}

impl Inner {
    fn fail(&mut self, errno: Errno, why: String) {
        if self.error.is_none() {
            self.error = Some(errno);
            self.unreported = Some(why);
        }
    }

    /// Moves bytes between the kernel and rustls without blocking: sends
    /// waiting records, reads what arrived and processes it, until the
    /// kernel has nothing more to give or take.
    fn pump(&mut self, fd: RawFd) {
        let mut kernel = Kernel(fd);
        loop {
            while self.error.is_none() && self.conn.wants_write() {
                match self.conn.write_tls(&mut kernel) {
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => {
                        let why = format!("the connection failed: {e}");
                        self.fail(Errno::from(e), why);
                    }
                }
            }
            if self.error.is_some() || self.tcp_eof || self.plaintext >= MAX_BUFFERED || !self.conn.wants_read() {
                return;
            }
            match self.conn.read_tls(&mut kernel) {
                Ok(0) => self.tcp_eof = true,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let why = format!("the connection failed: {e}");
                    return self.fail(Errno::from(e), why);
                }
            }
            let handshaking = self.conn.is_handshaking();
            match self.conn.process_new_packets() {
                Ok(state) => {
                    self.plaintext = state.plaintext_bytes_to_read();
                    self.peer_closed |= state.peer_has_closed();
                }
                Err(e) => {
                    self.fail(errno_for(&e, handshaking), e.to_string());
                    // The alert rustls queued for the peer, if the kernel takes it.
                    while self.conn.wants_write() && self.conn.write_tls(&mut kernel).is_ok_and(|n| n > 0) {}
                    return;
                }
            }
            if self.tcp_eof && self.conn.is_handshaking() {
                return self.fail(Errno::CONNREFUSED, "the peer closed the connection during the handshake".into());
            }
        }
    }

    /// Ready in `dir` without waiting for the kernel.
    fn ready(&self, dir: Use) -> bool {
        if self.error.is_some() {
            return true;
        }
        match dir {
            Use::Read => self.plaintext > 0 || self.peer_closed || self.tcp_eof,
            Use::Write => !self.conn.is_handshaking() && !self.conn.wants_write(),
        }
    }

    /// The kernel readiness that would let `dir` make progress.
    fn wants(&self, dir: Use) -> libc::c_short {
        let mut ev = 0;
        if self.conn.wants_write() {
            ev |= libc::POLLOUT;
        }
        if self.conn.wants_read() && !self.tcp_eof && (dir == Use::Read || self.conn.is_handshaking()) {
            ev |= libc::POLLIN;
        }
        if ev == 0 {
            // Nothing to wait for but the connection's end.
            ev = libc::POLLIN;
        }
        ev
    }

    fn check(&self) -> Result<(), Step> {
        self.error.map_or(Ok(()), |e| Err(Step::Fail(e)))
    }
}

impl Session {
    /// A client session verifying `name` (its SNI), with the handshake's
    /// first flight queued.
    pub fn client(config: Arc<ClientConfig>, name: ServerName<'static>) -> Result<Session, Errno> {
        let shown = name.to_str().into_owned();
        let conn = ClientConnection::new(config, name).map_err(|_| Errno::INVAL)?;
        Ok(Session::new(conn.into(), Some(shown)))
    }

    /// A server session, waiting for the client's hello.
    pub fn server(config: Arc<ServerConfig>) -> Result<Session, Errno> {
        let conn = ServerConnection::new(config).map_err(|_| Errno::NOMEM)?;
        Ok(Session::new(conn.into(), None))
    }

    fn new(conn: Connection, name: Option<String>) -> Session {
        let inner = Inner {
            conn,
            error: None,
            error_taken: false,
            unreported: None,
            tcp_eof: false,
            peer_closed: false,
            plaintext: 0,
        };
        Session { inner: Mutex::new(inner), name }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic under the lock leaves the connection as it was: go on with it.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The name a client session verifies.
    pub fn server_name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Advances the session with what the kernel has (for `poll_oneoff`,
    /// after the kernel reported the socket).
    pub fn advance(&self, fd: RawFd) {
        self.lock().pump(fd);
    }

    /// Ready in `dir` without waiting for the kernel.
    pub fn ready(&self, dir: Use) -> bool {
        self.lock().ready(dir)
    }

    /// The kernel events to wait for before `dir` can make progress.
    pub fn wants(&self, dir: Use) -> libc::c_short {
        self.lock().wants(dir)
    }

    /// Plaintext bytes buffered.
    pub fn buffered(&self) -> usize {
        self.lock().plaintext
    }

    /// A failure not yet logged, taken (the socket layer logs it once).
    pub fn failure(&self) -> Option<String> {
        self.lock().unreported.take()
    }

    /// The failure, once, as `SO_ERROR` reports a socket's error.
    pub fn take_error(&self) -> Option<Errno> {
        let mut s = self.lock();
        if s.error_taken {
            return None;
        }
        s.error_taken = s.error.is_some();
        s.error
    }

    /// Runs the handshake as far as the kernel allows: done, or what to wait for.
    pub fn handshake(&self, fd: RawFd) -> Result<(), Step> {
        let mut s = self.lock();
        s.pump(fd);
        s.check()?;
        if s.conn.is_handshaking() {
            return Err(Step::Wait(s.wants(Use::Write)));
        }
        Ok(())
    }

    /// Reads plaintext into `iov` (without consuming it when `peek`); 0 is
    /// the end of the stream after the peer's close_notify.
    pub fn recv(&self, fd: RawFd, iov: &mut IoVecs, peek: bool) -> Result<usize, Step> {
        let mut s = self.lock();
        s.check()?;
        if s.plaintext == 0 && !s.peer_closed {
            s.pump(fd);
            s.check()?;
        }
        let mut reader = s.conn.reader();
        let got = match reader.fill_buf() {
            Ok(chunk) => {
                let n = iov.scatter(chunk);
                if !peek {
                    reader.consume(n);
                }
                Ok(n)
            }
            Err(e) => Err(e),
        };
        match got {
            Ok(n) => {
                if !peek {
                    s.plaintext -= n.min(s.plaintext);
                }
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Err(Step::Wait(s.wants(Use::Read))),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                s.fail(Errno::CONNRESET, "the peer ended the stream without close_notify (truncated)".into());
                Err(Step::Fail(Errno::CONNRESET))
            }
            Err(e) => Err(Step::Fail(Errno::from(e))),
        }
    }

    /// Encrypts up to 64 KiB of `iov` and hands the records to the kernel
    /// as far as it takes them; the rest waits in the session (see [`Session::flush`]).
    /// Nothing is taken while the handshake runs or earlier records wait.
    pub fn send(&self, fd: RawFd, iov: &IoVecs) -> Result<usize, Step> {
        let mut s = self.lock();
        s.check()?;
        if s.conn.is_handshaking() || s.conn.wants_write() {
            s.pump(fd);
            s.check()?;
            if s.conn.is_handshaking() || s.conn.wants_write() {
                return Err(Step::Wait(s.wants(Use::Write)));
            }
        }
        let plain = iov.gather(iov.total().min(MAX_SEND));
        let n = s.conn.writer().write(&plain).map_err(Errno::from)?;
        s.pump(fd);
        s.check()?;
        Ok(n)
    }

    /// Sends records still waiting: done, or what to wait for.
    pub fn flush(&self, fd: RawFd) -> Result<(), Step> {
        let mut s = self.lock();
        s.check()?;
        if s.conn.wants_write() {
            s.pump(fd);
            s.check()?;
        }
        if s.conn.wants_write() {
            return Err(Step::Wait(libc::POLLOUT));
        }
        Ok(())
    }

    /// Queues close_notify (once) and sends what the kernel takes now.
    pub fn close_notify(&self, fd: RawFd) {
        let mut s = self.lock();
        if s.error.is_none() && !s.conn.is_handshaking() {
            s.conn.send_close_notify();
            s.pump(fd);
        }
    }

    /// Whether records are still waiting for the kernel.
    pub fn unsent(&self) -> bool {
        let s = self.lock();
        s.error.is_none() && s.conn.wants_write()
    }

    /// A fact about the established session (`again`-like [`Step::Wait`]
    /// while the handshake runs).
    pub fn info(&self, fd: RawFd, what: Info) -> Result<Vec<u8>, Step> {
        self.handshake(fd)?;
        let s = self.lock();
        let leaf = s.conn.peer_certificates().and_then(|c| c.first());
        Ok(match what {
            Info::PeerCertificate => leaf.map(|c| c.to_vec()).unwrap_or_default(),
            Info::PeerIdentity => leaf.map(|c| identity::describe(c)).unwrap_or_default().into_bytes(),
            Info::ServerName => match &s.conn {
                Connection::Client(_) => self.name.clone().unwrap_or_default().into_bytes(),
                Connection::Server(c) => c.server_name().unwrap_or_default().as_bytes().to_vec(),
            },
            Info::Version => {
                let v = s.conn.protocol_version().map_or(0, u16::from);
                i32::from(v).to_le_bytes().to_vec()
            }
            Info::CipherSuite => {
                let v = s.conn.negotiated_cipher_suite().map_or(0, |c| u16::from(c.suite()));
                i32::from(v).to_le_bytes().to_vec()
            }
        })
    }
}
