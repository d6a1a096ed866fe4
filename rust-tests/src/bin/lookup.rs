//! Name resolution: `lookup`, run with `--allow-resolve localhost
//! --allow-resolve '*.invalid'`. Checks `lookup_host` on `localhost`, on
//! numeric addresses (answered without the host), on a granted name that
//! does not exist (NotFound) and on a name the pool does not grant
//! (PermissionDenied), plus `ToSocketAddrs` with a port.

use std::io::ErrorKind;

use wasock::net::{lookup_host, ToSocketAddrs};
use wasock::Errno;
use wasock_rust_tests::{ensure, expect_err, say, Res};

fn main() -> Res {
    let local: Vec<_> = lookup_host("localhost")?.collect();
    say(format!("localhost -> {local:?}"));
    ensure!(!local.is_empty(), "localhost resolved to nothing");
    ensure!(local.iter().all(|a| a.ip().is_loopback() && a.port() == 0), "localhost is not loopback: {local:?}");

    let numeric: Vec<_> = lookup_host("192.0.2.7")?.collect();
    ensure!(numeric == ["192.0.2.7:0".parse()?], "numeric v4 gave {numeric:?}");
    let numeric6: Vec<_> = lookup_host("2001:db8::1")?.collect();
    ensure!(numeric6 == ["[2001:db8::1]:0".parse()?], "numeric v6 gave {numeric6:?}");

    let with_port: Vec<_> = ("localhost", 8080).to_socket_addrs()?.collect();
    ensure!(
        !with_port.is_empty() && with_port.iter().all(|a| a.port() == 8080),
        "(localhost, 8080) gave {with_port:?}"
    );
    let from_str: Vec<_> = "localhost:9".to_socket_addrs()?.collect();
    ensure!(from_str.iter().all(|a| a.port() == 9 && a.ip().is_loopback()), "localhost:9 gave {from_str:?}");

    let e = expect_err(lookup_host("no-such-host.invalid"), ErrorKind::NotFound, "unknown name")?;
    ensure!(e.to_string().contains("no-such-host.invalid"), "message does not name the host: {e}");
    let e = expect_err(lookup_host("example.com"), ErrorKind::PermissionDenied, "name outside the pool")?;
    ensure!(Errno::of(&e) == Some(Errno::NOTCAPABLE), "errno {:?}", Errno::of(&e));
    expect_err("example.com:80".to_socket_addrs(), ErrorKind::PermissionDenied, "example.com:80")?;
    say("lookup ok");
    Ok(())
}
