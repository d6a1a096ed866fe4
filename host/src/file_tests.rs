//! `HostFile` against a real directory: what it opens, what it refuses (so
//! that wasmtime-wasi answers), and reads, seeks and stats.

use super::*;
use crate::sys::IoVecs;
use std::ffi::CString;
use std::os::fd::AsFd;
use std::path::PathBuf;

struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A directory with `inside/a.txt`, a symlink to it, a symlink out of the
/// directory, a subdirectory and a FIFO; the preopen is `inside`.
fn scratch(tag: &str) -> (Scratch, OwnedFd) {
    let root = std::env::temp_dir().join(format!("wasock-file-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let inside = root.join("inside");
    std::fs::create_dir_all(inside.join("sub")).unwrap();
    std::fs::write(inside.join("a.txt"), b"0123456789").unwrap();
    std::fs::write(root.join("secret"), b"outside").unwrap();
    std::os::unix::fs::symlink("a.txt", inside.join("link")).unwrap();
    std::os::unix::fs::symlink("../secret", inside.join("out")).unwrap();
    let fifo = CString::new(inside.join("fifo").into_os_string().into_encoded_bytes()).unwrap();
    // SAFETY: a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    let dir = open_dir_handle(&inside).unwrap();
    (Scratch(root), dir)
}

fn open(dir: &OwnedFd, path: &str, follow: bool) -> io::Result<Option<HostFile>> {
    HostFile::open_beneath(dir.as_fd(), &CString::new(path).unwrap(), follow)
}

fn read_all(f: &HostFile, buf: &mut [u8]) -> usize {
    let mut iov = IoVecs::new();
    iov.push(buf.as_mut_ptr(), buf.len());
    f.read(&mut iov).unwrap()
}

#[test]
fn a_regular_file_beneath_the_directory_opens_and_reads_from_its_offset() {
    let (_s, dir) = scratch("read");
    let f = open(&dir, "a.txt", true).unwrap().expect("a regular file");
    let mut buf = [0u8; 4];
    assert_eq!(read_all(&f, &mut buf), 4);
    assert_eq!(&buf, b"0123");
    assert_eq!(f.tell(), 4);
    assert_eq!(f.remaining().unwrap(), 6);
    assert_eq!(f.seek(-2, Whence::End).unwrap(), 8);
    assert_eq!(read_all(&f, &mut buf), 2);
    assert_eq!(&buf[..2], b"89");
    assert_eq!(read_all(&f, &mut buf), 0, "end of file");
    assert_eq!(f.seek(-1, Whence::Set).unwrap_err().raw_os_error(), Some(libc::EINVAL));
    assert_eq!(f.tell(), 10, "a refused seek leaves the offset");
    let mut iov = IoVecs::new();
    iov.push(buf.as_mut_ptr(), 3);
    assert_eq!(f.pread(&mut iov, 1).unwrap(), 3);
    assert_eq!(&buf[..3], b"123");
    assert_eq!(f.tell(), 10, "pread leaves the offset");
    let st = f.stat().unwrap();
    assert_eq!(st.st_size, 10);
    assert_ne!(HostFile::wasi_ino(&st), st.st_ino, "the inode is wasmtime-wasi's hash");
}

#[test]
fn nothing_outside_the_directory_opens() {
    let (_s, dir) = scratch("escape");
    for path in ["../secret", "/etc/passwd", "sub/../../secret", "out"] {
        let e = open(&dir, path, true).err().unwrap_or_else(|| panic!("{path} opened"));
        assert_eq!(e.raw_os_error(), Some(libc::EXDEV), "{path}: {e}");
    }
}

#[test]
fn a_final_symlink_is_followed_only_when_asked() {
    let (_s, dir) = scratch("symlink");
    assert!(open(&dir, "link", true).unwrap().is_some());
    assert_eq!(open(&dir, "link", false).err().and_then(|e| e.raw_os_error()), Some(libc::ELOOP));
}

#[test]
fn directories_and_fifos_are_left_to_wasmtime_wasi_without_waiting() {
    let (_s, dir) = scratch("special");
    assert!(open(&dir, "sub", true).unwrap().is_none());
    assert!(open(&dir, ".", true).unwrap().is_none());
    // A FIFO with no writer: a blocking open would wait forever.
    assert!(open(&dir, "fifo", true).unwrap().is_none());
    assert_eq!(open(&dir, "missing", true).err().and_then(|e| e.raw_os_error()), Some(libc::ENOENT));
}

#[test]
fn flags_are_kept_and_a_read_only_file_cannot_be_truncated() {
    let (_s, dir) = scratch("flags");
    let f = open(&dir, "a.txt", true).unwrap().unwrap();
    assert_eq!(f.flags(), (false, false));
    f.set_flags(true, true);
    assert_eq!(f.flags(), (true, true));
    assert_eq!(f.set_size(0).unwrap_err().raw_os_error(), Some(libc::EINVAL));
    assert_eq!(f.stat().unwrap().st_size, 10);
    f.sync(true).unwrap();
    f.advise(0, 0, libc::POSIX_FADV_SEQUENTIAL).unwrap();
}
