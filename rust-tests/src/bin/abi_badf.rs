//! Every import of `wasi_ephemeral_sock`, called on an fd that is not open
//! (must be `badf`, 8) and on stdout, an fd of the wrong kind (must be
//! `notsock`, 57). This module therefore imports the whole spec, which lets
//! a host test compare its import list against the spec file.
//! Run with any pool (e.g. `--allow-connect 127.0.0.1:9`).

use wasock::sys::{self, Fd, RawAddr};
use wasock_rust_tests::{ensure, say, Res};

/// Calls every import with `fd` and valid pointers; returns (name, errno).
fn call_all(fd: Fd) -> Vec<(&'static str, i32)> {
    let mut out_fd: Fd = -1;
    let mut addr = RawAddr::from("127.0.0.1:9".parse::<std::net::SocketAddr>().unwrap());
    let group = RawAddr::from("239.1.2.3:0".parse::<std::net::SocketAddr>().unwrap());
    let mut buf = [0u8; 16];
    let mut n32 = 0u32;
    let mut n16 = 0u16;
    let host = b"localhost";
    let mut addrs = [RawAddr::default(); 4];
    // SAFETY: every pointer points to a live local of the right size.
    unsafe {
        vec![
            ("open", sys::open(fd, 1, 6, &mut out_fd)),
            ("bind", sys::bind(fd, &addr)),
            ("listen", sys::listen(fd, 1)),
            ("accept", sys::accept(fd, 0, &mut out_fd, &mut addr)),
            ("connect", sys::connect(fd, &addr)),
            ("recv", sys::recv(fd, buf.as_mut_ptr(), 16, 0, &mut n32)),
            ("send", sys::send(fd, buf.as_ptr(), 16, 0, &mut n32)),
            ("recv_from", sys::recv_from(fd, buf.as_mut_ptr(), 16, 0, &mut n32, &mut addr)),
            ("send_to", sys::send_to(fd, buf.as_ptr(), 16, 0, &addr, &mut n32)),
            ("shutdown", sys::shutdown(fd, 3)),
            ("addr_local", sys::addr_local(fd, &mut addr)),
            ("addr_remote", sys::addr_remote(fd, &mut addr)),
            (
                "addr_resolve",
                sys::addr_resolve(fd, host.as_ptr(), host.len() as u32, 80, 0, 0, addrs.as_mut_ptr(), 4, &mut n32),
            ),
            ("sockopt_set", sys::sockopt_set(fd, 1, 1, buf.as_ptr(), 4)),
            ("sockopt_get", sys::sockopt_get(fd, 1, 1, buf.as_mut_ptr(), 4, &mut n32)),
            ("join_multicast", sys::join_multicast(fd, &group, 0)),
            ("leave_multicast", sys::leave_multicast(fd, &group, 0)),
            ("take_error", sys::take_error(fd, &mut n16)),
        ]
    }
}

fn main() -> Res {
    const BADF: i32 = 8;
    const NOTSOCK: i32 = 57;
    let mut wrong = Vec::new();

    // An fd that is not open.
    let mut results = call_all(4000);
    // SAFETY: no pointers.
    results.push(("close", unsafe { sys::close(4000) }));
    for (name, errno) in results {
        if errno != BADF {
            wrong.push(format!("{name}(4000) = {errno}, expected badf (8)"));
        }
    }
    // stdout: open, but not a socket (and not a pool, for open/addr_resolve).
    for (name, errno) in call_all(1) {
        if errno != NOTSOCK {
            wrong.push(format!("{name}(stdout) = {errno}, expected notsock (57)"));
        }
    }
    for w in &wrong {
        say(w);
    }
    ensure!(wrong.is_empty(), "{} imports gave the wrong errno", wrong.len());
    say("abi_badf ok: 45 imports checked on a closed fd and on stdout");
    Ok(())
}
