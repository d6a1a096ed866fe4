//! Batched datagrams through the crate: `UdpSocket::send_batch` and
//! `recv_batch` between two guest sockets on loopback. 32 datagrams in one
//! call each way, truncation, an empty batch, and a destination the pool
//! denies in the middle of a batch (127.0.0.2: the run grants 127.0.0.1).

use std::io::ErrorKind;
use std::net::SocketAddr;

use wasock::net::UdpSocket;
use wasock_rust_tests::{ensure, expect_err, pattern, say, Res};

const N: usize = 32;

/// Receives `n` datagrams in as many batches as it takes.
fn recv_all(b: &UdpSocket, storage: &mut [[u8; 256]], n: usize) -> std::io::Result<Vec<(usize, SocketAddr)>> {
    let mut out = vec![(0, "0.0.0.0:0".parse().unwrap()); n];
    let mut got = 0;
    while got < n {
        let mut bufs: Vec<&mut [u8]> = storage[got..n].iter_mut().map(|b| &mut b[..]).collect();
        got += b.recv_batch(&mut bufs, &mut out[got..])?;
    }
    Ok(out)
}

fn main() -> Res {
    let (a, b) = (UdpSocket::bind("127.0.0.1:0")?, UdpSocket::bind("127.0.0.1:0")?);
    let (from, to) = (a.local_addr()?, Some(b.local_addr()?));
    let data: Vec<Vec<u8>> = (0..N).map(|i| pattern(10 + i, i as u8)).collect();
    let msgs: Vec<(&[u8], Option<SocketAddr>)> = data.iter().map(|d| (&d[..], to)).collect();
    ensure!(a.send_batch(&msgs)? == N, "send_batch sent fewer than {N}");
    let mut storage = vec![[0u8; 256]; N];
    let got = recv_all(&b, &mut storage, N)?;
    for (i, (len, src)) in got.iter().enumerate() {
        ensure!(*src == from && storage[i][..*len] == data[i][..], "datagram {i}: {len} bytes from {src}");
    }
    say(format!("batch of {N} ok"));

    // A datagram longer than its buffer is cut.
    a.send_batch(&[(&pattern(100, 7), to)])?;
    let mut small = [0u8; 10];
    let mut out = [(0, from); 1];
    ensure!(b.recv_batch(&mut [&mut small[..]], &mut out)? == 1 && out[0].0 == 10, "truncated: {out:?}");
    ensure!(small[..] == pattern(100, 7)[..10], "truncated bytes");
    ensure!(a.send_batch(&[])? == 0, "an empty batch sends nothing");

    // A denied destination at message 5: 0..5 go, then the next call is the denial.
    let mut msgs = msgs[..8].to_vec();
    msgs[5].1 = Some("127.0.0.2:9".parse()?);
    ensure!(a.send_batch(&msgs)? == 5, "the batch ends before the denied destination");
    expect_err(a.send_batch(&msgs[5..]), ErrorKind::PermissionDenied, "send_batch to 127.0.0.2")?;
    ensure!(a.send_batch(&msgs[6..])? == 2, "the rest goes");
    let got = recv_all(&b, &mut storage, 7)?;
    ensure!(got.iter().all(|(_, src)| *src == from), "sources");
    say("udp_batch ok");
    Ok(())
}
