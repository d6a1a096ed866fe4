//! The spec's `option` lines, the host's table and the C library's table
//! agree: every option the spec lists is served by the host and mapped by
//! `sdk/src/sockopt.c` from the same Linux names to the same wasock numbers
//! with a matching value type, and neither serves nor maps anything else.
//! (The Rust crate's list is checked against the spec by
//! `guest/src/sys/spec_test.rs`.)

use std::collections::BTreeSet;
use wasock_host::spec::{parse_options, OptType, SPEC};
use wasock_host::testing::sockopt::{Table, HOST, KERNEL};

const SDK_SOCKOPT: &str = include_str!("../../sdk/src/sockopt.c");

/// The C table's entries: (POSIX level, POSIX name, wasock level, wasock name, type).
fn sdk_table() -> Vec<(String, String, u32, u32, String)> {
    let body = SDK_SOCKOPT.split_once("OPTS[] = {").expect("the OPTS table").1.split_once("};").unwrap().0;
    body.lines()
        .filter_map(|l| l.trim().strip_prefix('{')?.strip_suffix("},").map(str::to_string))
        .map(|l| {
            let c: Vec<&str> = l.split(',').map(str::trim).collect();
            assert_eq!(c.len(), 5, "an OPTS entry is {{LEVEL, NAME, level, name, T_...}}: {l}");
            (c[0].into(), c[1].into(), c[2].parse().unwrap(), c[3].parse().unwrap(), c[4].into())
        })
        .collect()
}

fn c_type_fits(spec: OptType, c: &str) -> bool {
    match spec {
        OptType::Bool => c == "T_BOOL" || c == "T_STRICT",
        OptType::Int => c == "T_INT",
        OptType::Timeout => c == "T_TIMEVAL",
        OptType::Linger => c == "T_LINGER",
        OptType::Bytes { .. } => c == "T_BYTES",
        OptType::String { .. } => c == "T_STRING",
    }
}

#[test]
fn the_c_library_maps_exactly_the_spec_options() {
    let spec = parse_options(SPEC).unwrap();
    let sdk = sdk_table();
    assert!(sdk.len() >= 30, "{} entries parsed from sockopt.c", sdk.len());
    let key = |l: &str, n: &str, a: u32, b: u32| (l.to_string(), n.to_string(), a, b);
    let from_spec: BTreeSet<_> = spec.iter().map(|o| key(&o.linux.0, &o.linux.1, o.level, o.name)).collect();
    let from_sdk: BTreeSet<_> = sdk.iter().map(|e| key(&e.0, &e.1, e.2, e.3)).collect();
    assert_eq!(from_sdk.len(), sdk.len(), "an option listed twice in sockopt.c");
    assert_eq!(from_sdk, from_spec, "sockopt.c and the spec disagree");
    for o in &spec {
        let e = sdk.iter().find(|e| (e.2, e.3) == (o.level, o.name)).unwrap();
        assert!(c_type_fits(o.ty, &e.4), "{}: spec type {:?}, sockopt.c {}", o.ident, o.ty, e.4);
    }
}

#[test]
fn the_host_serves_exactly_the_spec_options() {
    // Every spec option resolves through the host's allow-list...
    Table::from_spec(SPEC).expect("every spec option is in the host's allow-list");
    // ...and the allow-list holds nothing the spec does not list.
    let spec: BTreeSet<_> = parse_options(SPEC).unwrap().into_iter().map(|o| o.linux).collect();
    let kernel = KERNEL.iter().map(|k| (k.0.to_string(), k.1.to_string()));
    let host: BTreeSet<_> = kernel.chain(HOST.iter().map(|k| (k.0.to_string(), k.1.to_string()))).collect();
    assert_eq!(host, spec);
}

/// The options refused on purpose are in neither list.
#[test]
fn refused_options_are_nowhere() {
    let refused = [
        "SO_BINDTODEVICE",
        "SO_MARK",
        "SO_ATTACH_FILTER",
        "SO_DETACH_FILTER",
        "SO_LOCK_FILTER",
        "SO_ATTACH_BPF",
        "SO_PRIORITY",
        "IP_TRANSPARENT",
        "IP_FREEBIND",
        "IP_OPTIONS",
        "IP_HDRINCL",
        "IPV6_ADDRFORM",
        "IPV6_TRANSPARENT",
        "IPV6_FREEBIND",
        "TCP_REPAIR",
        "TCP_REPAIR_QUEUE",
        "TCP_REPAIR_OPTIONS",
        "TCP_ULP",
    ];
    for name in refused {
        assert!(!KERNEL.iter().any(|k| k.1 == name), "{name} is in the host's allow-list");
        assert!(!sdk_table().iter().any(|e| e.1 == name), "{name} is in sockopt.c's table");
    }
}
