//! Every way a socket can reach the kernel with an address, checked
//! against its pool and reported to its hooks.
//!
//! Two kernel habits would otherwise grant more than the rules say:
//!
//! - **Implicit binds.** `listen` on an unbound socket binds it to the
//!   wildcard address and an ephemeral port; a *failed* `connect` leaves a
//!   port behind that `getsockname` reports. So `listen` is a bind unless
//!   the guest's own `bind` was granted: it binds through the pool, or
//!   checks the port the kernel left, and is denied (and logged as
//!   `listen`) when no bind rule grants it.
//! - **Dual-stack IPv6.** With `IPV6_V6ONLY` off (Linux's default) an IPv6
//!   socket bound to `::` also listens on `0.0.0.0`. Such a bind is granted
//!   as dual-stack only when the pool also grants the IPv4 half
//!   (`0.0.0.0` at that port); otherwise the host makes the socket
//!   IPv6-only before binding, so it serves exactly what was granted, and
//!   says so on stderr. An IPv6 socket bound implicitly (by `connect` or
//!   `send_to`) stays dual-stack only if the pool grants some IPv4
//!   destination. A `listen` on a port the kernel left on `::` needs both
//!   halves (the socket can no longer be made IPv6-only).

use super::{Direction, Socket};
use crate::abi::Errno;
use crate::audit::{Decision, Operation, Rule, Target};
use crate::filter::PeerFilter;
use crate::pool::Right;
use crate::socket::Kind;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::fd::AsFd;
use std::time::SystemTime;

/// The note on a dual-stack bind the host narrowed.
const MADE_V6ONLY: &str = "made IPv6-only: the pool does not grant the IPv4 half (0.0.0.0 at this port)";

impl Socket {
    /// Reports a decision; `rule == None` is a denial, which is `notcapable`.
    pub(super) fn decided(&self, op: Operation, target: Target<'_>, rule: Option<Rule<'_>>) -> Result<(), Errno> {
        if rule.is_none() || self.hooks.wants_grants() {
            self.report(op, target, rule, None);
        }
        rule.map(drop).ok_or(Errno::NOTCAPABLE)
    }

    fn report(&self, op: Operation, target: Target<'_>, rule: Option<Rule<'_>>, note: Option<&'static str>) {
        self.hooks.decided(&Decision {
            time: SystemTime::now(),
            pool: &self.pool.name,
            op,
            fd: Some(self.fd.get()),
            local: self.local_addr().ok().filter(|a| a.port() != 0),
            target,
            rule,
            note,
        });
    }

    fn check(&self, right: Right, op: Operation, addr: &SocketAddr) -> Result<(), Errno> {
        self.decided(op, Target::Addr(*addr), self.pool.decide(right, addr))
    }

    /// Whether the pool admits an inbound peer (logging it when not).
    pub(super) fn admits(&self, op: Operation, peer: &SocketAddr) -> bool {
        self.check(Right::Accept, op, peer).is_ok()
    }

    /// The check for a `send_to` destination; a run of datagrams to the
    /// same destination is reported once.
    pub(super) fn check_send_to(&self, to: &SocketAddr) -> Result<(), Errno> {
        let rule = self.pool.decide_for(Right::Connect, to, false);
        if rule.is_none() || self.last_send_to.get() != Some(*to) {
            self.decided(Operation::SendTo, Target::Addr(*to), rule)?;
            self.last_send_to.set(Some(*to));
        }
        self.settle_family()
    }

    /// Binds to `addr`. Port 0 on an address whose rule grants only a port
    /// range binds the first free port of that range, so the guest never
    /// holds a port the pool did not grant.
    pub fn bind(&self, addr: SocketAddr) -> Result<(), Errno> {
        self.inet_only()?;
        self.bind_as(Operation::Bind, addr)
    }

    fn bind_as(&self, op: Operation, addr: SocketAddr) -> Result<(), Errno> {
        let dual = self.wildcard_dual_stack(&addr)?;
        let denied = || self.decided(op, Target::Addr(addr), None);
        let (right, tls) = (self.bind_right(), self.takes_tls_rules());
        if addr.port() != 0 {
            let Some(rule) = self.pool.decide_for(right, &addr, tls) else { return denied() };
            return self.bind_granted(op, addr, dual, rule);
        }
        let rules: Vec<_> = self.pool.bind_rules(right, addr.ip()).filter(|r| tls || r.tls.is_none()).collect();
        if let Some(rule) = rules.iter().find(|r| r.ports.is_all()) {
            return self.bind_granted(op, addr, dual, Rule::Addr(rule));
        }
        if rules.is_empty() {
            return denied();
        }
        let mut last = Errno::ADDRINUSE;
        for rule in &rules {
            for port in rule.ports.iter().filter(|&p| p != 0) {
                match self.bind_granted(op, SocketAddr::new(addr.ip(), port), dual, Rule::Addr(rule)) {
                    Err(Errno::ADDRINUSE) => last = Errno::ADDRINUSE,
                    done => return done,
                }
            }
        }
        Err(last)
    }

    /// The kernel bind of an address `rule` granted, first making a
    /// dual-stack wildcard IPv6-only when the pool does not grant its IPv4
    /// half at that port. The grant is reported once the bind is made.
    fn bind_granted(&self, op: Operation, addr: SocketAddr, dual: bool, rule: Rule<'_>) -> Result<(), Errno> {
        let narrow = dual && !self.v4_half_granted(addr.port());
        if dual {
            self.os().set_only_v6(narrow)?;
        }
        if let Err(e) = self.os().bind(&addr.into()) {
            // A failed bind leaves the socket as it was.
            if narrow {
                let _ = self.os().set_only_v6(false);
            }
            return Err(e.into());
        }
        if narrow || self.hooks.wants_grants() {
            self.report(op, Target::Addr(addr), Some(rule), narrow.then_some(MADE_V6ONLY));
        }
        self.settle_bound()
    }

    fn settle_bound(&self) -> Result<(), Errno> {
        self.bound.set(true);
        self.family_settled.set(true);
        Ok(())
    }

    /// Whether binding `addr` would make a dual-stack wildcard socket.
    fn wildcard_dual_stack(&self, addr: &SocketAddr) -> Result<bool, Errno> {
        Ok(self.ipv6 && addr.ip() == IpAddr::from([0u16; 8]) && !self.os().only_v6()?)
    }

    /// Whether the pool grants `0.0.0.0` at `port` (0: every port, for an ephemeral bind).
    fn v4_half_granted(&self, port: u16) -> bool {
        let any = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
        match port {
            0 => self.pool.bind_rules(self.bind_right(), any).any(|r| r.ports.is_all()),
            p => self.pool.decide_for(self.bind_right(), &SocketAddr::new(any, p), self.takes_tls_rules()).is_some(),
        }
    }

    /// Decides, once, before the kernel binds an IPv6 socket by itself
    /// (in `connect` or `send_to`), whether it may stay dual-stack.
    pub(super) fn settle_family(&self) -> Result<(), Errno> {
        if self.family_settled.get() {
            return Ok(());
        }
        if !self.pool.grants_ipv4(Right::Connect) && !self.os().only_v6()? {
            self.os().set_only_v6(true)?;
        }
        self.family_settled.set(true);
        Ok(())
    }

    /// The guest set `IPV6_V6ONLY`: an unbound socket's dual-stack mode is
    /// decided again before the kernel binds it by itself, so turning
    /// v6only off after a `connect` or `send_to` that failed before binding
    /// cannot make the later implicit bind dual-stack without the IPv4 grant.
    pub(crate) fn v6only_changed(&self) {
        if self.ipv6 && !self.bound.get() {
            self.family_settled.set(false);
        }
    }

    /// Listens. A socket whose address no bind rule granted is bound now,
    /// through the pool (see the module documentation).
    pub fn listen(&self, backlog: u32) -> Result<(), Errno> {
        if self.kind != Kind::Stream {
            return Err(Errno::NOTSUP);
        }
        // A socketpair's stream socket is connected: Linux says `EINVAL`.
        self.inet_only()?;
        if !self.bound.get() {
            let local = self.local_addr()?;
            if local.port() == 0 {
                self.bind_as(Operation::Listen, local)?;
            } else {
                let rule = self.pool.decide_for(self.bind_right(), &local, true);
                self.decided(Operation::Listen, Target::Addr(local), rule)?;
                if self.wildcard_dual_stack(&local)? && !self.v4_half_granted(local.port()) {
                    let v4 = SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), local.port());
                    return self.decided(Operation::Listen, Target::Addr(v4), None);
                }
                self.settle_bound()?;
            }
        }
        self.attach_peer_filter()?;
        self.listen_tls(&self.local_addr()?)?;
        self.os().listen(backlog.min(i32::MAX as u32) as i32)?;
        self.listening.set(true);
        Ok(())
    }

    /// Whether rules that make connections TLS may grant this socket: only
    /// a TCP socket's (a UDP socket gets nothing from a TLS rule).
    fn takes_tls_rules(&self) -> bool {
        self.kind == Kind::Stream
    }

    /// Connects; a non-blocking socket gets `inprogress`.
    /// A TLS socket connects by name ([`Socket::connect_name`]): `inval`
    /// here. A transparent TLS rule makes a TCP connect TLS.
    pub fn connect(&self, addr: SocketAddr) -> Result<(), Errno> {
        self.inet_only()?;
        if self.tls_typed {
            return Err(Errno::INVAL);
        }
        let rule = self.pool.decide_for(Right::Connect, &addr, self.takes_tls_rules());
        self.decided(Operation::Connect, Target::Addr(addr), rule)?;
        self.settle_family()?;
        if let Some(done) = self.upgraded_connect(addr, rule) {
            return done;
        }
        self.readiness.after(Direction::Write, self.os().connect(&addr.into()).map_err(Errno::from))
    }

    /// Attaches the kernel filter of the pool's accept rules, once. A pool
    /// whose rules do not fit in a filter fails closed (`nobufs`); the CLI
    /// refuses such pools before the guest starts.
    pub(super) fn attach_peer_filter(&self) -> Result<(), Errno> {
        if self.filtered.get() {
            return Ok(());
        }
        if let Some(f) = PeerFilter::for_pool(&self.pool).map_err(|_| Errno::NOBUFS)? {
            f.attach(self.os().as_fd())?;
        }
        self.filtered.set(true);
        Ok(())
    }
}
