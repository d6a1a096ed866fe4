//! The guest's one fd table.
//!
//! Socket fds, pool fds and the fds wasmtime-wasi serves (stdio, preopened
//! directories, files) share one number space, allocated lowest-free as
//! POSIX does. wasmtime-wasi keeps its own private table; a `Wasi` entry
//! records the number it uses there.

use crate::abi::Errno;
use crate::pool::Pool;
use crate::socket::Socket;
use std::sync::Arc;

/// What a guest fd refers to.
pub enum Entry {
    /// An fd of wasmtime-wasi's table (its own number).
    Wasi(u32),
    Socket(Socket),
    Pool(Arc<Pool>),
}

pub struct FdTable {
    slots: Vec<Option<Entry>>,
    /// Sockets open now, and the most the guest may hold at once.
    sockets: usize,
    max_sockets: usize,
}

impl Default for FdTable {
    fn default() -> FdTable {
        FdTable::with_socket_limit(usize::MAX)
    }
}

impl FdTable {
    /// An empty table whose guest may hold at most `max_sockets` sockets.
    pub fn with_socket_limit(max_sockets: usize) -> FdTable {
        FdTable { slots: Vec::new(), sockets: 0, max_sockets }
    }

    /// `mfile` when the guest holds as many sockets as it may: checked
    /// before a socket is made (or a connection accepted), so that nothing
    /// is created and lost when the table refuses it.
    pub fn room_for_socket(&self) -> Result<(), Errno> {
        if self.sockets >= self.max_sockets {
            return Err(Errno::MFILE);
        }
        Ok(())
    }

    /// Keeps the socket count and each socket's own number in step with
    /// an entry arriving at `fd` (or leaving, `arriving == false`).
    fn track(&mut self, fd: u32, e: &Entry, arriving: bool) {
        if let Entry::Socket(s) = e {
            if arriving {
                self.sockets += 1;
                s.set_fd(fd);
            } else {
                self.sockets -= 1;
            }
        }
    }

    pub fn get(&self, fd: i32) -> Result<&Entry, Errno> {
        usize::try_from(fd).ok().and_then(|i| self.slots.get(i)).and_then(Option::as_ref).ok_or(Errno::BADF)
    }

    pub fn get_mut(&mut self, fd: i32) -> Result<&mut Entry, Errno> {
        usize::try_from(fd).ok().and_then(|i| self.slots.get_mut(i)).and_then(Option::as_mut).ok_or(Errno::BADF)
    }

    /// The socket at `fd`: `badf` if nothing is open there, `notsock` if it is something else.
    pub fn socket(&self, fd: i32) -> Result<&Socket, Errno> {
        match self.get(fd)? {
            Entry::Socket(s) => Ok(s),
            _ => Err(Errno::NOTSOCK),
        }
    }

    pub fn socket_mut(&mut self, fd: i32) -> Result<&mut Socket, Errno> {
        match self.get_mut(fd)? {
            Entry::Socket(s) => Ok(s),
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
        let i = match self.slots.iter().position(Option::is_none) {
            Some(i) => i,
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        };
        self.track(i as u32, &e, true);
        self.slots[i] = Some(e);
        i as u32
    }

    /// Puts `e` at `fd` exactly, returning what was there.
    pub fn replace(&mut self, fd: u32, e: Entry) -> Option<Entry> {
        let i = fd as usize;
        if self.slots.len() <= i {
            self.slots.resize_with(i + 1, || None);
        }
        self.track(fd, &e, true);
        let old = self.slots[i].replace(e);
        if let Some(old) = &old {
            self.track(fd, old, false);
        }
        old
    }

    /// Removes and returns the entry at `fd`.
    pub fn remove(&mut self, fd: i32) -> Result<Entry, Errno> {
        let slot = usize::try_from(fd).ok().and_then(|i| self.slots.get_mut(i)).ok_or(Errno::BADF)?;
        let e = slot.take().ok_or(Errno::BADF)?;
        self.track(fd as u32, &e, false);
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
                let _ = s.os().set_linger(None);
            }
        }
    }

    /// How many sockets are open.
    pub fn open_sockets(&self) -> usize {
        self.sockets
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
    }
}
