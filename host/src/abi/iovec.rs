//! The guest's `iovec` arrays and buffers as host iovecs that point
//! straight into guest memory, so socket I/O moves data between the kernel
//! and the guest with no copy (`{ buf: u32, len: u32 }` records, 8 bytes).

use super::{Errno, Mem};
use crate::sys::{IoVecs, MAX_IOVECS};

/// A read or write never moves more than this in one call: the guest's
/// `ssize_t` is 32 bits.
const MAX_TRANSFER: u64 = i32::MAX as u64;

/// Builds host iovecs from the guest's `iovec` array at `iovs` (`count`
/// entries of `{ buf: u32, len: u32 }`), checking every buffer.
///
/// More than `IOV_MAX` entries is `inval`, checked first, as Linux's
/// `readv`/`writev`/`sendmsg`/`recvmsg` do (a count of `-1` is one of those).
#[inline]
pub fn guest_iovecs(mem: &mut Mem<'_>, iovs: i32, count: i32) -> Result<IoVecs, Errno> {
    let count = count as u32;
    if count as usize > MAX_IOVECS {
        return Err(Errno::INVAL);
    }
    let array = mem.check_array(iovs, count, 8)?;
    let mut out = IoVecs::new();
    let mut total = 0u64;
    for i in 0..count as usize {
        let at = (array.start + i * 8) as i32;
        let (buf, len) = (mem.read_u32(at)?, mem.read_u32(at + 4)?);
        let range = mem.range(buf as i32, len.into())?;
        let len = u64::from(len).min(MAX_TRANSFER - total);
        if len > 0 {
            out.push(mem.ptr_at(range.start), len as usize);
            total += len;
        }
    }
    Ok(out)
}

/// One guest buffer as an iovec list.
#[inline]
pub fn guest_buffer(mem: &mut Mem<'_>, buf: i32, len: i32) -> Result<IoVecs, Errno> {
    let len = u64::from(len as u32).min(MAX_TRANSFER);
    let range = mem.range(buf, len)?;
    let mut out = IoVecs::new();
    if len > 0 {
        out.push(mem.ptr_at(range.start), len as usize);
    }
    Ok(out)
}
