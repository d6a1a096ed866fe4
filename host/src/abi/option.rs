//! Socket option values: the ABI's layouts (little-endian, the spec's
//! value types) to and from the kernel's (`c_int`, `timeval`, `linger`).
//! Every value is checked against its type before the kernel sees it.

use super::Errno;
use crate::spec::OptType;
use libc::c_int;

type R<T> = Result<T, Errno>;

/// The longest value in either form: a `timeval` is 16 bytes, the longest
/// string or byte option 16; `Table::from_spec` refuses an option whose
/// value could be longer.
pub(crate) const VALUE_MAX: usize = 64;

/// An option value in one form or the other, on the stack: the option
/// calls are the host's cheapest, so they allocate nothing.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Value {
    buf: [u8; VALUE_MAX],
    len: usize,
}

impl Value {
    /// The value of `bytes` (at most [`VALUE_MAX`] of them are kept).
    pub fn new(bytes: &[u8]) -> Value {
        let len = bytes.len().min(VALUE_MAX);
        let mut buf = [0u8; VALUE_MAX];
        buf[..len].copy_from_slice(&bytes[..len]);
        Value { buf, len }
    }

    /// `len` zero bytes, to be filled through [`Value::bytes_mut`].
    pub fn zeroed(len: usize) -> Value {
        Value { buf: [0u8; VALUE_MAX], len: len.min(VALUE_MAX) }
    }

    /// The value's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// The value's bytes, to fill.
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.buf[..self.len]
    }

    /// Keeps the first `len` bytes.
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.bytes().fmt(f)
    }
}

fn le_u32(v: &[u8]) -> u32 {
    u32::from_le_bytes(v[..4].try_into().expect("length checked"))
}

fn le_u64(v: &[u8]) -> u64 {
    u64::from_le_bytes(v[..8].try_into().expect("length checked"))
}

/// A boolean: 0 or 1, anything else `inval`. Only the two values make a
/// call that means one thing; C's any-non-zero-is-true is the SDK's business.
pub(crate) fn flag(v: &[u8]) -> R<c_int> {
    match le_u32(v) {
        b @ (0 | 1) => Ok(b as c_int),
        _ => Err(Errno::INVAL),
    }
}

/// The bytes the kernel gets for a guest's value, checked against its type.
pub(crate) fn encode(ty: OptType, v: &[u8]) -> R<Value> {
    if (v.len() as u64) < u64::from(ty.min_len()) {
        return Err(Errno::INVAL);
    }
    Ok(match ty {
        OptType::Bool => Value::new(&flag(v)?.to_ne_bytes()),
        OptType::Int => Value::new(&(le_u32(v) as c_int).to_ne_bytes()),
        OptType::Timeout => as_bytes(&timeval_from_ns(le_u64(v))),
        OptType::Linger => as_bytes(&libc::linger { l_onoff: flag(v)?, l_linger: le_u32(&v[4..]) as c_int }),
        OptType::Bytes { max, .. } if v.len() as u64 > u64::from(max) => return Err(Errno::INVAL),
        OptType::Bytes { .. } => Value::new(v),
        // Linux reads at most the longest name; the rest is never looked at.
        OptType::String { max } => Value::new(&v[..v.len().min(max as usize)]),
    })
}

/// The guest's value for what the kernel gave.
pub(crate) fn decode(ty: OptType, k: &[u8]) -> Value {
    let int = || k.get(..4).map_or(0, |b| c_int::from_ne_bytes(b.try_into().unwrap()));
    match ty {
        OptType::Bool => Value::new(&u32::from(int() != 0).to_le_bytes()),
        OptType::Int => Value::new(&int().to_le_bytes()),
        OptType::Timeout => Value::new(&timeval_to_ns(&from_bytes(k)).to_le_bytes()),
        OptType::Linger => {
            let l: libc::linger = from_bytes(k);
            let mut out = [0u8; 8];
            out[..4].copy_from_slice(&u32::from(l.l_onoff != 0).to_le_bytes());
            out[4..].copy_from_slice(&l.l_linger.to_le_bytes());
            Value::new(&out)
        }
        OptType::Bytes { .. } => Value::new(k),
        OptType::String { max } => {
            let mut out = Value::zeroed(max as usize);
            let n = k.len().min(out.len);
            out.bytes_mut()[..n].copy_from_slice(&k[..n]);
            out
        }
    }
}

/// How many bytes the kernel's form of a value has at most.
pub(crate) fn kernel_size(ty: OptType) -> usize {
    match ty {
        OptType::Bool | OptType::Int => size_of::<c_int>(),
        OptType::Timeout => size_of::<libc::timeval>(),
        OptType::Linger => size_of::<libc::linger>(),
        OptType::Bytes { max, .. } | OptType::String { max } => max as usize,
    }
}

fn as_bytes<T: Copy>(v: &T) -> Value {
    // SAFETY: `T` is a plain C struct (timeval, linger): any byte is initialised.
    Value::new(unsafe { std::slice::from_raw_parts((v as *const T).cast::<u8>(), size_of::<T>()) })
}

/// A C struct from what the kernel wrote (zeroes past it, if it wrote less).
fn from_bytes<T: Copy>(b: &[u8]) -> T {
    let mut out = [0u8; VALUE_MAX];
    let out = &mut out[..size_of::<T>()];
    let n = b.len().min(out.len());
    out[..n].copy_from_slice(&b[..n]);
    // SAFETY: `out` holds `size_of::<T>()` bytes and `T` (timeval, linger) is valid for any bytes.
    unsafe { std::ptr::read_unaligned(out.as_ptr().cast::<T>()) }
}

/// A timeout in nanoseconds, 0 = none. Anything shorter than the kernel's
/// microsecond resolution becomes one microsecond, never "no timeout".
fn timeval_from_ns(ns: u64) -> libc::timeval {
    let mut tv = libc::timeval { tv_sec: (ns / 1_000_000_000) as libc::time_t, tv_usec: 0 };
    tv.tv_usec = ((ns % 1_000_000_000) / 1_000) as libc::suseconds_t;
    if ns != 0 && tv.tv_sec == 0 && tv.tv_usec == 0 {
        tv.tv_usec = 1;
    }
    tv
}

/// Nanoseconds for a `timeval`.
fn timeval_to_ns(tv: &libc::timeval) -> u64 {
    let ns = i128::from(tv.tv_sec) * 1_000_000_000 + i128::from(tv.tv_usec) * 1_000;
    ns.clamp(0, i128::from(u64::MAX)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_before_the_kernel_sees_them() {
        assert_eq!(encode(OptType::Bool, &2u32.to_le_bytes()), Err(Errno::INVAL));
        assert_eq!(encode(OptType::Bool, &u32::MAX.to_le_bytes()), Err(Errno::INVAL));
        assert_eq!(encode(OptType::Bool, &[1, 0, 0]), Err(Errno::INVAL));
        assert_eq!(encode(OptType::Bool, &[1, 0, 0, 0, 9]), Ok(Value::new(&1i32.to_ne_bytes())));
        assert_eq!(encode(OptType::Int, &(-1i32).to_le_bytes()), Ok(Value::new(&(-1i32).to_ne_bytes())));
        assert_eq!(encode(OptType::Timeout, &[0; 7]), Err(Errno::INVAL));
        let mut linger = 2u32.to_le_bytes().to_vec();
        linger.extend_from_slice(&5u32.to_le_bytes());
        assert_eq!(encode(OptType::Linger, &linger), Err(Errno::INVAL));
        let bytes = OptType::Bytes { min: 4, max: 12 };
        assert_eq!(encode(bytes, &[0; 3]), Err(Errno::INVAL));
        assert_eq!(encode(bytes, &[0; 13]), Err(Errno::INVAL));
        assert_eq!(encode(OptType::String { max: 16 }, &[]), Err(Errno::INVAL));
        assert_eq!(encode(OptType::String { max: 16 }, &[b'a'; 40]).unwrap().bytes().len(), 16);
    }

    #[test]
    fn timeouts_round_trip_and_never_become_none() {
        assert_eq!(timeval_to_ns(&timeval_from_ns(0)), 0);
        assert_eq!(timeval_to_ns(&timeval_from_ns(1)), 1_000);
        assert_eq!(timeval_to_ns(&timeval_from_ns(2_500_000_000)), 2_500_000_000);
        assert_eq!(decode(OptType::String { max: 16 }, b"cubic").bytes().len(), 16);
    }
}
