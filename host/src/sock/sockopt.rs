//! `sockopt_set` and `sockopt_get`: every socket option through one pair of
//! imports, keyed by the spec's own (level, name) numbers.
//!
//! The table is the spec's `option` lines (`include/wasi_ephemeral_sock.spec`),
//! each resolved to a kernel option through [`KERNEL`], the host's allow-list
//! of kernel options a guest may touch. A spec line naming a kernel option
//! that is not in the allow-list makes [`Table::from_spec`] fail, so the host
//! refuses to start rather than pass an unvetted option to the kernel.
//! Options that could widen what a pool grants (`SO_BINDTODEVICE`,
//! `IP_TRANSPARENT`, `SO_ATTACH_FILTER`, ...) are in neither, so they are
//! `noprotoopt` like any option the host does not know.

use crate::abi::option::{decode, encode, flag, kernel_size, Value, VALUE_MAX};
use crate::abi::{Errno, Kind};
use crate::call::served;
use crate::ctx::CtxView;
use crate::socket::Socket;
use crate::spec::{self, Applies, OptType, SpecOpt};
use crate::tls::session::Info;
use libc::{c_int, c_void, socklen_t};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use wasmtime::{Caller, Linker};

use super::MODULE;

type R<T> = Result<T, Errno>;

macro_rules! kernel {
    ($(($level:ident, $name:ident)),* $(,)?) => {
        &[$((stringify!($level), stringify!($name), libc::$level, libc::$name)),*]
    };
}

/// The kernel options a guest may set and read: (level name, option name,
/// level, option). Adding one here is a security decision: it must not let a
/// socket reach or receive anything its pool does not grant.
pub const KERNEL: &[(&str, &str, c_int, c_int)] = kernel![
    (SOL_SOCKET, SO_REUSEADDR),
    (SOL_SOCKET, SO_REUSEPORT),
    (SOL_SOCKET, SO_KEEPALIVE),
    (SOL_SOCKET, SO_BROADCAST),
    (SOL_SOCKET, SO_RCVBUF),
    (SOL_SOCKET, SO_SNDBUF),
    (SOL_SOCKET, SO_RCVTIMEO),
    (SOL_SOCKET, SO_SNDTIMEO),
    (SOL_SOCKET, SO_LINGER),
    (IPPROTO_IP, IP_TTL),
    (IPPROTO_IP, IP_TOS),
    (IPPROTO_IP, IP_MULTICAST_TTL),
    (IPPROTO_IP, IP_MULTICAST_LOOP),
    (IPPROTO_IP, IP_MULTICAST_IF),
    (IPPROTO_IPV6, IPV6_V6ONLY),
    (IPPROTO_IPV6, IPV6_UNICAST_HOPS),
    (IPPROTO_IPV6, IPV6_MULTICAST_HOPS),
    (IPPROTO_IPV6, IPV6_MULTICAST_LOOP),
    (IPPROTO_IPV6, IPV6_TCLASS),
    (IPPROTO_IPV6, IPV6_MULTICAST_IF),
    (IPPROTO_TCP, TCP_NODELAY),
    (IPPROTO_TCP, TCP_MAXSEG),
    (IPPROTO_TCP, TCP_KEEPIDLE),
    (IPPROTO_TCP, TCP_KEEPINTVL),
    (IPPROTO_TCP, TCP_KEEPCNT),
    (IPPROTO_TCP, TCP_USER_TIMEOUT),
    (IPPROTO_TCP, TCP_QUICKACK),
    (IPPROTO_TCP, TCP_DEFER_ACCEPT),
    (IPPROTO_TCP, TCP_CONGESTION),
    (IPPROTO_TCP, TCP_FASTOPEN),
    (IPPROTO_TCP, TCP_FASTOPEN_CONNECT),
];

/// The options the host serves itself (level `SOL_WASOCK` in the spec):
/// (level name, option name, what it is).
pub const HOST: &[(&str, &str, HostOpt)] = &[
    ("SOL_WASOCK", "WASOCK_EDGE_TRIGGERED", HostOpt::EdgeTriggered),
    ("SOL_WASOCK_TLS", "WASOCK_TLS_PEER_CERTIFICATE", HostOpt::Tls(TlsOpt::PeerCertificate)),
    ("SOL_WASOCK_TLS", "WASOCK_TLS_PEER_IDENTITY", HostOpt::Tls(TlsOpt::PeerIdentity)),
    ("SOL_WASOCK_TLS", "WASOCK_TLS_SERVER_NAME", HostOpt::Tls(TlsOpt::ServerName)),
    ("SOL_WASOCK_TLS", "WASOCK_TLS_VERSION", HostOpt::Tls(TlsOpt::Version)),
    ("SOL_WASOCK_TLS", "WASOCK_TLS_CIPHER_SUITE", HostOpt::Tls(TlsOpt::CipherSuite)),
];

/// An option of the host's own, not the kernel's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostOpt {
    /// Edge-triggered `poll_oneoff` readiness ([`crate::socket::Readiness`]).
    EdgeTriggered,
    /// A fact about a TLS connection (read-only).
    Tls(TlsOpt),
}

/// The read-only `tls.*` options (the spec's level 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsOpt {
    /// `tls.peer_certificate`.
    PeerCertificate,
    /// `tls.peer_identity`.
    PeerIdentity,
    /// `tls.server_name`.
    ServerName,
    /// `tls.version`.
    Version,
    /// `tls.cipher_suite`.
    CipherSuite,
}

impl TlsOpt {
    fn info(self) -> Info {
        match self {
            TlsOpt::PeerCertificate => Info::PeerCertificate,
            TlsOpt::PeerIdentity => Info::PeerIdentity,
            TlsOpt::ServerName => Info::ServerName,
            TlsOpt::Version => Info::Version,
            TlsOpt::CipherSuite => Info::CipherSuite,
        }
    }
}

/// One option a guest may use: where it goes (the kernel's level and name,
/// or the host) and how its value is coded.
#[derive(Debug, Clone, Copy)]
pub struct Opt {
    /// The kernel level (`SOL_SOCKET`, `IPPROTO_TCP`, ...).
    pub level: c_int,
    /// The kernel option name.
    pub name: c_int,
    /// How its value is laid out.
    pub ty: OptType,
    /// A host-served option (not a kernel one), if it is one.
    pub host: Option<HostOpt>,
}

/// The options by the spec's (level, name).
/// Sorted by (level, name), searched by halves: a few dozen entries, and
/// the option calls are the host's cheapest, so no hashing.
pub struct Table(Vec<((u32, u32), Opt)>);

impl Table {
    /// Builds the table from the spec's `option` lines; an option the
    /// allow-list lacks is an error.
    pub fn from_spec(text: &str) -> Result<Table, String> {
        let mut opts = Vec::new();
        for o in spec::parse_options(text)? {
            let opt = resolve(&o)?;
            // The tls options are written straight from the session, never
            // through a stack `Value`.
            let on_stack = !matches!(opt.host, Some(HostOpt::Tls(_)));
            if on_stack && kernel_size(o.ty).max(o.ty.min_len() as usize) > VALUE_MAX {
                return Err(format!("spec option {}: values longer than {VALUE_MAX} bytes", o.ident));
            }
            opts.push(((o.level, o.name), opt));
        }
        opts.sort_by_key(|(k, _)| *k);
        opts.dedup_by_key(|(k, _)| *k);
        Ok(Table(opts))
    }

    /// The option for a guest's (level, name), if the socket has it, else
    /// the error Linux gives for an option it does not know: for a level
    /// unknown to the socket's protocol (any level but the spec's, a `tcp`
    /// option on a datagram socket, an `ipv6` one on an IPv4 socket),
    /// `noprotoopt` from setsockopt but `notsup` from getsockopt on an IPv4
    /// socket (`ip_getsockopt`'s answer); for an unknown name in a level the
    /// socket has, `noprotoopt`.
    fn lookup(&self, sock: &Socket, level: u32, name: u32, get: bool) -> R<Opt> {
        let applies = match spec::LEVELS.iter().find(|l| l.1 == level).map(|l| l.2) {
            Some(Applies::Any) => true,
            Some(Applies::Inet6) => sock.is_ipv6()?,
            Some(Applies::Stream) => sock.kind() == Kind::Stream,
            Some(Applies::Tls) => sock.is_tls(),
            None => false,
        };
        if !applies {
            return Err(if get && !sock.is_ipv6()? { Errno::NOTSUP } else { Errno::NOPROTOOPT });
        }
        let at = self.0.binary_search_by_key(&(level, name), |(k, _)| *k).map_err(|_| Errno::NOPROTOOPT)?;
        Ok(self.0[at].1)
    }
}

fn resolve(o: &SpecOpt) -> Result<Opt, String> {
    let (level, name) = (o.linux.0.as_str(), o.linux.1.as_str());
    if let Some(&(_, _, h)) = HOST.iter().find(|k| (k.0, k.1) == (level, name)) {
        return Ok(Opt { level: -1, name: -1, ty: o.ty, host: Some(h) });
    }
    let &(_, _, l, n) = KERNEL
        .iter()
        .find(|k| (k.0, k.1) == (level, name))
        .ok_or_else(|| format!("spec option {}: {level}/{name} is not in the host's allow-list", o.ident))?;
    Ok(Opt { level: l, name: n, ty: o.ty, host: None })
}

/// A congestion control the kernel does not have yet is `noent` here: a
/// host with `CAP_NET_ADMIN` (root) would otherwise have the kernel load the
/// module `tcp_NAME` for any name a guest sends.
fn check_congestion(name: &[u8]) -> R<()> {
    let name = name.split(|&b| b == 0).next().unwrap_or_default();
    let available = std::fs::read("/proc/sys/net/ipv4/tcp_available_congestion_control").unwrap_or_default();
    match available.split(|b| b.is_ascii_whitespace()).any(|a| !a.is_empty() && a == name) {
        true => Ok(()),
        false => Err(Errno::NOENT),
    }
}

fn set(sock: &Socket, opt: Opt, value: &[u8]) -> R<()> {
    let k = encode(opt.ty, value)?;
    let k = k.bytes();
    match opt.host {
        Some(HostOpt::EdgeTriggered) => {
            sock.readiness().set_edge(flag(value)? != 0);
            return Ok(());
        }
        // Read-only, as Linux answers a set of `SO_ERROR`.
        Some(HostOpt::Tls(_)) => return Err(Errno::NOPROTOOPT),
        None => {}
    }
    if (opt.level, opt.name) == (libc::IPPROTO_TCP, libc::TCP_CONGESTION) {
        check_congestion(k)?;
    }
    // SAFETY: `k` is valid for `k.len()` bytes for the duration of the call.
    let r = unsafe {
        libc::setsockopt(sock.as_raw_fd(), opt.level, opt.name, k.as_ptr().cast::<c_void>(), k.len() as socklen_t)
    };
    if r != 0 {
        return Err(std::io::Error::last_os_error().into());
    }
    if (opt.level, opt.name) == (libc::IPPROTO_IPV6, libc::IPV6_V6ONLY) {
        sock.v6only_changed();
    }
    Ok(())
}

fn get(sock: &Socket, opt: Opt) -> R<Value> {
    match opt.host {
        Some(HostOpt::EdgeTriggered) => return Ok(Value::new(&u32::from(sock.readiness().is_edge()).to_le_bytes())),
        // Served before the table's lock is left (see `sockopt_get`).
        Some(HostOpt::Tls(_)) => return Err(Errno::NOPROTOOPT),
        None => {}
    }
    let mut k = Value::zeroed(kernel_size(opt.ty));
    let buf = k.bytes_mut();
    let mut len = buf.len() as socklen_t;
    // SAFETY: `buf` is valid for `len` bytes, `len` for a socklen_t.
    let r =
        unsafe { libc::getsockopt(sock.as_raw_fd(), opt.level, opt.name, buf.as_mut_ptr().cast::<c_void>(), &mut len) };
    if r != 0 {
        return Err(std::io::Error::last_os_error().into());
    }
    k.truncate(len as usize);
    Ok(decode(opt.ty, k.bytes()))
}

/// The most of an option value read from the guest: more than any option
/// in the table takes (a `timeval` is 16 bytes, a congestion algorithm's
/// name 16), so a longer `value_len` reads the same as Linux does (it reads
/// what the option needs) without making the host copy a guest-sized buffer.
const MAX_VALUE: u32 = 256;

pub(crate) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, view: impl CtxView<T>) -> wasmtime::Result<()> {
    let table = Arc::new(Table::from_spec(spec::SPEC).map_err(wasmtime::Error::msg)?);
    let t = table.clone();
    linker.func_wrap(
        MODULE,
        "sockopt_set",
        move |mut c: Caller<'_, T>, fd: i32, level: i32, name: i32, value: i32, value_len: i32| {
            served(&mut c, view, |mem, st| {
                let fds = st.table();
                let sock = fds.socket(fd)?;
                mem.range(value, u64::from(value_len as u32))?;
                let value = mem.read_vec(value, (value_len as u32).min(MAX_VALUE))?;
                let opt = t.lookup(sock, level as u32, name as u32, false)?;
                set(sock, opt, &value)
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "sockopt_get",
        move |mut c: Caller<'_, T>, fd: i32, level: i32, name: i32, buf: i32, buf_len: i32, ret_len: i32| {
            served(&mut c, view, |mem, st| {
                let fds = st.table();
                let sock = fds.socket(fd)?;
                mem.range(buf, u64::from(buf_len as u32))?;
                mem.range(ret_len, 4)?;
                let opt = table.lookup(sock, level as u32, name as u32, true)?;
                if let Some(HostOpt::Tls(what)) = opt.host {
                    // It may wait for the handshake: hold the socket, not the table.
                    let sock = fds.socket_ref(fd)?;
                    drop(fds);
                    let v = sock.tls_info(what.info())?;
                    let n = v.len().min(buf_len as u32 as usize);
                    mem.write(buf, &v[..n])?;
                    return mem.write_u32(ret_len, n as u32);
                }
                let v = get(sock, opt)?;
                let v = v.bytes();
                let n = v.len().min(buf_len as u32 as usize);
                mem.write(buf, &v[..n])?;
                mem.write_u32(ret_len, n as u32)
            })
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_option_is_allowed_and_every_allowed_one_is_in_the_spec() {
        let table = Table::from_spec(spec::SPEC).unwrap();
        let opts = spec::parse_options(spec::SPEC).unwrap();
        assert_eq!(table.0.len(), opts.len());
        for k in KERNEL {
            assert!(opts.iter().any(|o| (o.linux.0.as_str(), o.linux.1.as_str()) == (k.0, k.1)), "{k:?} unused");
        }
        let bad = "option 1 1 socket.bind_to_device string:16 any SOL_SOCKET SO_BINDTODEVICE";
        assert!(Table::from_spec(bad).is_err());
    }

    #[test]
    fn only_loaded_congestion_controls_are_asked_for() {
        assert_eq!(check_congestion(b"reno"), Ok(()), "reno is built into every kernel");
        assert_eq!(check_congestion(b"reno\0\0"), Ok(()));
        assert_eq!(check_congestion(b"no_such_module"), Err(Errno::NOENT));
        assert_eq!(check_congestion(b""), Err(Errno::NOENT));
    }
}
