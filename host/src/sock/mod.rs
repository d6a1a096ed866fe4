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
pub(crate) mod sockopt;

use crate::abi::{
    accept_nonblocking, domain_from_abi, recv_flags, send_flags, Errno, FamilyHint, ShutdownHow, SocketType, ADDR_SIZE,
    UNNAMED_UNIX,
};
use crate::audit::{Decision, Operation, Rule, Target};
use crate::call::served;
use crate::ctx::{CtxView, WasockCtx};
use crate::ops::io::Buffers;
use crate::ops::{self, io};
use crate::pool::Pool;
use crate::resolve;
use crate::socket::Socket;
use crate::table::Entry;
use crate::wasi_p1::delegated;
use std::net::SocketAddr;
use std::time::SystemTime;
use wasmtime::{Caller, Linker};

/// The import module's name.
pub const MODULE: &str = "wasi_ephemeral_sock";

pub(crate) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: impl CtxView<T>) -> wasmtime::Result<()> {
    linker.func_wrap(MODULE, "open", move |mut c: Caller<'_, T>, pool: i32, family: i32, ty: i32, ret_fd: i32| {
        served(&mut c, get, |mem, st| {
            let pool = st.table().pool(pool)?.clone();
            let (domain, ty) = (domain_from_abi(family)?, SocketType::from_abi(ty)?);
            mem.range(ret_fd, 4)?;
            st.table().room_for_socket()?;
            let sock = match ty {
                SocketType::Plain(kind) => Socket::open(pool, st.hooks().clone(), domain, kind)?,
                SocketType::Tls => Socket::open_tls(pool, st.hooks().clone(), domain)?,
            };
            let fd = st.table().insert(Entry::socket(sock));
            mem.write_u32(ret_fd, fd)
        })
    })?;
    linker.func_wrap(MODULE, "close", move |mut c: Caller<'_, T>, fd: i32| {
        delegated(&mut c, get, |d| ops::close(d, fd))
    })?;
    linker.func_wrap(MODULE, "bind", move |mut c: Caller<'_, T>, fd: i32, addr: i32| {
        served(&mut c, get, |mem, st| {
            let table = st.table();
            let sock = table.socket(fd)?;
            sock.bind(mem.read_addr(addr)?)
        })
    })?;
    linker.func_wrap(MODULE, "listen", move |mut c: Caller<'_, T>, fd: i32, backlog: i32| {
        served(&mut c, get, |_, st| st.table().socket(fd)?.listen(backlog as u32))
    })?;
    linker.func_wrap(
        MODULE,
        "accept",
        move |mut c: Caller<'_, T>, fd: i32, flags: i32, ret_fd: i32, ret_addr: i32| {
            served(&mut c, get, |mem, st| {
                let nonblocking = accept_nonblocking(flags)?;
                mem.range(ret_addr, ADDR_SIZE as u64)?;
                let peer = ops::accept(mem, st, fd, nonblocking, ret_fd)?;
                mem.write_addr(ret_addr, &peer)
            })
        },
    )?;
    linker.func_wrap(MODULE, "connect", move |mut c: Caller<'_, T>, fd: i32, addr: i32| {
        served(&mut c, get, |mem, st| {
            let sock = st.table().socket_ref(fd)?;
            sock.connect(mem.read_addr(addr)?)
        })
    })?;
    linker.func_wrap(
        MODULE,
        "recv",
        move |mut c: Caller<'_, T>, fd: i32, buf: i32, len: i32, flags: i32, ret_len: i32| {
            served(&mut c, get, |mem, st| {
                let flags = recv_flags(flags)?;
                let sock = st.table().socket_ref(fd)?;
                io::recv(mem, &sock, Buffers::Buffer { ptr: buf, len }, flags, false, ret_len).map(drop)
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "send",
        move |mut c: Caller<'_, T>, fd: i32, buf: i32, len: i32, flags: i32, ret_len: i32| {
            served(&mut c, get, |mem, st| {
                let flags = send_flags(flags)?;
                let sock = st.table().socket_ref(fd)?;
                io::send(mem, &sock, Buffers::Buffer { ptr: buf, len }, flags, None, ret_len)
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "recv_from",
        move |mut c: Caller<'_, T>, fd: i32, buf: i32, len: i32, flags: i32, ret_len: i32, ret_addr: i32| {
            served(&mut c, get, |mem, st| {
                let flags = recv_flags(flags)?;
                let sock = st.table().socket_ref(fd)?;
                mem.range(ret_addr, ADDR_SIZE as u64)?;
                let got = io::recv(mem, &sock, Buffers::Buffer { ptr: buf, len }, flags, true, ret_len)?;
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
        move |mut c: Caller<'_, T>, fd: i32, buf: i32, len: i32, flags: i32, addr: i32, ret_len: i32| {
            served(&mut c, get, |mem, st| {
                let flags = send_flags(flags)?;
                let sock = st.table().socket_ref(fd)?;
                let to = mem.read_addr(addr)?;
                io::send(mem, &sock, Buffers::Buffer { ptr: buf, len }, flags, Some(&to), ret_len)
            })
        },
    )?;
    linker.func_wrap(MODULE, "shutdown", move |mut c: Caller<'_, T>, fd: i32, how: i32| {
        served(&mut c, get, |_, st| ops::shutdown(st.table().socket(fd)?, ShutdownHow::from_abi(how)?))
    })?;
    linker.func_wrap(MODULE, "addr_local", move |mut c: Caller<'_, T>, fd: i32, ret: i32| {
        served(&mut c, get, |mem, st| {
            mem.range(ret, ADDR_SIZE as u64)?;
            let table = st.table();
            let sock = table.socket(fd)?;
            if sock.is_unix() {
                return mem.write(ret, &UNNAMED_UNIX);
            }
            mem.write_addr(ret, &sock.local_addr()?)
        })
    })?;
    linker.func_wrap(MODULE, "addr_remote", move |mut c: Caller<'_, T>, fd: i32, ret: i32| {
        served(&mut c, get, |mem, st| {
            mem.range(ret, ADDR_SIZE as u64)?;
            let table = st.table();
            let sock = table.socket(fd)?;
            if sock.is_unix() {
                return mem.write(ret, &UNNAMED_UNIX);
            }
            mem.write_addr(ret, &sock.peer_addr()?)
        })
    })?;
    linker.func_wrap(
        MODULE,
        "addr_resolve",
        move |mut c: Caller<'_, T>,
              pool_fd: i32,
              host: i32,
              host_len: i32,
              port: i32,
              family: i32,
              ty: i32,
              buf: i32,
              buf_count: i32,
              ret_count: i32| {
            served(&mut c, get, |mem, st| {
                let pool = st.table().pool(pool_fd)?.clone();
                let port = u16::try_from(port).map_err(|_| Errno::INVAL)?;
                let family = FamilyHint::from_abi(family)?;
                if ty != 0 {
                    SocketType::from_abi(ty)?;
                }
                let out = mem.check_array(buf, buf_count as u32, ADDR_SIZE)?;
                mem.range(ret_count, 4)?;
                let name = mem.read_name(host, host_len as u32)?;
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
    linker.func_wrap(MODULE, "join_multicast", move |mut c: Caller<'_, T>, fd: i32, group: i32, interface: i32| {
        served(&mut c, get, |mem, st| {
            let group = mem.read_addr(group)?;
            st.table().socket(fd)?.multicast(true, group, interface as u32)
        })
    })?;
    linker.func_wrap(MODULE, "leave_multicast", move |mut c: Caller<'_, T>, fd: i32, group: i32, interface: i32| {
        served(&mut c, get, |mem, st| {
            let group = mem.read_addr(group)?;
            st.table().socket(fd)?.multicast(false, group, interface as u32)
        })
    })?;
    linker.func_wrap(
        MODULE,
        "connect_name",
        move |mut c: Caller<'_, T>, fd: i32, host: i32, host_len: i32, port: i32| {
            served(&mut c, get, |mem, st| {
                let port = u16::try_from(port).map_err(|_| Errno::INVAL)?;
                let name = mem.read_name(host, host_len as u32)?;
                let sock = st.table().socket_ref(fd)?;
                sock.connect_name(&name, port)
            })
        },
    )?;
    linker.func_wrap(MODULE, "take_error", move |mut c: Caller<'_, T>, fd: i32, ret: i32| {
        served(&mut c, get, |mem, st| {
            mem.range(ret, 2)?;
            let e = st.table().socket(fd)?.take_error()?;
            mem.write_u16(ret, e.map_or(0, |e| e.0))
        })
    })?;
    descriptors::add_to_linker(linker, get)?;
    sockopt::add_to_linker(linker, get)?;
    batch::add_to_linker(linker, get)
}

/// Reports whether `pool` grants looking `name` up; a denial is `notcapable`.
fn resolve_decision(st: &WasockCtx, pool: &Pool, pool_fd: i32, name: &str) -> Result<(), Errno> {
    let rule = pool.name_rule(name).map(Rule::Name);
    if rule.is_none() || st.hooks().wants_grants() {
        st.hooks().decided(&Decision {
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
