//! Checked access to a guest's linear memory.
//!
//! Every pointer and length a guest passes goes through here: a range that
//! does not lie inside memory (including one whose end overflows) is
//! `fault`, never a trap or a host panic.

use super::{decode_addr, encode_addr, Errno, ADDR_SIZE};
use std::cell::UnsafeCell;
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::ops::Range;

/// A guest's memory, borrowed for one host call.
///
/// It is a base pointer and a length rather than a `&mut [u8]` so that it
/// can also view a *shared* memory (a module built for threads), where
/// other guest threads may write at any time and a Rust reference to the
/// bytes would be unsound. Every access copies through the pointer, and the
/// zero-copy I/O path hands the kernel pointers into it (see
/// [`crate::abi::iovec`]), which is what a native threaded program does.
pub struct Mem<'a> {
    base: *mut u8,
    len: usize,
    _borrow: PhantomData<&'a mut [u8]>,
}

impl<'a> Mem<'a> {
    /// A plain (unshared) memory, borrowed exclusively for the call.
    pub fn new(bytes: &'a mut [u8]) -> Mem<'a> {
        Mem { base: bytes.as_mut_ptr(), len: bytes.len(), _borrow: PhantomData }
    }

    /// A shared memory: its cells may change under the call, which only
    /// ever copies in and out of them.
    pub fn shared(cells: &'a [UnsafeCell<u8>]) -> Mem<'a> {
        Mem { base: UnsafeCell::raw_get(cells.as_ptr()), len: cells.len(), _borrow: PhantomData }
    }

    /// The memory's size in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the memory has no bytes at all.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The byte range `[ptr, ptr + len)`, if it lies inside memory.
    pub fn range(&self, ptr: i32, len: u64) -> Result<Range<usize>, Errno> {
        let start = ptr as u32 as u64;
        let end = start.checked_add(len).ok_or(Errno::FAULT)?;
        if end > self.len as u64 {
            return Err(Errno::FAULT);
        }
        Ok(start as usize..end as usize)
    }

    /// Checks that `count` records of `size` bytes fit at `ptr`.
    pub fn check_array(&self, ptr: i32, count: u32, size: usize) -> Result<Range<usize>, Errno> {
        self.range(ptr, u64::from(count) * size as u64)
    }

    /// A copy of `len` bytes at `ptr`.
    pub fn read_vec(&self, ptr: i32, len: u32) -> Result<Vec<u8>, Errno> {
        let r = self.range(ptr, len.into())?;
        let mut out = vec![0u8; r.len()];
        self.copy_out(r.start, &mut out);
        Ok(out)
    }

    /// A host name the guest passes (`addr_resolve`, `connect_name`): the
    /// range is checked first (`fault`), then the length (`inval` past
    /// [`super::MAX_NAME`], before anything is copied: a name can never make
    /// the host copy more), then the bytes ([`super::check_name`]).
    pub fn read_name(&self, ptr: i32, len: u32) -> Result<String, Errno> {
        self.range(ptr, len.into())?;
        if len as usize > super::MAX_NAME {
            return Err(Errno::INVAL);
        }
        Ok(super::check_name(&self.read_vec(ptr, len)?)?.to_owned())
    }

    /// A pointer `at` bytes into memory, for building `iovec`s that point
    /// into it. `at` must come from [`Mem::range`].
    pub(crate) fn ptr_at(&mut self, at: usize) -> *mut u8 {
        debug_assert!(at <= self.len);
        // SAFETY: `at` is within the memory (checked by the caller's `range`).
        unsafe { self.base.add(at) }
    }

    fn copy_out(&self, at: usize, out: &mut [u8]) {
        // SAFETY: `range` checked `at..at + out.len()`; `out` is host memory,
        // so the two cannot overlap.
        unsafe { std::ptr::copy_nonoverlapping(self.base.add(at), out.as_mut_ptr(), out.len()) }
    }

    /// `N` bytes at `ptr`.
    pub fn array<const N: usize>(&self, ptr: i32) -> Result<[u8; N], Errno> {
        let r = self.range(ptr, N as u64)?;
        let mut out = [0u8; N];
        self.copy_out(r.start, &mut out);
        Ok(out)
    }

    /// A little-endian `u16` at `ptr`.
    pub fn read_u16(&self, ptr: i32) -> Result<u16, Errno> {
        self.array(ptr).map(u16::from_le_bytes)
    }

    /// A little-endian `u32` at `ptr`.
    pub fn read_u32(&self, ptr: i32) -> Result<u32, Errno> {
        self.array(ptr).map(u32::from_le_bytes)
    }

    /// A little-endian `u64` at `ptr`.
    pub fn read_u64(&self, ptr: i32) -> Result<u64, Errno> {
        self.array(ptr).map(u64::from_le_bytes)
    }

    /// Copies `data` to `ptr`.
    pub fn write(&mut self, ptr: i32, data: &[u8]) -> Result<(), Errno> {
        let r = self.range(ptr, data.len() as u64)?;
        // SAFETY: `range` checked the destination; `data` is host memory.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), self.base.add(r.start), data.len()) }
        Ok(())
    }

    /// A byte at `ptr`.
    pub fn write_u8(&mut self, ptr: i32, v: u8) -> Result<(), Errno> {
        self.write(ptr, &[v])
    }

    /// A little-endian `u16` at `ptr`.
    pub fn write_u16(&mut self, ptr: i32, v: u16) -> Result<(), Errno> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// A little-endian `u32` at `ptr`.
    pub fn write_u32(&mut self, ptr: i32, v: u32) -> Result<(), Errno> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// A little-endian `u64` at `ptr`.
    pub fn write_u64(&mut self, ptr: i32, v: u64) -> Result<(), Errno> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// Reads and decodes an `addr` record.
    pub fn read_addr(&self, ptr: i32) -> Result<SocketAddr, Errno> {
        decode_addr(&self.array::<ADDR_SIZE>(ptr)?)
    }

    /// Encodes and writes an `addr` record.
    pub fn write_addr(&mut self, ptr: i32, a: &SocketAddr) -> Result<(), Errno> {
        self.write(ptr, &encode_addr(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        let mut buf = vec![0u8; 64];
        let mut m = Mem::new(&mut buf);
        assert!(m.read_vec(0, 64).is_ok());
        assert!(m.read_vec(60, 4).is_ok());
        assert_eq!(m.read_vec(61, 4).err(), Some(Errno::FAULT));
        assert_eq!(m.read_vec(-1, 1).err(), Some(Errno::FAULT));
        assert_eq!(m.read_vec(64, 0).map(|b| b.len()), Ok(0));
        assert_eq!(m.read_vec(65, 0).err(), Some(Errno::FAULT));
        assert_eq!(m.write_u32(62, 1), Err(Errno::FAULT));
        assert_eq!(m.check_array(8, u32::MAX, 48).err(), Some(Errno::FAULT));
        m.write_u32(4, 0xdead_beef).unwrap();
        assert_eq!(m.read_u32(4), Ok(0xdead_beef));
    }

    #[test]
    fn shared_memory_is_viewed_through_its_cells() {
        let cells: Vec<UnsafeCell<u8>> = (0..32).map(|_| UnsafeCell::new(0)).collect();
        let mut m = Mem::shared(&cells);
        assert_eq!(m.len(), 32);
        m.write_u32(8, 0x0102_0304).unwrap();
        assert_eq!(m.read_u32(8), Ok(0x0102_0304));
        assert_eq!(m.write_u32(30, 1), Err(Errno::FAULT));
        // SAFETY: no other thread shares these cells.
        assert_eq!(unsafe { *cells[8].get() }, 4);
    }
}
