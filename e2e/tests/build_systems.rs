//! A small POSIX program not written for wasock (`e2e/projects/echo-client`)
//! built unchanged by the three build systems real projects use, with the
//! SDK: CMake with `build/sdk/share/cmake/wasock.cmake`, autoconf's
//! `./configure --host=wasm32-wasi CC=wasock-cc`, and a plain Makefile with
//! `CC=wasock-cc`. Each result runs under `wasock run` against a native echo
//! server. `make setup` installs cmake and autoconf; where one is missing
//! anyway, its test says so and skips.
//!
//! A C++ line client (`e2e/projects/cxx-echo`) is built unchanged with
//! `wasock-c++` and by CMake as a CXX project, and its output held to the
//! same program built with g++; the same suite checks what `-fno-exceptions`
//! makes of C++ that throws.

use std::path::{Path, PathBuf};
use std::process::Command;

use wasock_e2e::{host_binary, native_tcp_echo, Guest};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn build_dir() -> PathBuf {
    std::env::var_os("WASOCK_BUILD_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("build"))
}

fn wasock_cc() -> PathBuf {
    build_dir().join("bin/wasock-cc")
}

fn wasock_cxx() -> PathBuf {
    build_dir().join("bin/wasock-c++")
}

fn toolchain_file() -> String {
    format!("-DCMAKE_TOOLCHAIN_FILE={}", build_dir().join("sdk/share/cmake/wasock.cmake").display())
}

/// A fresh copy of `e2e/projects/PROJECT` for the test `name`, so that
/// builds never write into the tree.
fn project_copy(project: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wasock-build-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let src = root().join("e2e/projects").join(project);
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

/// Runs `cmd`, panics with its output unless it succeeds; returns its stdout.
fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Configures `dir` with the SDK's toolchain file into `dir/out` and builds it.
fn cmake_build(dir: &Path) {
    run(Command::new("cmake").arg("-S").arg(dir).arg("-B").arg(dir.join("out")).arg(toolchain_file()));
    run(Command::new("cmake").arg("--build").arg(dir.join("out")));
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
    let dir = project_copy("echo-client", "cmake");
    cmake_build(&dir);
    // check_c_source_runs ran its program under `wasock run` (the emulator).
    let config = std::fs::read_to_string(dir.join("out/config.h")).unwrap();
    assert_defines(&config, &["HAVE_WORKING_SOCKETPAIR 1"]);
    assert_runs(&dir.join("out/echo_client.wasm"), "cmake");
    let _ = std::fs::remove_dir_all(dir);
}

/// `autoheader`, `autoconf` and `./configure ARGS` in `dir`; returns
/// configure's output and the config.h it wrote.
fn autoconf_configure(dir: &Path, args: &[String]) -> (String, String) {
    run(Command::new("autoheader").current_dir(dir));
    run(Command::new("autoconf").current_dir(dir));
    let output = run(Command::new("./configure").args(args).current_dir(dir));
    (output, std::fs::read_to_string(dir.join("config.h")).unwrap())
}

fn assert_defines(config: &str, defines: &[&str]) {
    for define in defines {
        assert!(config.contains(&format!("#define {define}\n")), "config.h lacks {define}:\n{config}");
    }
}

#[test]
fn autoconf_configure_for_wasm32_wasi() {
    if !have("autoconf") {
        return;
    }
    let dir = project_copy("echo-client", "autoconf");
    let (_, config) = autoconf_configure(&dir, &["--host=wasm32-wasi".into(), format!("CC={}", wasock_cc().display())]);
    // configure's own checks found the socket API in the SDK.
    assert_defines(&config, &["HAVE_GETADDRINFO 1", "HAVE_SOCKET 1", "HAVE_POLL 1", "HAVE_NETDB_H 1"]);
    // Cross-compiling, the checks that must run took their third branch.
    assert_defines(&config, &["RUN_CHECKS \"cross-compiled\""]);
    assert!(!config.contains("#define HAVE_WORKING_SOCKETPAIR"), "{config}");
    run(Command::new("make").current_dir(&dir));
    assert_runs(&dir.join("echo_client"), "autoconf");
    let _ = std::fs::remove_dir_all(dir);
}

/// `WASOCK_LAUNCHER=1` makes configure run its AC_RUN_IFELSE programs under
/// `wasock run`; the same configure run natively with cc is the oracle for
/// the checks whose answer does not depend on the sandbox.
#[test]
fn autoconf_run_checks_run_under_wasock_with_the_launcher_mode() {
    if !have("autoconf") {
        return;
    }
    let native_dir = project_copy("echo-client", "autoconf-native");
    let (_, native) = autoconf_configure(&native_dir, &["CC=cc".into()]);
    assert_defines(&native, &["RUN_CHECKS \"ran\"", "HAVE_WORKING_SOCKETPAIR 1", "RUN_CHECK_POINTER_SIZE 8"]);
    assert!(!native.contains("#define ROOT_FILES_HIDDEN"), "{native}");
    let _ = std::fs::remove_dir_all(native_dir);

    let dir = project_copy("echo-client", "autoconf-launcher");
    let (output, config) = autoconf_configure(
        &dir,
        &[
            "--host=wasm32-wasi".into(),
            format!("CC={}", wasock_cc().display()),
            "WASOCK_LAUNCHER=1".into(),
            format!("WASOCK_BIN={}", host_binary().display()),
        ],
    );
    assert!(output.contains("checking whether we are cross compiling... no"), "{output}");
    // Ran as wasm32 (pointer size 4, written into the preopened build
    // directory), the socketpair check passed as on Linux, and a program
    // failing inside the sandbox made its check fail.
    assert_defines(
        &config,
        &["RUN_CHECKS \"ran\"", "HAVE_WORKING_SOCKETPAIR 1", "RUN_CHECK_POINTER_SIZE 4", "ROOT_FILES_HIDDEN 1"],
    );
    // The mode was configure's alone: make built the plain module it names.
    run(Command::new("make").current_dir(&dir));
    let program = std::fs::read(dir.join("echo_client")).unwrap();
    assert!(program.starts_with(b"\0asm"), "echo_client is not a wasm module");
    assert!(!dir.join("echo_client.wasm").exists());
    assert_runs(&dir.join("echo_client"), "autoconf");
    let _ = std::fs::remove_dir_all(dir);
}

/// wasock-cc's launcher mode on its own: arguments go through, the exit
/// status comes back, the current directory is the guest's.
#[test]
fn the_launcher_passes_arguments_and_keeps_the_exit_status() {
    let dir = project_copy("echo-client", "launcher");
    std::fs::write(
        dir.join("status.c"),
        "#include <stdio.h>\n#include <stdlib.h>\nint main(int c, char **v) {\n\
         FILE *f = fopen(\"seen.txt\", \"w\");\n\
         for (int i = 1; i < c; i++) fprintf(f, \"[%s]\", v[i]);\n\
         fclose(f);\n return atoi(v[1]);\n}\n",
    )
    .unwrap();
    run(Command::new(wasock_cc())
        .args(["-o", "status", "status.c"])
        .env("WASOCK_LAUNCHER", "1")
        .env("WASOCK_BIN", host_binary())
        .current_dir(&dir));
    let out = Command::new("./status").args(["7", "two words", "it's"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(7), "{out:?}");
    assert_eq!(std::fs::read_to_string(dir.join("seen.txt")).unwrap(), "[7][two words][it's]");
    // Without the mode, the same command writes only the module.
    std::fs::remove_file(dir.join("status.wasm")).unwrap();
    run(Command::new(wasock_cc()).args(["-o", "status", "status.c"]).env_remove("WASOCK_LAUNCHER").current_dir(&dir));
    assert!(std::fs::read(dir.join("status")).unwrap().starts_with(b"\0asm"));
    assert!(!dir.join("status.wasm").exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_plain_makefile_with_cc_set() {
    let dir = project_copy("echo-client", "make");
    run(Command::new("make")
        .arg("-f")
        .arg("Makefile.plain")
        .arg(format!("CC={}", wasock_cc().display()))
        .current_dir(&dir));
    assert_runs(&dir.join("echo_client"), "make");
    let _ = std::fs::remove_dir_all(dir);
}

/// The words the C++ line client sends, and what it must print for them
/// (the output of the g++ build, run against the same kind of echo server).
const CXX_WORDS: [&str; 5] = ["hello", "wasm", "c++", "sockets", "wasm"];

fn native_cxx_output(dir: &Path) -> String {
    let bin = dir.join("line_client-native");
    run(Command::new("g++")
        .args(["-std=c++17", "-O2", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(&bin)
        .arg(dir.join("line_client.cpp")));
    let echo = native_tcp_echo("127.0.0.1:0");
    let out = Command::new(&bin).arg("127.0.0.1").arg(echo.port().to_string()).args(CXX_WORDS).output().unwrap();
    assert!(out.status.success(), "native line_client failed: {out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("same: 5 of 5 lines came back"), "{text}");
    text
}

/// Runs the C++ module against a native echo server and holds its output to Linux's.
fn assert_cxx_matches_native(module: &Path, dir: &Path) {
    let echo = native_tcp_echo("127.0.0.1:0");
    let mut guest =
        Guest::at(module.to_path_buf()).allow("--allow-connect", &echo.to_string()).arg("127.0.0.1").arg(echo.port());
    for w in CXX_WORDS {
        guest = guest.arg(w);
    }
    let f = guest.run();
    f.assert_success();
    // (The harness keeps stdout as lines joined by newlines: no final one.)
    assert_eq!(f.stdout.trim_end(), native_cxx_output(dir).trim_end(), "{f}");
}

#[test]
fn cxx_program_built_with_wasock_cxx_prints_what_gpp_builds_print() {
    let dir = project_copy("cxx-echo", "cxx");
    let module = dir.join("line_client.wasm");
    run(Command::new(wasock_cxx())
        .args(["-std=c++17", "-O2", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(&module)
        .arg(dir.join("line_client.cpp")));
    assert_cxx_matches_native(&module, &dir);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn cmake_cxx_project_with_the_toolchain_file() {
    if !have("cmake") {
        return;
    }
    let dir = project_copy("cxx-echo", "cmake-cxx");
    cmake_build(&dir);
    assert_cxx_matches_native(&dir.join("out/line_client.wasm"), &dir);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn cxx_throw_is_refused_at_compile_time() {
    let dir = project_copy("cxx-echo", "cxx-throw");
    let out = Command::new(wasock_cxx())
        .arg("-o")
        .arg(dir.join("t.wasm"))
        .arg(dir.join("no_exceptions.cpp"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a throwing program compiled:\n{stderr}");
    assert!(stderr.contains("cannot use 'throw' with exceptions disabled"), "{stderr}");
    assert!(!dir.join("t.wasm").exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_throw_inside_libcxx_aborts_with_its_message() {
    let dir = project_copy("cxx-echo", "cxx-abort");
    let module = dir.join("library_throw.wasm");
    run(Command::new(wasock_cxx()).arg("-o").arg(&module).arg(dir.join("library_throw.cpp")));
    let f = Guest::at(module).run();
    assert!(!f.status.success(), "{f}");
    assert!(f.stderr.contains("out_of_range was thrown in -fno-exceptions mode"), "{f}");
    assert!(f.stdout.is_empty(), "{f}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn every_sdk_header_links_from_cxx() {
    let dir = project_copy("cxx-echo", "cxx-headers");
    let module = dir.join("headers.wasm");
    run(Command::new(wasock_cxx()).args(["-Wall", "-Werror", "-o"]).arg(&module).arg(dir.join("headers.cpp")));
    let f = Guest::at(module).run();
    f.assert_success();
    assert_eq!(f.stdout.trim_end(), "55", "it prints how many functions it took:\n{f}");
    let _ = std::fs::remove_dir_all(dir);
}
