//! The native peer (`bench-peer`): started pinned, its ports read from its
//! first line, stopped by closing its stdin.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use wasock_bench::{Service, Workload};

use crate::proc::pin;
use crate::Config;

/// The peer's ports, as it announced them.
pub struct PeerPorts {
    pub echo: u16,
    pub close: u16,
    pub udp: u16,
    pub udp_batch: u16,
}

impl PeerPorts {
    pub fn of(&self, w: Workload) -> u16 {
        match w.service() {
            Service::Echo => self.echo,
            Service::Close => self.close,
            Service::Udp => self.udp,
            Service::UdpBatch => self.udp_batch,
        }
    }

    pub fn lowest(&self) -> u16 {
        self.echo.min(self.close).min(self.udp).min(self.udp_batch)
    }

    pub fn highest(&self) -> u16 {
        self.echo.max(self.close).max(self.udp).max(self.udp_batch)
    }
}

/// The running peer; dropping it closes its stdin (it exits) and reaps it.
pub struct Peer {
    child: Child,
    stdin: Option<ChildStdin>,
    pub ports: PeerPorts,
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.stdin = None; // closing its stdin tells the peer to exit
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_peer(cfg: &Config) -> Result<Peer, String> {
    // Start somewhere in 20000-29000 so parallel runs on one machine rarely
    // collide; the peer walks up from there to the first free ports.
    let first = 20_000 + (std::process::id() % 9_000) as u16;
    let mut argv = pin(cfg);
    argv.push(cfg.peer.display().to_string());
    argv.extend([
        "--first-port".into(),
        first.to_string(),
        "--last-port".into(),
        "29999".into(),
        "--watch-stdin".into(),
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
    let ports = match (port("echo"), port("close"), port("udp"), port("udpb")) {
        (Some(echo), Some(close), Some(udp), Some(udp_batch)) => PeerPorts { echo, close, udp, udp_batch },
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("the peer did not announce its ports (said {line:?})"));
        }
    };
    Ok(Peer { child, stdin, ports })
}
