//! `send_batch` and `recv_batch`: arrays of `dgram` records (the spec's
//! notes give the layout) as one `sendmmsg` / `recvmmsg`.
//!
//! Every record is read and checked before the socket is touched, so a bad
//! record anywhere leaves the socket as it was (nothing sent, nothing
//! received); the out-fields are written only for the messages reported.

use super::io;
use crate::abi::{Errno, Mem, ADDR_SIZE};
use crate::call::served;
use crate::state::HostState;
use crate::sys::IoVecs;
use std::net::SocketAddr;
use wasmtime::{Caller, Linker};

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
const TRUNCATED: u16 = 1;

type C<'a> = Caller<'a, HostState>;

pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    linker.func_wrap(
        super::MODULE,
        "send_batch",
        |mut c: C<'_>, fd: i32, msgs: i32, count: i32, flags: i32, ret_count: i32| {
            served(&mut c, |mem, st| {
                let flags = io::send_flags(flags)?;
                let sock = st.table.socket(fd)?;
                mem.range(ret_count, 4)?;
                let records = records(mem, msgs, count)?;
                let mut batch = Vec::with_capacity(records.len());
                for &at in &records {
                    batch.push((record_iovecs(mem, at)?, destination(mem, at)?));
                }
                let sent = if batch.is_empty() { Vec::new() } else { sock.send_batch(&mut batch, flags)? };
                for (&at, &len) in records.iter().zip(&sent) {
                    write_out(mem, at, len, 0)?;
                }
                mem.write_u32(ret_count, sent.len() as u32)
            })
        },
    )?;
    linker.func_wrap(
        super::MODULE,
        "recv_batch",
        |mut c: C<'_>, fd: i32, msgs: i32, count: i32, flags: i32, ret_count: i32| {
            served(&mut c, |mem, st| {
                let wait_for_one = flags & RECV_WAITFORONE != 0;
                let flags =
                    io::recv_flags(flags & !RECV_WAITFORONE)? | if wait_for_one { libc::MSG_WAITFORONE } else { 0 };
                let sock = st.table.socket(fd)?;
                mem.range(ret_count, 4)?;
                let records = records(mem, msgs, count)?;
                let mut iovs = Vec::with_capacity(records.len());
                for &at in &records {
                    iovs.push(record_iovecs(mem, at)?);
                }
                let got = if iovs.is_empty() { Vec::new() } else { sock.recv_batch(&mut iovs, flags)? };
                for (&at, m) in records.iter().zip(&got) {
                    match m.from {
                        Some(from) => mem.write_addr(at + ADDR as i32, &from)?,
                        // A stream or socketpair socket names no source.
                        None => mem.write(at + ADDR as i32, &[0; ADDR_SIZE])?,
                    }
                    write_out(mem, at, m.len, if m.truncated { TRUNCATED } else { 0 })?;
                }
                mem.write_u32(ret_count, got.len() as u32)
            })
        },
    )?;
    Ok(())
}

/// The guest addresses of the records that count (at most [`MAX_BATCH`]),
/// after checking that they lie in memory.
fn records(mem: &Mem<'_>, msgs: i32, count: i32) -> Result<Vec<i32>, Errno> {
    let count = (count as u32).min(MAX_BATCH);
    let array = mem.check_array(msgs, count, DGRAM_SIZE)?;
    Ok(array.step_by(DGRAM_SIZE).map(|at| at as i32).collect())
}

/// The record's iovecs, under the rules of a single call.
fn record_iovecs(mem: &mut Mem<'_>, at: i32) -> Result<IoVecs, Errno> {
    let (iovs, len) = (mem.read_u32(at + IOVS as i32)?, mem.read_u32(at + IOVS_LEN as i32)?);
    io::guest_iovecs(mem, iovs as i32, len as i32)
}

/// A send record's destination: `None` (the connected peer) for an
/// all-zero record, else a valid address (anything else is `inval`).
fn destination(mem: &Mem<'_>, at: i32) -> Result<Option<SocketAddr>, Errno> {
    let ptr = at + ADDR as i32;
    if mem.bytes(ptr, ADDR_SIZE as u32)?.iter().all(|&b| b == 0) {
        return Ok(None);
    }
    mem.read_addr(ptr).map(Some)
}

fn write_out(mem: &mut Mem<'_>, at: i32, len: usize, flags: u16) -> Result<(), Errno> {
    mem.write_u32(at + LEN as i32, len as u32)?;
    mem.write_u16(at + FLAGS as i32, flags)?;
    mem.write_u16(at + RESERVED as i32, 0)
}
