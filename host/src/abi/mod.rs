//! The data the guest and the host exchange: errno values, the address
//! record, and checked access to guest memory.

pub mod addr;
pub mod errno;
pub mod memory;

pub use addr::{decode_addr, encode_addr, ADDR_SIZE, UNNAMED_UNIX};
pub use errno::Errno;
pub use memory::Mem;
