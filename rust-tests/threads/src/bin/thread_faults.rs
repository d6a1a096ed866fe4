//! One thread acts on a socket another thread is blocked on:
//! `thread_faults MODE PEER_ADDR`. Connects to the native peer, prints
//! `connected`, and a reader thread prints `reading` and blocks in `read`
//! on the stream (the peer sends nothing). After `DELAY` the main thread:
//!
//! - `shutdown`: prints `shutting down` and shuts the stream down both ways
//!   (how Rust code stops a thread blocked on a socket it shares, as the
//!   stream is borrowed, not closable, while the reader holds it). On Linux
//!   the blocked `read` returns 0 at once; the reader prints `reader woke:
//!   N bytes` and the program prints `done` and exits 0.
//! - `panic`: prints `panicking` and panics in a third thread. The target
//!   aborts on panic, so the whole module traps while the reader is still
//!   blocked: the host must end the guest (status 134) and close its
//!   sockets, which the peer sees as EOF.

use std::io::Read;
use std::net::Shutdown;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use wasock::net::TcpStream;
use wasock_rust_tests::{addr_arg, arg, ensure, say, Res};

/// Long enough for the reader to be blocked in the host before the main
/// thread acts (the peer cannot see when it is).
const DELAY: Duration = Duration::from_millis(200);

fn main() -> Res {
    let mode = arg(1, "mode: shutdown or panic")?;
    ensure!(mode == "shutdown" || mode == "panic", "unknown mode {mode:?}");
    let stream = Arc::new(TcpStream::connect(addr_arg(2, "peer address")?)?);
    say("connected");

    let reader = {
        let stream = Arc::clone(&stream);
        thread::Builder::new().name("reader".into()).spawn(move || {
            say("reading");
            let mut buf = [0u8; 64];
            (&*stream).read(&mut buf)
        })?
    };
    thread::sleep(DELAY);

    if mode == "panic" {
        say("panicking");
        thread::Builder::new().name("panicker".into()).spawn(|| panic!("a thread panics on purpose"))?.join().ok();
        return Err("the module outlived a panicking thread".into());
    }
    say("shutting down");
    stream.shutdown(Shutdown::Both)?;
    let n = reader.join().map_err(|_| "the reader panicked")??;
    say(format!("reader woke: {n} bytes"));
    ensure!(n == 0, "the reader got {n} bytes from a peer that sent none");
    say("done");
    Ok(())
}
