//! Echo server: `echo_server BIND_ADDR CLIENTS`. Binds (port 0 allowed),
//! prints `listening on ADDR`, then serves CLIENTS connections one after
//! another, echoing each until EOF, and exits.

use std::io::{Read, Write};

use wasock::net::TcpListener;
use wasock_rust_tests::{arg, ensure, say, Res};

fn main() -> Res {
    let bind = arg(1, "bind address")?;
    let clients: usize = arg(2, "number of clients")?.parse()?;
    let listener = TcpListener::bind(bind.as_str())?;
    let local = listener.local_addr()?;
    ensure!(local.port() != 0, "bound to port 0");
    say(format!("listening on {local}"));

    for (i, stream) in listener.incoming().take(clients).enumerate() {
        let mut stream = stream?;
        let peer = stream.peer_addr()?;
        ensure!(
            stream.local_addr()? == local,
            "accepted stream's local address {} is not the listener's {local}",
            stream.local_addr()?
        );
        ensure!(peer.ip().is_loopback(), "peer {peer} is not on loopback");
        let mut buf = [0u8; 16 * 1024];
        let mut echoed = 0;
        loop {
            let n = stream.read(&mut buf)?;
            if n == 0 {
                break;
            }
            stream.write_all(&buf[..n])?;
            echoed += n;
        }
        say(format!("client {i} from {peer}: echoed {echoed} bytes"));
    }
    say("echo_server done");
    Ok(())
}
