//! Connection churn: `conn_churn ADDR N EVERY`. Opens and closes N
//! connections to ADDR one after the other; the native server closes each
//! first, so the guest reads EOF, then closes its side (TIME_WAIT stays on
//! the server and the guest's ephemeral ports are reused at once).
//!
//! Every connection must get the same fd number (nothing accumulates in the
//! guest's fd table). Before the first connection and after every EVERY
//! connections the guest prints `progress I fd F` and waits for a line on
//! stdin, so the test can count the host's open fds while no socket is open.

use std::io::{BufRead, Read};
use std::os::fd::AsRawFd;

use wasock::net::TcpStream;
use wasock_rust_tests::{addr_arg, arg, ensure, say, Res};

fn pause(i: usize, fd: i32) -> Res {
    say(format!("progress {i} fd {fd}"));
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    ensure!(line.trim() == "go", "unexpected line {line:?}");
    Ok(())
}

fn main() -> Res {
    let addr = addr_arg(1, "server")?;
    let n: usize = arg(2, "connections")?.parse()?;
    let every: usize = arg(3, "progress interval")?.parse()?;
    pause(0, -1)?;
    let mut first_fd = None;
    for i in 1..=n {
        let mut s = TcpStream::connect(addr)?;
        let fd = s.as_raw_fd();
        let first = *first_fd.get_or_insert(fd);
        ensure!(fd == first, "connection {i} got fd {fd}, the first got {first}: fds accumulate");
        let mut buf = [0u8; 16];
        let got = s.read(&mut buf)?;
        ensure!(got == 0, "connection {i}: {got} bytes instead of EOF");
        drop(s);
        if i % every == 0 {
            pause(i, first)?;
        }
    }
    say(format!("churn ok {n}"));
    Ok(())
}
