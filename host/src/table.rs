//! The guest's one fd table.
//!
//! Socket fds, pool fds and the fds wasmtime-wasi serves (stdio, preopened
//! directories, files) share one number space, allocated lowest-free as
//! POSIX does. wasmtime-wasi keeps its own private table; a `Wasi` entry
//! records the number it uses there.
//!
//! **Several numbers, one thing** (`dup`): an entry may sit under several
//! guest numbers, as a Linux open file description does. A socket is shared
//! by reference count ([`SocketRef`]), so the kernel socket closes when its
//! last number goes; a pool is an `Arc` already. wasmtime-wasi's fds cannot
//! be shared that way (its table is private and its `fd_close` needs its
//! context), so the table counts the guest numbers of each wasmtime-wasi fd
//! and the router closes it in wasmtime-wasi only when the last one goes
//! ([`FdTable::last_wasi_ref`]).
//!
//! **The socket cap** (`--max-sockets`) counts guest numbers, not kernel
//! sockets, as Linux's `RLIMIT_NOFILE` counts every fd: a `dup` of a socket
//! takes room as `socket` does, so a guest cannot hold more socket numbers
//! than it may hold sockets.

use crate::abi::Errno;
use crate::file::HostFile;
use crate::pool::Pool;
use crate::socket::Socket;
use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::sync::Arc;

/// How the table shares one socket between numbers, and between the table
/// and a call that uses it: a blocking operation holds a [`SocketRef`]
/// ([`FdTable::socket_ref`]), not the table, so that when guests have
/// threads the table can be shared (behind a lock) while one thread waits
/// in `recv` and another closes, accepts or dups. `Socket` is `Send + Sync`
/// for that (its state is atomic, see `socket/shared.rs`).
pub type SocketRef = Arc<Socket>;

/// The highest fd number is one less than this. `dup2`/`fd_dup` past it are
/// refused (`badf`/`inval`, as Linux answers past `RLIMIT_NOFILE`) so that a
/// guest cannot make the host grow the table to any number it names.
pub const FD_LIMIT: u32 = 1 << 16;

/// What a guest fd refers to.
#[derive(Clone)]
pub enum Entry {
    /// An fd of wasmtime-wasi's table (its own number).
    Wasi(u32),
    /// A socket (shared between its numbers).
    Socket(SocketRef),
    /// An address pool.
    Pool(Arc<Pool>),
    /// A regular file the host serves itself (see `crate::file`), shared
    /// between its numbers as one open file description is.
    File(Arc<HostFile>),
}

impl Entry {
    /// A new socket's entry.
    pub fn socket(s: Socket) -> Entry {
        Entry::Socket(Arc::new(s))
    }
}

/// The guest's fd table: lowest-free numbering, one entry per number.
pub struct FdTable {
    slots: Vec<Option<Entry>>,
    /// Socket numbers open now, and the most the guest may hold at once.
    sockets: usize,
    max_sockets: usize,
    /// How many guest numbers each wasmtime-wasi fd has.
    wasi_refs: HashMap<u32, usize>,
    /// Every slot below this is open: the search for the lowest free number
    /// starts here, so a guest filling its table with dups costs the host
    /// linear time, not quadratic.
    full_below: usize,
    /// The host's own handles on wasmtime-wasi's preopened directories, by
    /// wasmtime-wasi's number, for the files the host opens beneath them.
    /// A number leaves when wasmtime-wasi closes it ([`Self::forget_wasi`]),
    /// before wasmtime-wasi can give it to anything else.
    dir_handles: HashMap<u32, Arc<OwnedFd>>,
}

impl Default for FdTable {
    fn default() -> FdTable {
        FdTable::with_socket_limit(usize::MAX)
    }
}

impl FdTable {
    /// An empty table whose guest may hold at most `max_sockets` sockets.
    pub fn with_socket_limit(max_sockets: usize) -> FdTable {
        FdTable {
            slots: Vec::new(),
            sockets: 0,
            max_sockets,
            wasi_refs: HashMap::new(),
            full_below: 0,
            dir_handles: HashMap::new(),
        }
    }

    /// `mfile` when the guest holds as many sockets as it may: checked
    /// before a socket is made (or a connection accepted, or a socket
    /// duplicated), so that nothing is created and lost when the table
    /// refuses it.
    pub fn room_for_socket(&self) -> Result<(), Errno> {
        self.room_for_sockets(1)
    }

    /// As [`Self::room_for_socket`], for `n` more socket numbers (a socketpair is two).
    pub fn room_for_sockets(&self, n: usize) -> Result<(), Errno> {
        if self.sockets.saturating_add(n) > self.max_sockets {
            return Err(Errno::MFILE);
        }
        Ok(())
    }

    /// Keeps the counts (socket numbers, wasmtime-wasi references) and each
    /// socket's own number in step with an entry arriving at `fd` (or
    /// leaving it, `arriving == false`).
    fn track(&mut self, fd: u32, e: &Entry, arriving: bool) {
        match e {
            Entry::Socket(s) if arriving => {
                self.sockets += 1;
                s.set_fd(fd);
            }
            Entry::Socket(s) => {
                self.sockets -= 1;
                // The socket's logs name one of its numbers: if this was the
                // one it names, name another that is still open.
                if Arc::strong_count(s) > 1 && s.fd() == fd {
                    if let Some(other) = self.number_of(s, fd) {
                        s.set_fd(other);
                    }
                }
            }
            Entry::Wasi(n) if arriving => *self.wasi_refs.entry(*n).or_default() += 1,
            Entry::Wasi(n) => {
                if let Some(c) = self.wasi_refs.get_mut(n) {
                    *c -= 1;
                    if *c == 0 {
                        self.wasi_refs.remove(n);
                    }
                }
            }
            Entry::Pool(_) | Entry::File(_) => {}
        }
    }

    /// Records the host's handle on wasmtime-wasi's preopened directory `n`.
    pub fn set_dir_handle(&mut self, n: u32, dir: OwnedFd) {
        self.dir_handles.insert(n, Arc::new(dir));
    }

    /// The host's handle on wasmtime-wasi's directory `n`, if it has one.
    pub fn dir_handle(&self, n: u32) -> Option<Arc<OwnedFd>> {
        self.dir_handles.get(&n).cloned()
    }

    /// wasmtime-wasi has closed its fd `n`: what the host kept for that number goes.
    pub fn forget_wasi(&mut self, n: u32) {
        self.dir_handles.remove(&n);
    }

    /// The host-served file at `fd`, if that is what `fd` is.
    pub fn file(&self, fd: i32) -> Option<&Arc<HostFile>> {
        match self.get(fd) {
            Ok(Entry::File(f)) => Some(f),
            _ => None,
        }
    }

    /// Another number (not `except`) under which `s` is open.
    fn number_of(&self, s: &SocketRef, except: u32) -> Option<u32> {
        self.slots.iter().enumerate().find_map(|(i, e)| match e {
            Some(Entry::Socket(o)) if Arc::ptr_eq(o, s) && i as u32 != except => Some(i as u32),
            _ => None,
        })
    }

    /// Whether `fd` is the only guest number of its wasmtime-wasi fd, which
    /// must then be closed in wasmtime-wasi when `fd` closes. `false` for
    /// every other kind of entry (and for a closed fd).
    pub fn last_wasi_ref(&self, fd: i32) -> bool {
        match self.get(fd) {
            Ok(Entry::Wasi(n)) => self.wasi_refs.get(n).copied().unwrap_or(0) <= 1,
            _ => false,
        }
    }

    /// The entry at `fd` (`badf` if nothing is open there).
    pub fn get(&self, fd: i32) -> Result<&Entry, Errno> {
        usize::try_from(fd).ok().and_then(|i| self.slots.get(i)).and_then(Option::as_ref).ok_or(Errno::BADF)
    }

    /// The socket at `fd`: `badf` if nothing is open there, `notsock` if it is something else.
    pub fn socket(&self, fd: i32) -> Result<&Socket, Errno> {
        match self.get(fd)? {
            Entry::Socket(s) => Ok(s),
            _ => Err(Errno::NOTSOCK),
        }
    }

    /// The socket at `fd` as a reference of its own, for an operation that
    /// may block: the table is free again while it runs.
    pub fn socket_ref(&self, fd: i32) -> Result<SocketRef, Errno> {
        match self.get(fd)? {
            Entry::Socket(s) => Ok(s.clone()),
            _ => Err(Errno::NOTSOCK),
        }
    }

    /// The pool at `fd`: `badf` if nothing is open there, `notsock` (the
    /// ABI's "wrong kind of fd") if it is something else.
    pub fn pool(&self, fd: i32) -> Result<&Arc<Pool>, Errno> {
        match self.get(fd)? {
            Entry::Pool(p) => Ok(p),
            _ => Err(Errno::NOTSOCK),
        }
    }

    /// wasmtime-wasi's number for `fd`; `other` if `fd` is a socket or pool.
    pub fn wasi(&self, fd: i32, other: Errno) -> Result<u32, Errno> {
        match self.get(fd)? {
            Entry::Wasi(n) => Ok(*n),
            _ => Err(other),
        }
    }

    /// Puts `e` at the lowest free number.
    pub fn insert(&mut self, e: Entry) -> u32 {
        let i = self.lowest_free(0);
        self.put(i, e);
        i
    }

    /// The lowest number at or above `min` that is not open.
    pub fn lowest_free(&self, min: u32) -> u32 {
        let from = (min as usize).max(self.full_below).min(self.slots.len());
        match self.slots[from..].iter().position(Option::is_none) {
            Some(i) => (from + i) as u32,
            None => (self.slots.len() as u32).max(min),
        }
    }

    /// Puts `e` at `fd`, which must be free.
    fn put(&mut self, fd: u32, e: Entry) {
        let i = fd as usize;
        if self.slots.len() <= i {
            self.slots.resize_with(i + 1, || None);
        }
        self.track(fd, &e, true);
        self.slots[i] = Some(e);
        while self.slots.get(self.full_below).is_some_and(Option::is_some) {
            self.full_below += 1;
        }
    }

    /// Puts `e` at `fd` exactly, returning what was there.
    pub fn replace(&mut self, fd: u32, e: Entry) -> Option<Entry> {
        let old = self.take(fd);
        self.put(fd, e);
        old
    }

    /// Removes and returns the entry at `fd`.
    pub fn remove(&mut self, fd: i32) -> Result<Entry, Errno> {
        self.get(fd)?;
        let e = self.take(fd as u32).ok_or(Errno::BADF)?;
        while matches!(self.slots.last(), Some(None)) {
            self.slots.pop();
        }
        Ok(e)
    }

    /// Gets every socket ready for the end of the run: a guest's long
    /// `SO_LINGER` would make closing it block the host (the kernel waits
    /// in `close` for unsent data, forever if the peer never reads). With
    /// lingering off, close returns at once and the kernel still sends what
    /// is queued, then the FIN.
    pub fn prepare_exit(&self) {
        for slot in self.slots.iter().flatten() {
            if let Entry::Socket(s) = slot {
                s.prepare_exit();
            }
        }
    }

    fn take(&mut self, fd: u32) -> Option<Entry> {
        let e = self.slots.get_mut(fd as usize)?.take()?;
        self.full_below = self.full_below.min(fd as usize);
        self.track(fd, &e, false);
        Some(e)
    }

    /// How many socket numbers are open.
    pub fn open_sockets(&self) -> usize {
        self.sockets
    }
}

impl Drop for FdTable {
    /// The guest is gone: its sockets close without lingering.
    fn drop(&mut self) {
        self.prepare_exit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowest_free_allocation() {
        let mut t = FdTable::default();
        for i in 0..5 {
            assert_eq!(t.insert(Entry::Wasi(i)), i);
        }
        t.remove(1).unwrap();
        t.remove(3).unwrap();
        assert_eq!(t.insert(Entry::Wasi(9)), 1);
        assert_eq!(t.insert(Entry::Wasi(9)), 3);
        assert_eq!(t.insert(Entry::Wasi(9)), 5);
        assert!(t.remove(3).is_ok());
        assert_eq!(t.remove(3).err(), Some(Errno::BADF));
        assert_eq!(t.get(-1).err(), Some(Errno::BADF));
        assert_eq!(t.get(1000).err(), Some(Errno::BADF));
        assert_eq!(t.socket(0).err(), Some(Errno::NOTSOCK));
        assert_eq!(t.lowest_free(0), 3);
        assert_eq!(t.lowest_free(4), 6);
        assert_eq!(t.lowest_free(100), 100);
        // The search start follows removals and refills.
        t.remove(0).unwrap();
        assert_eq!(t.lowest_free(0), 0);
        assert_eq!(t.insert(Entry::Wasi(9)), 0);
        assert_eq!(t.insert(Entry::Wasi(9)), 3);
        assert_eq!(t.insert(Entry::Wasi(9)), 6);
        t.replace(8, Entry::Wasi(9));
        assert_eq!(t.insert(Entry::Wasi(9)), 7);
        assert_eq!(t.insert(Entry::Wasi(9)), 9);
    }

    #[test]
    fn sockets_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Socket>();
        shareable::<SocketRef>();
    }

    #[test]
    fn wasi_references_are_counted() {
        let mut t = FdTable::default();
        t.insert(Entry::Wasi(7));
        assert!(t.last_wasi_ref(0));
        let e = t.get(0).unwrap().clone();
        t.replace(5, e);
        assert!(!t.last_wasi_ref(0) && !t.last_wasi_ref(5));
        t.remove(0).unwrap();
        assert!(t.last_wasi_ref(5));
        // A move (renumber) keeps one reference.
        let e = t.remove(5).unwrap();
        t.replace(2, e);
        assert!(t.last_wasi_ref(2));
        t.remove(2).unwrap();
        assert!(t.wasi_refs.is_empty());
    }
}
