//! Fuzzing (property-based, with proptest) of the host functions whose
//! decoding needs a real instance with sockets in its fd table:
//! `poll_oneoff` subscriptions and socket options (`sockopt_set`). Each
//! property asserts no trap plus the invariant that matters. `cargo test`
//! runs 256 cases per property; `make fuzz` many more.

mod fuzz_support;

use fuzz_support::{config, in_bounds, length, pointer, report};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use std::net::SocketAddr;
use wasock_host::abi::Errno;
use wasock_host::pool::Pool;
use wasock_host::spec::SPEC;
use wasock_host::WasockCtx;

// --- poll_oneoff subscriptions, through an instance ---------------------------------

const POLL_WAT: &str = r#"
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "go") (param i32 i32 i32 i32) (result i32)
    (call $poll (local.get 0) (local.get 1) (local.get 2) (local.get 3))))
"#;

/// One subscription record (48 bytes) from its interesting fields.
#[derive(Debug, Clone)]
struct Sub {
    userdata: u64,
    tag: u8,
    /// For fd subscriptions: which fd (an index into the fds the store has, or anything).
    fd: u32,
    clock_id: u32,
    timeout: u64,
    flags: u16,
    noise: [u8; 8],
}

impl Sub {
    fn encode(&self) -> [u8; 48] {
        let mut r = [0u8; 48];
        r[0..8].copy_from_slice(&self.userdata.to_le_bytes());
        r[8] = self.tag;
        r[9..17].copy_from_slice(&self.noise);
        match self.tag {
            0 => {
                r[16..20].copy_from_slice(&self.clock_id.to_le_bytes());
                r[24..32].copy_from_slice(&self.timeout.to_le_bytes());
                r[40..42].copy_from_slice(&self.flags.to_le_bytes());
            }
            _ => r[16..20].copy_from_slice(&self.fd.to_le_bytes()),
        }
        r
    }
}

fn sub() -> impl Strategy<Value = Sub> {
    let fd = prop_oneof![0u32..9, any::<u32>()];
    // Clocks never wait long: relative ones up to 1 ms, absolute ones in the past.
    let clock =
        (prop_oneof![0u32..4, any::<u32>()], 0u64..1_000_000, prop_oneof![Just(0u16), Just(1u16), any::<u16>()]);
    (any::<u64>(), prop_oneof![Just(0u8), Just(1u8), Just(2u8), any::<u8>()], fd, clock, any::<[u8; 8]>()).prop_map(
        |(userdata, tag, fd, (clock_id, timeout, flags), noise)| Sub {
            userdata,
            tag,
            fd,
            clock_id,
            timeout,
            flags,
            noise,
        },
    )
}

/// The subscriptions, then pointers for events and the count, possibly bad.
fn poll_input() -> impl Strategy<Value = (Vec<Sub>, i32, i32, i32, i32)> {
    (
        proptest::collection::vec(sub(), 0..6),
        prop_oneof![Just(1024i32), any::<i32>(), 65500..65536i32],
        prop_oneof![Just(8192i32), any::<i32>(), 65500..65536i32],
        prop_oneof![Just(60000i32), any::<i32>(), 65530..65536i32],
        prop_oneof![Just(-1i32), 0..8i32, any::<i32>()],
    )
}

/// An instance of `wat` on the real linker, with fds 0-2 wasmtime-wasi's
/// stdio, 3 a pool, 4 an unconnected TCP socket, 5 a UDP socket, 6 a
/// listener; the rest are not open.
fn instantiate(wat: &str) -> (wasmtime::Store<WasockCtx>, wasmtime::Instance, wasmtime::Memory) {
    use wasmtime::{Engine, Linker, Module, Store};
    use wasock_host::testing::{with_table, Entry, Kind, Socket};

    let engine = Engine::default();
    let module = Module::new(&engine, wat).unwrap();
    let mut linker: Linker<WasockCtx> = Linker::new(&engine);
    wasock_host::add_to_linker(&mut linker, |cx: &mut WasockCtx| cx).unwrap();
    let mut ctx = WasockCtx::builder().pool(Pool::new("default")).build().unwrap();
    with_table(&mut ctx, |table| {
        let pool = table.pool(3).unwrap().clone();
        for kind in [Kind::Stream, Kind::Datagram] {
            let sock = Socket::open(pool.clone(), Default::default(), socket2::Domain::IPV4, kind).unwrap();
            table.insert(Entry::socket(sock));
        }
        let listener = Socket::open(pool, Default::default(), socket2::Domain::IPV4, Kind::Stream).unwrap();
        listener.os().bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into()).unwrap();
        listener.os().listen(1).unwrap();
        table.insert(Entry::socket(listener));
    });
    let mut store = Store::new(&engine, ctx);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let memory = instance.get_memory(&mut store, "memory").unwrap();
    (store, instance, memory)
}

#[test]
fn fuzz_poll_subscriptions() {
    report("poll_subscriptions");
    let (mut store, instance, memory) = instantiate(POLL_WAT);
    let go = instance.get_typed_func::<(i32, i32, i32, i32), i32>(&mut store, "go").unwrap();
    let store = std::cell::RefCell::new(store);

    TestRunner::new(config())
        .run(&poll_input(), |(mut subs, subs_at, events_at, ret_at, n)| {
            // First, a relative clock that is already due, so no call can wait for long.
            subs.insert(0, Sub { userdata: 7, tag: 0, fd: 0, clock_id: 1, timeout: 0, flags: 0, noise: [0; 8] });
            let n = if n < 0 { subs.len() as i32 } else { n };
            let mut store = store.borrow_mut();
            let mem_len = memory.data_size(&*store);
            if in_bounds(mem_len, subs_at, subs.len() as u64 * 48) {
                let bytes: Vec<u8> = subs.iter().flat_map(|s| s.encode()).collect();
                memory.write(&mut *store, subs_at as u32 as usize, &bytes).unwrap();
            }
            let started = std::time::Instant::now();
            let errno = go.call(&mut *store, (subs_at, events_at, n, ret_at)).expect("poll_oneoff never traps");
            prop_assert!(started.elapsed() < std::time::Duration::from_secs(5), "poll_oneoff waited");
            let n = n as u32;
            let fits = in_bounds(mem_len, events_at, u64::from(n) * 32)
                && in_bounds(mem_len, ret_at, 4)
                && in_bounds(mem_len, subs_at, u64::from(n) * 48);
            if errno == 0 {
                prop_assert!(n > 0 && fits, "success with n={} or bad pointers", n);
                let data = memory.data(&*store);
                let at = ret_at as u32 as usize;
                let count = u32::from_le_bytes(data[at..at + 4].try_into().unwrap());
                prop_assert!(count >= 1 && count <= n, "{} events for {} subscriptions", count, n);
                // The subscriptions the host read: those written, and past
                // them whatever memory held (earlier cases left records there).
                let given: Vec<(u64, u8)> = (0..n as usize)
                    .map(|k| {
                        let r = subs_at as u32 as usize + k * 48;
                        (u64::from_le_bytes(data[r..r + 8].try_into().unwrap()), data[r + 8])
                    })
                    .collect();
                for k in 0..count as usize {
                    let e = events_at as u32 as usize + k * 32;
                    let userdata = u64::from_le_bytes(data[e..e + 8].try_into().unwrap());
                    let kind = data[e + 10];
                    prop_assert!(
                        given.contains(&(userdata, kind)),
                        "event {} (userdata {}, type {}) matches no subscription",
                        k,
                        userdata,
                        kind
                    );
                }
            } else {
                let errno = errno as u16;
                prop_assert!(
                    [Errno::FAULT.0, Errno::INVAL.0, Errno::BADF.0, Errno::NOTSUP.0].contains(&errno),
                    "unexpected errno {}",
                    errno
                );
                if !fits {
                    prop_assert!(errno == Errno::FAULT.0 || n == 0, "errno {} for bad pointers", errno);
                }
            }
            Ok(())
        })
        .unwrap();
}

// --- socket options, through an instance -------------------------------------------

const SOCKOPT_WAT: &str = r#"
(module
  (import "wasi_ephemeral_sock" "sockopt_set" (func $set (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_ephemeral_sock" "sockopt_get" (func $get (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "set") (param i32 i32 i32 i32 i32) (result i32)
    (call $set (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "get") (param i32 i32 i32 i32 i32 i32) (result i32)
    (call $get (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5))))
"#;

/// One `sockopt_set`: fd, level, name, the value's bytes, where they go and
/// the length passed (the bytes' own, or anything).
fn sockopt_input() -> impl Strategy<Value = (i32, u32, u32, Vec<u8>, i32, Option<u64>)> {
    let value = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..24),
        // Booleans and small ints, where the 0-or-1 rule bites.
        (0u32..4).prop_map(|v| v.to_le_bytes().to_vec()),
    ];
    (0i32..9, 0u32..6, 0u32..13, value, pointer(65536), proptest::option::weighted(0.2, length()))
}

/// `sockopt_set` answers as the spec says for every fd, option, value and
/// pointer: the fd and the pointer first, then the option, then its type's
/// rules (the length, the 0-or-1 of a bool), and past them the kernel, whose
/// answer is always a precise errno (never `io`, the unmapped one); a bool
/// that was set reads back as set. Never a trap.
#[test]
fn fuzz_sockopt() {
    use std::collections::HashMap;
    use wasock_host::spec::{parse_options, OptType};

    report("sockopt");
    let opts: HashMap<(u32, u32), OptType> =
        parse_options(SPEC).unwrap().into_iter().map(|o| ((o.level, o.name), o.ty)).collect();
    let (mut store, instance, memory) = instantiate(SOCKOPT_WAT);
    let set = instance.get_typed_func::<(i32, i32, i32, i32, i32), i32>(&mut store, "set").unwrap();
    let get = instance.get_typed_func::<(i32, i32, i32, i32, i32, i32), i32>(&mut store, "get").unwrap();
    let store = std::cell::RefCell::new(store);
    TestRunner::new(config())
        .run(&sockopt_input(), |(fd, level, name, value, ptr, len)| {
            let mut store = store.borrow_mut();
            let mem_len = memory.data_size(&*store);
            let len = len.unwrap_or(value.len() as u64);
            if in_bounds(mem_len, ptr, value.len() as u64) {
                memory.write(&mut *store, ptr as u32 as usize, &value).unwrap();
            }
            // What the host will read (earlier cases left bytes past `value`).
            let first4 = in_bounds(mem_len, ptr, 4).then(|| {
                let at = ptr as u32 as usize;
                u32::from_le_bytes(memory.data(&*store)[at..at + 4].try_into().unwrap())
            });
            let errno = set.call(&mut *store, (fd, level as i32, name as i32, ptr, len as i32)).expect("never a trap");
            let errno = errno as u16;
            // All the sockets are IPv4; fd 5 is the datagram one.
            let applies = matches!(level, 1 | 2 | 5) || (level == 4 && fd != 5);
            let want = match () {
                _ if fd >= 7 => Some(Errno::BADF),
                _ if fd < 4 => Some(Errno::NOTSOCK),
                _ if len > u64::from(u32::MAX) || !in_bounds(mem_len, ptr, len) => Some(Errno::FAULT),
                _ if !applies || !opts.contains_key(&(level, name)) => Some(Errno::NOPROTOOPT),
                _ => None,
            };
            if let Some(want) = want {
                prop_assert_eq!(errno, want.0, "fd {} option {}.{} len {}", fd, level, name, len);
                return Ok(());
            }
            let ty = opts[&(level, name)];
            let short = len < u64::from(ty.min_len());
            if ty == OptType::Bool && !short {
                let v = first4.expect("in bounds: checked above");
                prop_assert_eq!(errno == Errno::INVAL.0, v > 1, "bool {} gave errno {}", v, errno);
                if v <= 1 && errno == 0 {
                    let got = get.call(&mut *store, (fd, level as i32, name as i32, 0, 4, 8)).expect("never a trap");
                    prop_assert_eq!(got, 0);
                    let data = memory.data(&*store);
                    prop_assert_eq!(u32::from_le_bytes(data[..4].try_into().unwrap()), v);
                    prop_assert_eq!(u32::from_le_bytes(data[8..12].try_into().unwrap()), 4);
                }
            } else if short {
                prop_assert_eq!(errno, Errno::INVAL.0, "a short value for {:?}", ty);
            }
            prop_assert!(![Errno::IO.0, Errno::FAULT.0, Errno::BADF.0].contains(&errno), "errno {}", errno);
            Ok(())
        })
        .unwrap();
}
