//! The `dgram` record of `send_batch` / `recv_batch` (the spec's notes
//! define it): one message of a batch.

use super::RawAddr;

/// One buffer of a [`Dgram`], a preview-1 `iovec`.
#[derive(Copy, Clone, Debug)]
#[repr(C)]
pub struct RawIovec {
    /// The buffer's first byte.
    pub buf: *mut u8,
    /// Its length in bytes.
    pub len: usize,
}

/// One message of a batch: 44 bytes on wasm32.
#[derive(Copy, Clone, Debug)]
#[repr(C)]
pub struct Dgram {
    /// The message's buffers.
    pub iovs: *const RawIovec,
    /// The number of buffers at `iovs` (at most 1024).
    pub iovs_len: u32,
    /// Send: the destination, or all zero (family 0) for the connected
    /// peer. Receive: written with the source.
    pub addr: RawAddr,
    /// Written: the bytes sent or received.
    pub len: u32,
    /// Written: bit 0 (receive) the datagram was cut to the buffers.
    pub flags: u16,
    /// Written 0.
    pub reserved: u16,
}

/// `recv_batch` flag: Linux's `MSG_WAITFORONE`.
pub const RECV_WAITFORONE: u16 = 4;
/// [`Dgram::flags`] bit: the received datagram was truncated.
pub const DGRAM_TRUNCATED: u16 = 1;

impl Dgram {
    /// A record for the `len` buffers at `iovs`, to `addr` (the default
    /// record, family 0, is the connected peer).
    pub fn new(iovs: *const RawIovec, len: u32, addr: RawAddr) -> Dgram {
        Dgram { iovs, iovs_len: len, addr, len: 0, flags: 0, reserved: 0 }
    }
}

// The ABI fixes the layout on wasm32; fail the build rather than the guest.
#[cfg(target_pointer_width = "32")]
const _: () = {
    assert!(std::mem::size_of::<Dgram>() == 44);
    assert!(std::mem::offset_of!(Dgram, addr) == 8);
    assert!(std::mem::offset_of!(Dgram, len) == 36);
    assert!(std::mem::offset_of!(Dgram, flags) == 40);
};
