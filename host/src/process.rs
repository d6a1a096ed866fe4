//! What every thread of one guest shares, as the threads of a POSIX process
//! share their file descriptors: the fd table and wasmtime-wasi's preview-1
//! context (which serves the files, stdio and directories in that table).
//!
//! A guest starts single-threaded and owns both outright, so a host call
//! pays nothing for threads it does not have. The first `thread-spawn`
//! moves them behind locks ([`Process::share`]); from then on every thread's
//! [`crate::WasockCtx`] holds the same [`Process`], and a host call locks what
//! it uses for as long as it uses it:
//!
//! - the table only to look a socket up or to change the table: a call
//!   that may block takes its own [`crate::table::SocketRef`] and lets the
//!   table go, so one thread blocked in `recv` never stalls another's
//!   `accept`, `close` or `dup`;
//! - wasmtime-wasi's context for the whole of a delegated call (file calls
//!   are short; a blocking read of stdin, or a `poll_oneoff` that waits on
//!   stdin or a file, holds it while it waits: the one place where threads
//!   can stall each other).
//!
//! Locks are always taken wasi first, then the table ([`Process::both`]).

use crate::audit::Hooks;
use crate::table::FdTable;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard};
use wasmtime_wasi::p1::WasiP1Ctx;

/// One guest's shared state (see the module docs).
pub(crate) struct Process {
    inner: Inner,
    hooks: Arc<Hooks>,
}

// One per guest, and the owned form is the hot path of every call: kept
// inline rather than boxed.
#[allow(clippy::large_enum_variant)]
enum Inner {
    Owned {
        wasi: WasiP1Ctx,
        table: FdTable,
    },
    Shared(Arc<Shared>),
    /// Only inside [`Process::share`], between taking the owned parts and
    /// putting the shared ones back.
    Moving,
}

struct Shared {
    wasi: Mutex<WasiP1Ctx>,
    table: Mutex<FdTable>,
}

/// Access to a part of the process: a plain borrow while the guest has one
/// thread, a lock once it has more.
pub(crate) enum Guard<'a, T> {
    Owned(&'a mut T),
    Locked(MutexGuard<'a, T>),
}

impl<T> Deref for Guard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        match self {
            Guard::Owned(t) => t,
            Guard::Locked(g) => g,
        }
    }
}

impl<T> DerefMut for Guard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        match self {
            Guard::Owned(t) => t,
            Guard::Locked(g) => g,
        }
    }
}

/// Locks `m`. A thread that panicked while holding it left the value as
/// valid as any host call leaves it (every call checks before it changes),
/// so a poisoned lock is taken as it is.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

const MOVING: &str = "the process is only moving inside `share`";

impl Process {
    /// A single-threaded process.
    pub fn new(wasi: WasiP1Ctx, table: FdTable, hooks: Arc<Hooks>) -> Process {
        Process { inner: Inner::Owned { wasi, table }, hooks }
    }

    /// Where pool decisions are reported.
    #[inline]
    pub fn hooks(&self) -> &Arc<Hooks> {
        &self.hooks
    }

    /// The fd table.
    #[inline]
    pub fn table(&mut self) -> Guard<'_, FdTable> {
        match &mut self.inner {
            Inner::Owned { table, .. } => Guard::Owned(table),
            Inner::Shared(s) => Guard::Locked(lock(&s.table)),
            Inner::Moving => unreachable!("{MOVING}"),
        }
    }

    /// wasmtime-wasi's context.
    #[inline]
    pub fn wasi(&mut self) -> Guard<'_, WasiP1Ctx> {
        match &mut self.inner {
            Inner::Owned { wasi, .. } => Guard::Owned(wasi),
            Inner::Shared(s) => Guard::Locked(lock(&s.wasi)),
            Inner::Moving => unreachable!("{MOVING}"),
        }
    }

    /// wasmtime-wasi's context and the fd table together, locked in that order.
    #[inline]
    pub fn both(&mut self) -> (Guard<'_, WasiP1Ctx>, Guard<'_, FdTable>) {
        match &mut self.inner {
            Inner::Owned { wasi, table } => (Guard::Owned(wasi), Guard::Owned(table)),
            Inner::Shared(s) => {
                let wasi = lock(&s.wasi);
                (Guard::Locked(wasi), Guard::Locked(lock(&s.table)))
            }
            Inner::Moving => unreachable!("{MOVING}"),
        }
    }

    /// Whether more than one thread may use this process.
    pub fn is_shared(&self) -> bool {
        matches!(self.inner, Inner::Shared(_))
    }

    /// Another handle on this process, for a new thread; the first call
    /// moves the owned parts behind locks.
    pub fn share(&mut self) -> Process {
        if let Inner::Owned { .. } = self.inner {
            let Inner::Owned { wasi, table } = std::mem::replace(&mut self.inner, Inner::Moving) else {
                unreachable!("{MOVING}")
            };
            self.inner = Inner::Shared(Arc::new(Shared { wasi: Mutex::new(wasi), table: Mutex::new(table) }));
        }
        let Inner::Shared(s) = &self.inner else { unreachable!("{MOVING}") };
        Process { inner: Inner::Shared(s.clone()), hooks: self.hooks.clone() }
    }
}
