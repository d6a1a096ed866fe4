//! [`SockRef`]: a [`Socket`] view of a socket fd something else owns.

use std::fmt;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd};

use crate::socket::Socket;

/// Every [`Socket`] method (options, addresses, `take_error`) on a socket
/// owned by something else: a std, tokio or mio socket, or any [`AsFd`].
/// It borrows the fd and never closes it, like socket2's `SockRef`.
///
/// This is how the addresses and options that std, mio and tokio cannot
/// reach on `wasm32-wasip1` (their `peer_addr`, `set_nodelay`, `take_error`
/// answer "unsupported" there) are read and set without `unsafe`.
///
/// ```no_run
/// use wasock::SockRef;
/// # let stream: std::net::TcpStream = wasock::net::TcpStream::connect("127.0.0.1:8080")?.into();
/// let sock = SockRef::from(&stream);
/// sock.set_nodelay(true)?;
/// println!("connected to {}", sock.peer_addr()?);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct SockRef<'a> {
    // Never dropped: the fd belongs to whatever `'a` borrows.
    sock: ManuallyDrop<Socket>,
    _borrow: PhantomData<BorrowedFd<'a>>,
}

impl<'a, S: AsFd> From<&'a S> for SockRef<'a> {
    fn from(owner: &'a S) -> SockRef<'a> {
        let fd = owner.as_fd().as_raw_fd();
        // SAFETY: the fd stays open for `'a` (it is borrowed from `owner`),
        // and `ManuallyDrop` keeps this `Socket` from closing it. `Socket`
        // offers no way to take its fd out through a shared reference.
        let sock = ManuallyDrop::new(unsafe { Socket::from_raw_fd(fd) });
        SockRef { sock, _borrow: PhantomData }
    }
}

impl Deref for SockRef<'_> {
    type Target = Socket;

    fn deref(&self) -> &Socket {
        &self.sock
    }
}

/// The extension trait for sockets that other crates own (std, tokio and
/// mio sockets on `wasm32-wasip1` answer "unsupported" for addresses and
/// options): `stream.sock_ref()` gives every [`Socket`] method on them
/// (`peer_addr`, `local_addr`, `set_nodelay`, keepalive, buffer sizes, ...).
/// The methods have a name of their own because the runtimes' inherent
/// `peer_addr` and friends would otherwise shadow them.
///
/// ```no_run
/// use wasock::SocketExt;
/// # fn demo(stream: &std::net::TcpStream) -> std::io::Result<()> {
/// stream.sock_ref().set_nodelay(true)?;
/// println!("talking to {}", stream.sock_ref().peer_addr()?);
/// # Ok(())
/// # }
/// ```
pub trait SocketExt: AsFd {
    /// A borrowed [`Socket`] view of this socket (see [`SockRef`]).
    fn sock_ref(&self) -> SockRef<'_>
    where
        Self: Sized,
    {
        SockRef::from(self)
    }
}

impl<S: AsFd> SocketExt for S {}

impl fmt::Debug for SockRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SockRef").field(&*self.sock).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Seek, Write};

    /// Dropping the view leaves the owner's fd open (any fd will do here;
    /// a socket is not needed to see that nothing closes it).
    #[test]
    fn drop_does_not_close_the_owners_fd() {
        let path = std::env::temp_dir().join(format!("wasock-sockref-{}", std::process::id()));
        let mut file = std::fs::File::options().read(true).write(true).create(true).truncate(true).open(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        {
            let view = SockRef::from(&file);
            assert_eq!(view.as_raw_fd(), file.as_raw_fd());
        }
        file.write_all(b"still open").unwrap();
        file.rewind().unwrap();
        let mut back = String::new();
        file.read_to_string(&mut back).unwrap();
        assert_eq!(back, "still open");
    }
}
