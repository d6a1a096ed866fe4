//! What the benchmark's three programs agree on: the workloads, their
//! default sizes and units, and the one-line result a client prints.
//!
//! `bench-client` (and the C client `bench/c/client.c`) runs one workload
//! once and prints a single line
//!
//! ```text
//! RESULT workload=tcp_pingpong ops=20000 secs=0.412345678 value=48503.1 unit=rt/s
//! ```
//!
//! which `bench-run` parses with [`parse_result`]. The load generator
//! `bench-load` prints the same line for the server workloads, and the TLS
//! clients (`bench-tls-client`, `bench-tls-host`, the loops in [`tls`]) for
//! the TLS workloads.

use std::fmt;

pub mod tls;

/// One workload. The names are what the clients take as their first argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// 64 KiB writes through the echo peer, each read back before the next.
    TcpBulk,
    /// 64-byte round trips on one TCP connection with TCP_NODELAY.
    TcpPingPong,
    /// connect, wait for the server's EOF, close.
    TcpConnect,
    /// 64-byte datagram round trips on a connected UDP socket.
    UdpRoundTrip,
    /// The TCP_NODELAY getter on a connected socket.
    HostCall,
    /// Batches of [`UDP_BATCH`] 64-byte datagrams with sendmmsg/recvmmsg
    /// (the C client only: std has no batch calls).
    UdpBatch,
    /// One TLS connection downloads [`tls::BULK_MIB`] MiB of plaintext
    /// (the TLS clients only, as are the next).
    TlsBulk,
    /// Sequential full TLS handshakes, each with a few bytes each way.
    TlsHandshakes,
}

/// Every workload, in table order.
pub const WORKLOADS: [Workload; 8] = [
    Workload::TcpBulk,
    Workload::TcpPingPong,
    Workload::TcpConnect,
    Workload::UdpRoundTrip,
    Workload::HostCall,
    Workload::UdpBatch,
    Workload::TlsBulk,
    Workload::TlsHandshakes,
];

/// Bytes per write (and per read-back) in the bulk workload.
pub const BULK_CHUNK: usize = 64 * 1024;
/// Payload of one ping-pong or UDP round trip.
pub const MESSAGE: usize = 64;
/// How long a UDP client waits for an echo before it counts the datagram lost.
pub const UDP_TIMEOUT_MS: u64 = 500;
/// How many lost datagrams a UDP run tolerates before it gives up.
pub const UDP_MAX_LOST: u64 = 20;
/// Datagrams per sendmmsg/recvmmsg batch in `udp_batch`.
pub const UDP_BATCH: u64 = 32;

impl Workload {
    pub fn name(self) -> &'static str {
        match self {
            Workload::TcpBulk => "tcp_bulk",
            Workload::TcpPingPong => "tcp_pingpong",
            Workload::TcpConnect => "tcp_connect",
            Workload::UdpRoundTrip => "udp_rr",
            Workload::HostCall => "hostcall",
            Workload::UdpBatch => "udp_batch",
            Workload::TlsBulk => "tls_bulk",
            Workload::TlsHandshakes => "tls_handshakes",
        }
    }

    /// Whether the Rust client runs it (udp_batch is the C client's only,
    /// the TLS workloads the TLS clients').
    pub fn in_rust_client(self) -> bool {
        self != Workload::UdpBatch && !self.is_tls()
    }

    /// Whether it is a TLS workload, run by the TLS clients, not by
    /// `bench-client` or the C client.
    pub fn is_tls(self) -> bool {
        matches!(self, Workload::TlsBulk | Workload::TlsHandshakes)
    }

    pub fn from_name(name: &str) -> Option<Workload> {
        WORKLOADS.into_iter().find(|w| w.name() == name)
    }

    /// How many operations one run does by default: 64 KiB chunks for bulk
    /// (4096 x 64 KiB = 256 MiB), round trips, connections or calls; MiB
    /// for TLS bulk, handshakes for TLS handshakes.
    pub fn default_ops(self) -> u64 {
        match self {
            Workload::TcpBulk => 4096,
            Workload::TcpPingPong => 20_000,
            Workload::TcpConnect => 3_000,
            Workload::UdpRoundTrip => 20_000,
            Workload::HostCall => 1_000_000,
            Workload::UdpBatch => 3_000,
            Workload::TlsBulk => tls::BULK_MIB,
            Workload::TlsHandshakes => 500,
        }
    }

    /// The unit of the figure a run reports.
    pub fn unit(self) -> &'static str {
        match self {
            Workload::TcpBulk | Workload::TlsBulk => "MiB/s",
            Workload::TcpPingPong | Workload::UdpRoundTrip => "rt/s",
            Workload::TcpConnect => "conn/s",
            Workload::HostCall => "ns/call",
            Workload::UdpBatch => "dgram/s",
            Workload::TlsHandshakes => "hs/s",
        }
    }

    /// Whether a larger figure is better (false for ns per call).
    pub fn higher_is_better(self) -> bool {
        self != Workload::HostCall
    }

    /// The figure a run reports, from its operation count and elapsed time.
    pub fn value(self, ops: u64, secs: f64) -> f64 {
        let secs = secs.max(1e-9);
        match self {
            Workload::TcpBulk => (ops * BULK_CHUNK as u64) as f64 / (1024.0 * 1024.0) / secs,
            Workload::HostCall => secs * 1e9 / ops.max(1) as f64,
            Workload::UdpBatch => (ops * UDP_BATCH) as f64 / secs,
            Workload::TlsBulk => ops as f64 / secs,
            _ => ops as f64 / secs,
        }
    }

    /// The guest/native speed ratio the project aims for, if any (for the
    /// TLS workloads: the host-TLS guest's).
    pub fn target(self) -> Option<f64> {
        match self {
            Workload::TlsBulk | Workload::TlsHandshakes => Some(0.90),
            Workload::TcpBulk => Some(0.95),
            Workload::TcpPingPong | Workload::UdpRoundTrip => Some(0.90),
            Workload::TcpConnect => Some(0.85),
            Workload::UdpBatch => Some(0.95),
            Workload::HostCall => None,
        }
    }

    /// Which peer service the workload talks to.
    pub fn service(self) -> Service {
        match self {
            Workload::TcpConnect => Service::Close,
            Workload::UdpRoundTrip => Service::Udp,
            Workload::UdpBatch => Service::UdpBatch,
            Workload::TlsBulk | Workload::TlsHandshakes => Service::Tls,
            _ => Service::Echo,
        }
    }

    /// A short description for the tables.
    pub fn describe(self) -> &'static str {
        match self {
            Workload::TcpBulk => "TCP bulk, 256 MiB in 64 KiB writes, each echoed back",
            Workload::TcpPingPong => "TCP ping-pong, 64 B round trips, TCP_NODELAY",
            Workload::TcpConnect => "TCP connect + server EOF + close",
            Workload::UdpRoundTrip => "UDP 64 B datagram round trips",
            Workload::HostCall => "host-call overhead: TCP_NODELAY getter",
            Workload::UdpBatch => "UDP batches of 32 64 B datagrams, sendmmsg/recvmmsg",
            Workload::TlsBulk => "TLS 1.3 bulk, 64 MiB downloaded over one connection",
            Workload::TlsHandshakes => "TLS 1.3 full handshakes, a few bytes each way, then close",
        }
    }
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The peer's services.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// TCP: echoes every byte back.
    Echo,
    /// TCP: accepts and closes at once.
    Close,
    /// UDP: echoes every datagram to its sender.
    Udp,
    /// UDP: the same, a batch at a time (recvmmsg, then sendmmsg of what came).
    UdpBatch,
    /// TLS: reads a request for N bytes, sends them, close_notify, closes
    /// ([`tls`] has the protocol).
    Tls,
}

/// The result line for one run of a client workload.
pub fn result_line(w: Workload, ops: u64, secs: f64) -> String {
    named_result_line(w.name(), ops, secs, w.value(ops, secs), w.unit())
}

/// The result line for any workload (the load generator's too).
pub fn named_result_line(workload: &str, ops: u64, secs: f64, value: f64, unit: &str) -> String {
    format!("RESULT workload={workload} ops={ops} secs={secs:.9} value={value:.3} unit={unit}")
}

/// One parsed result line.
#[derive(Clone, Debug, PartialEq)]
pub struct RunResult {
    pub workload: String,
    pub ops: u64,
    pub secs: f64,
    pub value: f64,
}

/// Finds and parses the `RESULT` line in a client's output.
pub fn parse_result(output: &str) -> Option<RunResult> {
    let line = output.lines().find(|l| l.starts_with("RESULT "))?;
    let field =
        |key: &str| line.split_whitespace().find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix('=')));
    Some(RunResult {
        workload: field("workload")?.to_string(),
        ops: field("ops")?.parse().ok()?,
        secs: field("secs")?.parse().ok()?,
        value: field("value")?.parse().ok()?,
    })
}

/// The median of a non-empty list (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 { v[mid] } else { (v[mid - 1] + v[mid]) / 2.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_lines_round_trip() {
        let line = result_line(Workload::TcpPingPong, 20_000, 0.5);
        let r = parse_result(&format!("noise\n{line}\n")).unwrap();
        assert_eq!(r.workload, "tcp_pingpong");
        assert_eq!(r.ops, 20_000);
        assert!((r.value - 40_000.0).abs() < 1e-6);
    }

    #[test]
    fn c_client_lines_parse() {
        let r = parse_result("RESULT workload=tcp_bulk ops=4096 secs=0.250000000 value=1024.000 unit=MiB/s").unwrap();
        assert_eq!(r.ops, 4096);
        assert_eq!(r.value, 1024.0);
    }

    #[test]
    fn values() {
        assert_eq!(Workload::TcpBulk.value(4096, 1.0), 256.0);
        assert_eq!(Workload::HostCall.value(1_000_000, 0.5), 500.0);
        assert_eq!(Workload::UdpBatch.value(1_000, 0.5), 64_000.0);
        assert_eq!(Workload::TlsBulk.value(64, 0.5), 128.0);
        assert_eq!(Workload::TlsHandshakes.value(500, 0.5), 1000.0);
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn names() {
        for w in WORKLOADS {
            assert_eq!(Workload::from_name(w.name()), Some(w));
        }
    }
}
