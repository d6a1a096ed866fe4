//! Regular files the host serves itself: read-only opens beneath a
//! preopened directory.
//!
//! Every other file call goes to wasmtime-wasi, whose preview-1 layer costs
//! a file server dearly: a `stat` is two `openat2`/`statx`/`close` rounds
//! (the second for the inode hash it reports), `fstat` two `statx`, and
//! every call runs through its descriptor table and async wrappers
//! (bench/findings.md, "Files"). A read-only open of a regular file is the
//! whole of a static-file server's file work, so the router serves that one
//! case from here: one `openat2` and one `fstat` to open, `preadv`
//! straight into guest memory to read, one `fstat` for a stat.
//!
//! **Confinement** is the kernel's, as it is wasmtime-wasi's on Linux:
//! `openat2` with `RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS` from the host's
//! own handle on the preopened directory. Any open this path does not
//! finish (an escape, a symlink where none may be followed, a missing file,
//! a kernel without `openat2`, a directory or anything but a regular file)
//! goes to wasmtime-wasi, which answers it as it always did. So this path
//! can only ever open what wasmtime-wasi would have opened.
//!
//! **Answers match wasmtime-wasi's** where a guest could compare them with
//! a file wasmtime-wasi still serves: `filestat` reports device 1 and the
//! inode as wasmtime-wasi hashes it, and the offset is the host's own (a
//! `preadv` at it), as wasmtime-wasi keeps it. Where wasmtime-wasi departs
//! from Linux for no reason a program could rely on, this follows Linux:
//! `readv` fills every buffer, and `poll` reports a regular file ready
//! with no hang-up (see `p1/files.rs`).

use std::ffi::CStr;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use crate::sys::IoVecs;

/// A regular file opened read-only beneath a preopened directory.
pub struct HostFile {
    fd: OwnedFd,
    /// The offset reads start at, moved by reads and seeks (shared by the
    /// file's numbers, as one open file description's offset is). A lock,
    /// not an atomic, so that two threads reading at once read different
    /// bytes, as Linux serialises a regular file's offset.
    position: Mutex<u64>,
    /// `fd_fdstat_set_flags` may set these on any file; a read-only file
    /// only reports them.
    append: AtomicBool,
    nonblocking: AtomicBool,
}

/// `whence` of `fd_seek`.
#[derive(Clone, Copy)]
pub(crate) enum Whence {
    Set,
    Cur,
    End,
}

/// A timestamp to set: a value, now, or unchanged.
#[derive(Clone, Copy)]
pub(crate) enum SetTime {
    At(u64),
    Now,
    Omit,
}

impl HostFile {
    /// Opens `path` for reading beneath `dir` (following a final symlink
    /// only with `follow`). `Ok(None)` when what is there is not a regular
    /// file (closed again: the caller hands the open to wasmtime-wasi).
    ///
    /// `O_NONBLOCK` keeps the open itself from waiting (a FIFO without a
    /// writer); it changes nothing for a regular file.
    pub(crate) fn open_beneath(dir: BorrowedFd<'_>, path: &CStr, follow: bool) -> io::Result<Option<HostFile>> {
        let mut how: libc::open_how = unsafe { std::mem::zeroed() };
        let nofollow = if follow { 0 } else { libc::O_NOFOLLOW };
        how.flags = (libc::O_RDONLY | libc::O_CLOEXEC | libc::O_NOCTTY | libc::O_NONBLOCK | nofollow) as u64;
        how.resolve = libc::RESOLVE_BENEATH | libc::RESOLVE_NO_MAGICLINKS;
        // SAFETY: `path` is NUL-terminated and `how` is an `open_how` of the size passed.
        let n = unsafe {
            libc::syscall(libc::SYS_openat2, dir.as_raw_fd(), path.as_ptr(), &how, size_of::<libc::open_how>())
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: the kernel returned a new fd that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(n as RawFd) };
        let st = fstat(fd.as_raw_fd())?;
        if st.st_mode & libc::S_IFMT != libc::S_IFREG {
            return Ok(None);
        }
        Ok(Some(HostFile {
            fd,
            position: Mutex::new(0),
            append: AtomicBool::new(false),
            nonblocking: AtomicBool::new(false),
        }))
    }

    fn raw(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    fn position(&self) -> std::sync::MutexGuard<'_, u64> {
        self.position.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `readv` at the file's offset, which moves past what was read.
    pub(crate) fn read(&self, iov: &mut IoVecs) -> io::Result<usize> {
        let mut pos = self.position();
        let n = self.pread(iov, *pos)?;
        *pos += n as u64;
        Ok(n)
    }

    /// `preadv` at `offset`; the file's offset stays.
    pub(crate) fn pread(&self, iov: &mut IoVecs, offset: u64) -> io::Result<usize> {
        if iov.is_empty() {
            return Ok(0);
        }
        let offset = i64::try_from(offset).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
        crate::sys::preadv(self.raw(), iov, offset)
    }

    /// `lseek`: the new offset. A position before 0 (or past `u64`) is `EINVAL`.
    pub(crate) fn seek(&self, offset: i64, whence: Whence) -> io::Result<u64> {
        let mut pos = self.position();
        let base = match whence {
            Whence::Set => 0,
            Whence::Cur => *pos,
            Whence::End => self.stat()?.st_size as u64,
        };
        let new = base.checked_add_signed(offset).ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))?;
        *pos = new;
        Ok(new)
    }

    /// The file's offset.
    pub(crate) fn tell(&self) -> u64 {
        *self.position()
    }

    /// Bytes from the offset to the end (0 past it): `FIONREAD`.
    pub(crate) fn remaining(&self) -> io::Result<u64> {
        let size = self.stat()?.st_size as u64;
        Ok(size.saturating_sub(self.tell()))
    }

    /// `fstat`.
    pub(crate) fn stat(&self) -> io::Result<libc::stat> {
        fstat(self.raw())
    }

    /// The inode number wasmtime-wasi reports for this file: its hash of
    /// the (device, inode) pair, so that a `stat` it answers and an
    /// `fstat` the host answers name the same file alike.
    pub(crate) fn wasi_ino(st: &libc::stat) -> u64 {
        let mut h = DefaultHasher::new();
        (st.st_dev, st.st_ino).hash(&mut h);
        h.finish()
    }

    /// `posix_fadvise`.
    pub(crate) fn advise(&self, offset: u64, len: u64, advice: i32) -> io::Result<()> {
        let inval = || io::Error::from_raw_os_error(libc::EINVAL);
        let offset = i64::try_from(offset).map_err(|_| inval())?;
        let len = i64::try_from(len).map_err(|_| inval())?;
        // SAFETY: plain system call on an fd this file owns.
        match unsafe { libc::posix_fadvise(self.raw(), offset, len, advice) } {
            0 => Ok(()),
            e => Err(io::Error::from_raw_os_error(e)),
        }
    }

    /// `fsync` (`data_only`: `fdatasync`).
    pub(crate) fn sync(&self, data_only: bool) -> io::Result<()> {
        // SAFETY: plain system calls on an fd this file owns.
        cvt(unsafe {
            if data_only {
                libc::fdatasync(self.raw())
            } else {
                libc::fsync(self.raw())
            }
        })
    }

    /// `ftruncate` (`EINVAL` on a file opened read-only, as Linux answers).
    pub(crate) fn set_size(&self, size: u64) -> io::Result<()> {
        let size = i64::try_from(size).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
        // SAFETY: plain system call on an fd this file owns.
        cvt(unsafe { libc::ftruncate(self.raw(), size) })
    }

    /// `futimens`.
    pub(crate) fn set_times(&self, atime: SetTime, mtime: SetTime) -> io::Result<()> {
        let spec = |t: SetTime| match t {
            SetTime::At(ns) => libc::timespec { tv_sec: (ns / 1_000_000_000) as _, tv_nsec: (ns % 1_000_000_000) as _ },
            SetTime::Now => libc::timespec { tv_sec: 0, tv_nsec: libc::UTIME_NOW },
            SetTime::Omit => libc::timespec { tv_sec: 0, tv_nsec: libc::UTIME_OMIT },
        };
        let times = [spec(atime), spec(mtime)];
        // SAFETY: `times` is two timespecs, as futimens reads.
        cvt(unsafe { libc::futimens(self.raw(), times.as_ptr()) })
    }

    /// The flags `fd_fdstat_get` reports: (append, nonblocking).
    pub(crate) fn flags(&self) -> (bool, bool) {
        (self.append.load(Ordering::Relaxed), self.nonblocking.load(Ordering::Relaxed))
    }

    /// `fd_fdstat_set_flags` (append and non-blocking only; the caller
    /// refuses the sync flags).
    pub(crate) fn set_flags(&self, append: bool, nonblocking: bool) {
        self.append.store(append, Ordering::Relaxed);
        self.nonblocking.store(nonblocking, Ordering::Relaxed);
    }
}

/// The host's own handle on a preopened directory, for [`HostFile::open_beneath`].
pub(crate) fn open_dir_handle(path: &std::path::Path) -> io::Result<OwnedFd> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC)
        .open(path)?;
    Ok(dir.into())
}

fn fstat(fd: RawFd) -> io::Result<libc::stat> {
    // SAFETY: an all-zero `stat` is valid, and fstat fills it.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    cvt(unsafe { libc::fstat(fd, &mut st) })?;
    Ok(st)
}

fn cvt(r: libc::c_int) -> io::Result<()> {
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
