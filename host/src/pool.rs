//! Address pools: the only network a guest can see.
//!
//! A pool is a set of rules `right × CIDR × port range`, plus name patterns
//! for resolution. The host grants pools on the command line; a guest holds
//! them as preopened fds and opens sockets from them. Every operation that
//! reaches the network is checked here first. TLS rules are address rules
//! carrying a [`TlsSide`] (and name rules, [`TlsNameRule`]); their options
//! are read in [`crate::tls`].

use crate::tls::{TlsNameRule, TlsSide};
use ipnet::IpNet;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::str::FromStr;

/// What a rule grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Right {
    /// Outbound: TCP connect, UDP connect and send_to destinations, multicast groups.
    Connect,
    /// Local addresses a socket may bind and listen on.
    Bind,
    /// Inbound peers: TCP accept and UDP sources. A pool without accept rules admits any peer.
    Accept,
    /// Local addresses a TLS socket (type `tls`) may bind and listen on
    /// (`--allow-bind-tls`; its rules always carry a [`TlsSide::Server`]).
    BindTls,
}

impl Right {
    /// The command-line flag that grants this right.
    pub fn flag(self) -> &'static str {
        match self {
            Right::Connect => "--allow-connect",
            Right::Bind => "--allow-bind",
            Right::Accept => "--allow-accept",
            Right::BindTls => "--allow-bind-tls",
        }
    }
}

/// The flags of TLS address rules (`CIDR[:PORTS],OPTS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsFlag {
    /// `--allow-bind-tls`: TLS sockets may listen there ([`Right::BindTls`]).
    AllowBindTls,
    /// `--tls-connect`: plain TCP connects there are granted and become TLS ([`Right::Connect`]).
    TlsConnect,
    /// `--tls-listen`: plain TCP listeners there are granted and serve TLS ([`Right::Bind`]).
    TlsListen,
}

impl TlsFlag {
    /// The command-line flag.
    pub fn flag(self) -> &'static str {
        match self {
            TlsFlag::AllowBindTls => "--allow-bind-tls",
            TlsFlag::TlsConnect => "--tls-connect",
            TlsFlag::TlsListen => "--tls-listen",
        }
    }

    /// The right its rules grant.
    pub fn right(self) -> Right {
        match self {
            TlsFlag::AllowBindTls => Right::BindTls,
            TlsFlag::TlsConnect => Right::Connect,
            TlsFlag::TlsListen => Right::Bind,
        }
    }
}

/// An inclusive range of ports; `*` is `0..=65535`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ports(RangeInclusive<u16>);

impl Ports {
    /// Every port.
    pub const ALL: Ports = Ports(0..=u16::MAX);

    /// Whether the range is every port.
    pub fn is_all(&self) -> bool {
        *self == Ports::ALL
    }

    /// Whether `port` is in the range.
    pub fn contains(&self, port: u16) -> bool {
        self.0.contains(&port)
    }

    /// The ports of the range, lowest first.
    pub fn iter(&self) -> RangeInclusive<u16> {
        self.0.clone()
    }
}

impl FromStr for Ports {
    type Err = String;

    fn from_str(s: &str) -> Result<Ports, String> {
        let port = |p: &str| p.parse::<u16>().map_err(|_| format!("bad port `{p}`"));
        if s == "*" {
            return Ok(Ports::ALL);
        }
        let (lo, hi) = match s.split_once('-') {
            Some((lo, hi)) => (port(lo)?, port(hi)?),
            None => (port(s)?, port(s)?),
        };
        if lo > hi {
            return Err(format!("empty port range `{s}`"));
        }
        Ok(Ports(lo..=hi))
    }
}

/// One address rule: a right over a network and a port range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddrRule {
    /// What the rule grants.
    pub right: Right,
    /// The addresses it covers.
    pub net: IpNet,
    /// The ports it covers.
    pub ports: Ports,
    /// What makes it a TLS rule (`--allow-bind-tls`, `--tls-connect`,
    /// `--tls-listen`); `None` for every plain rule.
    pub tls: Option<TlsSide>,
}

impl AddrRule {
    /// Parses `CIDR[:PORTS]`: `10.0.0.0/8`, `127.0.0.1:80`, `0.0.0.0/0:8000-8100`,
    /// `::1`, `[::1/128]:443`, `[fd00::/8]:*`. A plain address is a single host.
    /// [`Right::BindTls`] is only ever a TLS rule (it needs a certificate), so
    /// its text is `--allow-bind-tls`'s: see [`AddrRule::parse_tls`].
    pub fn parse(right: Right, text: &str) -> Result<AddrRule, String> {
        if right == Right::BindTls {
            return AddrRule::parse_tls(TlsFlag::AllowBindTls, text);
        }
        let (net, ports) = parse_addr(text).map_err(|why| format!("{} `{text}`: {why}", right.flag()))?;
        Ok(AddrRule { right, net, ports, tls: None })
    }

    /// Parses a TLS rule, `CIDR[:PORTS],OPTS`: the address as for [`AddrRule::parse`],
    /// the options (docs/tls.md) after the first comma. Every file the options
    /// name is read and checked now; errors name the flag, the text and the file.
    pub fn parse_tls(flag: TlsFlag, text: &str) -> Result<AddrRule, String> {
        let err = |why: String| format!("{} `{text}`: {why}", flag.flag());
        let (addr, opts) = text.split_once(',').unwrap_or((text, ""));
        let (net, ports) = parse_addr(addr).map_err(err)?;
        let tls = match flag {
            TlsFlag::TlsConnect => TlsSide::client(opts),
            TlsFlag::AllowBindTls | TlsFlag::TlsListen => TlsSide::server(opts),
        };
        Ok(AddrRule { right: flag.right(), net, ports, tls: Some(tls.map_err(err)?) })
    }

    /// The flag that writes this rule.
    pub fn flag(&self) -> &'static str {
        match (&self.tls, self.right) {
            (None, right) => right.flag(),
            (Some(TlsSide::Client { .. }), _) => TlsFlag::TlsConnect.flag(),
            (Some(TlsSide::Server(_)), Right::BindTls) => TlsFlag::AllowBindTls.flag(),
            (Some(TlsSide::Server(_)), _) => TlsFlag::TlsListen.flag(),
        }
    }

    fn matches(&self, right: Right, addr: &SocketAddr) -> bool {
        self.right == right && self.net.contains(&canonical_ip(addr.ip())) && self.ports.contains(addr.port())
    }
}

impl fmt::Display for Ports {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.is_all(), self.0.start(), self.0.end()) {
            (true, _, _) => f.write_str("*"),
            (false, lo, hi) if lo == hi => write!(f, "{lo}"),
            (false, lo, hi) => write!(f, "{lo}-{hi}"),
        }
    }
}

/// The rule as it would be written on the command line: `--allow-bind 127.0.0.1/32:80`,
/// `--tls-connect 127.0.0.1/32:8443,name=localhost,ca=/tmp/ca.pem`.
impl fmt::Display for AddrRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.net {
            IpNet::V4(n) => write!(f, "{} {n}:{}", self.flag(), self.ports)?,
            IpNet::V6(n) => write!(f, "{} [{n}]:{}", self.flag(), self.ports)?,
        }
        match &self.tls {
            Some(side) => write!(f, ",{side}"),
            None => Ok(()),
        }
    }
}

/// `CIDR[:PORTS]` (see [`AddrRule::parse`]); the error is the reason alone.
fn parse_addr(text: &str) -> Result<(IpNet, Ports), String> {
    let (net, ports) = if let Some(rest) = text.strip_prefix('[') {
        let (net, after) = rest.split_once(']').ok_or("missing `]`")?;
        let ports = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or("expected `:PORTS` after `]`")?),
        };
        (net, ports)
    } else if text.matches(':').count() >= 2 {
        // A bare IPv6 network carries no ports: `[...]` is needed for them.
        (text, None)
    } else {
        match text.split_once(':') {
            Some((net, ports)) => (net, Some(ports)),
            None => (text, None),
        }
    };
    let ports = match ports {
        Some(p) => p.parse()?,
        None => Ports::ALL,
    };
    Ok((parse_net(net)?, ports))
}

/// A network in CIDR form, or a plain address meaning a single host.
/// IPv4-mapped IPv6 networks are stored as their IPv4 network, so that
/// `::ffff:10.0.0.0/104` and `10.0.0.0/8` are one rule.
fn parse_net(s: &str) -> Result<IpNet, String> {
    let net = match s.parse::<IpNet>() {
        Ok(n) => n,
        Err(_) => {
            IpNet::from(s.parse::<IpAddr>().map_err(|_| format!("`{s}` is neither a CIDR network nor an address"))?)
        }
    };
    if let IpNet::V6(v6) = net {
        if let (Some(v4), true) = (v6.network().to_ipv4_mapped(), v6.prefix_len() >= 96) {
            return Ok(IpNet::new(IpAddr::V4(v4), v6.prefix_len() - 96).map_err(|e| e.to_string())?.trunc());
        }
    }
    Ok(net.trunc())
}

/// The address a rule is checked against: IPv4-mapped IPv6 counts as IPv4,
/// so a dual-stack socket cannot reach an IPv4 host that no IPv4 rule grants.
pub fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// A host-name pattern for `--allow-resolve`: `name`, `*.suffix` or `*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NamePattern {
    /// Every name.
    Any,
    /// One name, exactly (ASCII case-insensitive).
    Exact(String),
    /// `*.example.com`: any name ending in `.example.com` (not `example.com` itself).
    Suffix(String),
}

impl NamePattern {
    /// Parses a pattern; names compare case-insensitively, without a trailing dot.
    pub fn parse(text: &str) -> Result<NamePattern, String> {
        NamePattern::parse_pattern(text).map_err(|why| format!("--allow-resolve `{text}`: {why}"))
    }

    /// [`NamePattern::parse`] for any flag: the error is the reason alone.
    pub(crate) fn parse_pattern(text: &str) -> Result<NamePattern, &'static str> {
        let norm = normalize_name(text);
        if norm == "*" {
            return Ok(NamePattern::Any);
        }
        let (suffix, name) = match norm.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, norm.as_str()),
        };
        let valid = !name.is_empty()
            && name.len() <= 253
            && name.split('.').all(|l| {
                !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            });
        if !valid {
            return Err("expected a host name, `*.suffix` or `*`");
        }
        Ok(if suffix { NamePattern::Suffix(format!(".{name}")) } else { NamePattern::Exact(name.to_string()) })
    }

    /// Whether the pattern covers `name`, already normalized ([`normalize_name`]).
    pub(crate) fn matches(&self, name: &str) -> bool {
        match self {
            NamePattern::Any => true,
            NamePattern::Exact(n) => n == name,
            NamePattern::Suffix(s) => name.len() > s.len() && name.ends_with(s.as_str()),
        }
    }
}

impl fmt::Display for NamePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NamePattern::Any => f.write_str("*"),
            NamePattern::Exact(n) => f.write_str(n),
            NamePattern::Suffix(s) => write!(f, "*{s}"),
        }
    }
}

/// A name as patterns compare it: lower case, without a trailing dot.
pub(crate) fn normalize_name(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// A named set of rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pool {
    /// The pool's name (its preopen name, what a guest picks it by).
    pub name: String,
    /// Its address rules.
    pub addr_rules: Vec<AddrRule>,
    /// The names it lets the guest look up.
    pub names: Vec<NamePattern>,
    /// The names it lets the guest reach over TLS (`--allow-connect-tls`).
    pub tls_names: Vec<TlsNameRule>,
}

/// The rule that granted an operation.
#[derive(Clone, Copy, Debug)]
pub enum Rule<'a> {
    /// An address rule.
    Addr(&'a AddrRule),
    /// A name pattern.
    Name(&'a NamePattern),
    /// A TLS name rule (`--allow-connect-tls`).
    TlsName(&'a TlsNameRule),
    /// Inbound peers in a pool without `--allow-accept` rules, which admits every peer.
    AnyPeer,
    /// Numeric hosts, which resolve without a lookup and need no grant.
    Numeric,
}

impl fmt::Display for Rule<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Addr(r) => write!(f, "{r}"),
            Rule::Name(p) => write!(f, "--allow-resolve {p}"),
            Rule::TlsName(r) => write!(f, "{r}"),
            Rule::AnyPeer => f.write_str("no --allow-accept rule: any peer"),
            Rule::Numeric => f.write_str("numeric host"),
        }
    }
}

impl Pool {
    /// An empty pool (it grants nothing).
    pub fn new(name: impl Into<String>) -> Pool {
        Pool { name: name.into(), ..Pool::default() }
    }

    /// Adds an address rule written as on the command line
    /// (`--allow-connect 127.0.0.1:8080` is `allow(Right::Connect, "127.0.0.1:8080")`).
    pub fn allow(mut self, right: Right, rule: &str) -> Result<Pool, String> {
        self.addr_rules.push(AddrRule::parse(right, rule)?);
        Ok(self)
    }

    /// Adds a TLS address rule written as on the command line
    /// (`--tls-connect 127.0.0.1:8443,name=localhost` is
    /// `allow_tls(TlsFlag::TlsConnect, "127.0.0.1:8443,name=localhost")`).
    pub fn allow_tls(mut self, flag: TlsFlag, rule: &str) -> Result<Pool, String> {
        self.addr_rules.push(AddrRule::parse_tls(flag, rule)?);
        Ok(self)
    }

    /// Adds a TLS name rule (`--allow-connect-tls PATTERN:PORTS[,OPTS]`).
    pub fn allow_connect_tls(mut self, rule: &str) -> Result<Pool, String> {
        self.tls_names.push(TlsNameRule::parse(rule)?);
        Ok(self)
    }

    /// Adds a name pattern the guest may look up (`--allow-name`).
    pub fn allow_name(mut self, pattern: &str) -> Result<Pool, String> {
        self.names.push(NamePattern::parse(pattern)?);
        Ok(self)
    }

    /// Whether `right` is granted for `addr`. For [`Right::Accept`], a pool
    /// with no accept rule admits every peer.
    pub fn allows(&self, right: Right, addr: &SocketAddr) -> bool {
        self.decide(right, addr).is_some()
    }

    /// The rule that grants `right` for `addr`, if any: the first TLS rule
    /// that matches (where an upgrade rule matches, the connection is TLS,
    /// docs/tls.md), else the first plain one, in command-line order. For
    /// [`Right::Accept`] in a pool with no accept rule, [`Rule::AnyPeer`].
    pub fn decide(&self, right: Right, addr: &SocketAddr) -> Option<Rule<'_>> {
        if right == Right::Accept && !self.filters_peers() {
            return Some(Rule::AnyPeer);
        }
        let mut matching = self.addr_rules.iter().filter(|r| r.matches(right, addr));
        let first = matching.next()?;
        let rule = match first.tls {
            Some(_) => first,
            None => matching.find(|r| r.tls.is_some()).unwrap_or(first),
        };
        Some(Rule::Addr(rule))
    }

    /// Whether any rule grants `right` to some IPv4 address.
    pub fn grants_ipv4(&self, right: Right) -> bool {
        self.addr_rules.iter().any(|r| r.right == right && matches!(r.net, IpNet::V4(_)))
    }

    /// Whether the pool filters inbound peers at all.
    pub fn filters_peers(&self) -> bool {
        self.addr_rules.iter().any(|r| r.right == Right::Accept)
    }

    /// The [`Right::Bind`] rules covering `ip`: `bind_rules(Right::Bind, ip)`.
    pub fn bind_rules_for(&self, ip: IpAddr) -> impl Iterator<Item = &AddrRule> {
        self.bind_rules(Right::Bind, ip)
    }

    /// The rules of `right` ([`Right::Bind`] or [`Right::BindTls`]) covering
    /// `ip` (any port), for choosing a port when a guest binds port 0: TLS
    /// rules first, as [`Pool::decide`] prefers them, each group in
    /// command-line order.
    pub fn bind_rules(&self, right: Right, ip: IpAddr) -> impl Iterator<Item = &AddrRule> {
        let ip = canonical_ip(ip);
        let covering = move |r: &&AddrRule| r.right == right && r.net.contains(&ip);
        let tls = self.addr_rules.iter().filter(covering).filter(|r| r.tls.is_some());
        tls.chain(self.addr_rules.iter().filter(covering).filter(|r| r.tls.is_none()))
    }

    /// Whether the name may be resolved.
    pub fn allows_name(&self, name: &str) -> bool {
        self.name_rule(name).is_some()
    }

    /// The pattern that grants resolving `name`, if any.
    pub fn name_rule(&self, name: &str) -> Option<&NamePattern> {
        let name = normalize_name(name);
        self.names.iter().find(|p| p.matches(&name))
    }

    /// The first `--allow-connect-tls` rule that grants a TLS connect to
    /// `name` (as the guest gave it) at `port`, if any.
    pub fn tls_name_rule(&self, name: &str, port: u16) -> Option<&TlsNameRule> {
        self.tls_names.iter().find(|r| r.matches(name, port))
    }
}

impl fmt::Display for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pool \"{}\"", self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    fn pool(rules: &[(Right, &str)]) -> Pool {
        let mut p = Pool::new("default");
        for (r, t) in rules {
            p.addr_rules.push(AddrRule::parse(*r, t).unwrap());
        }
        p
    }

    #[test]
    fn plain_address_is_a_single_host_with_all_ports() {
        let p = pool(&[(Right::Connect, "127.0.0.1")]);
        assert!(p.allows(Right::Connect, &sa("127.0.0.1:1")));
        assert!(p.allows(Right::Connect, &sa("127.0.0.1:65535")));
        assert!(!p.allows(Right::Connect, &sa("127.0.0.2:80")));
        assert!(!p.allows(Right::Bind, &sa("127.0.0.1:80")));
    }

    #[test]
    fn cidr_edges() {
        let p = pool(&[(Right::Connect, "10.1.2.0/24:80")]);
        assert!(p.allows(Right::Connect, &sa("10.1.2.0:80")));
        assert!(p.allows(Right::Connect, &sa("10.1.2.255:80")));
        assert!(!p.allows(Right::Connect, &sa("10.1.3.0:80")));
        assert!(!p.allows(Right::Connect, &sa("10.1.1.255:80")));
        assert!(!p.allows(Right::Connect, &sa("10.1.2.1:81")));
        // Host bits set in the rule are ignored, as in a routing table.
        let p = pool(&[(Right::Connect, "10.1.2.77/24")]);
        assert!(p.allows(Right::Connect, &sa("10.1.2.1:1")));
        let all = pool(&[(Right::Connect, "0.0.0.0/0")]);
        assert!(all.allows(Right::Connect, &sa("255.255.255.255:9")));
        assert!(!all.allows(Right::Connect, &sa("[::1]:9")));
    }

    #[test]
    fn port_ranges() {
        let p = pool(&[(Right::Bind, "127.0.0.1:8000-8100")]);
        assert!(p.allows(Right::Bind, &sa("127.0.0.1:8000")));
        assert!(p.allows(Right::Bind, &sa("127.0.0.1:8100")));
        assert!(!p.allows(Right::Bind, &sa("127.0.0.1:7999")));
        assert!(!p.allows(Right::Bind, &sa("127.0.0.1:8101")));
        assert_eq!("*".parse::<Ports>().unwrap(), Ports::ALL);
        assert!("9-8".parse::<Ports>().is_err());
        assert!("65536".parse::<Ports>().is_err());
        assert!("x".parse::<Ports>().is_err());
    }

    #[test]
    fn ipv6_rules() {
        let p = pool(&[(Right::Connect, "[::1/128]:8000-8100"), (Right::Connect, "fd00::/8")]);
        assert!(p.allows(Right::Connect, &sa("[::1]:8050")));
        assert!(!p.allows(Right::Connect, &sa("[::1]:80")));
        assert!(p.allows(Right::Connect, &sa("[fdff::1]:1")));
        assert!(!p.allows(Right::Connect, &sa("[fe00::1]:1")));
        assert!(AddrRule::parse(Right::Connect, "[::1]:*").is_ok());
        assert!(AddrRule::parse(Right::Connect, "[::1").is_err());
        assert!(AddrRule::parse(Right::Connect, "[::1]80").is_err());
    }

    #[test]
    fn ipv4_mapped_ipv6_counts_as_ipv4() {
        let p = pool(&[(Right::Connect, "127.0.0.1:80")]);
        assert!(p.allows(Right::Connect, &sa("[::ffff:127.0.0.1]:80")));
        assert!(!p.allows(Right::Connect, &sa("[::ffff:127.0.0.2]:80")));
        // A rule written as mapped IPv6 is the IPv4 rule.
        let p = pool(&[(Right::Connect, "[::ffff:10.0.0.0/104]:*")]);
        assert!(p.allows(Right::Connect, &sa("10.9.9.9:1")));
        assert!(p.allows(Right::Connect, &sa("[::ffff:10.9.9.9]:1")));
        // ::/0 does not grant IPv4 through mapped addresses.
        let p = pool(&[(Right::Connect, "::/0")]);
        assert!(!p.allows(Right::Connect, &sa("[::ffff:1.2.3.4]:1")));
    }

    #[test]
    fn accept_without_rules_admits_everyone() {
        let open = pool(&[(Right::Bind, "127.0.0.1")]);
        assert!(open.allows(Right::Accept, &sa("192.0.2.1:5")));
        let filtered = pool(&[(Right::Accept, "127.0.0.0/8")]);
        assert!(filtered.allows(Right::Accept, &sa("127.9.9.9:5")));
        assert!(!filtered.allows(Right::Accept, &sa("192.0.2.1:5")));
    }

    #[test]
    fn malformed_rules_name_flag_and_text() {
        let e = AddrRule::parse(Right::Bind, "300.1.1.1:80").unwrap_err();
        assert!(e.contains("--allow-bind") && e.contains("300.1.1.1:80"), "{e}");
        assert!(AddrRule::parse(Right::Connect, "10.0.0.0/33").is_err());
        assert!(AddrRule::parse(Right::Connect, "").is_err());
        assert!(AddrRule::parse(Right::Connect, "127.0.0.1:").is_err());
    }

    #[test]
    fn rules_print_as_written() {
        let p = pool(&[
            (Right::Bind, "127.0.0.1:80"),
            (Right::Connect, "[::1/128]:8000-8100"),
            (Right::Accept, "10.0.0.0/8"),
        ]);
        let shown: Vec<String> = p.addr_rules.iter().map(|r| r.to_string()).collect();
        assert_eq!(
            shown,
            ["--allow-bind 127.0.0.1/32:80", "--allow-connect [::1/128]:8000-8100", "--allow-accept 10.0.0.0/8:*"]
        );
        assert!(matches!(p.decide(Right::Bind, &sa("127.0.0.1:80")), Some(Rule::Addr(r)) if r == &p.addr_rules[0]));
        assert!(p.grants_ipv4(Right::Bind) && !p.grants_ipv4(Right::Connect));
        assert_eq!(NamePattern::parse("*.Example.com.").unwrap().to_string(), "*.example.com");
    }

    #[test]
    fn names() {
        let mut p = Pool::new("default");
        for t in ["localhost", "*.example.com"] {
            p.names.push(NamePattern::parse(t).unwrap());
        }
        assert!(p.allows_name("localhost"));
        assert!(p.allows_name("LOCALHOST."));
        assert!(p.allows_name("a.example.com"));
        assert!(p.allows_name("a.b.example.com"));
        assert!(!p.allows_name("example.com"));
        assert!(!p.allows_name("badexample.com"));
        assert!(!p.allows_name("localhost.evil"));
        p.names.push(NamePattern::parse("*").unwrap());
        assert!(p.allows_name("anything.at.all"));
        assert!(NamePattern::parse("bad name").is_err());
        assert!(NamePattern::parse("*.*").is_err());
        assert!(NamePattern::parse("a..b").is_err());
    }
}

#[cfg(test)]
#[path = "tls/pool_tests.rs"]
mod tls_tests;
