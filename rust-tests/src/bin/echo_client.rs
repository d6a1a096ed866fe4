//! Echo client: `echo_client ADDR` where ADDR is `IP:PORT` or `NAME:PORT`
//! of an echo server. Sends payloads of several sizes (plain, vectored,
//! through `&TcpStream`), checks every byte comes back, peeks, then shuts
//! down writing and expects EOF.

use std::io::{IoSlice, IoSliceMut, Read, Write};
use std::net::Shutdown;

use wasock::net::TcpStream;
use wasock_rust_tests::{arg, ensure, pattern, say, Res};

fn main() -> Res {
    let target = arg(1, "server address")?;
    let mut stream = TcpStream::connect(target.as_str())?;
    let peer = stream.peer_addr()?;
    let local = stream.local_addr()?;
    say(format!("connected {local} -> {peer}"));
    ensure!(
        peer.port() == target.rsplit(':').next().unwrap().parse::<u16>()?,
        "peer port {peer} does not match {target}"
    );
    stream.set_nodelay(true)?;
    ensure!(stream.nodelay()?, "nodelay did not stick");

    let mut total = 0;
    for (i, len) in [1usize, 1000, 64 * 1024, 300 * 1024].into_iter().enumerate() {
        let data = pattern(len, i as u8);
        stream.write_all(&data)?;
        let mut back = vec![0u8; len];
        stream.read_exact(&mut back)?;
        ensure!(back == data, "payload {i} ({len} bytes) came back different");
        total += len;
    }

    // Vectored write and read, through `&TcpStream`.
    let parts: [&[u8]; 3] = [b"alpha-", b"beta-", b"gamma"];
    let want: Vec<u8> = parts.concat();
    let mut sent = 0;
    while sent < want.len() {
        // Rebuild the slices past what went out already (writes may be short).
        let mut skip = sent;
        let mut bufs = Vec::new();
        for p in parts {
            if skip >= p.len() {
                skip -= p.len();
                continue;
            }
            bufs.push(IoSlice::new(&p[skip..]));
            skip = 0;
        }
        sent += (&stream).write_vectored(&bufs)?;
    }
    let (mut a, mut b) = ([0u8; 6], [0u8; 10]);
    let mut got = 0;
    while got < want.len() {
        let n = {
            let (a_rest, b_rest): (&mut [u8], &mut [u8]) =
                if got < 6 { (&mut a[got..], &mut b[..]) } else { (&mut [][..], &mut b[got - 6..]) };
            let mut bufs = [IoSliceMut::new(a_rest), IoSliceMut::new(b_rest)];
            (&stream).read_vectored(&mut bufs)?
        };
        ensure!(n > 0, "EOF in the middle of the vectored echo");
        got += n;
    }
    ensure!([&a[..], &b[..]].concat() == want, "vectored echo differs");
    total += want.len();

    // Peek leaves the bytes for the next read.
    stream.write_all(b"peekaboo")?;
    let mut peeked = [0u8; 8];
    let mut n = 0;
    while n < 8 {
        // The echo may arrive in pieces; peek until all 8 bytes are queued.
        n = stream.peek(&mut peeked)?;
    }
    let mut read = [0u8; 8];
    stream.read_exact(&mut read)?;
    ensure!(peeked == read && &read == b"peekaboo", "peek {peeked:?} vs read {read:?}");
    total += 8;

    stream.shutdown(Shutdown::Write)?;
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest)?;
    ensure!(rest.is_empty(), "unexpected {} bytes after shutdown", rest.len());
    say(format!("echo_client ok: {total} bytes echoed"));
    Ok(())
}
