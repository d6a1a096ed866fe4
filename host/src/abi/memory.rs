//! Checked access to a guest's linear memory.
//!
//! Every pointer and length a guest passes goes through here: a range that
//! does not lie inside memory (including one whose end overflows) is
//! `fault`, never a trap or a host panic.

use super::{decode_addr, encode_addr, Errno, ADDR_SIZE};
use std::net::SocketAddr;
use std::ops::Range;

/// A guest's memory, borrowed for one host call.
pub struct Mem<'a> {
    bytes: &'a mut [u8],
}

impl<'a> Mem<'a> {
    pub fn new(bytes: &'a mut [u8]) -> Mem<'a> {
        Mem { bytes }
    }

    /// The byte range `[ptr, ptr + len)`, if it lies inside memory.
    pub fn range(&self, ptr: i32, len: u64) -> Result<Range<usize>, Errno> {
        let start = ptr as u32 as u64;
        let end = start.checked_add(len).ok_or(Errno::FAULT)?;
        if end > self.bytes.len() as u64 {
            return Err(Errno::FAULT);
        }
        Ok(start as usize..end as usize)
    }

    /// Checks that `count` records of `size` bytes fit at `ptr`.
    pub fn check_array(&self, ptr: i32, count: u32, size: usize) -> Result<Range<usize>, Errno> {
        self.range(ptr, u64::from(count) * size as u64)
    }

    pub fn bytes(&self, ptr: i32, len: u32) -> Result<&[u8], Errno> {
        let r = self.range(ptr, len.into())?;
        Ok(&self.bytes[r])
    }

    pub fn bytes_mut(&mut self, ptr: i32, len: u32) -> Result<&mut [u8], Errno> {
        let r = self.range(ptr, len.into())?;
        Ok(&mut self.bytes[r])
    }

    /// The base of memory, for building `iovec`s that point into it.
    pub fn base_ptr(&mut self) -> *mut u8 {
        self.bytes.as_mut_ptr()
    }

    fn array<const N: usize>(&self, ptr: i32) -> Result<[u8; N], Errno> {
        let r = self.range(ptr, N as u64)?;
        let mut out = [0u8; N];
        out.copy_from_slice(&self.bytes[r]);
        Ok(out)
    }

    pub fn read_u16(&self, ptr: i32) -> Result<u16, Errno> {
        self.array(ptr).map(u16::from_le_bytes)
    }

    pub fn read_u32(&self, ptr: i32) -> Result<u32, Errno> {
        self.array(ptr).map(u32::from_le_bytes)
    }

    pub fn read_u64(&self, ptr: i32) -> Result<u64, Errno> {
        self.array(ptr).map(u64::from_le_bytes)
    }

    pub fn write(&mut self, ptr: i32, data: &[u8]) -> Result<(), Errno> {
        let r = self.range(ptr, data.len() as u64)?;
        self.bytes[r].copy_from_slice(data);
        Ok(())
    }

    pub fn write_u8(&mut self, ptr: i32, v: u8) -> Result<(), Errno> {
        self.write(ptr, &[v])
    }

    pub fn write_u16(&mut self, ptr: i32, v: u16) -> Result<(), Errno> {
        self.write(ptr, &v.to_le_bytes())
    }

    pub fn write_u32(&mut self, ptr: i32, v: u32) -> Result<(), Errno> {
        self.write(ptr, &v.to_le_bytes())
    }

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
        assert!(m.bytes(0, 64).is_ok());
        assert!(m.bytes(60, 4).is_ok());
        assert_eq!(m.bytes(61, 4).err(), Some(Errno::FAULT));
        assert_eq!(m.bytes(-1, 1).err(), Some(Errno::FAULT));
        assert_eq!(m.bytes(64, 0).map(|b| b.len()), Ok(0));
        assert_eq!(m.bytes(65, 0).err(), Some(Errno::FAULT));
        assert_eq!(m.write_u32(62, 1), Err(Errno::FAULT));
        assert_eq!(m.check_array(8, u32::MAX, 48).err(), Some(Errno::FAULT));
        m.write_u32(4, 0xdead_beef).unwrap();
        assert_eq!(m.read_u32(4), Ok(0xdead_beef));
    }
}
