//! The `dgram` arrays of send_batch / recv_batch: their records and the
//! cases made from them (the table's other parameters are in the parent).

use super::{bad_addrs, BAD_DGRAMS, DGRAM, FAULT, INVAL, IOV, IOV_BAD_BUF, IOV_HUGE_LEN, MEM, SUCCESS};

/// One `dgram` record: `iovs_len` iovecs at `iovs`, to `addr` (all zero:
/// the connected peer).
pub fn dgram(iovs: i64, iovs_len: u32, addr: [u8; 28]) -> Vec<u8> {
    [&(iovs as u32).to_le_bytes()[..], &iovs_len.to_le_bytes(), &addr, &[0; 8]].concat()
}

/// Batches of four records whose record 3 is bad: (what, record 3, errno,
/// whether recv_batch reads it too: only send_batch reads the address).
pub fn bad_dgrams() -> Vec<(&'static str, Vec<u8>, i32, bool)> {
    let mut v = vec![
        ("its iovs past the end of memory", dgram(MEM, 1, [0; 28]), FAULT, true),
        ("its iovs straddling the end", dgram(MEM - 4, 1, [0; 28]), FAULT, true),
        ("an iovec straddling the end", dgram(IOV_BAD_BUF, 1, [0; 28]), FAULT, true),
        ("an iovec of length 0xFFFFFFFF", dgram(IOV_HUGE_LEN, 1, [0; 28]), FAULT, true),
        ("iovs_len 1025 (past IOV_MAX)", dgram(0, 1025, [0; 28]), INVAL, true),
    ];
    for (why, rec) in bad_addrs() {
        v.push((why, dgram(IOV, 1, rec), INVAL, false));
    }
    v
}

/// The cases of a `*dgram` array and its count. The count is capped at
/// 1024 (as Linux caps vlen), so a huge count is the 1024 records from the
/// pointer; a bad record 3 fails the whole call before anything moves (the
/// final check of the queued bytes sees nothing sent or received).
pub fn dgram_cases(func: &str, p: &str, i: usize, add: &mut impl FnMut(String, &[(usize, i64)], i32)) {
    let n = i + 1;
    add(format!("{p} at the end of memory"), &[(i, MEM)], FAULT);
    add(format!("{p} straddling the end (records 1-3 outside)"), &[(i, MEM - DGRAM - 2)], FAULT);
    add(format!("{p} 0xFFFFFFFF"), &[(i, -1)], FAULT);
    add(format!("{p} + count wrapping"), &[(i, 0xFFFF_FFF0), (n, 1)], FAULT);
    add(format!("{p} past the end, count 0"), &[(i, MEM + 1), (n, 0)], FAULT);
    add(format!("{p} far out, count 0"), &[(i, -1), (n, 0)], FAULT);
    add(format!("{p} at the end, count 0"), &[(i, MEM), (n, 0)], SUCCESS);
    add(format!("{p}: count huge (0xFFFFFFFF) is 1024 records, past the end"), &[(n, -1)], FAULT);
    add(format!("{p}: count 0x80000000 is 1024 records, past the end"), &[(n, 0x8000_0000)], FAULT);
    for (k, (why, _, want, both)) in bad_dgrams().into_iter().enumerate() {
        if !both && func != "send_batch" {
            continue; // recv_batch writes the address, never reads it
        }
        add(format!("{p}: record 3 with {why}"), &[(i, BAD_DGRAMS + 256 * k as i64)], want);
    }
}
