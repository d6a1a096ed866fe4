//! The `wasi_ephemeral_sock` import module: sockets opened from address
//! pools. The spec is `include/wasi_ephemeral_sock.spec`; a test checks that
//! this module registers exactly what it lists.
//!
//! Each function checks every guest argument before it touches a socket,
//! and checks the pointers it will write through before the operation, so
//! a call that fails leaves the socket as it was (no accepted connection or
//! received datagram is lost to a bad out-pointer).

mod batch;
mod descriptors;
pub mod io;
pub mod sockopt;

use crate::abi::{Errno, Mem, ADDR_SIZE, UNNAMED_UNIX};
use crate::audit::{Decision, Operation, Rule, Target};
use crate::call::served;
use crate::p1::close_fd;
use crate::pool::Pool;
use crate::resolve::{self, FamilyHint};
use crate::socket::{domain_from_abi, Kind, Socket};
use crate::state::HostState;
use crate::table::Entry;
use std::net::{Shutdown, SocketAddr};
use std::time::SystemTime;
use wasmtime::{Caller, Linker};

/// The import module's name.
pub const MODULE: &str = "wasi_ephemeral_sock";

/// `accept` flag: the new socket is non-blocking (preview-1 fdflags).
pub const FDFLAGS_NONBLOCK: i32 = 4;

type C<'a> = Caller<'a, HostState>;

pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    linker.func_wrap(MODULE, "open", |mut c: C<'_>, pool: i32, family: i32, ty: i32, ret_fd: i32| {
        served(&mut c, |mem, st| {
            let pool = st.table.pool(pool)?.clone();
            let (domain, kind) = (domain_from_abi(family)?, Kind::from_abi(ty)?);
            mem.range(ret_fd, 4)?;
            st.table.room_for_socket()?;
            let fd = st.table.insert(Entry::socket(Socket::open(pool, st.hooks.clone(), domain, kind)?));
            mem.write_u32(ret_fd, fd)
        })
    })?;
    linker.func_wrap(MODULE, "close", |mut c: C<'_>, fd: i32| crate::call::delegated(&mut c, |d| close_fd(d, fd)))?;
    linker.func_wrap(MODULE, "bind", |mut c: C<'_>, fd: i32, addr: i32| {
        served(&mut c, |mem, st| {
            let sock = st.table.socket(fd)?;
            sock.bind(mem.read_addr(addr)?)
        })
    })?;
    linker.func_wrap(MODULE, "listen", |mut c: C<'_>, fd: i32, backlog: i32| {
        served(&mut c, |_, st| st.table.socket(fd)?.listen(backlog as u32))
    })?;
    linker.func_wrap(MODULE, "accept", |mut c: C<'_>, fd: i32, flags: i32, ret_fd: i32, ret_addr: i32| {
        served(&mut c, |mem, st| {
            mem.range(ret_addr, ADDR_SIZE as u64)?;
            let peer = accept(mem, st, fd, flags, ret_fd)?;
            mem.write_addr(ret_addr, &peer)
        })
    })?;
    linker.func_wrap(MODULE, "connect", |mut c: C<'_>, fd: i32, addr: i32| {
        served(&mut c, |mem, st| {
            let sock = st.table.socket(fd)?;
            sock.connect(mem.read_addr(addr)?)
        })
    })?;
    linker.func_wrap(MODULE, "recv", |mut c: C<'_>, fd: i32, buf: i32, len: i32, flags: i32, ret_len: i32| {
        served(&mut c, |mem, st| {
            let flags = io::recv_flags(flags)?;
            let sock = st.table.socket(fd)?;
            mem.range(ret_len, 4)?;
            let mut iov = io::guest_buffer(mem, buf, len)?;
            let got = sock.recv(&mut iov, flags, false)?;
            mem.write_u32(ret_len, got.len as u32)
        })
    })?;
    linker.func_wrap(MODULE, "send", |mut c: C<'_>, fd: i32, buf: i32, len: i32, flags: i32, ret_len: i32| {
        served(&mut c, |mem, st| {
            let flags = io::send_flags(flags)?;
            let sock = st.table.socket(fd)?;
            mem.range(ret_len, 4)?;
            let mut iov = io::guest_buffer(mem, buf, len)?;
            let n = sock.send(&mut iov, flags, None)?;
            mem.write_u32(ret_len, n as u32)
        })
    })?;
    linker.func_wrap(
        MODULE,
        "recv_from",
        |mut c: C<'_>, fd: i32, buf: i32, len: i32, flags: i32, ret_len: i32, ret_addr: i32| {
            served(&mut c, |mem, st| {
                let flags = io::recv_flags(flags)?;
                let sock = st.table.socket(fd)?;
                mem.range(ret_len, 4)?;
                mem.range(ret_addr, ADDR_SIZE as u64)?;
                let mut iov = io::guest_buffer(mem, buf, len)?;
                let got = sock.recv(&mut iov, flags, true)?;
                mem.write_u32(ret_len, got.len as u32)?;
                // A stream (or a socketpair) has no source, as Linux's
                // recvfrom says with an address length of 0: an all-zero
                // record, which the C library turns into that length.
                match got.from {
                    Some(from) => mem.write_addr(ret_addr, &from),
                    None => mem.write(ret_addr, &[0; ADDR_SIZE]),
                }
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "send_to",
        |mut c: C<'_>, fd: i32, buf: i32, len: i32, flags: i32, addr: i32, ret_len: i32| {
            served(&mut c, |mem, st| {
                let flags = io::send_flags(flags)?;
                let sock = st.table.socket(fd)?;
                let to = mem.read_addr(addr)?;
                mem.range(ret_len, 4)?;
                let mut iov = io::guest_buffer(mem, buf, len)?;
                let n = sock.send(&mut iov, flags, Some(&to))?;
                mem.write_u32(ret_len, n as u32)
            })
        },
    )?;
    linker.func_wrap(MODULE, "shutdown", |mut c: C<'_>, fd: i32, how: i32| {
        served(&mut c, |_, st| shutdown(st.table.socket(fd)?, how))
    })?;
    linker.func_wrap(MODULE, "addr_local", |mut c: C<'_>, fd: i32, ret: i32| {
        served(&mut c, |mem, st| {
            mem.range(ret, ADDR_SIZE as u64)?;
            let sock = st.table.socket(fd)?;
            if sock.is_unix() {
                return mem.write(ret, &UNNAMED_UNIX);
            }
            mem.write_addr(ret, &sock.local_addr()?)
        })
    })?;
    linker.func_wrap(MODULE, "addr_remote", |mut c: C<'_>, fd: i32, ret: i32| {
        served(&mut c, |mem, st| {
            mem.range(ret, ADDR_SIZE as u64)?;
            let sock = st.table.socket(fd)?;
            if sock.is_unix() {
                return mem.write(ret, &UNNAMED_UNIX);
            }
            mem.write_addr(ret, &sock.peer_addr()?)
        })
    })?;
    linker.func_wrap(
        MODULE,
        "addr_resolve",
        |mut c: C<'_>,
         pool_fd: i32,
         host: i32,
         host_len: i32,
         port: i32,
         family: i32,
         ty: i32,
         buf: i32,
         buf_count: i32,
         ret_count: i32| {
            served(&mut c, |mem, st| {
                let pool = st.table.pool(pool_fd)?.clone();
                let port = u16::try_from(port).map_err(|_| Errno::INVAL)?;
                let family = FamilyHint::from_abi(family)?;
                if ty != 0 {
                    Kind::from_abi(ty)?;
                }
                let out = mem.check_array(buf, buf_count as u32, ADDR_SIZE)?;
                mem.range(ret_count, 4)?;
                let name = resolve::check_name(mem.bytes(host, host_len as u32)?)?.to_owned();
                let found = match resolve::numeric(&name) {
                    Some(ip) if family.admits(&ip) => vec![SocketAddr::new(ip, port)],
                    Some(_) => return Err(Errno::NOENT),
                    None => {
                        resolve_decision(st, &pool, pool_fd, &name)?;
                        resolve::lookup(&name, port, family)?
                    }
                };
                for (i, a) in found.iter().take(buf_count as u32 as usize).enumerate() {
                    mem.write_addr((out.start + i * ADDR_SIZE) as i32, a)?;
                }
                mem.write_u32(ret_count, found.len() as u32)
            })
        },
    )?;
    linker.func_wrap(MODULE, "join_multicast", |mut c: C<'_>, fd: i32, group: i32, interface: i32| {
        served(&mut c, |mem, st| {
            let group = mem.read_addr(group)?;
            st.table.socket(fd)?.multicast(true, group, interface as u32)
        })
    })?;
    linker.func_wrap(MODULE, "leave_multicast", |mut c: C<'_>, fd: i32, group: i32, interface: i32| {
        served(&mut c, |mem, st| {
            let group = mem.read_addr(group)?;
            st.table.socket(fd)?.multicast(false, group, interface as u32)
        })
    })?;
    linker.func_wrap(MODULE, "take_error", |mut c: C<'_>, fd: i32, ret: i32| {
        served(&mut c, |mem, st| {
            mem.range(ret, 2)?;
            let e = st.table.socket(fd)?.take_error()?;
            mem.write_u16(ret, e.map_or(0, |e| e.0))
        })
    })?;
    descriptors::add_to_linker(linker)?;
    sockopt::add_to_linker(linker)?;
    batch::add_to_linker(linker)
}

/// Reports whether `pool` grants looking `name` up; a denial is `notcapable`.
fn resolve_decision(st: &HostState, pool: &Pool, pool_fd: i32, name: &str) -> Result<(), Errno> {
    let rule = pool.name_rule(name).map(Rule::Name);
    if rule.is_none() || st.hooks.wants_grants() {
        st.hooks.decided(&Decision {
            time: SystemTime::now(),
            pool: &pool.name,
            op: Operation::Resolve,
            fd: Some(pool_fd as u32),
            local: None,
            target: Target::Name(name),
            rule,
            note: None,
        });
    }
    rule.map(drop).ok_or(Errno::NOTCAPABLE)
}

/// `accept` for both this module and preview-1 `sock_accept`: checks the
/// flags and `ret_fd`, accepts, and writes the new fd (lowest free).
pub fn accept(mem: &mut Mem<'_>, st: &mut HostState, fd: i32, flags: i32, ret_fd: i32) -> Result<SocketAddr, Errno> {
    if flags & !FDFLAGS_NONBLOCK != 0 {
        return Err(Errno::INVAL);
    }
    mem.range(ret_fd, 4)?;
    // A full table leaves the connection queued, as Linux's `EMFILE` does.
    let listener = st.table.socket(fd)?;
    st.table.room_for_socket()?;
    let (sock, peer) = listener.accept(flags & FDFLAGS_NONBLOCK != 0)?;
    let new_fd = st.table.insert(Entry::socket(sock));
    mem.write_u32(ret_fd, new_fd)?;
    Ok(peer)
}

/// `shutdown` for both this module and preview-1 `sock_shutdown` (same `how` values).
pub fn shutdown(sock: &Socket, how: i32) -> Result<(), Errno> {
    let how = match how {
        1 => Shutdown::Read,
        2 => Shutdown::Write,
        3 => Shutdown::Both,
        _ => return Err(Errno::INVAL),
    };
    Ok(sock.os().shutdown(how)?)
}
