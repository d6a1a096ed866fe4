//! The `dgram` record of `send_batch` / `recv_batch` (44 bytes):
//! `iovs: u32 @0`, `iovs_len: u32 @4`, `addr @8` (28 bytes: the destination
//! to send to, all zero for the connected peer; the source received from),
//! `len: u32 @36` (out), `flags: u16 @40` (out), `reserved: u16 @42` (out, 0).

use super::{guest_iovecs, Errno, Mem, ADDR_SIZE};
use crate::sys::IoVecs;
use std::net::SocketAddr;

/// Bytes of one `dgram` record.
pub const DGRAM_SIZE: usize = 44;
/// Records past this are ignored, as Linux caps `vlen` at `UIO_MAXIOV`.
pub const MAX_BATCH: u32 = 1024;
/// `recv_batch` flag: Linux's `MSG_WAITFORONE`.
pub const RECV_WAITFORONE: i32 = 4;

const IOVS: usize = 0;
const IOVS_LEN: usize = 4;
const ADDR: usize = 8;
const LEN: usize = 36;
const FLAGS: usize = 40;
const RESERVED: usize = 42;
/// `flags` bit of a received message cut to its buffers.
pub const TRUNCATED: u16 = 1;

/// The guest addresses of the records that count (at most [`MAX_BATCH`]),
/// after checking that they lie in memory.
pub fn records(mem: &Mem<'_>, msgs: i32, count: i32) -> Result<Vec<i32>, Errno> {
    let count = (count as u32).min(MAX_BATCH);
    let array = mem.check_array(msgs, count, DGRAM_SIZE)?;
    Ok(array.step_by(DGRAM_SIZE).map(|at| at as i32).collect())
}

/// The record's iovecs, under the rules of a single call.
pub fn iovecs(mem: &mut Mem<'_>, at: i32) -> Result<IoVecs, Errno> {
    let (iovs, len) = (mem.read_u32(at + IOVS as i32)?, mem.read_u32(at + IOVS_LEN as i32)?);
    guest_iovecs(mem, iovs as i32, len as i32)
}

/// A send record's destination: `None` (the connected peer) for an
/// all-zero record, else a valid address (anything else is `inval`).
pub fn destination(mem: &Mem<'_>, at: i32) -> Result<Option<SocketAddr>, Errno> {
    let ptr = at + ADDR as i32;
    if mem.array::<ADDR_SIZE>(ptr)?.iter().all(|&b| b == 0) {
        return Ok(None);
    }
    mem.read_addr(ptr).map(Some)
}

/// A reported message's `len` and `flags` (and the reserved field, zeroed).
pub fn write_out(mem: &mut Mem<'_>, at: i32, len: usize, flags: u16) -> Result<(), Errno> {
    mem.write_u32(at + LEN as i32, len as u32)?;
    mem.write_u16(at + FLAGS as i32, flags)?;
    mem.write_u16(at + RESERVED as i32, 0)
}

/// A received message's source; a stream or socketpair socket names none
/// (an all-zero record).
pub fn write_source(mem: &mut Mem<'_>, at: i32, from: Option<&SocketAddr>) -> Result<(), Errno> {
    match from {
        Some(from) => mem.write_addr(at + ADDR as i32, from),
        None => mem.write(at + ADDR as i32, &[0; ADDR_SIZE]),
    }
}
