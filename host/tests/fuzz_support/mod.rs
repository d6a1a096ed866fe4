//! What the fuzzing suites (`fuzz_decoding.rs`, `fuzz_instance.rs`) share:
//! proptest's configuration, the case-count report for `make reliability`,
//! and strategies for guest pointers and lengths.
#![allow(dead_code)]

use proptest::prelude::*;
use proptest::test_runner::Config;

/// The configuration of every property: proptest's default case count (256,
/// or `PROPTEST_CASES`), and no regression files written into the tree (kept
/// failures become explicit tests in the suites instead).
pub fn config() -> Config {
    Config { failure_persistence: None, ..Config::default() }
}

/// Prints the case count once per property for `make reliability`.
pub fn report(name: &str) {
    println!("RELIABILITY: fuzz.{name}.cases={}", config().cases);
}

/// Pointers near the interesting edges (0, the end of memory, 2^31, 2^32) and anywhere.
pub fn pointer(mem_len: usize) -> impl Strategy<Value = i32> {
    let m = mem_len as i64;
    prop_oneof![
        (-8i64..8).prop_map(move |d| (m + d) as i32),
        (-8i64..8).prop_map(|d| d as i32),
        (-8i64..8).prop_map(|d| (0x8000_0000i64 + d) as u32 as i32),
        any::<i32>(),
        (0..=m).prop_map(|p| p as i32),
    ]
}

pub fn length() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..80, any::<u32>().prop_map(u64::from), any::<u64>(), (u64::MAX - 8..=u64::MAX)]
}

pub fn in_bounds(mem_len: usize, ptr: i32, len: u64) -> bool {
    u128::from(ptr as u32) + u128::from(len) <= mem_len as u128
}
