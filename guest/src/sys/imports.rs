//! The import lists, each written once: `import_module!` (in `mod.rs`)
//! makes them real imports on WASI and `notsup` stubs elsewhere. Keep the
//! socket list in the order and with the names of
//! `include/wasi_ephemeral_sock.spec`; `spec_test.rs` compares the two.
//!
//! The Rust names equal the import names. They do not clash with wasi-libc's
//! `close`, `bind`, ...: rustc gives foreign items that have a
//! `wasm_import_module` a mangled symbol and sets the import name separately.

use super::{Dgram, Fd, RawAddr};

import_module! { "wasi_ephemeral_sock" {
    /// Opens a socket of `family` (1, 2) and `ty` (5 datagram, 6 stream, 7
    /// TLS: a TCP stream whose TLS the host runs) from `pool`.
    pub fn open(pool: Fd, family: u8, ty: u8, ret_fd: *mut Fd) -> i32;
    /// Closes a socket (an alias of `fd_close`).
    pub fn close(fd: Fd) -> i32;
    /// Binds to a local address the pool grants (`port` 0: ephemeral).
    pub fn bind(fd: Fd, addr: *const RawAddr) -> i32;
    /// Starts listening for connections.
    pub fn listen(fd: Fd, backlog: u32) -> i32;
    /// Accepts a connection; `flags` are fdflags for the new fd (4 = nonblock).
    pub fn accept(fd: Fd, flags: u16, ret_fd: *mut Fd, ret_addr: *mut RawAddr) -> i32;
    /// Connects to an address the pool grants; `inprogress` when non-blocking.
    pub fn connect(fd: Fd, addr: *const RawAddr) -> i32;
    /// Receives up to `len` bytes; `flags`: 1 peek, 2 waitall.
    pub fn recv(fd: Fd, buf: *mut u8, len: u32, flags: u16, ret_len: *mut u32) -> i32;
    /// Sends up to `len` bytes; `flags` must be 0.
    pub fn send(fd: Fd, buf: *const u8, len: u32, flags: u16, ret_len: *mut u32) -> i32;
    /// Receives a datagram and its source address.
    pub fn recv_from(
        fd: Fd,
        buf: *mut u8,
        len: u32,
        flags: u16,
        ret_len: *mut u32,
        ret_addr: *mut RawAddr,
    ) -> i32;
    /// Sends a datagram to `addr`, which the pool must grant.
    pub fn send_to(
        fd: Fd,
        buf: *const u8,
        len: u32,
        flags: u16,
        addr: *const RawAddr,
        ret_len: *mut u32,
    ) -> i32;
    /// Shuts down reading (1), writing (2) or both (3).
    pub fn shutdown(fd: Fd, how: u8) -> i32;
    /// The local address.
    pub fn addr_local(fd: Fd, ret_addr: *mut RawAddr) -> i32;
    /// The peer address; `notconn` when unconnected.
    pub fn addr_remote(fd: Fd, ret_addr: *mut RawAddr) -> i32;
    /// Resolves `host` through `pool`; writes up to `buf_count` records and
    /// the total found to `ret_count`.
    pub fn addr_resolve(
        pool: Fd,
        host: *const u8,
        host_len: u32,
        port: u16,
        family: u8,
        ty: u8,
        buf: *mut RawAddr,
        buf_count: u32,
        ret_count: *mut u32,
    ) -> i32;
    /// Sets option (`level`, `name`) (the numbers in [`crate::sys::opt`])
    /// from `value_len` bytes at `value`.
    pub fn sockopt_set(fd: Fd, level: u32, name: u32, value: *const u8, value_len: u32) -> i32;
    /// Reads option (`level`, `name`) into up to `buf_len` bytes at `buf`;
    /// writes the number of bytes written to `ret_len`.
    pub fn sockopt_get(fd: Fd, level: u32, name: u32, buf: *mut u8, buf_len: u32, ret_len: *mut u32) -> i32;
    /// Joins a multicast group (port ignored) on `interface`.
    pub fn join_multicast(fd: Fd, group: *const RawAddr, interface: u32) -> i32;
    /// Leaves a multicast group.
    pub fn leave_multicast(fd: Fd, group: *const RawAddr, interface: u32) -> i32;
    /// Reads and clears `SO_ERROR`, as a WASI errno.
    pub fn take_error(fd: Fd, ret: *mut u16) -> i32;
    /// A new number for `fd`'s socket (or any fd), the lowest free one `>= min_fd`.
    pub fn fd_dup(fd: Fd, min_fd: u32, ret_fd: *mut Fd) -> i32;
    /// Makes `to` a number for `fd`'s socket (or any fd), closing what `to` held.
    pub fn fd_dup2(fd: Fd, to: u32) -> i32;
    /// A connected pair of Unix-domain sockets of `ty` (5 datagram, 6 stream).
    pub fn socketpair(ty: u8, ret_fd1: *mut Fd, ret_fd2: *mut Fd) -> i32;
    /// Sends up to `count` (at most 1024) datagrams in one call; writes how
    /// many were sent. Every destination is checked first: the first denied
    /// one ends the batch (`notcapable` if it is the first).
    pub fn send_batch(fd: Fd, msgs: *mut Dgram, count: u32, flags: u16, ret_count: *mut u32) -> i32;
    /// Receives up to `count` (at most 1024) datagrams in one call; `flags`:
    /// 1 peek, 2 waitall, 4 waitforone.
    pub fn recv_batch(fd: Fd, msgs: *mut Dgram, count: u32, flags: u16, ret_count: *mut u32) -> i32;
    /// Connects a TLS socket (type 7) to the server `name` (`name_len`
    /// bytes, no NUL) on `port`: the host resolves the name, connects and
    /// runs the handshake, verifying the certificate against the name. The
    /// pool needs a TLS connect rule for it; `inprogress` when non-blocking.
    pub fn connect_name(fd: Fd, host: *const u8, host_len: u32, port: u16) -> i32;
} }
