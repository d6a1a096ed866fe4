//! Address pools: the network capabilities the host granted.
//!
//! `wasock run` hands a module one preopened fd per pool, numbered after the
//! preopened directories. `fd_prestat_get` tells them apart by tag (0 is a
//! directory, 1 an address pool) and `fd_prestat_dir_name` gives the pool's
//! name. The default pool is remembered after the first scan and checked
//! again (its fd must still be a pool of the same name) before each use, so
//! a program that closes or renumbers pool fds is seen at once, while a
//! connect costs two cheap host calls instead of a full scan.
//!
//! The memory is one per module, not per thread: on `wasm32-wasip1-threads`
//! every thread shares the fd table, as in a POSIX process, so a pool found
//! by one thread is the pool every other thread would find.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::{Mutex, PoisonError};

use crate::addr::{Family, RawAddr, SockType};
use crate::error::Errno;
use crate::fd;
use crate::sys;

/// The prestat tag of an address pool.
const PRESTAT_POOL: u8 = 1;
/// The name of the pool that rules given before any `--pool` form.
const DEFAULT_NAME: &str = "default";
/// The default pool the last scan found; see the module docs. Held only to
/// copy the value in or out, never across a host call.
static DEFAULT: Mutex<Option<Pool>> = Mutex::new(None);

/// Preopens start after stdin, stdout and stderr.
const FIRST_PREOPEN: RawFd = 3;
/// A bound on the scan, in case a host never says `badf`.
const MAX_SCAN: RawFd = 1 << 16;

/// A handle to an address pool granted by the host.
///
/// A pool is a set of rules: which addresses sockets opened from it may
/// connect or send to, bind to, accept from, and which names they may
/// resolve. Most programs use the [default pool](Pool::default) implicitly
/// through [`crate::net`]; programs granted several pools pick one by name.
///
/// `Pool` borrows the preopened fd; it does not close it on drop.
///
/// ```no_run
/// use wasock::Pool;
/// // Under `wasock run --allow-connect 10.0.0.0/8 --pool backup --allow-connect 192.0.2.1 ...`
/// for pool in Pool::all()? {
///     println!("pool {} on fd {}", pool.name(), std::os::fd::AsRawFd::as_raw_fd(&pool));
/// }
/// let backup = Pool::by_name("backup")?;
/// let stream = wasock::net::TcpStream::connect_in(&backup, "192.0.2.1:80")?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Pool {
    fd: RawFd,
    name: String,
}

impl Pool {
    /// Every pool the host granted, in fd order. Empty when the module runs
    /// with no network rule at all.
    ///
    /// ```no_run
    /// let names: Vec<String> = wasock::Pool::all()?.iter().map(|p| p.name().to_string()).collect();
    /// println!("granted pools: {names:?}");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn all() -> io::Result<Vec<Pool>> {
        let mut pools = Vec::new();
        for fd in FIRST_PREOPEN..MAX_SCAN {
            match fd::prestat(fd) {
                Ok(p) if p.tag == PRESTAT_POOL => pools.push(Pool { fd, name: fd::prestat_name(fd, p.name_len)? }),
                // Directories and anything else preopened: skip.
                Ok(_) => {}
                // The first fd that is not preopened ends the list.
                Err(Errno::BADF) => break,
                Err(e) => return Err(e.error("find address pools", None)),
            }
        }
        Ok(pools)
    }

    /// The default pool: the only pool if there is one, else the pool named
    /// `default` (the rules given before any `--pool`).
    ///
    /// Fails with [`PermissionDenied`](io::ErrorKind::PermissionDenied) when
    /// the host granted no pool, and with
    /// [`NotFound`](io::ErrorKind::NotFound) when there are several and none
    /// is called `default`.
    ///
    /// ```no_run
    /// let pool = wasock::Pool::default()?;
    /// println!("using pool {}", pool.name());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[allow(clippy::should_implement_trait)] // fallible; `Default` cannot be.
    pub fn default() -> io::Result<Pool> {
        // A panic elsewhere while the lock was held cannot leave a torn
        // value (it is only ever replaced whole), so poisoning is ignored.
        let cached = DEFAULT.lock().unwrap_or_else(PoisonError::into_inner).clone();
        if let Some(p) = cached.filter(Pool::still_granted) {
            return Ok(p);
        }
        let p = Pool::scan_default()?;
        *DEFAULT.lock().unwrap_or_else(PoisonError::into_inner) = Some(p.clone());
        Ok(p)
    }

    /// Whether this pool's fd is still a pool of the same name.
    fn still_granted(&self) -> bool {
        match fd::prestat(self.fd) {
            Ok(p) if p.tag == PRESTAT_POOL && p.name_len as usize == self.name.len() => {
                fd::prestat_name(self.fd, p.name_len).is_ok_and(|n| n == self.name)
            }
            _ => false,
        }
    }

    fn scan_default() -> io::Result<Pool> {
        let mut pools = Pool::all()?;
        match pools.len() {
            0 => Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "no address pool granted: the host gave this module no network access \
                 (run it with --allow-connect/--allow-bind rules)",
            )),
            1 => Ok(pools.remove(0)),
            _ => pools.into_iter().find(|p| p.name == DEFAULT_NAME).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    "several address pools granted and none is named `default`: \
                         pick one with Pool::by_name",
                )
            }),
        }
    }

    /// The pool called `name`; [`NotFound`](io::ErrorKind::NotFound) if the
    /// host granted none by that name.
    ///
    /// ```no_run
    /// let pool = wasock::Pool::by_name("backend")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn by_name(name: &str) -> io::Result<Pool> {
        Pool::all()?.into_iter().find(|p| p.name == name).ok_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, format!("no address pool named `{name}` was granted"))
        })
    }

    /// The pool's name (`default` unless the host named it with `--pool`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Resolves `host` through this pool with `addr_resolve`, returning the
    /// addresses with `port` filled in.
    ///
    /// `family` and `ty` are hints (`None`: any). The pool must grant
    /// resolving the name (`--allow-resolve`), otherwise the result is
    /// [`PermissionDenied`](io::ErrorKind::PermissionDenied); a name that
    /// does not exist is [`NotFound`](io::ErrorKind::NotFound). Numeric
    /// addresses are not special-cased here; [`crate::net::lookup_host`] and
    /// [`crate::net::ToSocketAddrs`] parse them without asking the host.
    ///
    /// ```no_run
    /// use wasock::{Family, Pool, SockType};
    /// let addrs = Pool::default()?.resolve("localhost", 80, Some(Family::Inet4), Some(SockType::Stream))?;
    /// assert!(addrs.contains(&"127.0.0.1:80".parse().unwrap()));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn resolve(
        &self,
        host: &str,
        port: u16,
        family: Option<Family>,
        ty: Option<SockType>,
    ) -> io::Result<Vec<SocketAddr>> {
        let host_len =
            u32::try_from(host.len()).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "host name too long"))?;
        let family = family.map_or(0, Family::raw);
        let ty = ty.map_or(0, SockType::raw);
        // Most names have a handful of addresses; retry once with the exact
        // count if the host found more.
        let mut buf = vec![RawAddr::default(); 16];
        loop {
            let mut total = 0u32;
            // SAFETY: `host` is valid for `host_len` bytes, `buf` for
            // `buf.len()` records, `total` is a valid place for the count.
            let r = unsafe {
                sys::addr_resolve(
                    self.fd,
                    host.as_ptr(),
                    host_len,
                    port,
                    family,
                    ty,
                    buf.as_mut_ptr(),
                    buf.len() as u32,
                    &mut total,
                )
            };
            Errno::check(r).map_err(|e| e.error_for_name("resolve", host))?;
            let total = total as usize;
            if total > buf.len() {
                buf.resize(total, RawAddr::default());
                continue;
            }
            let mut out: Vec<SocketAddr> = Vec::with_capacity(total);
            for raw in &buf[..total] {
                let a = raw.to_socket_addr()?;
                // Hosts may list an address once per socket type; keep one.
                if !out.contains(&a) {
                    out.push(a);
                }
            }
            return Ok(out);
        }
    }
}

impl AsRawFd for Pool {
    fn as_raw_fd(&self) -> RawFd {
        self.fd
    }
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool").field("fd", &self.fd).field("name", &self.name).finish()
    }
}

#[cfg(all(test, not(target_os = "wasi")))]
mod tests {
    use super::*;

    #[test]
    fn unsupported_off_wasi() {
        assert_eq!(Pool::all().unwrap_err().kind(), io::ErrorKind::Unsupported);
        assert_eq!(Pool::default().unwrap_err().kind(), io::ErrorKind::Unsupported);
    }
}
