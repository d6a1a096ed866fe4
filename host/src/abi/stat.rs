//! The preview-1 records a socket or a pool reports about itself:
//! `fdstat`, `filestat` and `prestat`, and `sock_recv`'s `roflags`.

use super::flags::{Kind, FDFLAGS_NONBLOCK};

/// Bytes of an `fdstat` record.
pub const FDSTAT_SIZE: usize = 24;
/// Bytes of a `filestat` record.
pub const FILESTAT_SIZE: usize = 64;
/// Bytes of a `prestat` record.
pub const PRESTAT_SIZE: usize = 8;

/// preview-1 `filetype::unknown`, what a pool reports.
const FILETYPE_UNKNOWN: u8 = 0;
/// preview-1 `preopentype` of an address pool (0 is a directory).
const PREOPEN_POOL: u8 = 1;
/// preview-1 `roflags::recv_data_truncated`.
pub const ROFLAGS_TRUNCATED: u16 = 1;

/// The rights a socket fd reports (preview-1 `rights` bits): fd_read (1),
/// fd_fdstat_set_flags (3), fd_write (6), fd_filestat_get (21),
/// poll_fd_readwrite (27), sock_shutdown (28), sock_accept (29).
const SOCKET_RIGHTS: u64 = (1 << 1) | (1 << 3) | (1 << 6) | (1 << 21) | (1 << 27) | (1 << 28) | (1 << 29);

/// What an fd the host serves is, for its stat records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Served {
    /// A socket of this kind, blocking or not.
    Socket {
        /// Stream or datagram.
        kind: Kind,
        /// `O_NONBLOCK`.
        nonblocking: bool,
    },
    /// An address pool.
    Pool,
}

/// `fdstat`: filetype u8 @0, flags u16 @2, rights_base u64 @8,
/// rights_inheriting u64 @16.
pub fn fdstat(what: Served) -> [u8; FDSTAT_SIZE] {
    let mut stat = [0u8; FDSTAT_SIZE];
    match what {
        Served::Socket { kind, nonblocking } => {
            stat[0] = kind as u8;
            let flags = if nonblocking { FDFLAGS_NONBLOCK as u16 } else { 0 };
            stat[2..4].copy_from_slice(&flags.to_le_bytes());
            stat[8..16].copy_from_slice(&SOCKET_RIGHTS.to_le_bytes());
        }
        Served::Pool => stat[0] = FILETYPE_UNKNOWN,
    }
    stat
}

/// `filestat`: dev @0, ino @8, filetype u8 @16, nlink @24, size @32,
/// times @40..64; only the type and one link are reported.
pub fn filestat(what: Served) -> [u8; FILESTAT_SIZE] {
    let mut stat = [0u8; FILESTAT_SIZE];
    stat[16] = match what {
        Served::Socket { kind, .. } => kind as u8,
        Served::Pool => FILETYPE_UNKNOWN,
    };
    stat[24] = 1;
    stat
}

/// A pool's `prestat`: tag u8 @0 (1, a pool), name length u32 @4.
pub fn pool_prestat(name_len: usize) -> [u8; PRESTAT_SIZE] {
    let mut pre = [0u8; PRESTAT_SIZE];
    pre[0] = PREOPEN_POOL;
    pre[4..8].copy_from_slice(&(name_len as u32).to_le_bytes());
    pre
}
