//! Named pools: `pools ADDR_DEFAULT ADDR_OTHER`, run with
//! `--allow-connect ADDR_DEFAULT --pool other --allow-connect ADDR_OTHER`
//! (both TCP echo servers). Each address is reachable only from its pool.

use std::io::{ErrorKind, Read, Write};

use wasock::net::TcpStream;
use wasock::Pool;
use wasock_rust_tests::{addr_arg, ensure, expect_err, say, Res};

fn echo(mut s: TcpStream, what: &[u8]) -> Res {
    s.write_all(what)?;
    let mut back = vec![0u8; what.len()];
    s.read_exact(&mut back)?;
    ensure!(back == what, "echo differs");
    Ok(())
}

fn main() -> Res {
    let a = addr_arg(1, "address of the default pool")?;
    let b = addr_arg(2, "address of pool `other`")?;

    let names: Vec<String> = Pool::all()?.iter().map(|p| p.name().to_string()).collect();
    say(format!("pools: {names:?}"));
    ensure!(names == ["default", "other"], "pools are {names:?}");
    let default = Pool::default()?;
    ensure!(default.name() == "default", "default pool is {default:?}");
    let other = Pool::by_name("other")?;
    expect_err(Pool::by_name("nope"), ErrorKind::NotFound, "unknown pool")?;

    echo(TcpStream::connect(a)?, b"via default")?;
    echo(TcpStream::connect_in(&other, b)?, b"via other")?;
    expect_err(TcpStream::connect(b), ErrorKind::PermissionDenied, "other's address from default")?;
    expect_err(TcpStream::connect_in(&other, a), ErrorKind::PermissionDenied, "default's address from other")?;
    say("pools ok");
    Ok(())
}
