//! Every type a program keeps or hands around is `Send + Sync`, as std's
//! sockets are: on `wasm32-wasip1-threads` a `TcpStream` accepted in one
//! thread is served in another, a `TcpListener` is shared by an
//! `Arc`, a `Pool` is cloned into workers. The checks are the trait bounds
//! below, so they fail at compile time; `cargo test --no-run --target
//! wasm32-wasip1-threads -p wasock` compiles them for the threads target too.
//!
//! Not here on purpose: `wasock::sys::Dgram` and `RawIovec`, the raw ABI
//! records of a batch, hold raw pointers into the caller's buffers and are
//! as thread-bound as the pointers (like libc's `mmsghdr`).

fn send_sync<T: Send + Sync>() {}

/// A future that is `Send` can be spawned on a multi-threaded runtime.
#[cfg(feature = "tokio")]
fn send_future<F: std::future::Future + Send>(_: &F) {}

#[test]
fn sockets_and_pools_are_send_and_sync() {
    send_sync::<wasock::Socket>();
    send_sync::<wasock::SockRef<'static>>();
    send_sync::<wasock::Pool>();
    send_sync::<wasock::Errno>();
    send_sync::<wasock::RecvFlags>();
    send_sync::<wasock::Family>();
    send_sync::<wasock::SockType>();
}

#[test]
fn net_types_are_send_and_sync() {
    use wasock::net::*;
    send_sync::<TcpStream>();
    send_sync::<TcpListener>();
    send_sync::<UdpSocket>();
    send_sync::<Incoming<'static>>();
    send_sync::<Connecting>();
    send_sync::<LookupHost>();
    send_sync::<StdAddrs<SocketAddr>>();
    send_sync::<Pooled<&'static str>>();
}

#[cfg(feature = "tokio")]
#[test]
fn tokio_types_and_futures_are_send() {
    send_sync::<wasock::tokio::TcpListener>();
    send_sync::<wasock::tokio::TcpStream>();
    send_sync::<wasock::tokio::ReadHalf<'static>>();
    send_sync::<wasock::tokio::WriteHalf<'static>>();
    send_future(&wasock::tokio::TcpStream::connect("127.0.0.1:1"));
    // Built, never polled: only their types are checked.
    send_future(&wasock::tokio::connect("127.0.0.1:1"));
    send_future(&wasock::tokio::TcpListener::bind("127.0.0.1:0"));
    // accept borrows a listener, which needs a runtime to exist; naming
    // the future's type in a function that never runs checks it all the same.
    fn _accept_is_send(l: &wasock::tokio::TcpListener) {
        send_future(&l.accept());
    }
}

#[cfg(feature = "ureq")]
#[test]
fn ureq_types_are_send_and_sync() {
    send_sync::<wasock::ureq::Connector>();
    send_sync::<wasock::ureq::Resolver>();
    send_sync::<wasock::ureq::Transport>();
}
