//! The command line: `wasock run [OPTIONS] MODULE.wasm [ARGS...]`.
//!
//! Pool rules are order-sensitive (`--pool NAME` starts a new pool for the
//! rules after it), so they are read with their positions from clap's
//! matches rather than as independent lists.

use crate::cache::ModuleCache;
use crate::filter::PeerFilter;
use crate::pool::{AddrRule, NamePattern, Pool, Right, TlsFlag};
use crate::runner::{Limits, RunConfig};
use crate::tls::TlsNameRule;
use clap::{Arg, ArgAction, ArgMatches, Command};
use std::path::PathBuf;

const POOL_HELP: &str = "\
ADDRESS POOLS:
  A guest reaches only the network its pools grant; with no rule it has no
  pool and no network at all. Rules before any --pool form the pool
  `default`; --pool NAME starts a new pool for the rules after it.

  CIDR is a network (10.0.0.0/8, ::1/128) or a plain address (one host).
  PORTS is N, N-M or *; no PORTS means every port. IPv6 rules with ports
  are bracketed: [::1/128]:8000-8100. IPv4-mapped IPv6 peers are checked
  against IPv4 rules. Binding port 0 picks an ephemeral port when a rule
  grants every port of that address, else the first free port of its range.
  Binding 0.0.0.0 or :: needs a rule that covers that address.

  TLS rules take options after a comma (files are PEM; docs/tls.md):
  client: ca=FILE (repeatable), system-roots (the default without ca=),
  cert=FILE,key=FILE; server: cert=FILE,key=FILE, client-ca=FILE
  (repeatable: clients must present a certificate it issued).

EXAMPLES:
  wasock run --allow-bind 127.0.0.1:8080 server.wasm
  wasock run --allow-connect 127.0.0.1:8080 --allow-resolve localhost client.wasm
  wasock run --allow-connect 10.0.0.0/8:443 --pool lan --allow-bind [::1]:9000 app.wasm
  wasock run --allow-connect-tls localhost:8443,ca=ca.pem client.wasm";

fn rule_arg(id: &'static str, value: &'static str, help: &'static str) -> Arg {
    Arg::new(id).long(id).value_name(value).action(ArgAction::Append).help(help).help_heading("Address pools")
}

/// The `wasock` command line (clap).
pub fn command() -> Command {
    let run = Command::new("run")
        .about("Run a wasm32-wasip1 command module with sockets limited to address pools")
        .arg(rule_arg("allow-connect", "CIDR[:PORTS]", "Grant outbound TCP connects and UDP destinations"))
        .arg(rule_arg("allow-bind", "CIDR[:PORTS]", "Grant local addresses to bind and listen on"))
        .arg(rule_arg(
            "allow-accept",
            "CIDR[:PORTS]",
            "Admit only these inbound peers (TCP accept, UDP sources); without it any peer may come in",
        ))
        .arg(rule_arg("allow-resolve", "PATTERN", "Grant name lookups: an exact name, *.suffix, or *"))
        .arg(rule_arg(
            "allow-connect-tls",
            "PATTERN:PORTS[,OPTS]",
            "Grant TLS connects by name to names matching PATTERN (an exact name, *.suffix, * or an IP address); client OPTS",
        ))
        .arg(rule_arg(
            "allow-bind-tls",
            "CIDR:PORTS,OPTS",
            "Grant TLS listeners (a TLS socket's bind and listen) on these addresses; server OPTS",
        ))
        .arg(rule_arg(
            "tls-connect",
            "CIDR:PORTS,name=NAME[,OPTS]",
            "Grant plain TCP connects to these addresses and make them TLS to NAME; client OPTS",
        ))
        .arg(rule_arg(
            "tls-listen",
            "CIDR:PORTS,OPTS",
            "Grant plain TCP listeners on these addresses and serve their connections over TLS; server OPTS",
        ))
        .arg(rule_arg("pool", "NAME", "Start a new pool named NAME for the rules that follow"))
        .arg(
            Arg::new("env")
                .long("env")
                .value_name("K=V")
                .action(ArgAction::Append)
                .help("Set an environment variable for the guest"),
        )
        .arg(
            Arg::new("dir")
                .long("dir")
                .value_name("HOST[::GUEST]")
                .action(ArgAction::Append)
                .help("Preopen a host directory (as GUEST in the guest, default the same path)"),
        )
        .arg(
            Arg::new("audit")
                .long("audit")
                .value_name("FILE")
                .help("Append every pool decision (granted and denied) to FILE, one JSON object per line")
                .help_heading("Address pools"),
        )
        .arg(
            Arg::new("max-sockets")
                .long("max-sockets")
                .value_name("N")
                .help("Sockets the guest may hold at once; past it open and accept fail with EMFILE [default: 4096, less if the fd limit is lower]")
                .help_heading("Limits"),
        )
        .arg(
            Arg::new("max-memory")
                .long("max-memory")
                .value_name("SIZE")
                .help("The guest's linear memory at most, in bytes or with K, M, G (binary) [default: 1G]; growing past it fails")
                .help_heading("Limits"),
        )
        .arg(
            Arg::new("max-threads")
                .long("max-threads")
                .value_name("N")
                .help("Threads a module built for threads may run at once besides the main one; past it thread creation fails with EAGAIN; 0 refuses such modules [default: 64]")
                .help_heading("Limits"),
        )
        .arg(
            Arg::new("no-cache")
                .long("no-cache")
                .action(ArgAction::SetTrue)
                .help("Compile the module every time instead of keeping it compiled in the cache")
                .help_heading("Start-up"),
        )
        .arg(
            Arg::new("cache-dir")
                .long("cache-dir")
                .value_name("DIR")
                .help("Keep compiled modules in DIR [default: $XDG_CACHE_HOME/wasock or ~/.cache/wasock]")
                .help_heading("Start-up"),
        )
        .arg(
            Arg::new("allow-precompiled")
                .long("allow-precompiled")
                .action(ArgAction::SetTrue)
                .help("Accept a module precompiled by `wasock compile` (only run files you compiled yourself)")
                .help_heading("Start-up"),
        )
        .arg(
            Arg::new("module")
                .value_names(["MODULE.wasm", "ARGS"])
                .required(true)
                .num_args(1..)
                .trailing_var_arg(true)
                .allow_hyphen_values(true)
                .help("The module (.wasm or .wat), then the guest's arguments"),
        )
        .after_help(POOL_HELP);
    let compile = Command::new("compile")
        .about("Compile a module ahead of time into a file `wasock run --allow-precompiled` accepts")
        .arg(Arg::new("module").value_name("MODULE.wasm").required(true).help("The module (.wasm or .wat)"))
        .arg(
            Arg::new("output")
                .short('o')
                .long("output")
                .value_name("OUT.cwasm")
                .help("Where to write it [default: MODULE with the extension .cwasm]"),
        );
    Command::new("wasock")
        .about("Berkeley sockets for WebAssembly: runs wasm32-wasip1 guests with the network their address pools grant")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(run)
        .subcommand(compile)
}

/// Builds the pools from the rule flags in command-line order.
fn pools(m: &ArgMatches) -> Result<Vec<Pool>, String> {
    let mut flags: Vec<(usize, &str, &String)> = Vec::new();
    for id in [
        "allow-connect",
        "allow-bind",
        "allow-accept",
        "allow-resolve",
        "allow-connect-tls",
        "allow-bind-tls",
        "tls-connect",
        "tls-listen",
        "pool",
    ] {
        if let (Some(idx), Some(vals)) = (m.indices_of(id), m.get_many::<String>(id)) {
            flags.extend(idx.zip(vals).map(|(i, v)| (i, id, v)));
        }
    }
    flags.sort_by_key(|f| f.0);
    let mut pools: Vec<Pool> = Vec::new();
    for (_, id, text) in flags {
        if id == "pool" {
            if text.is_empty() || pools.iter().any(|p| &p.name == text) {
                return Err(format!("--pool `{text}`: pool names must be non-empty and unique"));
            }
            pools.push(Pool::new(text.as_str()));
            continue;
        }
        if pools.is_empty() {
            pools.push(Pool::new("default"));
        }
        let pool = pools.last_mut().expect("a pool was just ensured");
        match id {
            "allow-connect" => pool.addr_rules.push(AddrRule::parse(Right::Connect, text)?),
            "allow-bind" => pool.addr_rules.push(AddrRule::parse(Right::Bind, text)?),
            "allow-accept" => pool.addr_rules.push(AddrRule::parse(Right::Accept, text)?),
            "allow-resolve" => pool.names.push(NamePattern::parse(text)?),
            "allow-connect-tls" => pool.tls_names.push(TlsNameRule::parse(text)?),
            "allow-bind-tls" => pool.addr_rules.push(AddrRule::parse_tls(TlsFlag::AllowBindTls, text)?),
            "tls-connect" => pool.addr_rules.push(AddrRule::parse_tls(TlsFlag::TlsConnect, text)?),
            _ => pool.addr_rules.push(AddrRule::parse_tls(TlsFlag::TlsListen, text)?),
        }
    }
    for pool in &pools {
        PeerFilter::for_pool(pool).map_err(|e| e.to_string())?;
    }
    Ok(pools)
}

/// Turns the `run` subcommand's matches into a configuration.
pub fn run_config(m: &ArgMatches) -> Result<RunConfig, String> {
    let mut words = m.get_many::<String>("module").into_iter().flatten().cloned();
    let module = PathBuf::from(words.next().ok_or("missing MODULE")?);
    let env = m
        .get_many::<String>("env")
        .into_iter()
        .flatten()
        .map(|kv| {
            kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())).ok_or(format!("--env `{kv}`: expected K=V"))
        })
        .collect::<Result<_, _>>()?;
    let dirs = m
        .get_many::<String>("dir")
        .into_iter()
        .flatten()
        .map(|d| match d.split_once("::") {
            Some((host, guest)) => (PathBuf::from(host), guest.to_string()),
            None => (PathBuf::from(d), d.clone()),
        })
        .collect();
    let mut limits = Limits::default();
    if let Some(n) = m.get_one::<String>("max-sockets") {
        let n: usize = n.parse().map_err(|_| format!("--max-sockets `{n}`: expected a number"))?;
        limits.sockets = Some(n);
    }
    if let Some(n) = m.get_one::<String>("max-threads") {
        limits.threads = n.parse().map_err(|_| format!("--max-threads `{n}`: expected a number"))?;
    }
    if let Some(text) = m.get_one::<String>("max-memory") {
        limits.memory =
            parse_size(text).ok_or(format!("--max-memory `{text}`: expected a size such as 65536, 64M or 1G"))?;
    }
    let audit = m.get_one::<String>("audit").map(PathBuf::from);
    let cache_dir = match (m.get_flag("no-cache"), m.get_one::<String>("cache-dir")) {
        (true, _) => None,
        (false, Some(dir)) => Some(PathBuf::from(dir)),
        (false, None) => ModuleCache::default_dir(),
    };
    Ok(RunConfig {
        module,
        args: words.collect(),
        env,
        dirs,
        pools: pools(m)?,
        audit,
        limits,
        cache_dir,
        allow_precompiled: m.get_flag("allow-precompiled"),
    })
}

/// The `compile` subcommand's module and output paths.
pub fn compile_paths(m: &ArgMatches) -> (PathBuf, PathBuf) {
    let module = PathBuf::from(m.get_one::<String>("module").expect("required by clap"));
    let out = m.get_one::<String>("output").map(PathBuf::from).unwrap_or_else(|| module.with_extension("cwasm"));
    (module, out)
}

/// `N`, `NK`, `NM`, `NG` (binary multiples; `KiB` and `KB` spellings too).
fn parse_size(text: &str) -> Option<usize> {
    let t = text.trim_end_matches(['B', 'b']).trim_end_matches('i');
    let (digits, shift) = match t.char_indices().last()? {
        (i, 'k' | 'K') => (&t[..i], 10),
        (i, 'm' | 'M') => (&t[..i], 20),
        (i, 'g' | 'G') => (&t[..i], 30),
        _ => (t, 0),
    };
    digits.parse::<usize>().ok()?.checked_mul(1 << shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<RunConfig, String> {
        let m = command().try_get_matches_from(["wasock", "run"].iter().chain(args)).map_err(|e| e.to_string())?;
        run_config(m.subcommand_matches("run").unwrap())
    }

    #[test]
    fn rules_before_any_pool_form_default() {
        let c = parse(&[
            "--allow-connect",
            "127.0.0.1:80",
            "--pool",
            "lan",
            "--allow-bind",
            "[::1]:9000",
            "m.wasm",
            "a",
            "--b",
        ])
        .unwrap();
        assert_eq!(c.pools.len(), 2);
        assert_eq!(c.pools[0].name, "default");
        assert_eq!(c.pools[0].addr_rules.len(), 1);
        assert_eq!(c.pools[1].name, "lan");
        assert_eq!(c.pools[1].addr_rules[0].right, Right::Bind);
        assert_eq!(c.module, PathBuf::from("m.wasm"));
        assert_eq!(c.args, vec!["a", "--b"]);
    }

    #[test]
    fn no_rule_no_pool() {
        assert!(parse(&["m.wasm"]).unwrap().pools.is_empty());
    }

    #[test]
    fn options_after_the_module_belong_to_the_guest() {
        let c = parse(&["m.wasm", "--allow-connect", "1.2.3.4"]).unwrap();
        assert!(c.pools.is_empty());
        assert_eq!(c.args, vec!["--allow-connect", "1.2.3.4"]);
    }

    #[test]
    fn limits_and_audit() {
        let c = parse(&["--max-sockets", "10", "--max-memory", "64M", "--audit", "/tmp/a.jsonl", "m.wasm"]).unwrap();
        assert_eq!((c.limits.sockets, c.limits.memory), (Some(10), 64 << 20));
        assert_eq!(c.audit, Some(PathBuf::from("/tmp/a.jsonl")));
        assert_eq!(parse_size("65536"), Some(65536));
        assert_eq!(parse_size("2KiB"), Some(2048));
        assert_eq!(parse_size("1G"), Some(1 << 30));
        assert_eq!(parse_size("x"), None);
        assert_eq!(parse_size("99999999999999999999G"), None);
        assert!(parse(&["--max-memory", "lots", "m.wasm"]).unwrap_err().contains("--max-memory `lots`"));
        assert!(parse(&["--max-sockets", "-1", "m.wasm"]).is_err());
    }

    #[test]
    fn tls_rules_join_the_pool_they_follow() {
        let certs = crate::tls::testcerts::Certs::new("cli");
        let (ca, cert, key) = (certs.path("ca.pem"), certs.path("server.pem"), certs.path("server.key"));
        let server = format!("cert={cert},key={key}");
        let c = parse(&[
            "--allow-connect-tls",
            &format!("localhost:8443,ca={ca}"),
            "--pool",
            "tls",
            "--tls-connect",
            &format!("127.0.0.1:8443,name=localhost,ca={ca}"),
            "--allow-bind-tls",
            &format!("127.0.0.1:9443,{server}"),
            "--tls-listen",
            &format!("[::1]:9444,{server}"),
            "m.wasm",
        ])
        .unwrap();
        assert_eq!(c.pools.len(), 2);
        assert_eq!(c.pools[0].tls_names[0].to_string(), format!("--allow-connect-tls localhost:8443,ca={ca}"));
        assert!(c.pools[0].addr_rules.is_empty() && c.pools[1].tls_names.is_empty());
        let shown: Vec<String> = c.pools[1].addr_rules.iter().map(|r| r.to_string()).collect();
        assert_eq!(
            shown,
            [
                format!("--tls-connect 127.0.0.1/32:8443,name=localhost,ca={ca}"),
                format!("--allow-bind-tls 127.0.0.1/32:9443,{server}"),
                format!("--tls-listen [::1/128]:9444,{server}"),
            ]
        );
        let rights: Vec<Right> = c.pools[1].addr_rules.iter().map(|r| r.right).collect();
        assert_eq!(rights, [Right::Connect, Right::BindTls, Right::Bind]);
        let e = parse(&["--tls-listen", &format!("127.0.0.1:9443,cert={cert},key={ca}"), "m.wasm"]).unwrap_err();
        assert!(e.starts_with(&format!("--tls-listen `127.0.0.1:9443,cert={cert},key={ca}`: key={ca}")), "{e}");
    }

    #[test]
    fn malformed_rule_names_flag_and_text() {
        let e = parse(&["--allow-connect", "1.2.3.4:99999", "m.wasm"]).unwrap_err();
        assert!(e.contains("--allow-connect") && e.contains("1.2.3.4:99999"), "{e}");
        assert!(parse(&["--pool", "a", "--pool", "a", "m.wasm"]).is_err());
        assert!(parse(&["--env", "NOEQUALS", "m.wasm"]).is_err());
    }
}
