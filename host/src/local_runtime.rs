//! The tokio runtime that drives wasmtime-wasi's futures on a thread that
//! has one of its own.
//!
//! wasmtime-wasi runs the futures it cannot finish at once (stdin, a
//! sleep, a `poll_oneoff` over its descriptors) on a multi-threaded runtime
//! of its own, which starts two worker threads the first time any of its
//! calls is made (the guest's first write to stdout is enough). Those
//! threads cost a single-threaded guest on every system call on a socket:
//! in a process with more than one thread the kernel takes and drops a
//! reference on the file for each descriptor it looks up (`fdget`/`fput`:
//! once per `recv` or `send`, once per descriptor per `ppoll`), and glibc
//! turns cancellation on and off around every cancellable call (`recv`,
//! `send`, `ppoll`). bench/findings.md ("A single-threaded host process")
//! has what that costs the server rows.
//!
//! So `wasock run` gives a guest without threads a current-thread runtime
//! of its own ([`LocalRuntime::enter`]): wasmtime-wasi's futures run on it,
//! inside the host call that waits for them, and the process keeps one
//! thread (the log writer starts with its first line). A guest with
//! threads, and an embedder's thread that enters none, use wasmtime-wasi's
//! runtime as before.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use tokio::runtime::Runtime;

thread_local! {
    /// This thread's own runtime, while a [`LocalRuntime`] guard lives.
    static LOCAL: RefCell<Option<Rc<Runtime>>> = const { RefCell::new(None) };
}

/// While it lives, this thread drives wasmtime-wasi's futures on a
/// current-thread runtime of its own.
pub(crate) struct LocalRuntime {
    /// Makes the guard `!Send`: it belongs to the thread that entered.
    _thread: std::marker::PhantomData<Rc<()>>,
}

impl LocalRuntime {
    /// Builds the runtime (its I/O and timer drivers, no threads) and makes
    /// it this thread's. Must not be called inside a tokio runtime.
    pub(crate) fn enter() -> std::io::Result<LocalRuntime> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        LOCAL.with(|l| *l.borrow_mut() = Some(Rc::new(rt)));
        Ok(LocalRuntime { _thread: std::marker::PhantomData })
    }
}

impl Drop for LocalRuntime {
    fn drop(&mut self) {
        // Without waiting for blocking tasks: one may be stuck in a read
        // that will never finish, and the guest is done.
        if let Some(rt) = LOCAL.with(|l| l.borrow_mut().take()) {
            if let Ok(rt) = Rc::try_unwrap(rt) {
                rt.shutdown_background();
            }
        }
    }
}

/// Makes sure the runtime this thread's guest will use exists. A thread
/// with its own has it already; wasmtime-wasi builds its own on first use
/// and panics if it cannot (no fd left for its epoll), so it is built now,
/// before the guest can use up the fds.
pub(crate) fn prepare() {
    if local().is_none() {
        wasmtime_wasi::runtime::in_tokio(async {});
    }
}

/// This thread's own runtime, if it has one.
fn local() -> Option<Rc<Runtime>> {
    LOCAL.with(|l| l.borrow().clone())
}

/// Runs `f` to completion: first one poll in a runtime's context (which
/// wasmtime-wasi's code may ask for), then, if it is not done, on that
/// runtime. See [`crate::wasi_p1::block`] for why the first poll is made
/// by hand.
pub(crate) fn block<F: Future>(f: F) -> F::Output {
    use wasmtime_wasi::runtime::{in_tokio, poll_noop, with_ambient_tokio_runtime};
    let mut f = std::pin::pin!(f);
    let Some(rt) = local() else {
        return match with_ambient_tokio_runtime(|| poll_noop(f.as_mut())) {
            Some(out) => out,
            None => in_tokio(f),
        };
    };
    {
        let _in_context = rt.enter();
        if let Some(out) = poll_noop(f.as_mut()) {
            return out;
        }
    }
    // `Runtime::block_on`, not `Handle::block_on` (which `in_tokio` would
    // use with this runtime entered): only the former drives a
    // current-thread runtime's I/O and timers.
    rt.block_on(f)
}

/// Runs `f` to completion on this thread's runtime, or on wasmtime-wasi's.
pub(crate) fn block_on<F: Future>(f: F) -> F::Output {
    match local() {
        Some(rt) => rt.block_on(f),
        None => wasmtime_wasi::runtime::in_tokio(f),
    }
}
