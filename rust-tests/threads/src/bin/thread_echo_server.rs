//! Thread-per-connection echo server: `thread_echo_server BIND_ADDR [CLIENTS]`.
//!
//! Binds (port 0 allowed) and prints `listening on ADDR`. The main thread
//! only accepts; each connection gets a `std::thread` of its own that echoes
//! until EOF and prints `client I from PEER: echoed B bytes`. With CLIENTS,
//! once that many connections have been accepted and every thread has
//! finished, it prints `served N peak P bytes B` (P: the most connections
//! being served at the same moment, which only threads can make above 1)
//! and exits 0; a failed connection fails the run. Without CLIENTS it serves
//! forever, reporting a failed connection on stderr and going on.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

use wasock::net::{TcpListener, TcpStream};
use wasock_rust_tests::{arg, ensure, say, Res};

/// What the connection threads count together.
#[derive(Default)]
struct Stats {
    active: AtomicUsize,
    peak: AtomicUsize,
    bytes: AtomicU64,
}

impl Stats {
    /// Echoes `stream` until EOF, keeping the counts.
    fn serve(&self, mut stream: TcpStream) -> io::Result<u64> {
        let now = self.active.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        let echoed = echo(&mut stream);
        self.active.fetch_sub(1, Ordering::SeqCst);
        let echoed = echoed?;
        self.bytes.fetch_add(echoed, Ordering::SeqCst);
        Ok(echoed)
    }
}

fn echo(stream: &mut TcpStream) -> io::Result<u64> {
    // On the heap: a thread's stack is 1 MiB of the module's linear memory.
    let mut buf = vec![0u8; 16 * 1024];
    let mut echoed = 0u64;
    loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(echoed);
        }
        stream.write_all(&buf[..n])?;
        echoed += n as u64;
    }
}

fn main() -> Res {
    let bind = arg(1, "bind address")?;
    let clients: Option<usize> = std::env::args().nth(2).map(|n| n.parse()).transpose()?;
    let listener = TcpListener::bind(bind.as_str())?;
    let local = listener.local_addr()?;
    ensure!(local.port() != 0, "bound to port 0");
    say(format!("listening on {local}"));

    let stats = Arc::new(Stats::default());
    let mut threads = Vec::new();
    for (i, stream) in listener.incoming().take(clients.unwrap_or(usize::MAX)).enumerate() {
        let stream = stream?;
        let peer: SocketAddr = stream.peer_addr()?;
        let stats = Arc::clone(&stats);
        let forever = clients.is_none();
        let worker = thread::Builder::new().name(format!("client-{i}")).spawn(move || {
            let r = stats.serve(stream);
            match &r {
                Ok(n) => say(format!("client {i} from {peer}: echoed {n} bytes")),
                Err(e) if forever => eprintln!("client {i} from {peer}: {e}"),
                Err(_) => {}
            }
            r.map_err(|e| format!("client {i} from {peer}: {e}"))
        });
        // No thread: the host has no wasi-threads, or its thread cap is reached.
        let worker = worker.map_err(|e| format!("spawn a thread for client {i}: {e}"))?;
        if !forever {
            threads.push(worker);
        }
    }

    let served = threads.len();
    for t in threads {
        t.join().map_err(|_| "a client thread panicked")??;
    }
    let peak = stats.peak.load(Ordering::SeqCst);
    let bytes = stats.bytes.load(Ordering::SeqCst);
    say(format!("served {served} peak {peak} bytes {bytes}"));
    Ok(())
}
