//! Fuzzing (property-based, with proptest) of everything the host decodes
//! from a guest or from its command line: `addr` records, checked memory
//! ranges, iovec arrays, pool rules and name patterns, host names, the spec
//! parser (`poll_oneoff` subscriptions and socket options, which need a real
//! instance, are in `fuzz_instance.rs`). Each
//! property asserts no panic plus the invariant that matters: only in-bounds
//! ranges are ever touched, records round-trip, and what is accepted is
//! exactly what the model says.
//!
//! `cargo test` runs 256 cases per property; `make fuzz` runs many more
//! (`PROPTEST_CASES=20000`). Inputs that once failed are kept below as
//! plain `#[test]`s.

mod fuzz_support;

use fuzz_support::{config, in_bounds, length, pointer, report};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::unix::net::UnixDatagram;
use wasock_host::abi::{check_name, MAX_NAME};
use wasock_host::abi::{decode_addr, encode_addr, Errno, Mem, ADDR_SIZE};
use wasock_host::abi::{guest_buffer, guest_iovecs};
use wasock_host::pool::{AddrRule, NamePattern, Pool, Right};
use wasock_host::spec::{parse, SpecFn, SPEC};

// --- addr records ----------------------------------------------------------------

/// Whether the ABI accepts the record (docs/abi.md: family 1 or 2, reserved 0,
/// and an inet4 record carries nothing past its four address bytes).
fn addr_is_valid(b: &[u8; ADDR_SIZE]) -> bool {
    b[1] == 0
        && match b[0] {
            1 => b[4..8].iter().chain(&b[12..]).all(|&x| x == 0),
            2 => true,
            _ => false,
        }
}

fn any_socket_addr() -> impl Strategy<Value = SocketAddr> {
    prop_oneof![
        (any::<[u8; 4]>(), any::<u16>()).prop_map(|(ip, port)| SocketAddr::V4(SocketAddrV4::new(ip.into(), port))),
        (any::<[u8; 16]>(), any::<u16>(), any::<u32>(), any::<u32>()).prop_map(|(ip, port, flow, scope)| {
            SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::from(ip), port, flow, scope))
        }),
    ]
}

/// Records that are mostly well-formed, with a few bytes disturbed.
fn nearly_valid_record() -> impl Strategy<Value = [u8; ADDR_SIZE]> {
    (any_socket_addr(), proptest::collection::vec((0..ADDR_SIZE, any::<u8>()), 0..3)).prop_map(|(a, pokes)| {
        let mut b = encode_addr(&a);
        for (at, v) in pokes {
            b[at] = v;
        }
        b
    })
}

#[test]
fn fuzz_decode_addr() {
    report("decode_addr");
    let records = prop_oneof![any::<[u8; ADDR_SIZE]>(), nearly_valid_record()];
    TestRunner::new(config())
        .run(&records, |b| {
            match decode_addr(&b) {
                Ok(a) => {
                    prop_assert!(addr_is_valid(&b), "accepted a malformed record {b:?}");
                    // Every field is carried: encoding gives the same bytes back.
                    prop_assert_eq!(encode_addr(&a), b);
                }
                Err(e) => {
                    prop_assert_eq!(e, Errno::INVAL);
                    prop_assert!(!addr_is_valid(&b), "rejected a valid record {b:?}");
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_addr_round_trip() {
    report("addr_round_trip");
    TestRunner::new(config())
        .run(&any_socket_addr(), |a| {
            let b = encode_addr(&a);
            prop_assert_eq!(b[1], 0);
            prop_assert_eq!(decode_addr(&b), Ok(a));
            // Through guest memory too, at any offset that fits.
            let mut mem = vec![0u8; 64];
            let mut m = Mem::new(&mut mem);
            for at in [0, 7, 36] {
                m.write_addr(at, &a).unwrap();
                prop_assert_eq!(m.read_addr(at), Ok(a));
            }
            prop_assert_eq!(m.write_addr(37, &a), Err(Errno::FAULT));
            prop_assert_eq!(m.read_addr(-1), Err(Errno::FAULT));
            Ok(())
        })
        .unwrap();
}

// --- checked memory --------------------------------------------------------------

#[test]
fn fuzz_mem_ranges() {
    report("mem_ranges");
    let input = (0usize..300).prop_flat_map(|n| (Just(n), pointer(n), length(), 1usize..64));
    TestRunner::new(config())
        .run(&input, |(n, ptr, len, size)| {
            let mut mem = vec![0u8; n];
            let m = Mem::new(&mut mem);
            match m.range(ptr, len) {
                Ok(r) => {
                    prop_assert!(in_bounds(n, ptr, len));
                    prop_assert_eq!(r.start, ptr as u32 as usize);
                    prop_assert_eq!((r.end - r.start) as u64, len);
                    prop_assert!(r.end <= n);
                }
                Err(e) => {
                    prop_assert_eq!(e, Errno::FAULT);
                    prop_assert!(!in_bounds(n, ptr, len));
                }
            }
            let count = len as u32;
            match m.check_array(ptr, count, size) {
                Ok(r) => prop_assert!(r.end <= n && (r.end - r.start) as u64 == u64::from(count) * size as u64),
                Err(e) => {
                    prop_assert_eq!(e, Errno::FAULT);
                    prop_assert!(!in_bounds(n, ptr, u64::from(count) * size as u64));
                }
            }
            prop_assert_eq!(m.read_vec(ptr, count).is_ok(), in_bounds(n, ptr, u64::from(count)));
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_mem_writes_stay_in_bounds() {
    report("mem_writes");
    let input = (0usize..64).prop_flat_map(|n| (Just(n), pointer(n), any::<u64>(), 0usize..5));
    TestRunner::new(config())
        .run(&input, |(n, ptr, v, op)| {
            let mut mem: Vec<u8> = (0..n).map(|i| i as u8 ^ 0x5a).collect();
            let before = mem.clone();
            let width = [1u64, 2, 4, 8, 28][op];
            let ok = in_bounds(n, ptr, width);
            {
                let mut m = Mem::new(&mut mem);
                let r = match op {
                    0 => m.write_u8(ptr, v as u8),
                    1 => m.write_u16(ptr, v as u16),
                    2 => m.write_u32(ptr, v as u32),
                    3 => m.write_u64(ptr, v),
                    _ => m.write_addr(ptr, &SocketAddr::from(([1, 2, 3, 4], v as u16))),
                };
                prop_assert_eq!(r.is_ok(), ok);
                if let Err(e) = r {
                    prop_assert_eq!(e, Errno::FAULT);
                }
                if ok {
                    match op {
                        1 => prop_assert_eq!(m.read_u16(ptr), Ok(v as u16)),
                        2 => prop_assert_eq!(m.read_u32(ptr), Ok(v as u32)),
                        3 => prop_assert_eq!(m.read_u64(ptr), Ok(v)),
                        _ => {}
                    }
                } else {
                    prop_assert_eq!(m.read_u16(ptr).is_ok(), in_bounds(n, ptr, 2));
                    prop_assert_eq!(m.read_u64(ptr).is_ok(), in_bounds(n, ptr, 8));
                }
            }
            // Nothing outside [ptr, ptr + width) changed; nothing at all on a fault.
            for (i, (a, b)) in before.iter().zip(&mem).enumerate() {
                let inside = ok && (ptr as u32 as usize..ptr as u32 as usize + width as usize).contains(&i);
                if !inside {
                    prop_assert_eq!(a, b, "byte {} changed", i);
                }
            }
            Ok(())
        })
        .unwrap();
}

// --- iovec arrays ----------------------------------------------------------------

/// A guest memory with an iovec array in it, and the call's arguments.
#[derive(Debug, Clone)]
struct IovInput {
    mem: Vec<u8>,
    iovs: i32,
    count: i32,
}

fn iov_input() -> impl Strategy<Value = IovInput> {
    (64usize..512)
        .prop_flat_map(|n| {
            let entry = prop_oneof![
                // A buffer inside memory.
                (0..n as u32).prop_flat_map(move |b| (Just(b), 0..=(n as u32 - b))),
                // Near the end, possibly past it.
                (n as u32 - 8..n as u32 + 8, 0u32..16),
                // Anything.
                (any::<u32>(), any::<u32>()),
                (Just(0xFFFF_FFF0u32), 0x10u32..0x40),
            ];
            let entries = proptest::collection::vec(entry, 0..12);
            (Just(n), entries, 0..n as i32, prop_oneof![0i32..14, 1020i32..1030, any::<i32>()], any::<u8>())
        })
        .prop_map(|(n, entries, at, count, fill)| {
            let mut mem: Vec<u8> = (0..n).map(|i| (i as u8).wrapping_mul(7) ^ fill).collect();
            let mut p = at as usize;
            for (b, l) in entries {
                if p + 8 > n {
                    break;
                }
                mem[p..p + 4].copy_from_slice(&b.to_le_bytes());
                mem[p + 4..p + 8].copy_from_slice(&l.to_le_bytes());
                p += 8;
            }
            IovInput { mem, iovs: at, count }
        })
}

/// What `guest_iovecs` must do: `Ok(bytes)` (the buffers in order) when the
/// array and every buffer lie in memory; `inval` for more than IOV_MAX
/// (1024) entries, before anything else; else `fault`.
fn iov_model(input: &IovInput) -> Result<Vec<u8>, Errno> {
    let n = input.mem.len();
    let count = input.count as u32;
    if count > 1024 {
        return Err(Errno::INVAL);
    }
    if !in_bounds(n, input.iovs, u64::from(count) * 8) {
        return Err(Errno::FAULT);
    }
    let mut out = Vec::new();
    for i in 0..count as usize {
        let at = input.iovs as u32 as usize + i * 8;
        let b = u32::from_le_bytes(input.mem[at..at + 4].try_into().unwrap());
        let l = u32::from_le_bytes(input.mem[at + 4..at + 8].try_into().unwrap());
        if !in_bounds(n, b as i32, u64::from(l)) {
            return Err(Errno::FAULT);
        }
        out.extend_from_slice(&input.mem[b as usize..b as usize + l as usize]);
    }
    Ok(out)
}

/// Runs `guest_iovecs` and sends what it built through a datagram socket
/// pair: the datagram is exactly the bytes the host would hand the kernel.
fn iov_actual(input: &IovInput, pair: &(UnixDatagram, UnixDatagram)) -> Result<Vec<u8>, Errno> {
    let mut mem = input.mem.clone();
    let mut m = Mem::new(&mut mem);
    let mut iov = guest_iovecs(&mut m, input.iovs, input.count)?;
    let sent = wasock_host::testing::sys::send(std::os::fd::AsRawFd::as_raw_fd(&pair.0), &mut iov, 0, None)
        .expect("sendmsg of in-bounds buffers");
    let mut buf = vec![0u8; 1 << 16];
    let got = pair.1.recv(&mut buf).expect("recv the datagram");
    assert_eq!(sent, got);
    buf.truncate(got);
    Ok(buf)
}

#[test]
fn fuzz_guest_iovecs() {
    report("guest_iovecs");
    let pair = UnixDatagram::pair().unwrap();
    TestRunner::new(config())
        .run(&iov_input(), |input| {
            prop_assert_eq!(iov_actual(&input, &pair), iov_model(&input));
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_guest_buffer() {
    report("guest_buffer");
    let pair = UnixDatagram::pair().unwrap();
    let input = (0usize..2048).prop_flat_map(|n| (Just(n), pointer(n), prop_oneof![0i32..100, any::<i32>()]));
    TestRunner::new(config())
        .run(&input, |(n, buf, len)| {
            let mut mem: Vec<u8> = (0..n).map(|i| (i * 13) as u8).collect();
            let copy = mem.clone();
            let mut m = Mem::new(&mut mem);
            match guest_buffer(&mut m, buf, len) {
                Ok(mut iov) => {
                    prop_assert!(in_bounds(n, buf, u64::from(len as u32)));
                    wasock_host::testing::sys::send(std::os::fd::AsRawFd::as_raw_fd(&pair.0), &mut iov, 0, None)
                        .unwrap();
                    let mut got = vec![0u8; 4096];
                    let k = pair.1.recv(&mut got).unwrap();
                    let start = buf as u32 as usize;
                    prop_assert_eq!(&got[..k], &copy[start..start + len as u32 as usize]);
                }
                Err(e) => {
                    prop_assert_eq!(e, Errno::FAULT);
                    prop_assert!(!in_bounds(n, buf, u64::from(len as u32)));
                }
            }
            Ok(())
        })
        .unwrap();
}

// --- pool rules and name patterns -------------------------------------------------

fn rights() -> impl Strategy<Value = Right> {
    prop_oneof![Just(Right::Connect), Just(Right::Bind), Just(Right::Accept)]
}

/// Text that looks like rules: digits, hex, separators, brackets.
fn rule_like_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-fA-F:./\\[\\]*%-]{0,48}",
        ".{0,40}",
        "[0-9]{1,4}(\\.[0-9]{1,4}){0,4}(/[0-9]{1,3})?(:[0-9*-]{0,12})?",
    ]
}

#[test]
fn fuzz_addr_rule_parse_never_panics() {
    report("addr_rule_text");
    TestRunner::new(config())
        .run(&(rights(), rule_like_text()), |(right, text)| {
            match AddrRule::parse(right, &text) {
                Ok(rule) => {
                    prop_assert_eq!(rule.right, right);
                    // Stored truncated: the host bits of the network are zero.
                    prop_assert_eq!(rule.net, rule.net.trunc());
                    // Mapped IPv6 networks are stored as IPv4.
                    if let IpAddr::V6(v6) = rule.net.network() {
                        prop_assert!(v6.to_ipv4_mapped().is_none() || rule.net.prefix_len() < 96, "{text}");
                    }
                }
                Err(msg) => prop_assert!(msg.contains(right.flag()) && msg.contains(&text), "{msg}"),
            }
            Ok(())
        })
        .unwrap();
}

/// A generated rule: its text, and the model to check it against.
#[derive(Debug, Clone)]
struct RuleCase {
    text: String,
    ip: IpAddr,
    prefix: u8,
    ports: Option<(u16, u16)>,
}

fn rule_case() -> impl Strategy<Value = RuleCase> {
    let ports = proptest::option::of((any::<u16>(), any::<u16>()).prop_map(|(a, b)| (a.min(b), a.max(b))));
    let v4 = (any::<u32>(), 0u8..=32, ports.clone(), any::<bool>()).prop_map(|(ip, prefix, ports, bare)| {
        let ip = Ipv4Addr::from(ip);
        let net = if bare && prefix == 32 { ip.to_string() } else { format!("{ip}/{prefix}") };
        let text = match ports {
            Some((lo, hi)) if lo == hi => format!("{net}:{lo}"),
            Some((lo, hi)) => format!("{net}:{lo}-{hi}"),
            None => net,
        };
        RuleCase { text, ip: IpAddr::V4(ip), prefix, ports }
    });
    let v6 = (any::<[u8; 16]>(), 0u8..=128, ports).prop_map(|(mut ip, prefix, ports)| {
        ip[0] |= 0x20; // never an IPv4-mapped address
        let ip = Ipv6Addr::from(ip);
        let text = match ports {
            Some((lo, hi)) => format!("[{ip}/{prefix}]:{lo}-{hi}"),
            None if prefix % 2 == 0 => format!("{ip}/{prefix}"),
            None => format!("[{ip}/{prefix}]:*"),
        };
        RuleCase { text, ip: IpAddr::V6(ip), prefix, ports }
    });
    prop_oneof![v4, v6]
}

fn same_network(a: IpAddr, b: IpAddr, prefix: u8) -> bool {
    match (a, b) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = if prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(prefix)) };
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = if prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(prefix)) };
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

#[test]
fn fuzz_addr_rule_matches_the_model() {
    report("addr_rule_model");
    let input = (rule_case(), rights(), any::<u128>(), any::<u16>(), 0u8..3);
    TestRunner::new(config())
        .run(&input, |(case, right, probe_bits, port, near)| {
            let rule = AddrRule::parse(right, &case.text).map_err(TestCaseError::fail)?;
            prop_assert_eq!(rule.net.prefix_len(), case.prefix);
            let mut pool = Pool::new("p");
            pool.addr_rules.push(rule);
            // A probe address of the same family: the rule's own address,
            // one differing in its last bit, or any.
            let probe = match case.ip {
                IpAddr::V4(ip) => {
                    let bits = match near {
                        0 => u32::from(ip),
                        1 => u32::from(ip) ^ 1,
                        _ => probe_bits as u32,
                    };
                    IpAddr::V4(bits.into())
                }
                IpAddr::V6(ip) => {
                    let bits = match near {
                        0 => u128::from(ip),
                        1 => u128::from(ip) ^ 1,
                        _ => probe_bits | (0x20 << 120),
                    };
                    IpAddr::V6(bits.into())
                }
            };
            let port_ok = case.ports.is_none_or(|(lo, hi)| (lo..=hi).contains(&port));
            let want = same_network(case.ip, probe, case.prefix) && port_ok;
            let a = SocketAddr::new(probe, port);
            prop_assert_eq!(pool.allows(right, &a), want, "{} vs {}", case.text, a);
            // A right the rule does not grant is never granted (accept: a pool
            // without accept rules admits everyone).
            for other in [Right::Connect, Right::Bind] {
                if other != right {
                    prop_assert!(!pool.allows(other, &a));
                }
            }
            Ok(())
        })
        .unwrap();
}

fn label() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_][a-zA-Z0-9_-]{0,10}"
}

#[test]
fn fuzz_name_patterns() {
    report("name_patterns");
    let text = prop_oneof![".{0,30}", "[a-z.*A-Z0-9_-]{0,30}", "\\*\\.[a-z.]{0,12}"];
    TestRunner::new(config())
        .run(&text, |t| {
            match NamePattern::parse(&t) {
                Ok(NamePattern::Exact(n)) => {
                    prop_assert!(!n.ends_with('.') && n.len() <= 253 && n == n.to_ascii_lowercase(), "{n:?}");
                    prop_assert_eq!(NamePattern::parse(&n), Ok(NamePattern::Exact(n.clone())));
                }
                Ok(NamePattern::Suffix(s)) => prop_assert!(s.starts_with('.') && s.len() > 1, "{s:?}"),
                Ok(NamePattern::Any) => prop_assert!(t == "*" || t == "*."),
                Err(msg) => prop_assert!(msg.contains("--allow-resolve"), "{msg}"),
            }
            Ok(())
        })
        .unwrap();

    report("name_pattern_model");
    let names = (proptest::collection::vec(label(), 1..5), label(), any::<bool>(), any::<bool>());
    TestRunner::new(config())
        .run(&names, |(labels, extra, upper, dot)| {
            let name = labels.join(".");
            let mut pool = Pool::new("p");
            pool.names.push(NamePattern::parse(&name).map_err(TestCaseError::fail)?);
            pool.names.push(NamePattern::parse(&format!("*.{name}")).map_err(TestCaseError::fail)?);
            let mut asked = if upper { name.to_ascii_uppercase() } else { name.clone() };
            if dot {
                asked.push('.');
            }
            let sub = format!("{extra}.{asked}");
            let glued = format!("{extra}{name}");
            prop_assert!(pool.allows_name(&asked), "{}", asked);
            prop_assert!(pool.allows_name(&sub), "{}", sub);
            // Not a name that merely ends with the same letters, nor a parent.
            prop_assert!(!pool.allows_name(&glued), "{}", glued);
            if labels.len() > 1 {
                let parent = labels[1..].join(".");
                prop_assert!(!pool.allows_name(&parent), "{}", parent);
            }
            Ok(())
        })
        .unwrap();
}

// --- host names ------------------------------------------------------------------

#[test]
fn fuzz_check_name() {
    report("check_name");
    let bytes = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'.'), Just(0u8)], 250..260),
        ".{0,80}".prop_map(String::into_bytes),
    ];
    TestRunner::new(config())
        .run(&bytes, |b| {
            let valid = !b.is_empty() && b.len() <= MAX_NAME && !b.contains(&0) && std::str::from_utf8(&b).is_ok();
            match check_name(&b) {
                Ok(s) => {
                    prop_assert!(valid);
                    prop_assert_eq!(s.as_bytes(), &b[..]);
                }
                Err(e) => {
                    prop_assert_eq!(e, Errno::INVAL);
                    prop_assert!(!valid);
                }
            }
            Ok(())
        })
        .unwrap();
}

// --- the spec parser -------------------------------------------------------------

fn format_spec(fns: &[SpecFn]) -> String {
    fns.iter()
        .map(|f| {
            let ps: Vec<String> = f.params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
            format!("{}({})\n", f.name, ps.join(", "))
        })
        .collect()
}

fn spec_fn() -> impl Strategy<Value = SpecFn> {
    let ty = prop_oneof![
        Just("fd".to_string()),
        Just("u8".to_string()),
        Just("u16".to_string()),
        Just("u32".to_string()),
        Just("u64".to_string()),
        "\\*[a-z0-9]{1,6}",
    ];
    ("[a-z_][a-z0-9_]{0,15}", proptest::collection::vec(("[a-z_][a-z0-9_]{0,8}", ty), 0..10))
        .prop_map(|(name, params)| SpecFn { name, params })
}

#[test]
fn fuzz_spec_parser() {
    report("spec_text");
    let text = prop_oneof![
        ".{0,60}",
        "[a-z_():,*# 0-9\n]{0,80}",
        // Lines of the real spec, cut or doubled somewhere.
        (0..SPEC.len(), 0..SPEC.len()).prop_map(|(a, b)| {
            let (a, b) = (a.min(b), a.max(b));
            let (a, b) = (floor_char(SPEC, a), floor_char(SPEC, b));
            format!("{}{}", &SPEC[..a], &SPEC[b..])
        }),
    ];
    TestRunner::new(config())
        .run(&text, |t| {
            if let Ok(fns) = parse(&t) {
                // Whatever parses, prints and parses back to the same thing.
                prop_assert_eq!(parse(&format_spec(&fns)), Ok(fns.clone()));
                for f in &fns {
                    prop_assert_eq!(f.wasm_params().len(), f.params.len());
                }
            }
            Ok(())
        })
        .unwrap();

    report("spec_round_trip");
    TestRunner::new(config())
        .run(&proptest::collection::vec(spec_fn(), 0..6), |fns| {
            prop_assert_eq!(parse(&format_spec(&fns)), Ok(fns.clone()));
            Ok(())
        })
        .unwrap();
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[test]
fn the_real_spec_round_trips() {
    let fns = parse(SPEC).unwrap();
    assert_eq!(parse(&format_spec(&fns)), Ok(fns));
}

// --- kept failures ---------------------------------------------------------------
//
// Inputs the properties above once found; each stays as a plain test.

/// An inet6 record with every byte set decodes and encodes back unchanged.
#[test]
fn regression_inet6_all_ones() {
    let mut b = [0xffu8; ADDR_SIZE];
    b[0] = 2;
    b[1] = 0;
    assert_eq!(encode_addr(&decode_addr(&b).unwrap()), b);
}

/// An empty range at exactly the end of memory is in bounds; one past it is not.
#[test]
fn regression_empty_range_at_the_end() {
    let mut mem = vec![0u8; 16];
    let m = Mem::new(&mut mem);
    assert_eq!(m.range(16, 0), Ok(16..16));
    assert_eq!(m.range(17, 0), Err(Errno::FAULT));
    assert_eq!(m.range(-1, 0), Err(Errno::FAULT));
    assert_eq!(m.range(0, u64::MAX), Err(Errno::FAULT));
    // The largest record the host reads in arrays (a subscription, 48 bytes).
    assert_eq!(m.check_array(0, u32::MAX, 48), Err(Errno::FAULT));
}

/// A count of -1 (u32::MAX iovecs) is `inval` (past IOV_MAX, as readv's
/// count of -1 is on Linux), not a huge allocation.
#[test]
fn regression_iovec_count_minus_one() {
    let mut mem = vec![0u8; 64];
    let mut m = Mem::new(&mut mem);
    assert!(matches!(guest_iovecs(&mut m, 0, -1), Err(Errno::INVAL)));
    assert!(guest_iovecs(&mut m, 64, 0).is_ok());
    assert!(matches!(guest_iovecs(&mut m, 65, 0), Err(Errno::FAULT)));
}
