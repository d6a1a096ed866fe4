//! What the suites read of the operating system (Linux's `/proc`) and the
//! two socket calls std does not offer.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::os::fd::AsRawFd;
use std::time::Duration;

/// The open fds of a process (`"self"` or a pid): number -> what it points
/// to (`socket:[INODE]`, `pipe:[INODE]`, a path), from `/proc/PID/fd`.
pub fn open_fds(pid: &str) -> BTreeMap<u32, String> {
    let dir = format!("/proc/{pid}/fd");
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {dir}: {e}")).flatten() {
        let Some(n) = e.file_name().to_str().and_then(|n| n.parse().ok()) else { continue };
        // An fd closed between the listing and the readlink is simply gone.
        if let Ok(target) = std::fs::read_link(e.path()) {
            let target = target.to_string_lossy().into_owned();
            // Not the directory handle this listing itself holds.
            if !(target.starts_with("/proc/") && target.ends_with("/fd")) {
                out.insert(n, target);
            }
        }
    }
    out
}

/// A process's CPU time so far (user + system), from `/proc/PID/stat`: what
/// an idle guest must not use up.
pub fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // USER_HZ, the unit of these fields, is 100 on Linux.
    Duration::from_millis(ticks * 10)
}

/// The names of a process's threads (`/proc/PID/task/*/comm`), in no
/// particular order.
pub fn thread_names(pid: u32) -> Vec<String> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).unwrap();
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .map(|n| n.trim_end().to_string())
        .collect()
}

/// The soft limit on open files of this process (`ulimit -n`), from `/proc/self/limits`.
pub fn fd_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let soft = line.split_whitespace().nth(3)?;
    if soft == "unlimited" {
        return Some(u64::MAX);
    }
    soft.parse().ok()
}

mod libc_min {
    //! The two socket calls std does not offer, declared by hand (Linux
    //! values) so the harness needs no extra dependency.
    pub const SOL_SOCKET: i32 = 1;
    pub const SO_LINGER: i32 = 13;
    #[repr(C)]
    pub struct Linger {
        pub l_onoff: i32,
        pub l_linger: i32,
    }
    extern "C" {
        pub fn setsockopt(fd: i32, level: i32, name: i32, value: *const core::ffi::c_void, len: u32) -> i32;
        pub fn listen(fd: i32, backlog: i32) -> i32;
    }
}

/// `Ok` for a libc return of 0, else the errno.
fn check(r: i32) -> std::io::Result<()> {
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Sets `SO_LINGER` to on with 0 seconds: closing the socket then resets the
/// connection (the peer reads `ECONNRESET`) instead of ending it with FIN.
pub fn set_linger_zero(s: &impl AsRawFd) -> std::io::Result<()> {
    let l = libc_min::Linger { l_onoff: 1, l_linger: 0 };
    let len = std::mem::size_of::<libc_min::Linger>() as u32;
    // SAFETY: a valid fd and a valid `struct linger` of `len` bytes.
    check(unsafe {
        libc_min::setsockopt(
            s.as_raw_fd(),
            libc_min::SOL_SOCKET,
            libc_min::SO_LINGER,
            (&l as *const libc_min::Linger).cast(),
            len,
        )
    })
}

/// Changes the backlog of a listening socket (`listen` again, as Linux allows).
pub fn set_backlog(l: &TcpListener, backlog: i32) -> std::io::Result<()> {
    // SAFETY: a valid listening socket.
    check(unsafe { libc_min::listen(l.as_raw_fd(), backlog) })
}

/// Prints one figure for `make reliability` (`scripts/reliability.sh`
/// collects these lines from the suites' output).
pub fn reliability(key: &str, value: impl std::fmt::Display) {
    println!("RELIABILITY: {key}={value}");
}
