//! A writer thread behind a bounded queue: the guest's thread only ever
//! tries to enqueue a line, so a blocked stderr pipe or a slow disk stalls
//! the writer, never the guest.
//!
//! The thread starts with the first line. Most runs log nothing, and a
//! second thread in the process would cost the guest on every system call
//! on a socket (see `crate::local_runtime`).

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Lines queued at most; past this they are counted as dropped.
const QUEUE: usize = 4096;
/// How long closing waits for the writer to drain before giving up on it
/// (its output may be a pipe nobody reads).
const DRAIN_WAIT: Duration = Duration::from_secs(2);

enum Msg {
    Line(String),
    /// Sent by `close`; the writer answers on the channel once flushed.
    Close(SyncSender<()>),
}

/// The output, shared with the thread only so that it survives a failed
/// start (the thread takes it when it runs).
type Output = Arc<Mutex<Option<Box<dyn Write + Send>>>>;

enum State {
    /// No line yet, so no thread.
    Idle,
    Running {
        tx: SyncSender<Msg>,
        thread: JoinHandle<()>,
    },
    Closed,
}

/// Lines to one output, written in order by a thread of their own.
pub struct LineWriter {
    name: String,
    out: Output,
    state: Mutex<State>,
    dropped: AtomicU64,
    /// Formats the line reporting `n` lines lost to a full queue.
    dropped_line: fn(u64) -> String,
}

impl LineWriter {
    /// A writer to `out` whose thread, named `name`, starts with the first
    /// line; `dropped_line` formats the line reporting `n` lines lost to a
    /// full queue (or to a thread that could not start).
    pub fn new(name: &str, out: Box<dyn Write + Send>, dropped_line: fn(u64) -> String) -> Self {
        LineWriter {
            name: name.into(),
            out: Arc::new(Mutex::new(Some(out))),
            state: Mutex::new(State::Idle),
            dropped: AtomicU64::new(0),
            dropped_line,
        }
    }

    /// The queue's sender, starting the thread if it has not started. `None`
    /// once closed, or if the thread cannot start (then the next line tries again).
    fn sender(&self, state: &mut State) -> Option<SyncSender<Msg>> {
        if let State::Idle = state {
            let (tx, rx) = mpsc::sync_channel(QUEUE);
            let out = self.out.clone();
            let started = std::thread::Builder::new().name(self.name.clone()).spawn(move || {
                if let Some(out) = out.lock().ok().and_then(|mut o| o.take()) {
                    run(rx, out);
                }
            });
            *state = match started {
                Ok(thread) => State::Running { tx, thread },
                Err(_) => return None,
            };
        }
        match state {
            State::Running { tx, .. } => Some(tx.clone()),
            State::Idle | State::Closed => None,
        }
    }

    /// Queues `line` (which ends in a newline) without ever blocking; when
    /// the queue is full the line is counted as dropped.
    pub fn push(&self, line: String) {
        let Ok(mut state) = self.state.lock() else { return };
        let Some(tx) = self.sender(&mut state) else {
            if !matches!(*state, State::Closed) {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
            return;
        };
        let lost = self.dropped.load(Ordering::Relaxed);
        if lost > 0 && tx.try_send(Msg::Line((self.dropped_line)(lost))).is_ok() {
            self.dropped.fetch_sub(lost, Ordering::Relaxed);
        }
        match tx.try_send(Msg::Line(line)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Flushes and stops the writer, waiting at most [`DRAIN_WAIT`]. A
    /// writer that never wrote a line has no thread to stop, unless lines
    /// were lost to a thread that could not start: then it tries once more,
    /// to say so.
    pub fn close(&self) {
        let Ok(mut state) = self.state.lock() else { return };
        let lost = self.dropped.swap(0, Ordering::Relaxed);
        let tx = match *state {
            State::Idle if lost == 0 => None,
            _ => self.sender(&mut state),
        };
        let thread = match std::mem::replace(&mut *state, State::Closed) {
            State::Running { thread, .. } => Some(thread),
            State::Idle | State::Closed => None,
        };
        drop(state);
        let (Some(tx), Some(thread)) = (tx, thread) else { return };
        if lost > 0 {
            let _ = tx.try_send(Msg::Line((self.dropped_line)(lost)));
        }
        let (done_tx, done_rx) = mpsc::sync_channel(1);
        if tx.try_send(Msg::Close(done_tx)).is_err() {
            // The queue is full: give the writer a moment to make room.
            std::thread::sleep(Duration::from_millis(50));
        }
        drop(tx);
        if done_rx.recv_timeout(DRAIN_WAIT).is_ok() {
            let _ = thread.join();
        }
    }
}

fn run(rx: Receiver<Msg>, mut out: Box<dyn Write + Send>) {
    for msg in rx {
        match msg {
            Msg::Line(l) => {
                // Write whole lines, flushing when the queue is empty, so
                // lines are not split and a reader sees them promptly.
                let _ = out.write_all(l.as_bytes());
            }
            Msg::Close(done) => {
                let _ = out.flush();
                let _ = done.send(());
                return;
            }
        }
        let _ = out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An output the test can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn started(w: &LineWriter) -> bool {
        matches!(*w.state.lock().unwrap(), State::Running { .. })
    }

    #[test]
    fn the_thread_starts_with_the_first_line_and_writes_in_order() {
        let out = Shared::default();
        let w = LineWriter::new("test-writer", Box::new(out.clone()), |n| format!("{n} dropped\n"));
        assert!(!started(&w), "no line, no thread");
        w.push("one\n".into());
        assert!(started(&w));
        w.push("two\n".into());
        w.close();
        assert_eq!(String::from_utf8(out.0.lock().unwrap().clone()).unwrap(), "one\ntwo\n");
        w.push("late\n".into());
        assert!(!out.0.lock().unwrap().ends_with(b"late\n"), "nothing is written after close");
    }

    #[test]
    fn a_writer_closed_without_lines_never_starts() {
        let out = Shared::default();
        let w = LineWriter::new("test-writer", Box::new(out.clone()), |n| format!("{n} dropped\n"));
        w.close();
        assert!(matches!(*w.state.lock().unwrap(), State::Closed));
        assert!(out.0.lock().unwrap().is_empty());
    }
}
