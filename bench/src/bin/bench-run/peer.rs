//! The native peer (`bench-peer`): started pinned, its ports read from its
//! first line, stopped by closing its stdin. Its TLS service's CA is written
//! to a directory of the driver's own (the in-guest TLS client is given it
//! with `--dir`), removed with the peer.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use wasock_bench::{Service, Workload};

use crate::proc::{pin, TempDir};
use crate::Config;

/// The peer's ports, as it announced them.
pub struct PeerPorts {
    pub echo: u16,
    pub close: u16,
    pub udp: u16,
    pub udp_batch: u16,
    pub tls: u16,
}

impl PeerPorts {
    pub fn of(&self, w: Workload) -> u16 {
        match w.service() {
            Service::Echo => self.echo,
            Service::Close => self.close,
            Service::Udp => self.udp,
            Service::UdpBatch => self.udp_batch,
            Service::Tls => self.tls,
        }
    }

    fn all(&self) -> [u16; 5] {
        [self.echo, self.close, self.udp, self.udp_batch, self.tls]
    }

    pub fn lowest(&self) -> u16 {
        self.all().into_iter().min().unwrap_or(0)
    }

    pub fn highest(&self) -> u16 {
        self.all().into_iter().max().unwrap_or(0)
    }
}

/// The running peer; dropping it closes its stdin (it exits), reaps it and
/// then removes `tls_dir`.
pub struct Peer {
    child: Child,
    stdin: Option<ChildStdin>,
    pub ports: PeerPorts,
    /// The directory of `ca_file`, the driver's own: removed after `drop`
    /// has stopped the peer.
    pub tls_dir: TempDir,
    /// The PEM of the CA that issued the TLS service's certificate.
    pub ca_file: PathBuf,
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.stdin = None; // closing its stdin tells the peer to exit
        let deadline = Instant::now() + Duration::from_secs(2);
        let mut exited = false;
        while !exited && Instant::now() < deadline {
            exited = matches!(self.child.try_wait(), Ok(Some(_)));
            thread::sleep(Duration::from_millis(10));
        }
        if !exited {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub fn start_peer(cfg: &Config) -> Result<Peer, String> {
    // Start somewhere in 20000-29000 so parallel runs on one machine rarely
    // collide; the peer walks up from there to the first free ports.
    let first = 20_000 + (std::process::id() % 9_000) as u16;
    let tls_dir = TempDir(std::env::temp_dir().join(format!("wasock-bench-tls-{}", std::process::id())));
    std::fs::create_dir_all(&tls_dir.0).map_err(|e| format!("{}: {e}", tls_dir.0.display()))?;
    let ca_file = tls_dir.0.join("ca.pem");
    let mut argv = pin(cfg);
    argv.push(cfg.peer.display().to_string());
    argv.extend([
        "--first-port".into(),
        first.to_string(),
        "--last-port".into(),
        "29999".into(),
        "--watch-stdin".into(),
        "--tls-ca".into(),
        ca_file.display().to_string(),
    ]);
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", argv.join(" ")))?;
    let stdin = child.stdin.take();
    let mut line = String::new();
    let stdout = child.stdout.take().ok_or("no peer stdout")?;
    BufReader::new(stdout).read_line(&mut line).map_err(|e| format!("peer: {e}"))?;
    let port = |key: &str| -> Option<u16> {
        line.split_whitespace().find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
    };
    let ports = match (port("echo"), port("close"), port("udp"), port("udpb"), port("tls")) {
        (Some(echo), Some(close), Some(udp), Some(udp_batch), Some(tls)) => {
            PeerPorts { echo, close, udp, udp_batch, tls }
        }
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("the peer did not announce its ports (said {line:?})"));
        }
    };
    Ok(Peer { child, stdin, ports, tls_dir, ca_file })
}
