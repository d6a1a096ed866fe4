//! `send_batch` and `recv_batch`: arrays of `dgram` records ([`dgram`]
//! has the layout) as one `sendmmsg` / `recvmmsg`.
//!
//! Every record is read and checked before the socket is touched, so a bad
//! record anywhere leaves the socket as it was (nothing sent, nothing
//! received); the out-fields are written only for the messages reported.

use crate::abi::dgram::{self, RECV_WAITFORONE, TRUNCATED};
use crate::abi::{recv_flags, send_flags};
use crate::call::served;
use crate::ctx::CtxView;
use wasmtime::{Caller, Linker};

pub(crate) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: impl CtxView<T>) -> wasmtime::Result<()> {
    linker.func_wrap(
        super::MODULE,
        "send_batch",
        move |mut c: Caller<'_, T>, fd: i32, msgs: i32, count: i32, flags: i32, ret_count: i32| {
            served(&mut c, get, |mem, st| {
                let flags = send_flags(flags)?;
                let sock = st.table().socket_ref(fd)?;
                mem.range(ret_count, 4)?;
                let records = dgram::records(mem, msgs, count)?;
                let mut batch = Vec::with_capacity(records.len());
                for &at in &records {
                    batch.push((dgram::iovecs(mem, at)?, dgram::destination(mem, at)?));
                }
                let sent = if batch.is_empty() { Vec::new() } else { sock.send_batch(&mut batch, flags)? };
                for (&at, &len) in records.iter().zip(&sent) {
                    dgram::write_out(mem, at, len, 0)?;
                }
                mem.write_u32(ret_count, sent.len() as u32)
            })
        },
    )?;
    linker.func_wrap(
        super::MODULE,
        "recv_batch",
        move |mut c: Caller<'_, T>, fd: i32, msgs: i32, count: i32, flags: i32, ret_count: i32| {
            served(&mut c, get, |mem, st| {
                let wait_for_one = flags & RECV_WAITFORONE != 0;
                let flags = recv_flags(flags & !RECV_WAITFORONE)? | if wait_for_one { libc::MSG_WAITFORONE } else { 0 };
                let sock = st.table().socket_ref(fd)?;
                mem.range(ret_count, 4)?;
                let records = dgram::records(mem, msgs, count)?;
                let mut iovs = Vec::with_capacity(records.len());
                for &at in &records {
                    iovs.push(dgram::iovecs(mem, at)?);
                }
                let got = if iovs.is_empty() { Vec::new() } else { sock.recv_batch(&mut iovs, flags)? };
                for (&at, m) in records.iter().zip(&got) {
                    dgram::write_source(mem, at, m.from.as_ref())?;
                    dgram::write_out(mem, at, m.len, if m.truncated { TRUNCATED } else { 0 })?;
                }
                mem.write_u32(ret_count, got.len() as u32)
            })
        },
    )?;
    Ok(())
}
