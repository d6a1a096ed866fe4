//! Kernel-side enforcement of a pool's accept rules: a classic BPF socket filter.
//!
//! A pool's `--allow-accept CIDR[:PORTS]` rules say which peers a guest may
//! receive from. Checking the peer in user space, after the kernel has queued
//! it, lets a denied peer defeat receive timeouts (each denied datagram wakes
//! the receiver), makes `poll` report a listener readable for a connection that
//! `accept` then drops, and floods the log. [`PeerFilter`] compiles the rules
//! into a socket filter (`SO_ATTACH_FILTER`) for TCP listeners (attached before
//! `listen`) and UDP sockets, so the kernel drops refused SYNs and datagrams
//! before they queue, and locks it (`SO_LOCK_FILTER`).
//!
//! What a refused peer sees: nothing, as behind a firewall's DROP. A SYN is
//! dropped silently (no RST), so the peer's `connect` retransmits and
//! eventually times out; the listener's accept queue stays empty. Datagrams
//! vanish. Connections accepted from a listener inherit its filter, which
//! admits their one peer.
//!
//! Semantics: a packet is admitted iff some accept rule's network contains
//! its source address and the rule's ports contain its source port, as
//! [`Pool::allows`] with [`Right::Accept`]. The filter sees the network
//! header, not the socket's view of the peer: a dual-stack IPv6 socket
//! receiving IPv4 sees an IPv4 header, which IPv4 rules are checked against,
//! just as user space canonicalises a v4-mapped peer to IPv4. An IPv6 header
//! whose *source* is itself v4-mapped (`::ffff:a.b.c.d`, never legitimate on
//! the wire) is dropped whatever the rules say: the safe side, where user space
//! would have checked it against the IPv4 rules.

use crate::pool::{Pool, Ports, Right};
use ipnet::{IpNet, Ipv6Net};
use libc::sock_filter;
use std::io;
use std::net::Ipv6Addr;
use std::os::fd::{AsRawFd, BorrowedFd};

/// A classic BPF socket filter that admits only the peers a pool's accept rules grant.
#[derive(Clone, Debug)]
pub struct PeerFilter {
    prog: Vec<sock_filter>,
}

/// `ret` value that keeps the whole packet.
const ADMIT: u32 = u32::MAX;
/// `ret` value that drops the packet.
const DROP: u32 = 0;
/// Offset that makes an absolute load address the network header
/// (`SKF_NET_OFF`) instead of the transport header, where `skb->data` points.
const NET: u32 = libc::SKF_NET_OFF as u32;
/// IPv4 header: source address offset.
const V4_SRC: u32 = 12;
/// IPv6 header: source address offset (four words).
const V6_SRC: u32 = 8;
/// The v4-mapped IPv6 addresses, whose IPv6 headers are dropped.
const MAPPED: Ipv6Net = Ipv6Net::new_assert(Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0), 96);

impl PeerFilter {
    /// `Ok(None)` when the pool has no accept rules (every peer is admitted, no filter needed).
    /// `Err` when the rules do not fit in one program (BPF_MAXINSNS = 4096 instructions): the
    /// caller fails closed. The error is an io::Error of kind InvalidInput with a message naming the pool.
    ///
    /// Layout: one block per rule, in rule order, each ending in `ret ADMIT`;
    /// any mismatch inside a block jumps to the start of the next block, so
    /// every jump is short (a block is at most 19 instructions). When there is
    /// an IPv6 rule, a first block drops v4-mapped sources. The program ends in
    /// `ret DROP`.
    pub fn for_pool(pool: &Pool) -> io::Result<Option<PeerFilter>> {
        let rules: Vec<_> = pool.addr_rules.iter().filter(|r| r.right == Right::Accept).collect();
        if rules.is_empty() {
            return Ok(None);
        }
        let mut prog = Vec::new();
        if rules.iter().any(|r| matches!(r.net, IpNet::V6(_))) {
            prog.extend(block(&IpNet::V6(MAPPED), &Ports::ALL, DROP));
        }
        for rule in &rules {
            prog.extend(block(&rule.net, &rule.ports, ADMIT));
        }
        prog.push(stmt(libc::BPF_RET | libc::BPF_K, DROP));
        if prog.len() > libc::BPF_MAXINSNS as usize {
            let why = format!(
                "{pool}: its {} accept rules compile to {} BPF instructions, more than the kernel's {}",
                rules.len(),
                prog.len(),
                libc::BPF_MAXINSNS
            );
            return Err(io::Error::new(io::ErrorKind::InvalidInput, why));
        }
        Ok(Some(PeerFilter { prog }))
    }

    /// Attaches the filter (SO_ATTACH_FILTER) and locks it (SO_LOCK_FILTER) so nothing can detach or replace it.
    ///
    /// Fails with `EPERM` on a socket whose filter is already locked, and may
    /// fail with `ENOMEM` for a program larger than `net.core.optmem_max` allows.
    pub fn attach(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
        let fprog = libc::sock_fprog {
            len: self.prog.len() as u16, // at most BPF_MAXINSNS, checked by `for_pool`
            filter: self.prog.as_ptr().cast_mut(),
        };
        // SAFETY: `fprog` points to `len` instructions that live across the call; the kernel
        // copies them and never writes through the pointer.
        unsafe { setsockopt(fd, libc::SO_ATTACH_FILTER, &fprog) }?;
        // SAFETY: SO_LOCK_FILTER takes an int.
        unsafe { setsockopt(fd, libc::SO_LOCK_FILTER, &(1 as libc::c_int)) }
    }

    /// Number of instructions (for tests and diagnostics).
    pub fn len(&self) -> usize {
        self.prog.len()
    }

    /// Never true: a program has at least its final `ret`.
    pub fn is_empty(&self) -> bool {
        self.prog.is_empty()
    }
}

/// `setsockopt(fd, SOL_SOCKET, opt, value)`.
///
/// # Safety
/// `T` must be the type the kernel expects for `opt`, and any pointer inside
/// `value` must be valid for what the kernel reads through it.
unsafe fn setsockopt<T>(fd: BorrowedFd<'_>, opt: libc::c_int, value: &T) -> io::Result<()> {
    let len = std::mem::size_of::<T>() as libc::socklen_t;
    let value = (value as *const T).cast::<libc::c_void>();
    // SAFETY: `value` points to `len` readable bytes; the rest is the caller's promise.
    match unsafe { libc::setsockopt(fd.as_raw_fd(), libc::SOL_SOCKET, opt, value, len) } {
        0 => Ok(()),
        _ => Err(io::Error::last_os_error()),
    }
}

/// One step of a block, before jump offsets are known.
enum Step {
    /// An instruction that does not jump.
    Do(sock_filter),
    /// Conditional jump: go on when `A op k` holds, else leave the block.
    Require(u32, u32),
    /// Conditional jump: leave the block when `A op k` holds, else go on.
    Refuse(u32, u32),
}

/// The block for one rule: `verdict` a packet whose source address is in
/// `net` and whose source port is in `ports`; anything else falls through to
/// the next block.
///
/// ```text
///     ldb [NET+0]; and #0xf0; jeq #0x40 (or #0x60), else next   IP version
///     ld [NET+off]; and #mask; jeq #value, else next              per masked word
///     ldh [0]; jge #lo, else next; jgt #hi, next                  source port
///     ret #verdict
/// next:
/// ```
///
/// The address test is left out for `/0` (and a word's `and` when its mask
/// is all ones), the port tests for `*` (and each bound at 0 or 65535).
fn block(net: &IpNet, ports: &Ports, verdict: u32) -> Vec<sock_filter> {
    let (version, src, mask, addr) = match net {
        IpNet::V4(n) => (4, V4_SRC, n.netmask().octets().to_vec(), n.network().octets().to_vec()),
        IpNet::V6(n) => (6, V6_SRC, n.netmask().octets().to_vec(), n.network().octets().to_vec()),
    };
    let mut steps = vec![
        Step::Do(load(libc::BPF_B, NET)),
        Step::Do(stmt(libc::BPF_ALU | libc::BPF_AND | libc::BPF_K, 0xf0)),
        Step::Require(libc::BPF_JEQ, version << 4),
    ];
    for (i, (mask, addr)) in mask.chunks(4).zip(addr.chunks(4)).enumerate() {
        masked_word(&mut steps, NET + src + 4 * i as u32, word(mask), word(addr));
    }
    if !ports.is_all() {
        let (lo, hi) = ports.iter().into_inner();
        steps.push(Step::Do(load(libc::BPF_H, 0)));
        if lo > 0 {
            steps.push(Step::Require(libc::BPF_JGE, lo.into()));
        }
        if hi < u16::MAX {
            steps.push(Step::Refuse(libc::BPF_JGT, hi.into()));
        }
    }
    steps.push(Step::Do(stmt(libc::BPF_RET | libc::BPF_K, verdict)));
    lower(steps)
}

/// Requires the word at load offset `off`, masked by `mask`, to equal `value`
/// (nothing when the mask is zero: every word matches).
fn masked_word(steps: &mut Vec<Step>, off: u32, mask: u32, value: u32) {
    if mask == 0 {
        return;
    }
    steps.push(Step::Do(load(libc::BPF_W, off)));
    if mask != u32::MAX {
        steps.push(Step::Do(stmt(libc::BPF_ALU | libc::BPF_AND | libc::BPF_K, mask)));
    }
    steps.push(Step::Require(libc::BPF_JEQ, value));
}

/// Resolves "leave the block" to a jump to the instruction just after its last.
fn lower(steps: Vec<Step>) -> Vec<sock_filter> {
    let len = steps.len();
    let jump =
        |op: u32, k: u32, jt: u8, jf: u8| sock_filter { code: (libc::BPF_JMP | op | libc::BPF_K) as u16, jt, jf, k };
    let out = |i: usize| u8::try_from(len - 1 - i).expect("a block is far shorter than 255 instructions");
    let lowered = steps.into_iter().enumerate().map(|(i, step)| match step {
        Step::Do(insn) => insn,
        Step::Require(op, k) => jump(op, k, 0, out(i)),
        Step::Refuse(op, k) => jump(op, k, out(i), 0),
    });
    lowered.collect()
}

/// A big-endian word, as `ld` loads it.
fn word(bytes: &[u8]) -> u32 {
    u32::from_be_bytes(bytes.try_into().expect("addresses are whole words"))
}

/// `ld{b,h,} [k]`: an absolute load of `size` (`BPF_B`, `BPF_H`, `BPF_W`).
fn load(size: u32, k: u32) -> sock_filter {
    stmt(libc::BPF_LD | size | libc::BPF_ABS, k)
}

fn stmt(code: u32, k: u32) -> sock_filter {
    sock_filter { code: code as u16, jt: 0, jf: 0, k }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pool::{canonical_ip, AddrRule};
    use socket2::{Domain, SockAddr, Socket, Type};
    use std::net::{IpAddr, SocketAddr, UdpSocket};
    use std::os::fd::AsFd;
    use std::time::{Duration, Instant};

    fn pool(rules: &[&str]) -> Pool {
        let mut p = Pool::new("t");
        for r in rules {
            p.addr_rules.push(AddrRule::parse(Right::Accept, r).unwrap());
        }
        p
    }

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    fn filter(p: &Pool) -> PeerFilter {
        PeerFilter::for_pool(p).unwrap().expect("accept rules give a filter")
    }

    fn socket(addr: &SocketAddr, ty: Type) -> Socket {
        Socket::new(Domain::for_address(*addr), ty, None).unwrap()
    }

    /// A UDP socket bound to `bind` with the pool's filter; `[::]` is dual-stack.
    fn receiver(p: &Pool, bind: &str) -> UdpSocket {
        let addr = sa(bind);
        let s = socket(&addr, Type::DGRAM);
        if addr.is_ipv6() {
            s.set_only_v6(false).unwrap();
        }
        s.bind(&addr.into()).unwrap();
        filter(p).attach(s.as_fd()).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        s.into()
    }

    /// Sends one datagram from each of `sources` (bound there first) to `rx`
    /// (at 127.0.0.1 or ::1, by the source's family) and says which arrived.
    /// Errors are the senders' binds (a port in use).
    fn admitted(rx: &UdpSocket, sources: &[&str]) -> io::Result<Vec<bool>> {
        let port = rx.local_addr()?.port();
        for (i, source) in sources.iter().enumerate() {
            let from = sa(source);
            let to = if from.is_ipv4() { sa("127.0.0.1:0") } else { sa("[::1]:0") };
            let tx = UdpSocket::bind(from)?;
            tx.send_to(&[i as u8], SocketAddr::new(to.ip(), port))?;
        }
        let mut got = vec![false; sources.len()];
        let mut buf = [0; 8];
        // The last receive times out: nothing else was queued.
        while let Ok((1, from)) = rx.recv_from(&mut buf) {
            let i = usize::from(buf[0]);
            let want = sa(sources[i]);
            assert_eq!(canonical_ip(from.ip()), want.ip(), "datagram {i} from {from}");
            assert!(want.port() == 0 || from.port() == want.port(), "datagram {i} from {from}");
            got[i] = true;
        }
        Ok(got)
    }

    /// Whether `::1` can be bound here (it cannot without IPv6).
    fn ipv6() -> bool {
        let ok = UdpSocket::bind("[::1]:0").is_ok();
        if !ok {
            println!("skipping the IPv6 part: ::1 cannot be bound");
        }
        ok
    }

    /// Runs `prog` in user space on a packet from `src` (a bare IPv4 or IPv6
    /// header, then a transport header opening with the source port), as the
    /// kernel does for the instructions `block` emits: whether it is admitted.
    fn run(prog: &[sock_filter], src: SocketAddr) -> bool {
        let net = match src.ip() {
            IpAddr::V4(ip) => [&[0x45; 12][..], &ip.octets(), &[0; 4]].concat(),
            IpAddr::V6(ip) => [&[0x60; 8][..], &ip.octets(), &[0; 16]].concat(),
        };
        let transport = [&src.port().to_be_bytes()[..], &[0; 6]].concat();
        let (mut a, mut pc) = (0u32, 0);
        loop {
            let (insn, code) = (prog[pc], u32::from(prog[pc].code));
            pc += 1;
            match code & 0x07 {
                libc::BPF_LD => {
                    assert_eq!(code & 0xe0, libc::BPF_ABS);
                    let size = [4, 2, 1][(code as usize & 0x18) >> 3];
                    let (bytes, off) = if insn.k >= NET { (&net, insn.k - NET) } else { (&transport, insn.k) };
                    a = bytes[off as usize..][..size].iter().fold(0, |a, &b| (a << 8) | u32::from(b));
                }
                libc::BPF_ALU if code == libc::BPF_ALU | libc::BPF_AND | libc::BPF_K => a &= insn.k,
                libc::BPF_JMP => {
                    let hit = match code & 0xf0 {
                        libc::BPF_JEQ => a == insn.k,
                        libc::BPF_JGT => a > insn.k,
                        libc::BPF_JGE => a >= insn.k,
                        _ => panic!("jump {code:#x}"),
                    };
                    pc += usize::from(if hit { insn.jt } else { insn.jf });
                }
                libc::BPF_RET => return insn.k != 0,
                _ => panic!("instruction {code:#x}"),
            }
        }
    }

    /// Addresses that probe a network's mask: one differing from the network
    /// address in each bit, and the neighbours of its first and last address.
    fn probes(net: &IpNet) -> Vec<IpAddr> {
        match net {
            IpNet::V4(n) => {
                let (first, last) = (u32::from(n.network()), u32::from(n.broadcast()));
                let edges = [first, last, first.wrapping_sub(1), last.wrapping_add(1)];
                (0..32).map(|b| first ^ (1 << b)).chain(edges).map(|a| IpAddr::from(a.to_be_bytes())).collect()
            }
            IpNet::V6(n) => {
                let (first, last) = (u128::from(n.network()), u128::from(n.broadcast()));
                let edges = [first, last, first.wrapping_sub(1), last.wrapping_add(1)];
                (0..128).map(|b| first ^ (1 << b)).chain(edges).map(|a| IpAddr::from(a.to_be_bytes())).collect()
            }
        }
    }

    #[test]
    fn program_agrees_with_pool_allows() {
        for (base, max) in [("10.20.30.40", 32), ("fd12:3456:789a:bcde:f012:3456:789a:bcde", 128)] {
            for len in 0..=max {
                for ports in ["*", "100-200", "0-200", "100-65535"] {
                    let p = pool(&[&format!("[{base}/{len}]:{ports}"), "[::1]:7", "192.0.2.0/24:7"]);
                    let f = filter(&p);
                    for ip in probes(&p.addr_rules[0].net) {
                        for port in [0, 7, 99, 100, 150, 200, 201, 65535] {
                            let peer = SocketAddr::new(ip, port);
                            assert_eq!(
                                run(&f.prog, peer),
                                p.allows(Right::Accept, &peer),
                                "{peer} by {base}/{len}:{ports}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn v4_mapped_ipv6_sources_are_dropped() {
        let p = pool(&["[::/0]:*", "0.0.0.0/0"]);
        let f = filter(&p);
        assert!(run(&f.prog, sa("[::1]:5")) && run(&f.prog, sa("1.2.3.4:5")));
        // User space would admit this peer by the IPv4 rule; the kernel filter drops the header.
        assert!(p.allows(Right::Accept, &sa("[::ffff:1.2.3.4]:5")));
        assert!(!run(&f.prog, sa("[::ffff:1.2.3.4]:5")));
        assert!(!run(&filter(&pool(&["0.0.0.0/0"])).prog, sa("[::ffff:1.2.3.4]:5")));
        assert!(run(&f.prog, sa("[::fffe:1.2.3.4]:5")) && run(&f.prog, sa("[1::ffff:1.2.3.4]:5")));
    }

    #[test]
    fn no_accept_rules_no_filter() {
        let mut p = Pool::new("open");
        assert!(PeerFilter::for_pool(&p).unwrap().is_none());
        p.addr_rules.push(AddrRule::parse(Right::Connect, "127.0.0.2").unwrap());
        p.addr_rules.push(AddrRule::parse(Right::Bind, "0.0.0.0/0").unwrap());
        assert!(PeerFilter::for_pool(&p).unwrap().is_none());
        p.addr_rules.push(AddrRule::parse(Right::Accept, "127.0.0.2").unwrap());
        // Only the accept rule is compiled: version (3), address (2), ret, final ret.
        assert_eq!(filter(&p).len(), 7);
    }

    #[test]
    fn udp_v4_admits_only_the_granted_source() {
        let rx = receiver(&pool(&["127.0.0.2/32:*"]), "127.0.0.1:0");
        let got = admitted(&rx, &["127.0.0.3:0", "127.0.0.1:0", "127.0.0.2:0", "127.0.0.3:0"]).unwrap();
        assert_eq!(got, [false, false, true, false]);
    }

    /// Runs `check(base)` for a few base ports until no bind finds its port in use.
    fn with_free_ports(check: impl Fn(u16) -> io::Result<()>) {
        for base in (40000..50000).step_by(1013) {
            match check(base) {
                Err(e) if e.kind() == io::ErrorKind::AddrInUse => continue,
                r => return r.unwrap(),
            }
        }
        panic!("no free ports found");
    }

    #[test]
    fn udp_port_ranges() {
        with_free_ports(|b| {
            let rx = receiver(&pool(&[&format!("127.0.0.2:{}-{}", b, b + 10)]), "127.0.0.1:0");
            let at = |port: u16| format!("127.0.0.2:{port}");
            let (below, lo, mid, hi, above) = (at(b - 1), at(b), at(b + 5), at(b + 10), at(b + 11));
            let got = admitted(&rx, &[&below, &lo, &mid, &hi, &above, "127.0.0.3:0"])?;
            assert_eq!(got, [false, true, true, true, false, false], "ports {b}-{}", b + 10);
            Ok(())
        });
    }

    #[test]
    fn udp_cidr_prefixes() {
        let cases: &[(&str, &[&str], &[&str])] = &[
            ("127.0.0.0/8", &["127.0.0.2:0", "127.1.2.3:0", "127.255.255.254:0"], &[]),
            ("10.0.0.0/8", &[], &["127.0.0.2:0"]),
            ("127.0.5.0/24", &["127.0.5.1:0", "127.0.5.255:0"], &["127.0.4.255:0", "127.0.6.0:0", "127.1.5.1:0"]),
            ("127.0.0.10/31", &["127.0.0.10:0", "127.0.0.11:0"], &["127.0.0.9:0", "127.0.0.12:0"]),
            ("127.0.0.2/32", &["127.0.0.2:0"], &["127.0.0.3:0", "127.0.0.1:0"]),
            ("0.0.0.0/0", &["127.0.0.1:0", "127.9.9.9:0"], &[]),
        ];
        for (rule, admit, deny) in cases {
            let rx = receiver(&pool(&[rule]), "127.0.0.1:0");
            let got = admitted(&rx, &[*admit, *deny].concat()).unwrap();
            let want: Vec<bool> = admit.iter().map(|_| true).chain(deny.iter().map(|_| false)).collect();
            assert_eq!(got, want, "{rule}");
        }
        // 0.0.0.0/0 with ports: the address test is left out, the port test is not.
        with_free_ports(|b| {
            let rx = receiver(&pool(&[&format!("0.0.0.0/0:{b}")]), "127.0.0.1:0");
            let (at, next) = (format!("127.0.0.7:{b}"), format!("127.0.0.7:{}", b + 1));
            assert_eq!(admitted(&rx, &[&at, &next])?, [true, false]);
            Ok(())
        });
    }

    #[test]
    fn several_rules_and_families() {
        let p = pool(&["[fd00::/8]:*", "127.0.0.2", "[::1/128]:*", "127.0.0.4/31:1-65534", "[::2/127]:*"]);
        let rx = receiver(&p, "127.0.0.1:0");
        let got = admitted(&rx, &["127.0.0.2:0", "127.0.0.3:0", "127.0.0.4:0", "127.0.0.5:0", "127.0.0.6:0"]).unwrap();
        assert_eq!(got, [true, false, true, true, false]);
        if !ipv6() {
            return;
        }
        let rx = receiver(&p, "[::]:0");
        assert_eq!(admitted(&rx, &["[::1]:0", "127.0.0.2:0", "127.0.0.3:0"]).unwrap(), [true, true, false]);
        // IPv4 rules do not cover IPv6 sources, nor IPv6 rules IPv4 ones.
        let rx = receiver(&pool(&["127.0.0.0/8", "[::2/127]:*"]), "[::]:0");
        assert_eq!(admitted(&rx, &["[::1]:0", "127.0.0.2:0"]).unwrap(), [false, true]);
        let rx = receiver(&pool(&["[::/0]:*"]), "[::]:0");
        assert_eq!(admitted(&rx, &["[::1]:0", "127.0.0.2:0"]).unwrap(), [true, false]);
    }

    #[test]
    fn udp_v6_port_range_on_loopback() {
        if !ipv6() {
            return;
        }
        with_free_ports(|b| {
            let rx = receiver(&pool(&[&format!("[::1/128]:{}-{}", b, b + 10)]), "[::1]:0");
            let at = |port: u16| format!("[::1]:{port}");
            assert_eq!(admitted(&rx, &[&at(b - 1), &at(b), &at(b + 10), &at(b + 11)])?, [false, true, true, false]);
            Ok(())
        });
        // Masks that cut a word: ::/127 holds ::1, ::2/127 and ::/128 do not.
        for (rule, admit) in [("[::/127]:*", true), ("[::2/127]:*", false), ("[::/128]:*", false), ("[::/64]:*", true)]
        {
            let rx = receiver(&pool(&[rule]), "[::1]:0");
            assert_eq!(admitted(&rx, &["[::1]:0"]).unwrap(), [admit], "{rule}");
        }
    }

    #[test]
    fn dual_stack_checks_ipv4_headers_against_ipv4_rules() {
        if !ipv6() {
            return;
        }
        let rx = receiver(&pool(&["127.0.0.2"]), "[::]:0");
        assert_eq!(admitted(&rx, &["127.0.0.3:0", "127.0.0.2:0", "127.0.0.1:0"]).unwrap(), [false, true, false]);
        // A rule written as v4-mapped IPv6 is the IPv4 rule.
        let rx = receiver(&pool(&["[::ffff:127.0.0.2]:*"]), "[::]:0");
        assert_eq!(admitted(&rx, &["127.0.0.2:0", "127.0.0.3:0"]).unwrap(), [true, false]);
    }

    /// Accepts on a non-blocking listener within `limit`.
    fn accept_within(l: &Socket, limit: Duration) -> Option<(Socket, SockAddr)> {
        let start = Instant::now();
        loop {
            match l.accept() {
                Ok(conn) => return Some(conn),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && start.elapsed() < limit => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return None,
                Err(e) => panic!("accept: {e}"),
            }
        }
    }

    #[test]
    fn tcp_listener_drops_denied_syns() {
        let addr = sa("127.0.0.1:0");
        let l = socket(&addr, Type::STREAM);
        l.bind(&addr.into()).unwrap();
        filter(&pool(&["127.0.0.2"])).attach(l.as_fd()).unwrap();
        l.listen(8).unwrap();
        l.set_nonblocking(true).unwrap();
        let to = l.local_addr().unwrap();

        let denied = socket(&addr, Type::STREAM);
        denied.bind(&sa("127.0.0.3:0").into()).unwrap();
        denied.set_nonblocking(true).unwrap();
        let e = denied.connect(&to).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::EINPROGRESS), "{e}");
        assert!(accept_within(&l, Duration::from_millis(300)).is_none(), "a denied SYN was queued");
        // Silently dropped: no RST, the connect is still in progress.
        assert!(denied.take_error().unwrap().is_none());
        assert!(denied.peer_addr().is_err());

        let ok = socket(&addr, Type::STREAM);
        ok.bind(&sa("127.0.0.2:0").into()).unwrap();
        ok.connect_timeout(&to, Duration::from_secs(2)).unwrap();
        let (conn, peer) = accept_within(&l, Duration::from_secs(2)).expect("the admitted client is accepted");
        assert_eq!(peer.as_socket(), ok.local_addr().unwrap().as_socket());
        // The accepted socket inherits the filter, which admits its peer's data, and its lock.
        assert_eq!(ok.send(b"hi").unwrap(), 2);
        conn.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut buf = [std::mem::MaybeUninit::new(0); 2];
        assert_eq!(conn.recv(&mut buf).unwrap(), 2);
        assert_eq!(detach(&conn).unwrap_err().raw_os_error(), Some(libc::EPERM));
        drop(denied);
    }

    fn detach(s: &impl AsFd) -> io::Result<()> {
        // SAFETY: SO_DETACH_FILTER ignores its int argument.
        unsafe { setsockopt(s.as_fd(), libc::SO_DETACH_FILTER, &(0 as libc::c_int)) }
    }

    #[test]
    fn locked_filter_cannot_be_replaced_or_removed() {
        let rx = receiver(&pool(&["127.0.0.2"]), "127.0.0.1:0");
        let open = filter(&pool(&["0.0.0.0/0"]));
        assert_eq!(open.attach(rx.as_fd()).unwrap_err().raw_os_error(), Some(libc::EPERM));
        assert_eq!(detach(&rx).unwrap_err().raw_os_error(), Some(libc::EPERM));
        // SAFETY: SO_LOCK_FILTER takes an int.
        let unlock = unsafe { setsockopt(rx.as_fd(), libc::SO_LOCK_FILTER, &(0 as libc::c_int)) };
        assert_eq!(unlock.unwrap_err().raw_os_error(), Some(libc::EPERM));
        assert_eq!(admitted(&rx, &["127.0.0.3:0", "127.0.0.2:0"]).unwrap(), [false, true]);
    }

    #[test]
    fn too_many_rules_is_an_error() {
        let mut p = Pool::new("big");
        for i in 0..2000u16 {
            p.addr_rules.push(AddrRule::parse(Right::Accept, &format!("[fd00::{i:x}/128]:1000-2000")).unwrap());
        }
        let e = PeerFilter::for_pool(&p).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("pool \"big\""), "{e}");
    }

    #[test]
    fn largest_program_attaches_and_its_last_rule_works() {
        // Grow a pool of denied /32 rules until one more would not fit, then
        // make the last rule the one that admits: every block must be crossed.
        let mut p = pool(&[]);
        let rule = |i: u32| AddrRule::parse(Right::Accept, &format!("10.{}.{}.1", i >> 8, i & 0xff)).unwrap();
        let mut i = 0;
        while PeerFilter::for_pool(&p).is_ok() {
            p.addr_rules.push(rule(i));
            i += 1;
        }
        p.addr_rules.pop();
        *p.addr_rules.last_mut().unwrap() = AddrRule::parse(Right::Accept, "127.0.0.2").unwrap();
        let f = filter(&p);
        assert!(f.len() <= 4096 && f.len() + 6 > 4096, "{} instructions", f.len());
        let s = socket(&sa("127.0.0.1:0"), Type::DGRAM);
        s.bind(&sa("127.0.0.1:0").into()).unwrap();
        f.attach(s.as_fd()).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        let rx: UdpSocket = s.into();
        assert_eq!(admitted(&rx, &["127.0.0.3:0", "127.0.0.2:0"]).unwrap(), [false, true]);
    }
}
