//! Pool denials: `denied TARGET`, run with a pool that does not grant
//! TARGET (nor any bind or resolve). Connecting, binding, sending to and
//! resolving must all fail with PermissionDenied (errno notcapable) and the
//! connect error must name the address.

use std::io::ErrorKind;

use wasock::net::{lookup_host, TcpListener, TcpStream};
use wasock::{Errno, Family, SockType, Socket};
use wasock_rust_tests::{addr_arg, ensure, expect_err, say, Res};

fn main() -> Res {
    let target = addr_arg(1, "address outside the pool")?;

    let e = expect_err(TcpStream::connect(target), ErrorKind::PermissionDenied, "connect")?;
    ensure!(Errno::of(&e) == Some(Errno::NOTCAPABLE), "errno {:?}", Errno::of(&e));
    ensure!(e.to_string().contains(&target.to_string()), "message does not name {target}: {e}");

    expect_err(
        TcpStream::connect_timeout(&target, std::time::Duration::from_secs(2)),
        ErrorKind::PermissionDenied,
        "connect_timeout",
    )?;

    let udp = Socket::new(Family::of(&target), SockType::Datagram)?;
    expect_err(udp.send_to(b"x", &target), ErrorKind::PermissionDenied, "send_to")?;
    expect_err(udp.connect(&target), ErrorKind::PermissionDenied, "udp connect")?;

    expect_err(TcpListener::bind("127.0.0.1:0"), ErrorKind::PermissionDenied, "bind")?;
    expect_err(lookup_host("localhost"), ErrorKind::PermissionDenied, "resolve")?;
    say("denied ok");
    Ok(())
}
