//! [`Socket`]'s TLS calls: `connect_name` and the read-only level-6
//! options, read through the same generic `sockopt_get` as every other
//! option (`options.rs`), and [`PeerIdentity`], the parsed form of
//! `tls.peer_identity`, and [`ServerName`], where a TLS client connects.
//!
//! They live on [`Socket`] rather than only on [`crate::tls::TlsStream`]
//! so that a [`SockRef`](crate::SockRef) reaches them on a socket some other
//! crate owns (a tokio stream from [`crate::tokio::connect_tls`], a std
//! stream, a socket the pool made TLS in transparent mode).

use std::fmt;
use std::io;
use std::net::IpAddr;
use std::str::FromStr;

use super::Socket;
use crate::error::Errno;
use crate::sys::{self, opt, opt::Opt};

/// The largest value of each bytes option, from the spec's `bytes:0-M`.
const MAX_CERTIFICATE: usize = 65536;
const MAX_IDENTITY: usize = 4096;
const MAX_SERVER_NAME: usize = 253;

impl Socket {
    /// Connects a TLS socket ([`SockType::Tls`](crate::SockType::Tls)) to
    /// the server `name` on `port`. The host resolves `name` (in the
    /// socket's family only), connects, and runs the handshake, verifying
    /// the server's certificate against `name` and the trust roots of the
    /// pool's TLS rule; a numeric `name` is verified as an IP address.
    ///
    /// Blocking, this returns once the handshake is done. Non-blocking, it
    /// is an error whose [`Errno`] is [`INPROGRESS`](Errno::INPROGRESS);
    /// [`crate::tls::TlsStream::connect_nonblocking`] turns that into a
    /// [`Connecting`](crate::net::Connecting) instead.
    ///
    /// Errors: a name and port no TLS rule of the pool grants is
    /// `PermissionDenied` (`notcapable`); a certificate that was not
    /// accepted `PermissionDenied` too (`acces`, [`Errno::of`] tells them
    /// apart); any other failed handshake `ConnectionRefused`; a plain
    /// socket `InvalidInput`.
    ///
    /// ```no_run
    /// use wasock::{Family, SockType, Socket};
    /// let sock = Socket::new(Family::Inet4, SockType::Tls)?;
    /// sock.connect_name("example.com", 443)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect_name(&self, name: &str, port: u16) -> io::Result<()> {
        let len = u32::try_from(name.len()).unwrap_or(u32::MAX);
        // SAFETY: `name` is valid for `len` bytes (the host refuses longer
        // than 253 before reading).
        let r = unsafe { sys::connect_name(self.raw(), name.as_ptr(), len, port) };
        Errno::check(r).map_err(|e| e.error_for_name("connect to", &ServerName::new(name, port).to_string()))
    }

    /// The DER of the peer's verified end-entity certificate (`tls.peer_certificate`);
    /// empty when it sent none (a client, when the listener does not ask for one).
    ///
    /// On a TLS socket whose handshake is not done, this waits for it
    /// (blocking) or is [`WouldBlock`](io::ErrorKind::WouldBlock)
    /// (non-blocking), as every TLS option is. A plain socket's answer is
    /// `noprotoopt` (an `Other` error).
    pub fn tls_peer_certificate(&self) -> io::Result<Vec<u8>> {
        self.bytes_option(opt::TLS_PEER_CERTIFICATE, MAX_CERTIFICATE, "tls_peer_certificate")
    }

    /// The peer's verified identity (`tls.peer_identity`), parsed; empty
    /// without a peer certificate.
    ///
    /// ```no_run
    /// # let sock = wasock::Socket::new(wasock::Family::Inet4, wasock::SockType::Tls)?;
    /// # sock.connect_name("localhost", 8443)?;
    /// let id = sock.tls_peer_identity()?;
    /// assert!(id.dns_names().any(|n| n == "localhost"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn tls_peer_identity(&self) -> io::Result<PeerIdentity> {
        let raw = self.bytes_option(opt::TLS_PEER_IDENTITY, MAX_IDENTITY, "tls_peer_identity")?;
        text(raw, "tls.peer_identity")?.parse()
    }

    /// The server name (`tls.server_name`): on a client the name verified,
    /// on a server the SNI the client sent; `None` when there was none.
    pub fn tls_server_name(&self) -> io::Result<Option<String>> {
        let raw = self.bytes_option(opt::TLS_SERVER_NAME, MAX_SERVER_NAME, "tls_server_name")?;
        Ok(Some(text(raw, "tls.server_name")?).filter(|n| !n.is_empty()))
    }

    /// The negotiated TLS version (`tls.version`): `0x0303` for TLS 1.2,
    /// `0x0304` for TLS 1.3.
    pub fn tls_version(&self) -> io::Result<u16> {
        self.u16_option(opt::TLS_VERSION, "tls_version")
    }

    /// The IANA number of the negotiated cipher suite (`tls.cipher_suite`),
    /// e.g. `0x1301` for `TLS_AES_128_GCM_SHA256`.
    pub fn tls_cipher_suite(&self) -> io::Result<u16> {
        self.u16_option(opt::TLS_CIPHER_SUITE, "tls_cipher_suite")
    }

    fn bytes_option(&self, opt: Opt, max: usize, op: &'static str) -> io::Result<Vec<u8>> {
        let mut buf = vec![0u8; max];
        let n = self.get_bytes(opt, &mut buf, op)?;
        buf.truncate(n);
        Ok(buf)
    }

    fn u16_option(&self, opt: Opt, op: &'static str) -> io::Result<u16> {
        let v = self.get_int(opt, op)?;
        u16::try_from(v).map_err(|_| invalid_data(format!("{op}: the host answered {v}, not a 16-bit number")))
    }
}

/// Where a TLS client connects: the server name the host resolves and
/// verifies, and the port. It displays as `name:port` (`[::1]:443` for an
/// IPv6 literal), as errors name it.
///
/// ```
/// use wasock::tls::ServerName;
/// assert_eq!(ServerName::new("example.com", 443).to_string(), "example.com:443");
/// assert_eq!(ServerName::new("::1", 8443).to_string(), "[::1]:8443");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ServerName {
    /// The name (or numeric address) to verify the certificate against.
    pub name: String,
    /// The TCP port.
    pub port: u16,
}

impl ServerName {
    /// A name and a port.
    pub fn new(name: impl Into<String>, port: u16) -> ServerName {
        ServerName { name: name.into(), port }
    }
}

impl fmt::Display for ServerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.contains(':') {
            write!(f, "[{}]:{}", self.name, self.port)
        } else {
            write!(f, "{}:{}", self.name, self.port)
        }
    }
}

fn invalid_data(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// A text option's bytes as a string (the host writes ASCII or UTF-8).
fn text(raw: Vec<u8>, what: &str) -> io::Result<String> {
    String::from_utf8(raw).map_err(|_| invalid_data(format!("{what} is not UTF-8")))
}

/// One entry of a [`PeerIdentity`], one line of `tls.peer_identity`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum IdentityEntry {
    /// `dns:NAME`, a DNS subject alternative name.
    Dns(String),
    /// `ip:ADDR`, an IP address subject alternative name.
    Ip(IpAddr),
    /// `email:ADDR`, an email (RFC 822) subject alternative name.
    Email(String),
    /// `uri:URI`, a URI subject alternative name (a SPIFFE ID, say).
    Uri(String),
    /// `cn:NAME`, the subject's common name.
    CommonName(String),
    /// A kind this crate does not know yet, as (kind, value): kept, so a
    /// newer host does not break an older guest.
    Other(String, String),
}

impl fmt::Display for IdentityEntry {
    /// The entry's line, as the host wrote it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdentityEntry::Dns(v) => write!(f, "dns:{v}"),
            IdentityEntry::Ip(v) => write!(f, "ip:{v}"),
            IdentityEntry::Email(v) => write!(f, "email:{v}"),
            IdentityEntry::Uri(v) => write!(f, "uri:{v}"),
            IdentityEntry::CommonName(v) => write!(f, "cn:{v}"),
            IdentityEntry::Other(k, v) => write!(f, "{k}:{v}"),
        }
    }
}

/// The verified identity of a TLS peer: its certificate's subject
/// alternative names and common name, in the order the host lists them
/// (`tls.peer_identity`: the names first, the common name last). The host
/// verified the certificate before the guest sees any of it: against the
/// name connected to (client), or against the listener's client CA (server).
///
/// ```
/// use wasock::tls::{IdentityEntry, PeerIdentity};
/// let id: PeerIdentity = "dns:localhost\nip:127.0.0.1\ncn:test client\n".parse()?;
/// assert_eq!(id.dns_names().collect::<Vec<_>>(), ["localhost"]);
/// assert_eq!(id.common_name(), Some("test client"));
/// assert_eq!(id.entries()[1], IdentityEntry::Ip([127, 0, 0, 1].into()));
/// assert_eq!(id.to_string(), "dns:localhost\nip:127.0.0.1\ncn:test client\n");
/// assert!("".parse::<PeerIdentity>()?.is_empty());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PeerIdentity {
    entries: Vec<IdentityEntry>,
}

impl PeerIdentity {
    /// Every entry, in the host's order.
    pub fn entries(&self) -> &[IdentityEntry] {
        &self.entries
    }

    /// Whether there is no identity (the peer sent no certificate).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The DNS names.
    pub fn dns_names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().filter_map(|e| match e {
            IdentityEntry::Dns(v) => Some(v.as_str()),
            _ => None,
        })
    }

    /// The IP addresses.
    pub fn ips(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.entries.iter().filter_map(|e| match e {
            IdentityEntry::Ip(v) => Some(*v),
            _ => None,
        })
    }

    /// The email addresses.
    pub fn emails(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().filter_map(|e| match e {
            IdentityEntry::Email(v) => Some(v.as_str()),
            _ => None,
        })
    }

    /// The URIs.
    pub fn uris(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().filter_map(|e| match e {
            IdentityEntry::Uri(v) => Some(v.as_str()),
            _ => None,
        })
    }

    /// The subject's common name, if it has one.
    pub fn common_name(&self) -> Option<&str> {
        self.entries.iter().find_map(|e| match e {
            IdentityEntry::CommonName(v) => Some(v.as_str()),
            _ => None,
        })
    }
}

impl FromStr for PeerIdentity {
    type Err = io::Error;

    /// Parses the text of `tls.peer_identity`: one `kind:value` line per
    /// entry (the value may hold colons: `ip:::1`). A line without a colon,
    /// or an `ip:` that is no address, is `InvalidData`: only a broken host
    /// writes one.
    fn from_str(s: &str) -> io::Result<PeerIdentity> {
        let entries = s.lines().filter(|l| !l.is_empty()).map(entry).collect::<io::Result<_>>()?;
        Ok(PeerIdentity { entries })
    }
}

fn entry(line: &str) -> io::Result<IdentityEntry> {
    let bad = || invalid_data(format!("tls.peer_identity line {line:?} is not `kind:value`"));
    let (kind, value) = line.split_once(':').ok_or_else(bad)?;
    let v = value.to_string();
    Ok(match kind {
        "dns" => IdentityEntry::Dns(v),
        "ip" => IdentityEntry::Ip(value.parse().map_err(|_| bad())?),
        "email" => IdentityEntry::Email(v),
        "uri" => IdentityEntry::Uri(v),
        "cn" => IdentityEntry::CommonName(v),
        _ => IdentityEntry::Other(kind.to_string(), v),
    })
}

impl fmt::Display for PeerIdentity {
    /// The text of `tls.peer_identity`: each entry on its own line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.entries.iter().try_for_each(|e| writeln!(f, "{e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind_in_order() {
        let text = "dns:a.example\nip:::1\nemail:x@example.com\nuri:spiffe://t/w\ndns:b.example\ncn:A\n";
        let id: PeerIdentity = text.parse().unwrap();
        assert_eq!(id.dns_names().collect::<Vec<_>>(), ["a.example", "b.example"]);
        assert_eq!(id.ips().collect::<Vec<_>>(), ["::1".parse::<IpAddr>().unwrap()]);
        assert_eq!(id.emails().collect::<Vec<_>>(), ["x@example.com"]);
        assert_eq!(id.uris().collect::<Vec<_>>(), ["spiffe://t/w"]);
        assert_eq!(id.common_name(), Some("A"));
        assert_eq!(id.entries().len(), 6);
        assert_eq!(id.to_string(), text);
    }

    #[test]
    fn empty_and_unknown_and_broken() {
        let id: PeerIdentity = "".parse().unwrap();
        assert!(id.is_empty() && id.common_name().is_none());
        let id: PeerIdentity = "rid:1.2.3\n".parse().unwrap();
        assert_eq!(id.entries(), [IdentityEntry::Other("rid".into(), "1.2.3".into())]);
        assert_eq!(id.to_string(), "rid:1.2.3\n");
        // No trailing newline is fine too.
        assert_eq!("cn:x".parse::<PeerIdentity>().unwrap().common_name(), Some("x"));
        for bad in ["no colon here", "ip:not-an-address"] {
            assert_eq!(bad.parse::<PeerIdentity>().unwrap_err().kind(), io::ErrorKind::InvalidData, "{bad}");
        }
    }

    #[cfg(not(target_os = "wasi"))]
    #[test]
    fn unsupported_off_wasi() {
        use std::os::fd::FromRawFd;
        // SAFETY: the stubs never look at the number, and `ManuallyDrop`
        // keeps the socket from closing an fd it does not own.
        let sock = std::mem::ManuallyDrop::new(unsafe { Socket::from_raw_fd(1000) });
        let e = sock.connect_name("localhost", 443).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::Unsupported);
        assert_eq!(e.to_string(), "connect to localhost:443: not supported");
        assert_eq!(sock.tls_version().unwrap_err().kind(), io::ErrorKind::Unsupported);
    }
}
