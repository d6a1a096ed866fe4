//! The TLS workloads (`tls_bulk`, `tls_handshakes`): one client program in
//! three builds against the peer's TLS service (rustls, ring), each row's
//! three sides measured in the same alternating runs:
//! - native: `bench-tls-client`, rustls with ring;
//! - guest: `bench-tls-host.wasm`, TLS in the host (`wasock::tls`), granted
//!   `--allow-connect-tls localhost:PORT,ca=CA`;
//! - alt, "in-guest TLS": `bench-tls-client.wasm`, rustls with
//!   rustls-rustcrypto compiled into the guest over a plain TCP socket,
//!   granted `--allow-connect 127.0.0.1:PORT` and `--dir` of the CA's
//!   directory.
//!
//! guest/native is the host-TLS guest over native (target 0.90); the alt
//! ratio is host TLS over in-guest TLS (target [`OVER_IN_GUEST`]). When the
//! host-TLS build is missing the row has native and in-guest figures only,
//! and says why.

use std::path::{Path, PathBuf};

use wasock_bench::Workload;

use crate::clients::{run_client, scaled};
use crate::peer::Peer;
use crate::proc::pin;
use crate::row::{Row, Side};
use crate::{Config, Program};

/// "Several times the in-guest TLS" (issue 15): host TLS at least this many
/// times TLS compiled into the guest.
pub const OVER_IN_GUEST: f64 = 3.0;

/// The alt column's name in the tables.
pub const IN_GUEST: &str = "in-guest TLS";

/// The builds: `rustls` natively and in the guest, and the host-TLS guest.
pub struct TlsPrograms<'a> {
    pub rustls: &'a Program,
    pub host: PathBuf,
}

/// The command line of one run of `w` on `side` (pinning included).
fn argv(cfg: &Config, progs: &TlsPrograms<'_>, peer: &Peer, side: Side, w: Workload, ops: u64) -> Vec<String> {
    let (port, ca) = (peer.ports.tls.to_string(), peer.ca_file.display().to_string());
    let wasock = |grant: Vec<String>, wasm: &Path| {
        let mut v = vec![cfg.wasock.display().to_string(), "run".into()];
        v.extend(grant);
        v.push(wasm.display().to_string());
        v
    };
    let mut argv = pin(cfg);
    match side {
        Side::Native => argv.push(progs.rustls.native.display().to_string()),
        Side::Guest => argv.extend(wasock(
            vec!["--allow-connect-tls".into(), format!("{}:{port},ca={ca}", wasock_bench::tls::SERVER_NAME)],
            &progs.host,
        )),
        Side::Alt => argv.extend(wasock(
            vec![
                "--allow-connect".into(),
                format!("127.0.0.1:{port}"),
                "--dir".into(),
                peer.tls_dir.0.display().to_string(),
            ],
            &progs.rustls.wasm,
        )),
    }
    argv.extend([w.name().to_string(), port]);
    if side != Side::Guest {
        argv.push(ca);
    }
    argv.push(ops.to_string());
    argv
}

pub fn measure(cfg: &Config, peer: &Peer, progs: &TlsPrograms<'_>, w: Workload) -> Row {
    let ops = scaled(cfg, w.default_ops());
    let mut row = Row::of_workload(w, "Rust", ops).alt(IN_GUEST, Some(OVER_IN_GUEST));
    if !progs.host.exists() {
        let why = format!("{} not built (make bench builds it)", progs.host.display());
        row = row.skip(Side::Guest, &why);
    }
    row.measure(cfg, cfg.warmup, |side| run_client(cfg, &argv(cfg, progs, peer, side, w, ops), w));
    row
}
