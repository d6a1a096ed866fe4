//! The raw imports of the `wasi_ephemeral_sock` module, exactly as
//! `include/wasi_ephemeral_sock.spec` declares them.
//!
//! Every function returns a WASI errno (0 on success) and writes its results
//! through the `ret*` pointers. Lowering follows the spec: `fd`, `u8`, `u16`,
//! `u32` and pointers are wasm `i32`, `u64` is `i64`. Addresses are
//! [`RawAddr`] records.
//!
//! On `target_os = "wasi"` these are real imports. On every other target they
//! are stubs of the same signatures that return `notsup` (58), so the safe
//! layers above them compile, and fail with
//! [`ErrorKind::Unsupported`](std::io::ErrorKind::Unsupported), anywhere.
//!
//! # Safety
//!
//! All functions here are `unsafe`: every pointer must be valid for the
//! number of bytes the spec says the host reads or writes through it
//! (for `buf`/`len` pairs: `len` bytes; for an `addr`: 28 bytes). The host
//! checks bounds against linear memory but cannot know Rust's aliasing rules.
//! Prefer [`crate::Socket`] and [`crate::net`].
//!
//! ```no_run
//! use std::os::fd::AsRawFd;
//! use wasock::sys;
//! let pool = wasock::Pool::default()?;
//! let mut fd = -1;
//! // SAFETY: `fd` is a valid place for the returned descriptor.
//! let errno = unsafe { sys::open(pool.as_raw_fd(), 1, 6, &mut fd) };
//! assert_eq!(errno, 0);
//! # Ok::<(), std::io::Error>(())
//! ```

pub use crate::addr::RawAddr;

/// A WASI file descriptor, as the imports pass it.
pub type Fd = i32;

/// What every stub returns off WASI: `notsup`.
#[cfg(not(target_os = "wasi"))]
pub(crate) const NOTSUP: i32 = 58;

/// Declares the functions of one import module, written once: on WASI an
/// `extern` block importing them; on every other target `unsafe fn` stubs
/// of the same signatures that return `notsup`, so the crate, its docs and
/// its unit tests build on the developer's machine.
macro_rules! import_module {
    ($module:literal { $($(#[doc = $doc:literal])* pub fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> i32;)* }) => {
        #[cfg(target_os = "wasi")]
        #[link(wasm_import_module = $module)]
        extern "C" {
            $($(#[doc = $doc])* pub fn $name($($arg: $ty),*) -> i32;)*
        }
        $(
            #[cfg(not(target_os = "wasi"))]
            $(#[doc = $doc])*
            ///
            /// # Safety
            ///
            /// See [the module documentation](crate::sys#safety). On this
            /// target the function is a stub that returns `notsup` (58).
            // The spec fixes the arity (addr_resolve has 9 parameters).
            #[allow(unused_variables, clippy::too_many_arguments)]
            pub unsafe fn $name($($arg: $ty),*) -> i32 {
                crate::sys::NOTSUP
            }
        )*
    };
}
// `fd` declares its preview-1 imports with it too.
pub(crate) use import_module;

mod dgram;
mod imports;
pub mod opt;
pub use dgram::{Dgram, RawIovec, DGRAM_TRUNCATED, RECV_WAITFORONE};
pub use imports::*;

#[cfg(test)]
mod spec_test;
