//! The epoll set against `ppoll`: the same `revents` for the same `pollfd`s,
//! whatever was named before, over real loopback TCP connections.

use super::EdgeSet;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

const READ: libc::c_short = libc::POLLIN | libc::POLLRDHUP;
const WRITE: libc::c_short = libc::POLLOUT;

/// Connected pairs: (the side the set waits on, the peer).
fn pairs(n: usize) -> Vec<(Arc<TcpStream>, TcpStream)> {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    (0..n)
        .map(|_| {
            let peer = TcpStream::connect(l.local_addr().unwrap()).unwrap();
            (Arc::new(l.accept().unwrap().0), peer)
        })
        .collect()
}

/// One wait on `named` (socket, events) through the set.
fn set_poll(
    set: &mut EdgeSet<TcpStream>,
    named: &[(&Arc<TcpStream>, libc::c_short)],
    timeout: Duration,
) -> Vec<libc::c_short> {
    let mut fds: Vec<libc::pollfd> =
        named.iter().map(|(s, e)| libc::pollfd { fd: s.as_raw_fd(), events: *e, revents: 0 }).collect();
    let ids: Vec<usize> = named.iter().map(|(s, _)| Arc::as_ptr(s) as usize).collect();
    let weak = |i: usize| -> Option<Weak<TcpStream>> { Some(Arc::downgrade(named[i].0)) };
    let n = set.poll(&mut fds, &ids, weak, Some(timeout)).unwrap();
    assert_eq!(n, fds.iter().filter(|p| p.revents != 0).count(), "the count is of the pollfds reported");
    fds.iter().map(|p| p.revents).collect()
}

/// The same wait through `ppoll`, with a zero timeout.
fn ppoll(named: &[(&Arc<TcpStream>, libc::c_short)]) -> Vec<libc::c_short> {
    let mut fds: Vec<libc::pollfd> =
        named.iter().map(|(s, e)| libc::pollfd { fd: s.as_raw_fd(), events: *e, revents: 0 }).collect();
    crate::sys::poll(&mut fds, Some(Duration::ZERO)).unwrap();
    fds.iter().map(|p| p.revents).collect()
}

#[test]
fn reports_what_ppoll_reports_as_the_named_sets_change() {
    let mut p = pairs(4);
    let mut set = EdgeSet::new().unwrap();
    // Data waiting on 0 and 2; 3's peer has closed (read closed, hang-up not).
    p[0].1.write_all(b"a").unwrap();
    p[2].1.write_all(b"c").unwrap();
    let (_, gone) = p.remove(3);
    drop(gone);
    std::thread::sleep(Duration::from_millis(50));
    let s: Vec<&Arc<TcpStream>> = p.iter().map(|(s, _)| s).collect();
    let rounds: Vec<Vec<(&Arc<TcpStream>, libc::c_short)>> = vec![
        vec![(s[0], READ), (s[1], READ), (s[2], READ)],
        // A direction added, one socket dropped from the call, one named twice.
        vec![(s[0], WRITE), (s[0], READ), (s[2], READ)],
        vec![(s[1], READ | WRITE), (s[2], WRITE)],
        vec![(s[0], READ), (s[1], READ), (s[2], READ)],
    ];
    for (i, named) in rounds.iter().enumerate() {
        assert_eq!(set_poll(&mut set, named, Duration::ZERO), ppoll(named), "round {i}");
    }
}

#[test]
fn a_socket_left_out_of_the_call_neither_wakes_it_nor_is_reported() {
    let p = pairs(2);
    let mut set = EdgeSet::new().unwrap();
    (&p[0].1).write_all(b"x").unwrap();
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(set_poll(&mut set, &[(&p[0].0, READ), (&p[1].0, READ)], Duration::ZERO), vec![libc::POLLIN, 0]);
    // 0 is still readable, but this call names only 1, which is idle.
    let start = Instant::now();
    assert_eq!(set_poll(&mut set, &[(&p[1].0, READ)], Duration::from_millis(100)), vec![0]);
    assert!(start.elapsed() >= Duration::from_millis(90), "woken after {:?}", start.elapsed());
}

#[test]
fn a_closed_sockets_fd_reused_by_another_is_registered_again() {
    let mut set = EdgeSet::new().unwrap();
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let connect = || {
        let peer = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        (Arc::new(l.accept().unwrap().0), peer)
    };
    let (old, _old_peer) = connect();
    let fd = old.as_raw_fd();
    assert_eq!(set_poll(&mut set, &[(&old, READ)], Duration::ZERO), vec![0]);
    // Another socket takes the number: `dup2` over it closes the old
    // socket's file in the same step (other tests open fds meanwhile, so
    // waiting for the lowest free number to come back would not do).
    let (moved, mut new_peer) = connect();
    // SAFETY: both fds are open and owned here; `fd` is the old socket's,
    // whose stream gives it up below without closing it.
    assert_eq!(unsafe { libc::dup2(moved.as_raw_fd(), fd) }, fd);
    let _ = Arc::try_unwrap(old).map(std::os::fd::IntoRawFd::into_raw_fd).unwrap();
    drop(moved);
    // SAFETY: `fd` is open (dup2 above) and nothing else owns it now.
    let new = Arc::new(unsafe { <TcpStream as std::os::fd::FromRawFd>::from_raw_fd(fd) });
    new_peer.write_all(b"y").unwrap();
    assert_eq!(set_poll(&mut set, &[(&new, READ)], Duration::from_secs(5)), vec![libc::POLLIN]);
}

#[test]
fn a_sleeping_wait_wakes_when_data_arrives() {
    let p = pairs(3);
    let mut set = EdgeSet::new().unwrap();
    let named = [(&p[0].0, READ), (&p[1].0, READ), (&p[2].0, READ)];
    assert_eq!(set_poll(&mut set, &named, Duration::ZERO), vec![0, 0, 0]);
    let mut peer = p[1].1.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        peer.write_all(b"z").unwrap();
    });
    assert_eq!(set_poll(&mut set, &named, Duration::from_secs(5)), vec![0, libc::POLLIN, 0]);
    writer.join().unwrap();
}
