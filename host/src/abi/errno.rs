//! WASI errno values (preview-1 numbering) and the mapping from host errors.

use std::io;

/// A WASI errno. `Errno::SUCCESS` is 0; every ABI function returns one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(pub u16);

/// The values, named as preview-1's `errno` enum names them (`Errno::AGAIN`
/// is `errno::again`, POSIX `EAGAIN`); each means what its POSIX namesake does.
#[allow(missing_docs)]
impl Errno {
    pub const SUCCESS: Errno = Errno(0);
    pub const TOOBIG: Errno = Errno(1);
    pub const ACCES: Errno = Errno(2);
    pub const ADDRINUSE: Errno = Errno(3);
    pub const ADDRNOTAVAIL: Errno = Errno(4);
    pub const AFNOSUPPORT: Errno = Errno(5);
    pub const AGAIN: Errno = Errno(6);
    pub const ALREADY: Errno = Errno(7);
    pub const BADF: Errno = Errno(8);
    pub const BUSY: Errno = Errno(10);
    pub const CONNABORTED: Errno = Errno(13);
    pub const CONNREFUSED: Errno = Errno(14);
    pub const CONNRESET: Errno = Errno(15);
    pub const DESTADDRREQ: Errno = Errno(17);
    pub const FAULT: Errno = Errno(21);
    pub const HOSTUNREACH: Errno = Errno(23);
    pub const INPROGRESS: Errno = Errno(26);
    pub const INTR: Errno = Errno(27);
    pub const INVAL: Errno = Errno(28);
    pub const IO: Errno = Errno(29);
    pub const ISCONN: Errno = Errno(30);
    pub const MFILE: Errno = Errno(33);
    pub const MSGSIZE: Errno = Errno(35);
    pub const NETDOWN: Errno = Errno(38);
    pub const NETRESET: Errno = Errno(39);
    pub const NETUNREACH: Errno = Errno(40);
    pub const NFILE: Errno = Errno(41);
    pub const NOBUFS: Errno = Errno(42);
    pub const NODEV: Errno = Errno(43);
    pub const NOENT: Errno = Errno(44);
    pub const NOMEM: Errno = Errno(48);
    pub const NOPROTOOPT: Errno = Errno(50);
    pub const NOTCONN: Errno = Errno(53);
    pub const NOTDIR: Errno = Errno(54);
    pub const NOTSOCK: Errno = Errno(57);
    pub const NOTSUP: Errno = Errno(58);
    pub const OVERFLOW: Errno = Errno(61);
    pub const PERM: Errno = Errno(63);
    pub const PIPE: Errno = Errno(64);
    pub const PROTONOSUPPORT: Errno = Errno(66);
    pub const PROTOTYPE: Errno = Errno(67);
    pub const SPIPE: Errno = Errno(70);
    pub const TIMEDOUT: Errno = Errno(73);
    pub const NOTCAPABLE: Errno = Errno(76);

    /// The errno as the `i32` an ABI function returns.
    pub fn code(self) -> i32 {
        i32::from(self.0)
    }

    /// Maps a host `errno` (Linux numbering) to WASI.
    pub fn from_raw_os(e: i32) -> Errno {
        match e {
            libc::E2BIG => Errno::TOOBIG,
            libc::EACCES => Errno::ACCES,
            libc::EADDRINUSE => Errno::ADDRINUSE,
            libc::EADDRNOTAVAIL => Errno::ADDRNOTAVAIL,
            libc::EAFNOSUPPORT => Errno::AFNOSUPPORT,
            libc::EAGAIN => Errno::AGAIN,
            libc::EALREADY => Errno::ALREADY,
            libc::EBADF => Errno::BADF,
            libc::EBUSY => Errno::BUSY,
            libc::ECONNABORTED => Errno::CONNABORTED,
            libc::ECONNREFUSED => Errno::CONNREFUSED,
            libc::ECONNRESET => Errno::CONNRESET,
            libc::EDESTADDRREQ => Errno::DESTADDRREQ,
            libc::EFAULT => Errno::FAULT,
            libc::EHOSTUNREACH | libc::EHOSTDOWN => Errno::HOSTUNREACH,
            libc::EINPROGRESS => Errno::INPROGRESS,
            libc::EINTR => Errno::INTR,
            libc::EINVAL => Errno::INVAL,
            libc::EISCONN => Errno::ISCONN,
            libc::EMFILE => Errno::MFILE,
            libc::EMSGSIZE => Errno::MSGSIZE,
            libc::ENETDOWN => Errno::NETDOWN,
            libc::ENETRESET => Errno::NETRESET,
            libc::ENETUNREACH => Errno::NETUNREACH,
            libc::ENFILE => Errno::NFILE,
            libc::ENOBUFS => Errno::NOBUFS,
            // A multicast interface index that does not exist.
            libc::ENODEV => Errno::NODEV,
            libc::ENOENT => Errno::NOENT,
            libc::ENOMEM => Errno::NOMEM,
            libc::ENOPROTOOPT => Errno::NOPROTOOPT,
            libc::ENOTCONN => Errno::NOTCONN,
            libc::ENOTDIR => Errno::NOTDIR,
            libc::ENOTSOCK => Errno::NOTSOCK,
            libc::EOPNOTSUPP => Errno::NOTSUP,
            libc::EOVERFLOW => Errno::OVERFLOW,
            libc::EPERM => Errno::PERM,
            libc::EPIPE => Errno::PIPE,
            libc::EPROTONOSUPPORT => Errno::PROTONOSUPPORT,
            libc::EPROTOTYPE => Errno::PROTOTYPE,
            libc::ESPIPE => Errno::SPIPE,
            libc::ETIMEDOUT => Errno::TIMEDOUT,
            _ => Errno::IO,
        }
    }
}

impl From<io::Error> for Errno {
    fn from(e: io::Error) -> Errno {
        match e.raw_os_error() {
            Some(n) => Errno::from_raw_os(n),
            None => match e.kind() {
                io::ErrorKind::WouldBlock => Errno::AGAIN,
                io::ErrorKind::InvalidInput => Errno::INVAL,
                io::ErrorKind::TimedOut => Errno::TIMEDOUT,
                _ => Errno::IO,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_socket_errors() {
        assert_eq!(Errno::from(io::Error::from_raw_os_error(libc::ECONNREFUSED)), Errno::CONNREFUSED);
        assert_eq!(Errno::from(io::Error::from_raw_os_error(libc::EWOULDBLOCK)), Errno::AGAIN);
        assert_eq!(Errno::from(io::Error::from_raw_os_error(libc::EINPROGRESS)), Errno::INPROGRESS);
        assert_eq!(Errno::from_raw_os(libc::EOPNOTSUPP), Errno::NOTSUP);
        assert_eq!(Errno::from_raw_os(9999), Errno::IO);
    }
}
