//! The preview-1 side of the regular files the host serves itself
//! (`crate::file`): which `path_open`s it takes, and the records and
//! answers of the calls on such a file.
//!
//! `path_open` takes a call only when it can answer it exactly as
//! wasmtime-wasi would: the directory is one the host holds a handle on (a
//! preopen), the call opens for reading only (`fd_read` right without
//! `fd_write`), creates and truncates nothing, asks for no fd flags, and
//! what it finds is a regular file. Everything else, and every open that
//! fails here, goes on to wasmtime-wasi unchanged.

use std::ffi::CString;
use std::os::fd::AsFd;
use std::sync::Arc;

use crate::abi::poll::Event;
use crate::abi::stat::{FDSTAT_SIZE, FILESTAT_SIZE};
use crate::abi::{Errno, Mem};
use crate::file::{HostFile, SetTime, Whence};
use crate::table::Entry;
use crate::wasi_p1::Delegate;

/// preview-1 `rights::fd_read` and `rights::fd_write`.
const RIGHT_FD_READ: i64 = 1 << 1;
const RIGHT_FD_WRITE: i64 = 1 << 6;
/// Every preview-1 right (bits 0-29).
const RIGHTS_ALL: u64 = (1 << 30) - 1;
/// `lookupflags::symlink_follow`.
const LOOKUP_SYMLINK_FOLLOW: i32 = 1;
/// `fdflags`: append, dsync, nonblock, rsync, sync.
const FDFLAGS_APPEND: i32 = 1;
const FDFLAGS_NONBLOCK: i32 = 4;
const FDFLAGS_SYNCS: i32 = 2 | 8 | 16;
/// `filetype::regular_file`.
const FILETYPE_REGULAR: u8 = 4;
/// `fstflags`: atim, atim_now, mtim, mtim_now.
const FST_ATIM: i32 = 1;
const FST_ATIM_NOW: i32 = 2;
const FST_MTIM: i32 = 4;
const FST_MTIM_NOW: i32 = 8;
/// The longest path the host opens itself (Linux's `PATH_MAX`).
const PATH_MAX: u32 = 4096;

/// What the guest asked `path_open` for.
pub(super) struct OpenRequest {
    pub dir: i32,
    pub dirflags: i32,
    pub path: i32,
    pub len: i32,
    pub oflags: i32,
    pub base: i64,
    pub fdflags: i32,
}

/// Opens the file itself when it can (see the module notes) and returns
/// its new guest number; `None` sends the call on to wasmtime-wasi.
pub(super) fn try_open(d: &mut Delegate<'_, '_>, r: &OpenRequest) -> Option<u32> {
    let plain_read = r.oflags == 0
        && r.fdflags == 0
        && r.dirflags & !LOOKUP_SYMLINK_FOLLOW == 0
        && r.base & RIGHT_FD_READ != 0
        && r.base & RIGHT_FD_WRITE == 0;
    if !plain_read || r.len as u32 > PATH_MAX {
        return None;
    }
    let inner = d.table.wasi(r.dir, Errno::NOTDIR).ok()?;
    let dir = d.table.dir_handle(inner)?;
    // wasmtime-wasi answers a path that is not UTF-8 (`ilseq`) or holds a
    // NUL; so do all the odd cases.
    let path = d.checked().ok()?.read_vec(r.path, r.len as u32).ok()?;
    let path = CString::new(String::from_utf8(path).ok()?).ok()?;
    let file = HostFile::open_beneath(dir.as_fd(), &path, r.dirflags & LOOKUP_SYMLINK_FOLLOW != 0).ok()??;
    Some(d.table.insert(Entry::File(Arc::new(file))))
}

/// `fd_filestat_get`'s record, with wasmtime-wasi's device and inode numbers.
pub(super) fn filestat(file: &HostFile) -> Result<[u8; FILESTAT_SIZE], Errno> {
    let st = file.stat()?;
    let ns = |s: i64, n: i64| u64::try_from(s).ok().and_then(|s| s.checked_mul(1_000_000_000)?.checked_add(n as u64));
    let mut rec = [0u8; FILESTAT_SIZE];
    rec[0..8].copy_from_slice(&1u64.to_le_bytes());
    rec[8..16].copy_from_slice(&HostFile::wasi_ino(&st).to_le_bytes());
    rec[16] = FILETYPE_REGULAR;
    #[allow(clippy::unnecessary_cast)] // nlink_t is 32 bits on some targets
    let nlink = st.st_nlink as u64;
    rec[24..32].copy_from_slice(&nlink.to_le_bytes());
    rec[32..40].copy_from_slice(&(st.st_size as u64).to_le_bytes());
    let times = [(st.st_atime, st.st_atime_nsec), (st.st_mtime, st.st_mtime_nsec), (st.st_ctime, st.st_ctime_nsec)];
    for (i, (s, n)) in times.into_iter().enumerate() {
        let at = 40 + 8 * i;
        rec[at..at + 8].copy_from_slice(&ns(s, n).unwrap_or(0).to_le_bytes());
    }
    Ok(rec)
}

/// `fd_fdstat_get`'s record: a regular file with every right but writing,
/// as wasmtime-wasi reports a file opened for reading.
pub(super) fn fdstat(file: &HostFile) -> [u8; FDSTAT_SIZE] {
    let (append, nonblocking) = file.flags();
    let flags = (if append { FDFLAGS_APPEND } else { 0 }) | if nonblocking { FDFLAGS_NONBLOCK } else { 0 };
    let rights = RIGHTS_ALL & !(RIGHT_FD_WRITE as u64);
    let mut rec = [0u8; FDSTAT_SIZE];
    rec[0] = FILETYPE_REGULAR;
    rec[2..4].copy_from_slice(&(flags as u16).to_le_bytes());
    rec[8..16].copy_from_slice(&rights.to_le_bytes());
    rec[16..24].copy_from_slice(&rights.to_le_bytes());
    rec
}

/// `fd_fdstat_set_flags`: append and non-blocking are kept (and only
/// reported: the file is read-only); the sync flags are `inval`, as
/// wasmtime-wasi answers.
pub(super) fn set_flags(file: &HostFile, flags: i32) -> Result<(), Errno> {
    if flags & FDFLAGS_SYNCS != 0 || flags & !(FDFLAGS_APPEND | FDFLAGS_NONBLOCK | FDFLAGS_SYNCS) != 0 {
        return Err(Errno::INVAL);
    }
    file.set_flags(flags & FDFLAGS_APPEND != 0, flags & FDFLAGS_NONBLOCK != 0);
    Ok(())
}

/// `fd_seek`: writes the new offset at `ret`, checked first.
pub(super) fn seek(file: &HostFile, mem: &mut Mem<'_>, offset: i64, whence: i32, ret: i32) -> Result<(), Errno> {
    super::out_slot(mem, ret, 8)?;
    let whence = match whence {
        0 => Whence::Set,
        1 => Whence::Cur,
        2 => Whence::End,
        _ => return Err(Errno::INVAL),
    };
    let pos = file.seek(offset, whence)?;
    mem.write_u64(ret, pos)
}

/// `fd_tell`.
pub(super) fn tell(file: &HostFile, mem: &mut Mem<'_>, ret: i32) -> Result<(), Errno> {
    super::out_slot(mem, ret, 8)?;
    mem.write_u64(ret, file.tell())
}

/// `fd_read` (`offset: None`) or `fd_pread`.
pub(super) fn read(
    file: &HostFile,
    mem: &mut Mem<'_>,
    iovs: i32,
    count: i32,
    offset: Option<i64>,
    ret: i32,
) -> Result<(), Errno> {
    // `io_args`'s checks, in its order, without building the iovecs twice.
    super::out_slot(mem, ret, 4)?;
    let mut iov = crate::abi::guest_iovecs(mem, iovs, count)?;
    let n = match offset {
        None => file.read(&mut iov)?,
        Some(at) => file.pread(&mut iov, at as u64)?,
    };
    mem.write_u32(ret, n as u32)
}

/// `fd_advise`: the advice values are POSIX's, in the same order.
pub(super) fn advise(file: &HostFile, offset: i64, len: i64, advice: i32) -> Result<(), Errno> {
    let advice = match advice {
        0 => libc::POSIX_FADV_NORMAL,
        1 => libc::POSIX_FADV_SEQUENTIAL,
        2 => libc::POSIX_FADV_RANDOM,
        3 => libc::POSIX_FADV_WILLNEED,
        4 => libc::POSIX_FADV_DONTNEED,
        5 => libc::POSIX_FADV_NOREUSE,
        _ => return Err(Errno::INVAL),
    };
    Ok(file.advise(offset as u64, len as u64, advice)?)
}

/// `fd_filestat_set_times`: a time both given and "now" is `inval`.
pub(super) fn set_times(file: &HostFile, atim: i64, mtim: i64, fst: i32) -> Result<(), Errno> {
    if fst & !(FST_ATIM | FST_ATIM_NOW | FST_MTIM | FST_MTIM_NOW) != 0 {
        return Err(Errno::INVAL);
    }
    let time = |value: i64, given: i32, now: i32| match (fst & given != 0, fst & now != 0) {
        (true, true) => Err(Errno::INVAL),
        (true, false) => Ok(SetTime::At(value as u64)),
        (false, true) => Ok(SetTime::Now),
        (false, false) => Ok(SetTime::Omit),
    };
    Ok(file.set_times(time(atim, FST_ATIM, FST_ATIM_NOW)?, time(mtim, FST_MTIM, FST_MTIM_NOW)?)?)
}

/// A `poll_oneoff` event on a regular file: ready at once, as Linux's
/// `poll` reports a regular file, with no hang-up at the end of the file
/// (wasmtime-wasi reports one there; Linux never does). A read's `nbytes`
/// is what is left to read, which is also what `FIONREAD` answers on Linux.
pub(super) fn poll_event(file: &HostFile, mut event: Event, write: bool) -> Event {
    event.nbytes = if write { 1 } else { file.remaining().unwrap_or(0) };
    event
}
