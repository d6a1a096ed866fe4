//! A persistent epoll set for the waits of async runtimes.
//!
//! An event loop (mio's wasip1 selector under tokio) names every socket it
//! has in every `poll_oneoff`. `ppoll` over them costs little when it finds
//! work, but a wait that sleeps registers on every socket's wait queue and
//! leaves them all again: with 50 idle sockets about 6.5 µs more per sleep
//! than `epoll_wait` (bench/findings.md, "What is left of `tokio_echo`").
//! This set keeps the sockets registered between calls instead.
//!
//! It keeps `ppoll`'s contract exactly: [`EdgeSet::poll`] takes the same
//! `pollfd`s and fills in the same `revents`. Before each wait the set is
//! made to hold exactly the call's sockets with exactly their events
//! (level-triggered, as `ppoll` is): a socket the call does not name is
//! removed, so it can neither wake the wait nor be reported. Only what
//! changed costs an `epoll_ctl`; an event loop that names the same sockets
//! with the same interest each time (the edge-triggered sockets' armed
//! directions) costs none.
//!
//! Used only for a guest without threads whose call names only
//! edge-triggered plain sockets (see `wait_native`): one thread owns the
//! set, no other closes a socket during the wait, and a C program's
//! `poll()`, whose fd sets change from call to call, keeps `ppoll`.

use crate::socket::Socket;
use crate::sys;
use std::os::fd::{OwnedFd, RawFd};
use std::sync::Weak;
use std::time::Duration;

/// What the set holds for one fd.
struct Reg<S> {
    /// The socket registered. The `Weak` keeps its allocation, so a socket
    /// opened later at the same address and fd is never mistaken for it.
    socket: Weak<S>,
    /// The events the kernel's set has for it (`None`: not in it yet).
    events: Option<u32>,
    /// The call that last named it, and what it asked for then.
    call: u64,
    want: u32,
    /// Where the call's entries for it are: the first, and how many.
    first: usize,
    count: usize,
}

/// A context's set, made on first use. `None` once making it failed (no
/// fd left): the context's waits then stay with `ppoll`.
#[derive(Default)]
pub(crate) struct LazyEdgeSet(Option<Option<EdgeSet<Socket>>>);

impl LazyEdgeSet {
    pub(crate) fn get(&mut self) -> Option<&mut EdgeSet<Socket>> {
        self.0.get_or_insert_with(|| EdgeSet::new().ok()).as_mut()
    }
}

/// The epoll instance and what it holds, for sockets of type `S` (the
/// host's [`Socket`]; the tests use std's).
pub(crate) struct EdgeSet<S> {
    ep: OwnedFd,
    /// Indexed by the sockets' own (host) fds.
    regs: Vec<Option<Reg<S>>>,
    /// The fds with a `Some` in `regs`.
    held: Vec<RawFd>,
    call: u64,
    out: Vec<libc::epoll_event>,
}

impl<S> EdgeSet<S> {
    pub(crate) fn new() -> std::io::Result<EdgeSet<S>> {
        Ok(EdgeSet { ep: sys::epoll_create()?, regs: Vec::new(), held: Vec::new(), call: 0, out: Vec::new() })
    }

    /// `ppoll(fds, timeout)`, where `fds[i]` waits on the socket at address
    /// `sockets[i]` (a socket may come more than once, for reading and for
    /// writing), and `socket(i)` is that socket: fills in each `revents` and
    /// returns how many are not 0.
    pub(crate) fn poll(
        &mut self,
        fds: &mut [libc::pollfd],
        sockets: &[usize],
        socket: impl Fn(usize) -> Option<Weak<S>>,
        timeout: Option<Duration>,
    ) -> std::io::Result<usize> {
        self.name(fds, sockets, socket)?;
        self.hold_exactly()?;
        let n = self.wait(timeout)?;
        for p in fds.iter_mut() {
            p.revents = 0;
        }
        let mut reported = 0;
        for ev in &self.out[..n] {
            let got = to_poll(ev.events);
            let Some(r) = usize::try_from(ev.u64).ok().and_then(|fd| self.regs.get(fd)?.as_ref()) else { continue };
            let fd = ev.u64 as RawFd;
            for p in fds[r.first..].iter_mut().filter(|p| p.fd == fd).take(r.count) {
                // What ppoll reports: the events asked for, and these always.
                p.revents = got & (p.events | libc::POLLERR | libc::POLLHUP);
                reported += usize::from(p.revents != 0);
            }
        }
        Ok(reported)
    }

    /// Records what this call names: each fd's socket, events and entries.
    fn name(
        &mut self,
        fds: &[libc::pollfd],
        sockets: &[usize],
        socket: impl Fn(usize) -> Option<Weak<S>>,
    ) -> std::io::Result<()> {
        self.call += 1;
        let call = self.call;
        let closed = || std::io::Error::from_raw_os_error(libc::EBADF);
        for (i, (p, &at)) in fds.iter().zip(sockets).enumerate() {
            let slot = usize::try_from(p.fd).map_err(|_| closed())?;
            if self.regs.len() <= slot {
                self.regs.resize_with(slot + 1, || None);
            }
            let reg = &mut self.regs[slot];
            match reg {
                Some(r) if r.socket.as_ptr() as usize == at => {
                    if r.call != call {
                        (r.call, r.want, r.first, r.count) = (call, 0, i, 0);
                    }
                }
                _ => {
                    // Unheld, or held for a socket since closed: closing its
                    // fd took it out of the kernel's set, and the fd is reused.
                    let socket = socket(i).filter(|w| w.as_ptr() as usize == at).ok_or_else(closed)?;
                    if reg.is_none() {
                        self.held.push(p.fd);
                    }
                    *reg = Some(Reg { socket, events: None, call, want: 0, first: i, count: 0 });
                }
            }
            if let Some(r) = reg {
                r.want |= to_epoll(p.events);
                r.count += 1;
            }
        }
        Ok(())
    }

    /// Registers, changes and removes until the kernel's set holds exactly
    /// what this call named.
    fn hold_exactly(&mut self) -> std::io::Result<()> {
        let mut k = 0;
        while k < self.held.len() {
            let fd = self.held[k];
            let Some(r) = self.regs[fd as usize].as_mut() else {
                self.held.swap_remove(k);
                continue;
            };
            if r.call == self.call {
                match r.events {
                    None => match sys::epoll_ctl(&self.ep, libc::EPOLL_CTL_ADD, fd, r.want) {
                        Err(e) if e.raw_os_error() == Some(libc::EEXIST) => {
                            sys::epoll_ctl(&self.ep, libc::EPOLL_CTL_MOD, fd, r.want)?
                        }
                        done => done?,
                    },
                    Some(e) if e != r.want => sys::epoll_ctl(&self.ep, libc::EPOLL_CTL_MOD, fd, r.want)?,
                    Some(_) => {}
                }
                r.events = Some(r.want);
                k += 1;
                continue;
            }
            // Not named now. Level-triggered, it could wake the wait for a
            // direction the guest is not waiting on, so it goes. A socket
            // since closed is out of the kernel's set already (and its fd
            // may be another file's now): only a live one is taken out.
            if r.events.is_some() && r.socket.strong_count() > 0 {
                let _ = sys::epoll_ctl(&self.ep, libc::EPOLL_CTL_DEL, fd, 0);
            }
            self.regs[fd as usize] = None;
            self.held.swap_remove(k);
        }
        Ok(())
    }

    /// Waits for events (`None`: forever); see [`sys::epoll_wait`].
    fn wait(&mut self, timeout: Option<Duration>) -> std::io::Result<usize> {
        self.out.resize(self.held.len().max(1), libc::epoll_event { events: 0, u64: 0 });
        sys::epoll_wait(&self.ep, &mut self.out, timeout)
    }
}

/// `poll` event bits as epoll's (the ones a socket subscription uses).
fn to_epoll(events: libc::c_short) -> u32 {
    let mut e = 0;
    for (p, q) in BITS {
        if events & p != 0 {
            e |= q;
        }
    }
    e
}

/// epoll's event bits as `poll`'s.
fn to_poll(events: u32) -> libc::c_short {
    let mut e = 0;
    for (p, q) in BITS {
        if events & q != 0 {
            e |= p;
        }
    }
    e
}

/// The bits that mean the same in both.
const BITS: [(libc::c_short, u32); 5] = [
    (libc::POLLIN, libc::EPOLLIN as u32),
    (libc::POLLOUT, libc::EPOLLOUT as u32),
    (libc::POLLRDHUP, libc::EPOLLRDHUP as u32),
    (libc::POLLERR, libc::EPOLLERR as u32),
    (libc::POLLHUP, libc::EPOLLHUP as u32),
];

#[cfg(test)]
#[path = "edge_set_tests.rs"]
mod tests;
