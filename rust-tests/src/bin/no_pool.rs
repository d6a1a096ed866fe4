//! No network at all: `no_pool ADDR`, run with no rule. There is no pool,
//! so every operation fails with PermissionDenied; numeric addresses still
//! parse.

use std::io::ErrorKind;

use wasock::net::{lookup_host, TcpStream, UdpSocket};
use wasock::Pool;
use wasock_rust_tests::{addr_arg, ensure, expect_err, say, Res};

fn main() -> Res {
    let target = addr_arg(1, "any address")?;
    let pools = Pool::all()?;
    ensure!(pools.is_empty(), "pools without rules: {pools:?}");
    expect_err(Pool::default(), ErrorKind::PermissionDenied, "default pool")?;
    expect_err(TcpStream::connect(target), ErrorKind::PermissionDenied, "connect")?;
    expect_err(UdpSocket::bind("127.0.0.1:0"), ErrorKind::PermissionDenied, "bind")?;
    expect_err(lookup_host("localhost"), ErrorKind::PermissionDenied, "resolve")?;
    let n: Vec<_> = lookup_host("127.0.0.1")?.collect();
    ensure!(n.len() == 1, "numeric lookup without a pool: {n:?}");
    say("no_pool ok");
    Ok(())
}
