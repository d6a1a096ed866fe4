//! A socket's TLS: when the pool makes a socket TLS, and how its calls
//! drive the session ([`crate::tls::session`]) and wait for the kernel.
//!
//! A TLS socket (ABI type 7) connects by name through a TLS name rule and
//! listens through a TLS bind rule; a plain TCP socket becomes TLS when a
//! transparent rule (`--tls-connect`, `--tls-listen`) matches its connect or
//! its listener. Blocking calls wait here for what the session needs, with
//! the socket's `SO_RCVTIMEO` / `SO_SNDTIMEO` counted from the start of the
//! call; non-blocking ones answer `again`. Every failure is logged once,
//! with rustls' reason, through the socket's decision hooks.

use super::transport::Tls;
use super::{Direction, Socket};
use crate::abi::{Errno, FamilyHint};
use crate::audit::{Decision, Operation, Rule, Target};
use crate::pool::Right;
use crate::resolve;
use crate::sys::IoVecs;
use crate::tls::config::TlsSide;
use crate::tls::session::{Info, Session, Step, Use};
use rustls::pki_types::ServerName;
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime};

impl Socket {
    /// Whether the socket has a TLS side (a TLS socket, or one the pool upgraded).
    pub fn is_tls(&self) -> bool {
        self.tls_typed || self.transport.tls().is_some()
    }

    /// Whether the socket is a TLS connection (it has a session; a TLS
    /// listener has none, its readiness is the kernel's).
    pub(crate) fn is_tls_connection(&self) -> bool {
        self.transport.session().is_some()
    }

    /// The right that grants this socket's local address.
    pub(super) fn bind_right(&self) -> Right {
        if self.tls_typed {
            Right::BindTls
        } else {
            Right::Bind
        }
    }

    /// `connect_name`: a TLS socket's connect, by the name it verifies.
    pub fn connect_name(&self, name: &str, port: u16) -> Result<(), Errno> {
        if !self.tls_typed {
            return Err(Errno::INVAL);
        }
        if self.transport.tls().is_some() {
            return Err(Errno::ISCONN);
        }
        let rule = self.pool.tls_name_rule(name, port);
        self.decided(Operation::Connect, Target::Name(name), rule.map(Rule::TlsName))?;
        let Some(rule) = rule else { return Err(Errno::NOTCAPABLE) };
        let family = if self.ipv6 { FamilyHint::V6 } else { FamilyHint::V4 };
        let addrs = match resolve::numeric(name) {
            Some(ip) if family.admits(&ip) => vec![SocketAddr::new(ip, port)],
            Some(_) => return Err(Errno::NOENT),
            None => resolve::lookup(name, port, family)?,
        };
        let server_name = ServerName::try_from(name.trim_end_matches('.').to_owned()).map_err(|_| Errno::INVAL)?;
        let session = Session::client(rule.client.config.clone(), server_name)?;
        self.settle_family()?;
        let mut last = Errno::NOENT;
        for addr in &addrs {
            match self.os().connect(&(*addr).into()).map_err(Errno::from) {
                Ok(()) | Err(Errno::INPROGRESS) => {
                    self.transport.set_tls(Tls::Session(Box::new(session)));
                    return self.finish_connect();
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// After the kernel connect of a socket that is now TLS: a blocking one
    /// waits for the handshake, a non-blocking one answers `inprogress`.
    fn finish_connect(&self) -> Result<(), Errno> {
        if self.is_nonblocking() {
            return self.readiness.after(Direction::Write, Err(Errno::INPROGRESS));
        }
        self.tls_call(Use::Write, |s, fd| s.handshake(fd))
    }

    /// A plain connect the pool's rule upgrades to TLS (transparent mode):
    /// true if it did, and the connect is then made here.
    pub(super) fn upgraded_connect(&self, addr: SocketAddr, rule: Option<Rule<'_>>) -> Option<Result<(), Errno>> {
        let Some(Rule::Addr(r)) = rule else { return None };
        let Some(TlsSide::Client { name, client }) = &r.tls else { return None };
        if self.kind != super::Kind::Stream {
            return None;
        }
        let session = match Session::client(client.config.clone(), name.clone()) {
            Ok(s) => s,
            Err(e) => return Some(Err(e)),
        };
        Some(match self.os().connect(&addr.into()).map_err(Errno::from) {
            Ok(()) | Err(Errno::INPROGRESS) => {
                self.transport.set_tls(Tls::Session(Box::new(session)));
                self.finish_connect()
            }
            Err(e) => Err(e),
        })
    }

    /// At `listen`: the TLS configuration of the rule that granted the
    /// local address, if it has one, makes the listener's connections TLS.
    pub(super) fn listen_tls(&self, local: &SocketAddr) -> Result<(), Errno> {
        let rule = match self.pool.decide(self.bind_right(), local) {
            Some(Rule::Addr(r)) => r,
            // A TLS socket's address always comes from a TLS bind rule.
            _ if self.tls_typed => return Err(Errno::NOTCAPABLE),
            _ => return Ok(()),
        };
        match &rule.tls {
            Some(TlsSide::Server(server)) => {
                self.transport.set_tls(Tls::Listener(server.clone()));
                Ok(())
            }
            _ if self.tls_typed => Err(Errno::NOTCAPABLE),
            _ => Ok(()),
        }
    }

    /// The session for a connection accepted on this listener, if it is TLS.
    pub(super) fn accepted_session(&self) -> Result<Option<Session>, Errno> {
        match self.transport.tls() {
            Some(Tls::Listener(server)) => Session::server(server.config.clone()).map(Some),
            _ => Ok(None),
        }
    }

    /// Runs `op` until it is done, waiting for the kernel as it asks (a
    /// non-blocking socket answers `again` instead), within the timeout of
    /// `dir`; a failure is logged once.
    pub(super) fn tls_call<T>(
        &self,
        dir: Use,
        mut op: impl FnMut(&Session, i32) -> Result<T, Step>,
    ) -> Result<T, Errno> {
        let Some(session) = self.transport.session() else { return Err(Errno::NOTCONN) };
        let fd = self.wait_fd();
        let started = Instant::now();
        let mut deadline: Option<Option<Instant>> = None;
        loop {
            match op(session, fd) {
                Ok(v) => return Ok(v),
                Err(Step::Fail(e)) => {
                    self.report_tls_failure(session);
                    return Err(e);
                }
                Err(Step::Wait(_)) if self.is_nonblocking() => return Err(Errno::AGAIN),
                Err(Step::Wait(events)) => {
                    let at = *deadline.get_or_insert_with(|| {
                        let t = match dir {
                            Use::Read => self.os().read_timeout(),
                            Use::Write => self.os().write_timeout(),
                        };
                        t.ok().flatten().map(|t| started + t)
                    });
                    wait_kernel(fd, events, at)?;
                }
            }
        }
    }

    /// Reads plaintext (see [`Session::recv`]); `waitall` fills the buffers
    /// unless the stream ends or fails first.
    pub(super) fn tls_recv(&self, iov: &mut IoVecs, flags: i32) -> Result<usize, Errno> {
        let peek = flags & libc::MSG_PEEK != 0;
        if flags & libc::MSG_WAITALL == 0 || peek {
            return self.tls_call(Use::Read, |s, fd| s.recv(fd, iov, peek));
        }
        // Straight into the guest's buffers, what is left of them each time.
        let total = iov.total();
        let mut filled = 0;
        while filled < total {
            let mut rest = iov.skip(filled);
            match self.tls_call(Use::Read, |s, fd| s.recv(fd, &mut rest, false)) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if filled == 0 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(filled)
    }

    /// Sends plaintext: a blocking socket returns once its records are
    /// with the kernel (or the send timeout ran out after they were taken).
    pub(super) fn tls_send(&self, iov: &IoVecs) -> Result<usize, Errno> {
        let n = self.tls_call(Use::Write, |s, fd| s.send(fd, iov))?;
        if !self.is_nonblocking() {
            let _ = self.tls_call(Use::Write, |s, fd| s.flush(fd));
        }
        Ok(n)
    }

    /// `shutdown` of the write side: close_notify first, sent before the
    /// kernel's FIN (a blocking socket waits for it within its send timeout).
    pub(super) fn tls_shutdown_write(&self) {
        if let Some(session) = self.transport.session() {
            session.close_notify(self.wait_fd());
            if !self.is_nonblocking() {
                let _ = self.tls_call(Use::Write, |s, fd| s.flush(fd));
            }
        }
    }

    /// A `tls.*` option's value.
    pub(crate) fn tls_info(&self, what: Info) -> Result<Vec<u8>, Errno> {
        if !self.is_tls() {
            return Err(Errno::NOPROTOOPT);
        }
        self.tls_call(Use::Read, |s, fd| s.info(fd, what))
    }

    /// The session's failure, once, for `take_error` (after the kernel's).
    pub(super) fn tls_take_error(&self) -> Option<Errno> {
        let session = self.transport.session()?;
        let e = session.take_error()?;
        self.report_tls_failure(session);
        Some(e)
    }

    /// Poll support: ready in `dir` before the kernel says so.
    pub(super) fn tls_ready(&self, dir: Direction) -> bool {
        self.transport.session().is_some_and(|s| s.ready(use_of(dir)))
    }

    /// Poll support: the kernel events this TLS connection waits on for `dir`.
    pub(crate) fn tls_wants(&self, dir: Direction) -> Option<libc::c_short> {
        self.transport.session().map(|s| s.wants(use_of(dir)))
    }

    /// Poll support: take in what the kernel reported; then whether `dir` is ready.
    pub(crate) fn tls_advance(&self, dir: Direction) -> bool {
        let Some(s) = self.transport.session() else { return false };
        s.advance(self.wait_fd());
        s.ready(use_of(dir))
    }

    /// Poll support: the plaintext buffered.
    pub(crate) fn tls_buffered(&self) -> Option<usize> {
        self.transport.session().map(Session::buffered)
    }

    fn report_tls_failure(&self, session: &Session) {
        let Some(why) = session.failure() else { return };
        let peer = self.peer_addr().ok();
        let target = match (session.server_name(), peer) {
            (Some(name), _) => Target::Name(name),
            (None, Some(peer)) => Target::Addr(peer),
            (None, None) => Target::Name(""),
        };
        self.hooks.decided(&Decision {
            time: SystemTime::now(),
            pool: &self.pool.name,
            op: Operation::Tls,
            fd: Some(self.fd.get()),
            local: self.local_addr().ok(),
            target,
            rule: None,
            note: Some(&why),
        });
    }
}

fn use_of(dir: Direction) -> Use {
    match dir {
        Direction::Read => Use::Read,
        Direction::Write => Use::Write,
    }
}

/// Waits for `events` on `fd` until `at` (`None`: forever); `again` when it passed.
pub(super) fn wait_kernel(fd: i32, events: libc::c_short, at: Option<Instant>) -> Result<(), Errno> {
    let left = at.map(|d| d.saturating_duration_since(Instant::now()));
    if left == Some(Duration::ZERO) {
        return Err(Errno::AGAIN);
    }
    let mut fds = [libc::pollfd { fd, events, revents: 0 }];
    match crate::sys::poll(&mut fds, left)? {
        0 => Err(Errno::AGAIN),
        _ => Ok(()),
    }
}
