//! A small POSIX program not written for wasock (`e2e/projects/echo-client`)
//! built unchanged by the three build systems real projects use, with the
//! SDK: CMake with `build/sdk/share/cmake/wasock.cmake`, autoconf's
//! `./configure --host=wasm32-wasi CC=wasock-cc`, and a plain Makefile with
//! `CC=wasock-cc`. Each result runs under `wasock run` against a native echo
//! server. `make setup` installs cmake and autoconf; where one is missing
//! anyway, its test says so and skips.

use std::path::{Path, PathBuf};
use std::process::Command;

use wasock_e2e::{native_tcp_echo, Guest};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn build_dir() -> PathBuf {
    std::env::var_os("WASOCK_BUILD_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("build"))
}

fn wasock_cc() -> PathBuf {
    build_dir().join("bin/wasock-cc")
}

/// A fresh copy of the project, so that builds never write into the tree.
fn project_copy(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wasock-build-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let src = root().join("e2e/projects/echo-client");
    for entry in std::fs::read_dir(&src).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    dir
}

fn have(tool: &str) -> bool {
    let ok = Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipped: `{tool}` is not installed (make setup installs it)");
    }
    ok
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs the built module against a native echo server; it prints "BUILT_WITH: hello".
fn assert_runs(module: &Path, built_with: &str) {
    let echo = native_tcp_echo("127.0.0.1:0");
    let f = Guest::at(module.to_path_buf())
        .allow("--allow-connect", &echo.to_string())
        .arg("127.0.0.1")
        .arg(echo.port())
        .arg("hello")
        .run();
    f.assert_success();
    assert!(f.stdout_has(&format!("{built_with}: hello")), "{f}");
}

#[test]
fn cmake_with_the_toolchain_file() {
    if !have("cmake") {
        return;
    }
    let dir = project_copy("cmake");
    let toolchain = build_dir().join("sdk/share/cmake/wasock.cmake");
    run(Command::new("cmake")
        .arg("-S")
        .arg(&dir)
        .arg("-B")
        .arg(dir.join("out"))
        .arg(format!("-DCMAKE_TOOLCHAIN_FILE={}", toolchain.display())));
    run(Command::new("cmake").arg("--build").arg(dir.join("out")));
    assert_runs(&dir.join("out/echo_client.wasm"), "cmake");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn autoconf_configure_for_wasm32_wasi() {
    if !have("autoconf") {
        return;
    }
    let dir = project_copy("autoconf");
    run(Command::new("autoheader").current_dir(&dir));
    run(Command::new("autoconf").current_dir(&dir));
    run(Command::new("./configure")
        .arg("--host=wasm32-wasi")
        .arg(format!("CC={}", wasock_cc().display()))
        .current_dir(&dir));
    // configure's own checks found the socket API in the SDK.
    let config = std::fs::read_to_string(dir.join("config.h")).unwrap();
    for define in ["HAVE_GETADDRINFO 1", "HAVE_SOCKET 1", "HAVE_POLL 1", "HAVE_NETDB_H 1"] {
        assert!(config.contains(define), "config.h lacks {define}:\n{config}");
    }
    run(Command::new("make").current_dir(&dir));
    assert_runs(&dir.join("echo_client"), "autoconf");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_plain_makefile_with_cc_set() {
    let dir = project_copy("make");
    run(Command::new("make")
        .arg("-f")
        .arg("Makefile.plain")
        .arg(format!("CC={}", wasock_cc().display()))
        .current_dir(&dir));
    assert_runs(&dir.join("echo_client"), "make");
    let _ = std::fs::remove_dir_all(dir);
}
