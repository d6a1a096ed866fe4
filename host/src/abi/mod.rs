//! Every wire format the guest and the host exchange, in one place: errno
//! values, the `addr` record, checked guest memory (plain or shared), the
//! `iovec` arrays, the small flag and enum values, host names, the `dgram`
//! record of batches, preview-1's subscription and event records for
//! `poll_oneoff`, and the stat records a socket or pool reports. The
//! import modules ([`crate::p1`], [`crate::sock`]) decode with these and
//! never lay out bytes themselves.

pub mod addr;
pub mod dgram;
pub mod errno;
pub mod flags;
pub mod iovec;
pub mod memory;
pub mod name;
pub mod option;
pub mod poll;
pub mod stat;

pub use addr::{decode_addr, encode_addr, ADDR_SIZE, UNNAMED_UNIX};
pub use errno::Errno;
pub use flags::{
    accept_nonblocking, domain_from_abi, recv_flags, send_flags, FamilyHint, Kind, ShutdownHow, SocketType,
    FDFLAGS_NONBLOCK,
};
pub use iovec::{guest_buffer, guest_iovecs};
pub use memory::Mem;
pub use name::{check_name, MAX_NAME};
