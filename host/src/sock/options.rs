//! The deprecated per-option imports (`set_NAME`/`get_NAME` pairs), kept for
//! v0 guests until the next ABI break; new code uses `sockopt_set` and
//! `sockopt_get` ([`super::sockopt`]). Each pair is registered from a table
//! so that every option checks its fd, value and out-pointer the same way.

use crate::abi::Errno;
use crate::call::served;
use crate::socket::Socket;
use crate::state::HostState;
use std::time::Duration;
use wasmtime::{Caller, Linker};

use super::MODULE;

type R<T> = Result<T, Errno>;
type C<'a> = Caller<'a, HostState>;

/// A boolean option (`u8` on the wire: 0 or 1, see [`flag`]).
struct Flag {
    name: &'static str,
    get: fn(&Socket) -> R<bool>,
    set: fn(&Socket, bool) -> R<()>,
}

/// A `u32` option.
struct Number {
    name: &'static str,
    get: fn(&Socket) -> R<u32>,
    set: fn(&Socket, u32) -> R<()>,
}

/// Picks the IPv4 or IPv6 variant of an option by the socket's family.
fn by_family<T>(s: &Socket, v4: impl FnOnce() -> std::io::Result<T>, v6: impl FnOnce() -> std::io::Result<T>) -> R<T> {
    Ok(if s.is_ipv6()? { v6()? } else { v4()? })
}

const FLAGS: &[Flag] = &[
    Flag { name: "reuse_addr", get: |s| Ok(s.os().reuse_address()?), set: |s, v| Ok(s.os().set_reuse_address(v)?) },
    Flag { name: "reuse_port", get: |s| Ok(s.os().reuse_port()?), set: |s, v| Ok(s.os().set_reuse_port(v)?) },
    Flag { name: "nodelay", get: |s| Ok(s.os().tcp_nodelay()?), set: |s, v| Ok(s.os().set_tcp_nodelay(v)?) },
    Flag { name: "keepalive", get: |s| Ok(s.os().keepalive()?), set: |s, v| Ok(s.os().set_keepalive(v)?) },
    Flag { name: "v6only", get: |s| Ok(s.os().only_v6()?), set: |s, v| Ok(s.os().set_only_v6(v)?) },
    Flag { name: "broadcast", get: |s| Ok(s.os().broadcast()?), set: |s, v| Ok(s.os().set_broadcast(v)?) },
    Flag {
        name: "multicast_loop",
        get: |s| by_family(s, || s.os().multicast_loop_v4(), || s.os().multicast_loop_v6()),
        set: |s, v| by_family(s, || s.os().set_multicast_loop_v4(v), || s.os().set_multicast_loop_v6(v)),
    },
];

/// A boolean argument: 0 is false, 1 true, anything else `inval` (checked
/// before the socket is touched, so the option keeps its value). Only the
/// two values make a call that means one thing; C's any-non-zero-is-true is
/// the SDK's business (`setsockopt` passes `value != 0`).
fn flag(v: i32) -> R<bool> {
    match v {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Errno::INVAL),
    }
}

fn size(v: usize) -> u32 {
    v.min(u32::MAX as usize) as u32
}

const NUMBERS: &[Number] = &[
    Number {
        name: "recv_buf_size",
        get: |s| Ok(size(s.os().recv_buffer_size()?)),
        set: |s, v| Ok(s.os().set_recv_buffer_size(v as usize)?),
    },
    Number {
        name: "send_buf_size",
        get: |s| Ok(size(s.os().send_buffer_size()?)),
        set: |s, v| Ok(s.os().set_send_buffer_size(v as usize)?),
    },
    Number {
        name: "ttl",
        get: |s| by_family(s, || s.os().ttl_v4(), || s.os().unicast_hops_v6()),
        set: |s, v| by_family(s, || s.os().set_ttl_v4(v), || s.os().set_unicast_hops_v6(v)),
    },
    Number {
        name: "multicast_ttl",
        get: |s| by_family(s, || s.os().multicast_ttl_v4(), || s.os().multicast_hops_v6()),
        set: |s, v| by_family(s, || s.os().set_multicast_ttl_v4(v), || s.os().set_multicast_hops_v6(v)),
    },
];

/// A timeout in nanoseconds, 0 = none. Anything shorter than the kernel's
/// microsecond resolution becomes one microsecond, never "no timeout".
fn timeout_from_ns(ns: u64) -> Option<Duration> {
    (ns != 0).then(|| Duration::from_nanos(ns.max(1_000)))
}

fn timeout_to_ns(t: Option<Duration>) -> u64 {
    t.map_or(0, |d| d.as_nanos().min(u128::from(u64::MAX)) as u64)
}

pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    for opt in FLAGS {
        let (get, set) = (opt.get, opt.set);
        linker.func_wrap(MODULE, &format!("set_{}", opt.name), move |mut c: C<'_>, fd: i32, v: i32| {
            served(&mut c, |_, st| {
                let sock = st.table.socket(fd)?;
                set(sock, flag(v)?)
            })
        })?;
        linker.func_wrap(MODULE, &format!("get_{}", opt.name), move |mut c: C<'_>, fd: i32, ret: i32| {
            served(&mut c, |mem, st| {
                mem.range(ret, 1)?;
                let v = get(st.table.socket(fd)?)?;
                mem.write_u8(ret, v.into())
            })
        })?;
    }
    for opt in NUMBERS {
        let (get, set) = (opt.get, opt.set);
        linker.func_wrap(MODULE, &format!("set_{}", opt.name), move |mut c: C<'_>, fd: i32, v: i32| {
            served(&mut c, |_, st| set(st.table.socket(fd)?, v as u32))
        })?;
        linker.func_wrap(MODULE, &format!("get_{}", opt.name), move |mut c: C<'_>, fd: i32, ret: i32| {
            served(&mut c, |mem, st| {
                mem.range(ret, 4)?;
                let v = get(st.table.socket(fd)?)?;
                mem.write_u32(ret, v)
            })
        })?;
    }
    linker.func_wrap(MODULE, "set_recv_timeout", |mut c: C<'_>, fd: i32, ns: i64| {
        served(&mut c, |_, st| Ok(st.table.socket(fd)?.os().set_read_timeout(timeout_from_ns(ns as u64))?))
    })?;
    linker.func_wrap(MODULE, "get_recv_timeout", |mut c: C<'_>, fd: i32, ret: i32| {
        served(&mut c, |mem, st| {
            mem.range(ret, 8)?;
            let t = st.table.socket(fd)?.os().read_timeout()?;
            mem.write_u64(ret, timeout_to_ns(t))
        })
    })?;
    linker.func_wrap(MODULE, "set_send_timeout", |mut c: C<'_>, fd: i32, ns: i64| {
        served(&mut c, |_, st| Ok(st.table.socket(fd)?.os().set_write_timeout(timeout_from_ns(ns as u64))?))
    })?;
    linker.func_wrap(MODULE, "get_send_timeout", |mut c: C<'_>, fd: i32, ret: i32| {
        served(&mut c, |mem, st| {
            mem.range(ret, 8)?;
            let t = st.table.socket(fd)?.os().write_timeout()?;
            mem.write_u64(ret, timeout_to_ns(t))
        })
    })?;
    linker.func_wrap(MODULE, "set_linger", |mut c: C<'_>, fd: i32, on: i32, secs: i32| {
        served(&mut c, |_, st| {
            let sock = st.table.socket(fd)?;
            let linger = flag(on)?.then(|| Duration::from_secs(u64::from(secs as u32)));
            Ok(sock.os().set_linger(linger)?)
        })
    })?;
    linker.func_wrap(MODULE, "get_linger", |mut c: C<'_>, fd: i32, ret_on: i32, ret_secs: i32| {
        served(&mut c, |mem, st| {
            mem.range(ret_on, 1)?;
            mem.range(ret_secs, 4)?;
            let l = st.table.socket(fd)?.os().linger()?;
            mem.write_u8(ret_on, l.is_some().into())?;
            mem.write_u32(ret_secs, l.map_or(0, |d| d.as_secs().min(u64::from(u32::MAX)) as u32))
        })
    })?;
    Ok(())
}
