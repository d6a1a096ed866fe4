//! Two threads blocked in `read` at once: `thread_blocking ADDR_A ADDR_B`.
//!
//! Connects to both native peers from the main thread and prints
//! `connected`, then gives each stream a thread of its own, named `a` and
//! `b`. Each thread prints `NAME reading`, blocks reading one line, prints
//! `got #K on NAME: LINE` (K counts arrivals across both threads: 1 for the
//! first line to arrive) and answers `NAME ok`. When both are done the main
//! thread prints `order: X Y`, the names in order of arrival, and exits 0.
//!
//! A peer that sends to `b` first and waits for `b ok` before sending to
//! `a` proves that `b`'s read returned while `a`'s thread was still blocked
//! in its own: with one host thread for the whole guest, `b` would never
//! see its line and the run would hang. EOF before a line fails the run.

use std::io::{self, BufRead, BufReader, Write};
use std::sync::{Arc, Mutex};
use std::thread;

use wasock::net::TcpStream;
use wasock_rust_tests::{addr_arg, say, Res};

/// The names of the threads whose line has come, in order of arrival.
#[derive(Default)]
struct Arrivals {
    order: Mutex<Vec<&'static str>>,
}

impl Arrivals {
    /// Blocks until a line comes on `stream`, records it and answers.
    fn read_one(&self, name: &'static str, stream: TcpStream) -> io::Result<()> {
        say(format!("{name} reading"));
        let mut line = String::new();
        if BufReader::new(&stream).read_line(&mut line)? == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, format!("{name}: EOF before a line")));
        }
        let k = {
            let mut order = self.order.lock().unwrap();
            order.push(name);
            order.len()
        };
        say(format!("got #{k} on {name}: {}", line.trim_end()));
        (&stream).write_all(format!("{name} ok\n").as_bytes())
    }
}

fn main() -> Res {
    let a = TcpStream::connect(addr_arg(1, "peer a")?)?;
    let b = TcpStream::connect(addr_arg(2, "peer b")?)?;
    say("connected");

    let arrivals = Arc::new(Arrivals::default());
    let threads: Vec<_> = [("a", a), ("b", b)]
        .into_iter()
        .map(|(name, stream)| {
            let arrivals = Arc::clone(&arrivals);
            thread::Builder::new()
                .name(name.into())
                .spawn(move || arrivals.read_one(name, stream))
                .map_err(|e| format!("spawn thread {name}: {e}"))
        })
        .collect::<Result<_, _>>()?;
    for t in threads {
        t.join().map_err(|_| "a reader thread panicked")??;
    }
    let order = arrivals.order.lock().unwrap().join(" ");
    say(format!("order: {order}"));
    Ok(())
}
