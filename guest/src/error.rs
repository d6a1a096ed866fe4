//! WASI errno values and their translation into [`io::Error`].
//!
//! The imports return preview-1 errno numbers. std on `wasm32-wasip1` maps
//! most of them to an [`io::ErrorKind`] in `io::Error::from_raw_os_error`,
//! but not `notcapable` (76), the one a denied pool operation returns, and the
//! raw form cannot say which operation on which address failed. So this
//! crate keeps its own table (the same kinds std uses, plus
//! `notcapable` → [`PermissionDenied`](io::ErrorKind::PermissionDenied)) and
//! builds errors whose message names the operation and the address:
//! `connect to 127.0.0.1:9: connection refused`. The table is plain logic, so
//! it is unit-tested on any target.

use std::error::Error as StdError;
use std::fmt;
use std::io::{self, ErrorKind};
use std::net::SocketAddr;

/// A WASI preview-1 error number, as the `wasi_ephemeral_sock` imports return it.
///
/// Every error this crate produces from an errno carries it; get it back with
/// [`Errno::of`]:
///
/// ```no_run
/// use wasock::{net::TcpStream, Errno};
/// let err = TcpStream::connect("127.0.0.1:9").unwrap_err();
/// if Errno::of(&err) == Some(Errno::NOTCAPABLE) {
///     eprintln!("the host's address pool does not grant 127.0.0.1:9");
/// }
/// ```
#[derive(Copy, Clone, PartialEq, Eq, Hash)]
pub struct Errno(u16);

macro_rules! errnos {
    ($($name:ident = $n:literal, $short:literal, $desc:literal, $kind:ident;)*) => {
        impl Errno {
            $(
                #[doc = concat!("`", $short, "` (", stringify!($n), "): ", $desc, ".")]
                pub const $name: Errno = Errno($n);
            )*

            /// The preview-1 name of the errno, e.g. `"connrefused"`.
            pub fn name(self) -> &'static str {
                match self.0 {
                    $($n => $short,)*
                    _ => "unknown",
                }
            }

            /// A short English description, e.g. `"connection refused"`.
            pub fn message(self) -> &'static str {
                match self.0 {
                    $($n => $desc,)*
                    _ => "unknown error",
                }
            }

            /// The [`io::ErrorKind`] std gives this errno on `wasm32-wasip1`,
            /// except that `notcapable` is `PermissionDenied`, and the errnos
            /// std leaves uncategorized (or maps to the unstable
            /// `InProgress` and `FilesystemLoop`) are `Other`, or `Unsupported` for
            /// `afnosupport` and `protonosupport`.
            pub fn kind(self) -> ErrorKind {
                match self.0 {
                    $($n => ErrorKind::$kind,)*
                    _ => ErrorKind::Other,
                }
            }
        }
    };
}

errnos! {
    SUCCESS = 0, "success", "no error", Other;
    TOOBIG = 1, "2big", "argument list too long", ArgumentListTooLong;
    ACCES = 2, "acces", "permission denied", PermissionDenied;
    ADDRINUSE = 3, "addrinuse", "address in use", AddrInUse;
    ADDRNOTAVAIL = 4, "addrnotavail", "address not available", AddrNotAvailable;
    AFNOSUPPORT = 5, "afnosupport", "address family not supported", Unsupported;
    AGAIN = 6, "again", "operation would block", WouldBlock;
    ALREADY = 7, "already", "connection already in progress", Other;
    BADF = 8, "badf", "bad file descriptor", Other;
    BADMSG = 9, "badmsg", "bad message", Other;
    BUSY = 10, "busy", "resource busy", ResourceBusy;
    CANCELED = 11, "canceled", "operation canceled", Other;
    CHILD = 12, "child", "no child processes", Other;
    CONNABORTED = 13, "connaborted", "connection aborted", ConnectionAborted;
    CONNREFUSED = 14, "connrefused", "connection refused", ConnectionRefused;
    CONNRESET = 15, "connreset", "connection reset", ConnectionReset;
    DEADLK = 16, "deadlk", "resource deadlock would occur", Deadlock;
    DESTADDRREQ = 17, "destaddrreq", "destination address required", Other;
    DOM = 18, "dom", "argument out of domain", Other;
    DQUOT = 19, "dquot", "quota exceeded", QuotaExceeded;
    EXIST = 20, "exist", "already exists", AlreadyExists;
    FAULT = 21, "fault", "bad address", Other;
    FBIG = 22, "fbig", "file too large", FileTooLarge;
    HOSTUNREACH = 23, "hostunreach", "host is unreachable", HostUnreachable;
    IDRM = 24, "idrm", "identifier removed", Other;
    ILSEQ = 25, "ilseq", "illegal byte sequence", Other;
    INPROGRESS = 26, "inprogress", "operation in progress", Other;
    INTR = 27, "intr", "interrupted", Interrupted;
    INVAL = 28, "inval", "invalid argument", InvalidInput;
    IO = 29, "io", "i/o error", Other;
    ISCONN = 30, "isconn", "socket is connected", Other;
    ISDIR = 31, "isdir", "is a directory", IsADirectory;
    LOOP = 32, "loop", "too many levels of symbolic links", Other;
    MFILE = 33, "mfile", "too many open files", Other;
    MLINK = 34, "mlink", "too many links", TooManyLinks;
    MSGSIZE = 35, "msgsize", "message too long", Other;
    MULTIHOP = 36, "multihop", "multihop attempted", Other;
    NAMETOOLONG = 37, "nametoolong", "name too long", InvalidFilename;
    NETDOWN = 38, "netdown", "network is down", NetworkDown;
    NETRESET = 39, "netreset", "connection reset by network", Other;
    NETUNREACH = 40, "netunreach", "network is unreachable", NetworkUnreachable;
    NFILE = 41, "nfile", "too many open files in system", Other;
    NOBUFS = 42, "nobufs", "no buffer space available", Other;
    NODEV = 43, "nodev", "no such device", Other;
    NOENT = 44, "noent", "not found", NotFound;
    NOEXEC = 45, "noexec", "executable format error", Other;
    NOLCK = 46, "nolck", "no locks available", Other;
    NOLINK = 47, "nolink", "link has been severed", Other;
    NOMEM = 48, "nomem", "out of memory", OutOfMemory;
    NOMSG = 49, "nomsg", "no message of the desired type", Other;
    NOPROTOOPT = 50, "noprotoopt", "protocol not available", Other;
    NOSPC = 51, "nospc", "no space left on device", StorageFull;
    NOSYS = 52, "nosys", "function not supported", Unsupported;
    NOTCONN = 53, "notconn", "socket is not connected", NotConnected;
    NOTDIR = 54, "notdir", "not a directory", NotADirectory;
    NOTEMPTY = 55, "notempty", "directory not empty", Other;
    NOTRECOVERABLE = 56, "notrecoverable", "state not recoverable", Other;
    NOTSOCK = 57, "notsock", "not a socket", Other;
    NOTSUP = 58, "notsup", "not supported", Unsupported;
    NOTTY = 59, "notty", "inappropriate i/o control operation", Other;
    NXIO = 60, "nxio", "no such device or address", Other;
    OVERFLOW = 61, "overflow", "value too large for data type", Other;
    OWNERDEAD = 62, "ownerdead", "previous owner died", Other;
    PERM = 63, "perm", "operation not permitted", PermissionDenied;
    PIPE = 64, "pipe", "broken pipe", BrokenPipe;
    PROTO = 65, "proto", "protocol error", Other;
    PROTONOSUPPORT = 66, "protonosupport", "protocol not supported", Unsupported;
    PROTOTYPE = 67, "prototype", "protocol wrong type for socket", Other;
    RANGE = 68, "range", "result too large", Other;
    ROFS = 69, "rofs", "read-only file system", ReadOnlyFilesystem;
    SPIPE = 70, "spipe", "invalid seek", NotSeekable;
    SRCH = 71, "srch", "no such process", Other;
    STALE = 72, "stale", "stale file handle", StaleNetworkFileHandle;
    TIMEDOUT = 73, "timedout", "timed out", TimedOut;
    TXTBSY = 74, "txtbsy", "text file busy", ExecutableFileBusy;
    XDEV = 75, "xdev", "cross-device link", CrossesDevices;
    NOTCAPABLE = 76, "notcapable", "not granted by the address pool", PermissionDenied;
}

impl Errno {
    /// The errno with this number.
    pub const fn from_raw(n: u16) -> Errno {
        Errno(n)
    }

    /// The number.
    pub const fn raw(self) -> u16 {
        self.0
    }

    /// The errno an error from this crate was made from, if any.
    ///
    /// Errors for a would-block condition carry no payload (they are made
    /// cheaply, as non-blocking loops see many); they report [`Errno::AGAIN`].
    pub fn of(err: &io::Error) -> Option<Errno> {
        if let Some(e) = err.get_ref().and_then(|e| e.downcast_ref::<SockError>()) {
            return Some(e.errno);
        }
        // std's own errors on wasip1 carry the WASI errno as the raw OS code.
        #[cfg(target_os = "wasi")]
        if let Some(n) = err.raw_os_error() {
            return u16::try_from(n).ok().map(Errno);
        }
        (err.kind() == ErrorKind::WouldBlock).then_some(Errno::AGAIN)
    }

    /// Turns a raw return value into `Ok(())` for 0 and `Err(errno)` otherwise.
    pub(crate) fn check(ret: i32) -> Result<(), Errno> {
        match ret {
            0 => Ok(()),
            // Negative or oversized values cannot come from a sane host;
            // keep them visible instead of truncating them to another errno.
            n => Err(Errno(u16::try_from(n).unwrap_or(u16::MAX))),
        }
    }

    /// An `io::Error` for this errno raised by `op` (e.g. `"connect to"`) on
    /// `addr`.
    pub(crate) fn error(self, op: &'static str, addr: Option<SocketAddr>) -> io::Error {
        if self == Errno::AGAIN {
            // No allocation on the hot path of non-blocking I/O.
            return ErrorKind::WouldBlock.into();
        }
        let target = addr.map_or(Target::None, Target::Addr);
        io::Error::new(self.kind(), SockError { errno: self, op, target })
    }

    /// Like [`Errno::error`], for an operation on a host name.
    pub(crate) fn error_for_name(self, op: &'static str, name: &str) -> io::Error {
        let target = Target::Name(name.to_string());
        io::Error::new(self.kind(), SockError { errno: self, op, target })
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Errno({} {})", self.0, self.name())
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl StdError for Errno {}

/// The payload of the errors this crate returns: which operation, on which
/// address, failed with which errno.
#[derive(Debug)]
struct SockError {
    errno: Errno,
    op: &'static str,
    target: Target,
}

/// What the failed operation was aimed at.
#[derive(Debug)]
enum Target {
    None,
    Addr(SocketAddr),
    Name(String),
}

impl fmt::Display for SockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target {
            Target::None => write!(f, "{}: {}", self.op, self.errno),
            Target::Addr(a) => write!(f, "{} {}: {}", self.op, a, self.errno),
            Target::Name(n) => write!(f, "{} {}: {}", self.op, n, self.errno),
        }
    }
}

impl StdError for SockError {}

/// Shorthand: run a raw call and turn its errno into a contextual error.
pub(crate) fn cvt(ret: i32, op: &'static str, addr: Option<SocketAddr>) -> io::Result<()> {
    Errno::check(ret).map_err(|e| e.error(op, addr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_match_std() {
        let cases = [
            (Errno::CONNREFUSED, ErrorKind::ConnectionRefused),
            (Errno::ADDRINUSE, ErrorKind::AddrInUse),
            (Errno::ADDRNOTAVAIL, ErrorKind::AddrNotAvailable),
            (Errno::AGAIN, ErrorKind::WouldBlock),
            (Errno::TIMEDOUT, ErrorKind::TimedOut),
            (Errno::NOTCONN, ErrorKind::NotConnected),
            (Errno::CONNRESET, ErrorKind::ConnectionReset),
            (Errno::CONNABORTED, ErrorKind::ConnectionAborted),
            (Errno::PIPE, ErrorKind::BrokenPipe),
            (Errno::INVAL, ErrorKind::InvalidInput),
            (Errno::NOENT, ErrorKind::NotFound),
            (Errno::ACCES, ErrorKind::PermissionDenied),
            (Errno::NOTCAPABLE, ErrorKind::PermissionDenied),
            (Errno::HOSTUNREACH, ErrorKind::HostUnreachable),
            (Errno::NETUNREACH, ErrorKind::NetworkUnreachable),
            (Errno::NOTSUP, ErrorKind::Unsupported),
            (Errno::from_raw(999), ErrorKind::Other),
        ];
        for (e, k) in cases {
            assert_eq!(e.kind(), k, "{e:?}");
        }
    }

    /// Only meaningful where std's table is the WASI one.
    #[cfg(target_os = "wasi")]
    #[test]
    fn agrees_with_std_on_wasi() {
        for n in 1..=75u16 {
            let std_kind = io::Error::from_raw_os_error(n.into()).kind();
            let ours = Errno::from_raw(n).kind();
            // Kinds that stable Rust cannot name are `Other` here.
            if !matches!(format!("{std_kind:?}").as_str(), "Uncategorized" | "InProgress" | "FilesystemLoop") {
                assert_eq!(ours, std_kind, "errno {n}");
            }
        }
    }

    #[test]
    fn message_names_operation_and_address() {
        let a: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let e = Errno::CONNREFUSED.error("connect to", Some(a));
        assert_eq!(e.to_string(), "connect to 127.0.0.1:9: connection refused");
        assert_eq!(e.kind(), ErrorKind::ConnectionRefused);
        assert_eq!(Errno::of(&e), Some(Errno::CONNREFUSED));

        let e = Errno::NOTCAPABLE.error("bind to", Some("[::1]:80".parse().unwrap()));
        assert_eq!(e.to_string(), "bind to [::1]:80: not granted by the address pool");
        assert_eq!(e.kind(), ErrorKind::PermissionDenied);

        let e = Errno::NOTCONN.error("peer_addr", None);
        assert_eq!(e.to_string(), "peer_addr: socket is not connected");

        let e = Errno::NOENT.error_for_name("resolve", "nowhere.invalid");
        assert_eq!(e.to_string(), "resolve nowhere.invalid: not found");
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(Errno::of(&e), Some(Errno::NOENT));
    }

    #[test]
    fn would_block_is_cheap_and_recognised() {
        let e = Errno::AGAIN.error("read", None);
        assert_eq!(e.kind(), ErrorKind::WouldBlock);
        assert!(e.get_ref().is_none());
        assert_eq!(Errno::of(&e), Some(Errno::AGAIN));
    }

    #[test]
    fn check() {
        assert_eq!(Errno::check(0), Ok(()));
        assert_eq!(Errno::check(76), Err(Errno::NOTCAPABLE));
        assert_eq!(Errno::check(-1), Err(Errno::from_raw(u16::MAX)));
        assert!(cvt(14, "connect to", None).is_err());
    }

    #[test]
    fn names() {
        assert_eq!(Errno::NOTCAPABLE.name(), "notcapable");
        assert_eq!(format!("{:?}", Errno::AGAIN), "Errno(6 again)");
        assert_eq!(Errno::from_raw(200).name(), "unknown");
    }
}
