//! `wasock`: the command-line host.

use std::process::ExitCode;
use wasock_host::audit::escape_lines;
use wasock_host::cli;
use wasock_host::runner::{run, Exit};

use wasock_host::runner::TRAP_EXIT;

fn main() -> ExitCode {
    let matches = cli::command().get_matches();
    let m = match matches.subcommand() {
        Some(("run", m)) => m,
        Some(("compile", m)) => return compile(m),
        _ => unreachable_subcommand(),
    };
    let cfg = match cli::run_config(m) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("wasock: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&cfg) {
        Ok(Exit::Code(code)) => ExitCode::from(code.clamp(0, 255) as u8),
        Ok(Exit::Trap(msg)) => {
            // The trap's backtrace names the guest's functions: guest-controlled text.
            eprintln!("wasock: {} trapped: {}", cfg.module.display(), escape_lines(&msg));
            ExitCode::from(TRAP_EXIT as u8)
        }
        Err(e) => {
            // The module's own names (imports, exports) can be in the message.
            eprintln!("wasock: {}", escape_lines(&format!("{e:#}")));
            ExitCode::from(1)
        }
    }
}

fn compile(m: &clap::ArgMatches) -> ExitCode {
    let (module, out) = cli::compile_paths(m);
    match wasock_host::runner::compile(&module, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wasock: {}", escape_lines(&format!("{e:#}")));
            ExitCode::from(1)
        }
    }
}

fn unreachable_subcommand() -> ! {
    // clap requires a subcommand and knows only `run`.
    eprintln!("wasock: expected a subcommand (try `wasock --help`)");
    std::process::exit(2)
}
