//! A writer thread behind a bounded queue: the guest's thread only ever
//! tries to enqueue a line, so a blocked stderr pipe or a slow disk stalls
//! the writer, never the guest.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::Mutex;
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

/// Lines to one output, written in order by a thread of their own.
pub struct LineWriter {
    tx: Mutex<Option<SyncSender<Msg>>>,
    dropped: AtomicU64,
    /// Formats the line reporting `n` lines lost to a full queue.
    dropped_line: fn(u64) -> String,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl LineWriter {
    /// Starts the writer thread for `out`; `dropped_line` formats the line
    /// reporting `n` lines lost to a full queue.
    pub fn spawn(name: &str, out: Box<dyn Write + Send>, dropped_line: fn(u64) -> String) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::sync_channel(QUEUE);
        let thread = std::thread::Builder::new().name(name.into()).spawn(move || run(rx, out))?;
        Ok(LineWriter {
            tx: Mutex::new(Some(tx)),
            dropped: AtomicU64::new(0),
            dropped_line,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Queues `line` (which ends in a newline) without ever blocking; when
    /// the queue is full the line is counted as dropped.
    pub fn push(&self, line: String) {
        let Ok(guard) = self.tx.lock() else { return };
        let Some(tx) = guard.as_ref() else { return };
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

    /// Flushes and stops the writer, waiting at most [`DRAIN_WAIT`].
    pub fn close(&self) {
        let Some(tx) = self.tx.lock().ok().and_then(|mut t| t.take()) else { return };
        let lost = self.dropped.swap(0, Ordering::Relaxed);
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
            if let Some(t) = self.thread.lock().ok().and_then(|mut t| t.take()) {
                let _ = t.join();
            }
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
