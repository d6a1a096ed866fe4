//! The process harness that the host's integration tests (`host/tests`) and
//! the end-to-end suites (`e2e`) share: one way to start the `wasock`
//! binary, bound its time, capture what it prints and how it ended, and talk
//! to it from native peers on loopback.
//!
//! - [`run`]: [`Run`] builds one invocation (the program, its arguments, a
//!   stdin pipe or none, a time limit, a file the run owns) and starts it as
//!   a [`Running`], which gives stdout line by line while the process runs
//!   and a [`Finished`] (exit status, stdout, stderr) at the end;
//!   [`host_binary`] finds `wasock` for suites outside the host package.
//! - [`peers`]: native servers and clients (TCP and UDP echo, a silent
//!   server, accept and connect with deadlines) and free ports.
//! - [`tls`]: certificates made at test time and native rustls peers (an
//!   echo server that records each session, a client, a server that is not
//!   TLS) for the host-side TLS suites.
//! - [`os`]: what the suites read of the operating system (a process's open
//!   fds, threads, CPU time, fd limit) and the socket options std lacks.
//!
//! What is particular to one side stays there: the WAT modules and their
//! prelude in `host/tests/common`, the lookup of built guest modules in
//! `e2e/src/lib.rs`; both build their `Guest` on [`Run`].
//!
//! Its own tests check the TLS peers against each other (`src/tls/tests.rs`);
//! the rest is exercised by every suite that uses it.

pub mod os;
pub mod peers;
pub mod run;
pub mod tls;

pub use os::{cpu_time, fd_limit, open_fds, reliability, set_backlog, set_linger_zero, thread_names};
pub use peers::*;
pub use run::{host_binary, Finished, Run, Running, DEFAULT_TIMEOUT};
