//! Pool decisions: every grant and denial a pool makes, handed to the
//! observers that want them.
//!
//! A [`Decision`] is made in one place ([`crate::socket`] for socket
//! operations, [`crate::sock`] for name lookups) and goes to one
//! [`DecisionHook`]. `wasock run` installs two: the stderr log ([`StderrLog`],
//! denials only, coalesced and rate-limited) and, with `--audit FILE`, the
//! audit file ([`AuditFile`], one JSON object per line for every decision).
//! Both hand their output to a writer thread through a bounded queue, so a
//! slow or blocked stderr or disk never blocks the guest: what does not fit
//! is counted and reported as dropped.
//!
//! Everything a guest or peer controls (names above all) is escaped with
//! [`escape`] before it reaches a terminal or a file.

mod escape;
mod file;
mod stderr;
mod writer;

pub use escape::{escape, escape_lines};
pub use file::AuditFile;
pub use stderr::StderrLog;

pub use crate::pool::Rule;

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

/// What the guest asked a pool for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// `bind`.
    Bind,
    /// `listen`, including the bind the kernel would otherwise make by itself.
    Listen,
    /// `connect` (and a socket's implicit bind for it).
    Connect,
    /// A datagram sent to an address the guest named.
    SendTo,
    /// A TCP connection from a peer.
    Accept,
    /// A datagram from a peer.
    Receive,
    /// A name looked up through the pool.
    Resolve,
    /// Joining a multicast group.
    JoinMulticast,
    /// Leaving a multicast group.
    LeaveMulticast,
    /// A TLS connection's handshake or records (only its failures are
    /// reported, with rustls' reason as the note).
    Tls,
}

impl Operation {
    /// The name used in logs and audit records.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Bind => "bind",
            Operation::Listen => "listen",
            Operation::Connect => "connect",
            Operation::SendTo => "send_to",
            Operation::Accept => "accept",
            Operation::Receive => "receive",
            Operation::Resolve => "resolve",
            Operation::JoinMulticast => "join_multicast",
            Operation::LeaveMulticast => "leave_multicast",
            Operation::Tls => "tls",
        }
    }

    /// How a denial reads in the stderr log: "denied connect to 127.0.0.1:80".
    fn phrase(self) -> &'static str {
        match self {
            Operation::Bind => "bind to",
            Operation::Listen => "listen on",
            Operation::Connect => "connect to",
            Operation::SendTo => "send to",
            Operation::Accept => "accept from",
            Operation::Receive => "datagram from",
            Operation::Resolve => "resolve",
            Operation::JoinMulticast => "join multicast group",
            Operation::LeaveMulticast => "leave multicast group",
            Operation::Tls => "tls with",
        }
    }
}

/// What an operation was about: an address, or a guest-supplied name.
#[derive(Clone, Copy, Debug)]
pub enum Target<'a> {
    /// A socket address.
    Addr(SocketAddr),
    /// A host name (guest-supplied: escape it before printing).
    Name(&'a str),
}

impl fmt::Display for Target<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Addr(a) => write!(f, "{a}"),
            Target::Name(n) => write!(f, "\"{}\"", escape(n)),
        }
    }
}

/// One decision of one pool.
#[derive(Clone, Debug)]
pub struct Decision<'a> {
    /// When it was decided.
    pub time: SystemTime,
    /// The pool's name.
    pub pool: &'a str,
    /// What was asked.
    pub op: Operation,
    /// The guest fd of the socket (or, for a name lookup, of the pool).
    pub fd: Option<u32>,
    /// The socket's local address, where it has one.
    pub local: Option<SocketAddr>,
    /// What it was about.
    pub target: Target<'a>,
    /// The rule that granted the operation; `None` is a denial.
    pub rule: Option<Rule<'a>>,
    /// A remark on a granted operation, such as a socket made IPv6-only,
    /// or why a TLS connection failed (peer-influenced: escape it).
    pub note: Option<&'a str>,
}

impl Decision<'_> {
    /// Whether a rule granted it.
    pub fn granted(&self) -> bool {
        self.rule.is_some()
    }
}

/// Receives every pool decision. Implementations must not block: they run
/// on the guest's thread, in the middle of a socket call.
pub trait DecisionHook: Send + Sync {
    /// Called for every denial, and for grants when [`Self::wants_grants`] says so.
    fn decided(&self, d: &Decision<'_>);

    /// Whether granted decisions are wanted too. When no hook wants them,
    /// the hot path (every `send_to`, every `accept`) builds no record.
    fn wants_grants(&self) -> bool {
        true
    }
}

/// The hooks of one guest, called in order.
#[derive(Clone, Default)]
pub struct Hooks {
    hooks: Vec<Arc<dyn DecisionHook>>,
    wants_grants: bool,
}

impl Hooks {
    /// Reports to each hook in turn.
    pub fn new(hooks: Vec<Arc<dyn DecisionHook>>) -> Hooks {
        let wants_grants = hooks.iter().any(|h| h.wants_grants());
        Hooks { hooks, wants_grants }
    }

    /// Whether a granted decision would reach anyone.
    pub fn wants_grants(&self) -> bool {
        self.wants_grants
    }

    /// Reports `d` to every hook that wants it.
    pub fn decided(&self, d: &Decision<'_>) {
        for h in &self.hooks {
            h.decided(d);
        }
    }
}
