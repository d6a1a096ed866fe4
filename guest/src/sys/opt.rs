//! The socket options of the spec's `option` lines, as the (level, name)
//! numbers [`sockopt_set`](super::sockopt_set) and
//! [`sockopt_get`](super::sockopt_get) take. These are wasock's numbers, the
//! same on every guest, not any libc's; `spec_test.rs` compares this list
//! with the spec.

/// A socket option's wasock numbers.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Opt {
    /// 1 socket, 2 ip, 3 ipv6, 4 tcp, 5 wasock and 6 tls (the host's own).
    pub level: u32,
    /// The option within its level.
    pub name: u32,
}

/// Defines each option once: its constant and its entry in [`ALL`].
macro_rules! options {
    ($($(#[doc = $doc:literal])* $konst:ident = ($level:literal, $name:literal) $ident:literal;)*) => {
        $($(#[doc = $doc])* pub const $konst: Opt = Opt { level: $level, name: $name };)*
        /// Every option with its ident in the spec (`level.name`).
        pub const ALL: &[(&str, Opt)] = &[$(($ident, $konst)),*];
    };
}

options! {
    /// `SO_REUSEADDR` (bool).
    SOCKET_REUSE_ADDR = (1, 1) "socket.reuse_addr";
    /// `SO_REUSEPORT` (bool).
    SOCKET_REUSE_PORT = (1, 2) "socket.reuse_port";
    /// `SO_KEEPALIVE` (bool).
    SOCKET_KEEPALIVE = (1, 3) "socket.keepalive";
    /// `SO_BROADCAST` (bool).
    SOCKET_BROADCAST = (1, 4) "socket.broadcast";
    /// `SO_RCVBUF` (int).
    SOCKET_RECV_BUF_SIZE = (1, 5) "socket.recv_buf_size";
    /// `SO_SNDBUF` (int).
    SOCKET_SEND_BUF_SIZE = (1, 6) "socket.send_buf_size";
    /// `SO_RCVTIMEO` (timeout in nanoseconds).
    SOCKET_RECV_TIMEOUT = (1, 7) "socket.recv_timeout";
    /// `SO_SNDTIMEO` (timeout in nanoseconds).
    SOCKET_SEND_TIMEOUT = (1, 8) "socket.send_timeout";
    /// `SO_LINGER` (on, seconds).
    SOCKET_LINGER = (1, 9) "socket.linger";
    /// `IP_TTL` (int).
    IP_TTL = (2, 1) "ip.ttl";
    /// `IP_TOS` (int).
    IP_TOS = (2, 2) "ip.tos";
    /// `IP_MULTICAST_TTL` (int).
    IP_MULTICAST_TTL = (2, 3) "ip.multicast_ttl";
    /// `IP_MULTICAST_LOOP` (bool).
    IP_MULTICAST_LOOP = (2, 4) "ip.multicast_loop";
    /// `IP_MULTICAST_IF` (an `in_addr`, `ip_mreq` or `ip_mreqn`).
    IP_MULTICAST_IF = (2, 5) "ip.multicast_if";
    /// `IPV6_V6ONLY` (bool).
    IPV6_V6ONLY = (3, 1) "ipv6.v6only";
    /// `IPV6_UNICAST_HOPS` (int).
    IPV6_UNICAST_HOPS = (3, 2) "ipv6.unicast_hops";
    /// `IPV6_MULTICAST_HOPS` (int).
    IPV6_MULTICAST_HOPS = (3, 3) "ipv6.multicast_hops";
    /// `IPV6_MULTICAST_LOOP` (bool).
    IPV6_MULTICAST_LOOP = (3, 4) "ipv6.multicast_loop";
    /// `IPV6_TCLASS` (int).
    IPV6_TCLASS = (3, 5) "ipv6.tclass";
    /// `IPV6_MULTICAST_IF` (int, an interface index).
    IPV6_MULTICAST_IF = (3, 6) "ipv6.multicast_if";
    /// `TCP_NODELAY` (bool).
    TCP_NODELAY = (4, 1) "tcp.nodelay";
    /// `TCP_MAXSEG` (int).
    TCP_MAXSEG = (4, 2) "tcp.maxseg";
    /// `TCP_KEEPIDLE` (int, seconds).
    TCP_KEEPIDLE = (4, 3) "tcp.keepidle";
    /// `TCP_KEEPINTVL` (int, seconds).
    TCP_KEEPINTVL = (4, 4) "tcp.keepintvl";
    /// `TCP_KEEPCNT` (int).
    TCP_KEEPCNT = (4, 5) "tcp.keepcnt";
    /// `TCP_USER_TIMEOUT` (int, milliseconds).
    TCP_USER_TIMEOUT = (4, 6) "tcp.user_timeout";
    /// `TCP_QUICKACK` (int).
    TCP_QUICKACK = (4, 7) "tcp.quickack";
    /// `TCP_DEFER_ACCEPT` (int, seconds).
    TCP_DEFER_ACCEPT = (4, 8) "tcp.defer_accept";
    /// `TCP_CONGESTION` (a name of at most 16 bytes).
    TCP_CONGESTION = (4, 9) "tcp.congestion";
    /// `TCP_FASTOPEN` (int, the queue length).
    TCP_FASTOPEN = (4, 10) "tcp.fastopen";
    /// `TCP_FASTOPEN_CONNECT` (int, 0 or 1).
    TCP_FASTOPEN_CONNECT = (4, 11) "tcp.fastopen_connect";
    /// wasock's edge-triggered `poll_oneoff` readiness (bool), for async runtimes.
    WASOCK_EDGE_TRIGGERED = (5, 1) "wasock.edge_triggered";
    /// A TLS socket's peer certificate, DER (read-only, up to 65536 bytes; empty: none).
    TLS_PEER_CERTIFICATE = (6, 1) "tls.peer_certificate";
    /// A TLS socket's verified peer identity, one `kind:value` line per entry (read-only).
    TLS_PEER_IDENTITY = (6, 2) "tls.peer_identity";
    /// The server name verified (client) or the SNI received (server) (read-only).
    TLS_SERVER_NAME = (6, 3) "tls.server_name";
    /// The TLS version, 0x0303 or 0x0304 (int, read-only).
    TLS_VERSION = (6, 4) "tls.version";
    /// The IANA number of the cipher suite (int, read-only).
    TLS_CIPHER_SUITE = (6, 5) "tls.cipher_suite";
}
