//! The libc compatibility layer (`c-tests/compat.c`, issue 10): headers and
//! functions real programs use beyond sockets, compiled unchanged with
//! `wasock-cc` (no `-D`, no `-l`) and run with a preopened temp directory.
//!
//! The guest prints one line per observation. Every line is checked here;
//! the `same:` lines are also compared with the same program built natively
//! with gcc and run on Linux (when gcc is installed), and so are the
//! `err`/`warn` lines on stderr.

use std::path::{Path, PathBuf};
use std::process::Command;

use wasock_e2e::{host_binary, Finished, Guest, Run};

/// Everything the guest prints on stdout, in order.
const EXPECTED: &[&str] = &[
    "same: err.h warn/warnx called",
    "same: errno names distinct=1",
    "wasi: errno EHOSTDOWN above WASI's=1",
    "same: strerror EHOSTDOWN=Host is down",
    "same: strerror ESHUTDOWN=Cannot send after transport endpoint shutdown",
    "same: strerror ENOENT=No such file or directory",
    "same: mkstemp fds ok=1",
    "same: mkstemp names replaced=1 unique=1",
    "same: mkstemp stat=0 size=0 regular=1",
    "same: mkstemp write=5",
    "same: mkstemp again O_EXCL=-1 EEXIST",
    "same: mkstemp bad template=-1 EINVAL",
    "same: mkstemps fd ok=1 suffix kept=1",
    "same: mkostemp fd ok=1 append=1",
    "same: mkdtemp ok=1 dir=1",
    "same: realpath dir is dir=1",
    "same: realpath sub/../file=/file",
    "same: realpath //./sub/=/sub",
    "same: realpath missing=NULL ENOENT",
    "same: realpath file/x=NULL ENOTDIR",
    "same: symlink=0",
    "same: realpath link=/file",
    "same: realpath malloc=/file",
    "same: chdir=0",
    "same: realpath relative sub/..=",
    "same: realpath relative .=1",
    "same: realpath dir/..=parent 1",
    "wasi: realpath outside preopens=NULL ENOTCAPABLE",
    "same: tmpfile ok=1 read=tmp",
    "same: umask roundtrip=77",
    "same: chown -1 -1=0",
    "same: chown missing=-1 ENOENT",
    "same: chmod missing=-1 ENOENT",
    "wasi: chmod=-1 ENOSYS",
    "wasi: fchmod=-1 ENOSYS",
    "wasi: chown uid=-1 EPERM",
    "wasi: fchown=-1 EPERM",
    "wasi: lchown=-1 EPERM",
    "wasi: flock ex=-1 ENOLCK",
    "same: flock un=0",
    "same: flock bad op=-1 EINVAL",
    "same: flock bad fd=-1 EBADF",
    "wasi: fcntl F_SETLK wr=-1 ENOLCK",
    "wasi: fcntl F_GETLK=-1 ENOLCK",
    "same: fcntl F_SETLK un=0",
    "same: fcntl F_SETLK bad type=-1 EINVAL",
    "same: getrandom=1000 filled=1",
    "same: getrandom nonblock=16",
    "same: getrandom bad flags=-1 EINVAL",
    "same: gettimeofday=0 recent=1",
    "same: gettimeofday tz=0,0",
    "same: tzset tzname=UTC timezone=0 daylight=0",
    "same: getitimer=0 value=0",
    "same: setitimer disarm=0",
    "same: getitimer bad=-1 EINVAL",
    "wasi: setitimer arm=-1 ENOSYS",
    "same: alarm 0=0",
    "wasi: alarm 30=0 ENOSYS",
    "same: sysconf open_max positive=1",
    "wasi: sysconf open_max=4096 pagesize=65536",
    "wasi: getpagesize=65536 getdtablesize=4096",
    "same: getdtablesize positive=1",
    "same: getrlimit nofile=0 positive=1",
    "wasi: getrlimit nofile=4096/4096",
    "wasi: getrlimit stack=1048576/1048576",
    "same: setrlimit same=0",
    "wasi: setrlimit raise=-1 EPERM",
    "wasi: setrlimit core 0=0",
    "same: getrusage=0",
    "same: clock nonneg=1",
    "same: mmap anon ok=1",
    "wasi: getpid=42",
    "same: sigaddset pipe=0 ismember pipe=1 int=0",
    "same: sigdelset pipe=0 usr2=1",
    "same: sigfillset usr1=1 term=1",
    "same: sigaddset 0=-1 EINVAL",
    "same: sigaddset 65=-1 EINVAL",
    "same: sigaction usr1=0",
    "same: sigaction old dfl=1",
    "same: kill self usr1=0 ran=1 sig=1 code=1",
    "same: raise usr1=0 ran=2",
    "same: sigaction query=0 siginfo=1 same=1",
    "same: sigprocmask block=0",
    "same: kill blocked=0 ran=0",
    "same: sigpending usr2=1",
    "same: sigprocmask unblock=0 ran=1",
    "same: sigprocmask old had usr2=1",
    "same: resethand now dfl=1",
    "same: sigprocmask bad how=-1 EINVAL",
    "same: sigaction ign=0",
    "same: kill ignored=0",
    "same: sigaction kill=-1 EINVAL",
    "same: sigaction query kill=0 dfl=1",
    "same: signal pipe ign old dfl=1",
    "same: kill self 0=0",
    "same: kill other=-1 ESRCH",
    "same: kill bad sig=-1 EINVAL",
    "same: sigaction plain restart=0",
    "same: getpwnam unknown=0",
    "wasi: getpwnam root=0 getpwuid 0=0",
    "same: getpwnam_r unknown=0 found=0",
    "wasi: getpwuid_r 0=0 found=0",
    "same: getgrnam unknown=0",
    "wasi: getgrgid 0=0",
    "same: getgrnam_r unknown=0 found=0",
    "wasi: getgrgid_r 0=0 found=0",
    "same: waitpid=-1 ECHILD",
    "same: wait=-1 ECHILD",
    "same: W macros exit3=3 signaled=1",
    "same: tcgetattr file=-1 ENOTTY",
    "same: tcsetattr file=-1 ENOTTY",
    "same: tcgetattr bad fd=-1 EBADF",
    "same: cfmakeraw cs8=1 icanon=0 echo=0 vmin=1",
    "same: cfsetspeed=0 speed ok=1",
    "same: setjmp direct=0",
    "same: dlopen=0 dlerror set=1 then clear=1",
    "wasi: dlerror=dlopen: dynamic loading is not supported in a WebAssembly (wasm32-wasi) module",
    "wasi: res_init=-1 ENOSYS",
    "wasi: res_query=-1 ENOSYS h_errno=3",
    "same: dn_comp=17 dn_expand=17 name=www.example.com skip=17",
    "same: dn_expand pointer=4 name=a.www.example.com",
    "same: IFNAMSIZ=16",
    "same: if_nametoindex unknown=0",
    "wasi: if_nametoindex lo=0 ENXIO",
    "wasi: if_indextoname 1=NULL ENXIO",
    "same: if_indextoname unknown=NULL ENXIO",
    "wasi: if_nameindex ok=1 count=0",
    "wasi: getifaddrs=0 list=0",
    "wasi: syslog called",
    "wasi: wasi_socket_ext socket=-1 ENOTCAPABLE",
    "same: done",
];

/// What warn(), warnx() and warn(NULL) print (glibc's format), then syslog().
const WARN_LINES: &[&str] =
    &["compat.wasm: warn 1: No such file or directory", "compat.wasm: warnx two", "compat.wasm: Invalid argument"];
const SYSLOG_LINES: &[&str] = &["compat-log: warning: syslog 5", "compat-log: err: with m: No such file or directory"];

/// A fresh directory, by its canonical path (the guest sees it under the same path).
fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("wasock-compat-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d.canonicalize().unwrap()
}

fn guest(dir: &Path, mode: Option<&str>) -> Finished {
    let d = dir.to_str().unwrap();
    let mut g = Guest::new("c-tests", "compat")
        .host_arg("--dir")
        .host_arg(d)
        .host_arg("--env")
        .host_arg(format!("TMPDIR={d}"))
        .arg(d);
    if let Some(m) = mode {
        g = g.arg(m);
    }
    g.run()
}

fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

fn same_lines(s: &str) -> Vec<&str> {
    s.lines().filter(|l| l.starts_with("same: ")).collect()
}

/// The same source built with gcc, as `DIR/bin/compat.wasm` so that argv[0]'s
/// basename (err/warn's prefix) matches the guest's; None without gcc.
fn native_build(root: &Path) -> Option<PathBuf> {
    if Command::new("gcc").arg("--version").output().is_err() {
        eprintln!("gcc not installed: skipping the comparison with Linux");
        return None;
    }
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../c-tests/compat.c");
    let bin = root.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let exe = bin.join("compat.wasm");
    let out = Command::new("gcc").arg("-O2").arg("-o").arg(&exe).arg(&src).arg("-lresolv").output().unwrap();
    assert!(out.status.success(), "gcc failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(exe)
}

fn native_run(exe: &Path, dir: &Path, mode: Option<&str>) -> (i32, String, String) {
    let mut c = Command::new(exe);
    c.arg(dir).env("TZ", "UTC").env("TMPDIR", dir).current_dir("/");
    if let Some(m) = mode {
        c.arg(m);
    }
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn libc_compat_layer_answers_as_documented() {
    let dir = temp_dir("guest");
    let f = guest(&dir, None);
    f.assert_success();
    let got = lines(&f.stdout);
    for (i, want) in EXPECTED.iter().enumerate() {
        assert_eq!(got.get(i).copied(), Some(*want), "line {} differs:\n{f}", i + 1);
    }
    assert_eq!(got.len(), EXPECTED.len(), "extra lines:\n{f}");
    let err = lines(&f.stderr);
    for want in WARN_LINES.iter().chain(SYSLOG_LINES) {
        assert!(err.contains(want), "missing `{want}` on stderr:\n{f}");
    }
    assert!(!f.stderr.contains("masked out"), "setlogmask was ignored:\n{f}");
    // mkstemp's files and mkdtemp's directory are really there, on the host.
    let names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    for prefix in ["mkstemp", "suf", "ost", "dir"] {
        assert!(
            names
                .iter()
                .any(|n| n.starts_with(prefix) && n.len() == prefix.len() + 6 + if prefix == "suf" { 4 } else { 0 }),
            "no {prefix}XXXXXX in {names:?}"
        );
    }
    assert_eq!(std::fs::read_link(dir.join("link")).unwrap(), Path::new("sub/../file"));
    assert!(!names.iter().any(|n| n.starts_with("tmpfile")), "tmpfile() left its file: {names:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn libc_compat_layer_matches_linux() {
    let root = temp_dir("native");
    let Some(exe) = native_build(&root) else { return };
    let ndir = root.join("d");
    std::fs::create_dir_all(&ndir).unwrap();
    let (code, out, err) = native_run(&exe, &ndir, None);
    assert_eq!(code, 0, "native run failed:\n{out}\n{err}");
    let gdir = temp_dir("guest-vs-native");
    let f = guest(&gdir, None);
    f.assert_success();
    assert_eq!(same_lines(&f.stdout), same_lines(&out), "guest (left) and Linux (right) differ");
    let native_err = lines(&err);
    for want in WARN_LINES {
        assert!(native_err.contains(want), "Linux printed no `{want}`: {err}");
    }

    // err(): the message, then exit with its status, on both.
    let (code, _, err) = native_run(&exe, &ndir, Some("err"));
    let g = guest(&gdir, Some("err"));
    assert_eq!(code, 7);
    assert_eq!(g.status.code(), Some(7), "{g}");
    let line = "compat.wasm: fatal end: No such file or directory";
    assert!(lines(&err).contains(&line), "Linux: {err}");
    assert!(lines(&g.stderr).contains(&line), "{g}");
    let _ = std::fs::remove_dir_all(&root);
    let _ = std::fs::remove_dir_all(&gdir);
}

#[test]
fn longjmp_aborts_with_a_message() {
    let dir = temp_dir("longjmp");
    let f = guest(&dir, Some("longjmp"));
    assert_eq!(f.status.code(), Some(134), "{f}");
    assert!(f.stdout_has("same: before longjmp"), "{f}");
    assert!(!f.stdout_has("after longjmp"), "{f}");
    assert!(f.stderr.contains("longjmp: not supported in this WebAssembly sandbox"), "{f}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The SDK that `make sdk` built (`WASOCK_BUILD_DIR` overrides `build/`).
fn sdk_dir() -> PathBuf {
    let build = std::env::var_os("WASOCK_BUILD_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../build"));
    build.join("sdk").canonicalize().expect("build/sdk is missing: run `make sdk`")
}

/// docs/porting.md's raw flags (no wasock-cc) give the same program.
#[test]
fn raw_flags_from_the_porting_guide_build_the_same_program() {
    let sdk = sdk_dir();
    let root = temp_dir("raw");
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../c-tests/compat.c");
    let obj = root.join("compat.o");
    let wasm = root.join("compat.wasm");
    let common = ["--target=wasm32-wasi".to_string(), format!("--sysroot={}", sdk.join("sysroot").display())];
    let defs = [
        "-D_WASI_EMULATED_SIGNAL",
        "-D_WASI_EMULATED_PROCESS_CLOCKS",
        "-D_WASI_EMULATED_GETPID",
        "-D_WASI_EMULATED_MMAN",
    ];
    let out = Command::new("clang-19")
        .args(&common)
        .arg("-isystem")
        .arg(sdk.join("include"))
        .args(defs)
        .arg("-O2")
        .arg("-c")
        .arg(&src)
        .arg("-o")
        .arg(&obj)
        .output()
        .unwrap();
    assert!(out.status.success(), "compile: {}", String::from_utf8_lossy(&out.stderr));
    let out = Command::new("clang-19")
        .args(&common)
        .arg(&obj)
        .arg(sdk.join("lib/libwasock.a"))
        .args([
            "-lwasi-emulated-signal",
            "-lwasi-emulated-process-clocks",
            "-lwasi-emulated-getpid",
            "-lwasi-emulated-mman",
            "-Wl,--wrap=sysconf",
            "-Wl,--wrap=strerror",
            "-Wl,-z,stack-size=1048576",
        ])
        .arg("-o")
        .arg(&wasm)
        .output()
        .unwrap();
    assert!(out.status.success(), "link: {}", String::from_utf8_lossy(&out.stderr));
    let dir = root.join("d");
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.to_str().unwrap();
    let out =
        Run::new(host_binary()).args(["run", "--dir", d, "--env", &format!("TMPDIR={d}")]).arg(&wasm).arg(d).run();
    out.assert_success();
    assert_eq!(lines(&out.stdout), EXPECTED, "raw-flag build differs from wasock-cc's");
    let _ = std::fs::remove_dir_all(&root);
}

/// Every header of the compatibility layer compiles in the strict modes real
/// build systems use, and as C++ (extern "C", no C-only keywords).
#[test]
fn compat_headers_compile_in_strict_modes_and_as_cplusplus() {
    let cc = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../build/bin/wasock-cc");
    let root = temp_dir("headers");
    let src = root.join("headers.c");
    let headers = [
        "dlfcn.h",
        "err.h",
        "errno.h",
        "grp.h",
        "ifaddrs.h",
        "net/if.h",
        "pwd.h",
        "resolv.h",
        "setjmp.h",
        "signal.h",
        "stdio.h",
        "stdlib.h",
        "sys/file.h",
        "sys/random.h",
        "sys/resource.h",
        "sys/stat.h",
        "sys/time.h",
        "sys/wait.h",
        "syslog.h",
        "termios.h",
        "time.h",
        "unistd.h",
        "wasi_socket_ext.h",
    ];
    let mut text: String = headers.iter().map(|h| format!("#include <{h}>\n")).collect();
    text.push_str("int main(void) { sigset_t s; struct sigaction sa; sigemptyset(&s); (void)sa; return 0; }\n");
    std::fs::write(&src, text).unwrap();
    for flags in [
        &["-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror"][..],
        &["-std=c11", "-D_POSIX_C_SOURCE=200809L", "-Wall", "-Werror"],
        &["-D_GNU_SOURCE", "-Wall", "-Werror"],
        &["-x", "c++", "-std=c++17", "-Wall", "-Werror"],
    ] {
        let out = Command::new(&cc).args(flags).arg("-fsyntax-only").arg(&src).output().unwrap();
        assert!(out.status.success(), "{flags:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let _ = std::fs::remove_dir_all(&root);
}
