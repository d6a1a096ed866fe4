//! Socket state that more than one guest thread may touch.
//!
//! A socket sits in the fd table behind an `Arc` and may be used from
//! several threads at once (a POSIX process shares its sockets between
//! threads), so its own small state is atomic rather than `Cell`s. Each
//! value is independent and only ever read or replaced whole, and the
//! kernel orders the operations that matter, so relaxed ordering is enough;
//! on x86 these are plain loads and stores.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering::Relaxed};
use std::sync::Mutex;

/// A flag.
#[derive(Default)]
pub(crate) struct Flag(AtomicBool);

impl Flag {
    pub fn new(v: bool) -> Flag {
        Flag(AtomicBool::new(v))
    }

    #[inline]
    pub fn get(&self) -> bool {
        self.0.load(Relaxed)
    }

    #[inline]
    pub fn set(&self, v: bool) {
        self.0.store(v, Relaxed)
    }
}

/// A number.
pub(crate) struct Number(AtomicU32);

impl Number {
    pub fn new(v: u32) -> Number {
        Number(AtomicU32::new(v))
    }

    #[inline]
    pub fn get(&self) -> u32 {
        self.0.load(Relaxed)
    }

    #[inline]
    pub fn set(&self, v: u32) {
        self.0.store(v, Relaxed)
    }
}

/// A small value replaced whole (a poisoned lock still holds a valid one).
#[derive(Default)]
pub(crate) struct Latest<T: Copy>(Mutex<T>);

impl<T: Copy> Latest<T> {
    pub fn get(&self) -> T {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set(&self, v: T) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = v;
    }
}
