//! The machine-readable spec of `wasi_ephemeral_sock`
//! (`include/wasi_ephemeral_sock.spec`), parsed into core wasm signatures
//! so tests can hold the host, the Rust guest and the C library to it.

use wasmtime::ValType;

/// The spec file, as built into the host.
pub const SPEC: &str = include_str!("../../include/wasi_ephemeral_sock.spec");

/// One function of the spec.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecFn {
    /// The function's name.
    pub name: String,
    /// Parameter names and spec types (`fd`, `u8`, `*addr`, ...).
    pub params: Vec<(String, String)>,
}

impl SpecFn {
    /// The core wasm parameter types; every function returns one `i32` errno.
    pub fn wasm_params(&self) -> Vec<ValType> {
        self.params.iter().map(|(_, t)| if t == "u64" { ValType::I64 } else { ValType::I32 }).collect()
    }
}

/// The value type of a socket option (the spec's `TYPE` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptType {
    /// 0 or 1 (`bool`).
    Bool,
    /// A 32-bit integer (`int`).
    Int,
    /// A timeout in nanoseconds (`timeout`).
    Timeout,
    /// `SO_LINGER`'s on/off and seconds (`linger`).
    Linger,
    /// `bytes:MIN-MAX`: raw bytes the kernel reads as they are.
    Bytes {
        /// The smallest value.
        min: u32,
        /// The largest value.
        max: u32,
    },
    /// `string:MAX`: a name of at most `MAX` bytes.
    String {
        /// The longest value in bytes.
        max: u32,
    },
}

/// Which sockets an option applies to (the spec's `APPLIES` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    /// Every socket.
    Any,
    /// Stream sockets.
    Stream,
    /// IPv6 sockets.
    Inet6,
    /// TLS sockets (type 7, or TCP sockets the pool made TLS).
    Tls,
}

/// One `option` line of the spec.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecOpt {
    /// The spec's level.
    pub level: u32,
    /// The spec's name within the level.
    pub name: u32,
    /// `level.name`, e.g. `tcp.keepidle`.
    pub ident: String,
    /// Its value type.
    pub ty: OptType,
    /// Which sockets it applies to.
    pub applies: Applies,
    /// Linux's names for it, e.g. (`IPPROTO_TCP`, `TCP_KEEPIDLE`).
    pub linux: (String, String),
}

/// The spec's levels: the prefix of an option's ident, the number, and the
/// sockets every option of the level applies to (Linux routes `ip` options
/// of IPv6 sockets to IPv4's code, so they apply to every socket).
pub const LEVELS: &[(&str, u32, Applies)] = &[
    ("socket", 1, Applies::Any),
    ("ip", 2, Applies::Any),
    ("ipv6", 3, Applies::Inet6),
    ("tcp", 4, Applies::Stream),
    ("wasock", 5, Applies::Any),
    ("tls", 6, Applies::Tls),
];

impl OptType {
    fn parse(t: &str) -> Option<OptType> {
        let num = |s: &str| s.parse::<u32>().ok();
        Some(match t.split_once(':') {
            None => match t {
                "bool" => OptType::Bool,
                "int" => OptType::Int,
                "timeout" => OptType::Timeout,
                "linger" => OptType::Linger,
                _ => return None,
            },
            Some(("bytes", range)) => {
                let (min, max) = range.split_once('-')?;
                OptType::Bytes { min: num(min)?, max: num(max)? }
            }
            Some(("string", max)) => OptType::String { max: num(max)? },
            Some(_) => return None,
        })
    }

    /// The fewest bytes a value of this type has (`sockopt_set`'s minimum `value_len`).
    pub fn min_len(self) -> u32 {
        match self {
            OptType::Bool | OptType::Int => 4,
            OptType::Timeout | OptType::Linger => 8,
            OptType::Bytes { min, .. } => min,
            OptType::String { .. } => 1,
        }
    }
}

/// Parses the spec's `option` lines, checking each line's numbers against
/// its ident and that no (level, name) or ident is listed twice.
pub fn parse_options(text: &str) -> Result<Vec<SpecOpt>, String> {
    let mut out: Vec<SpecOpt> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(rest) = line.trim().strip_prefix("option ") else { continue };
        let err = |why: &str| format!("spec line {}: {why}: {line}", i + 1);
        let cols: Vec<&str> = rest.split_whitespace().collect();
        let [level, name, ident, ty, applies, linux_level, linux_name] = cols[..] else {
            return Err(err("expected `option LEVEL NAME IDENT TYPE APPLIES LINUX_LEVEL LINUX_NAME`"));
        };
        let number = |s: &str| s.parse::<u32>().map_err(|_| err("level and name are numbers"));
        let (level, name) = (number(level)?, number(name)?);
        let prefix = ident.split_once('.').map(|p| p.0).ok_or_else(|| err("ident is `level.name`"))?;
        let Some(&(_, _, level_applies)) = LEVELS.iter().find(|l| (l.0, l.1) == (prefix, level)) else {
            return Err(err("the ident's level does not match the level number"));
        };
        let ty = OptType::parse(ty).ok_or_else(|| err(&format!("unknown type `{ty}`")))?;
        let applies = match applies {
            "any" => Applies::Any,
            "stream" => Applies::Stream,
            "inet6" => Applies::Inet6,
            "tls" => Applies::Tls,
            other => return Err(err(&format!("unknown applies `{other}`"))),
        };
        if applies != level_applies {
            return Err(err("an option applies to the sockets its level applies to"));
        }
        if out.iter().any(|o| (o.level, o.name) == (level, name) || o.ident == ident) {
            return Err(err("listed twice"));
        }
        let linux = (linux_level.to_string(), linux_name.to_string());
        out.push(SpecOpt { level, name, ident: ident.to_string(), ty, applies, linux });
    }
    Ok(out)
}

/// Parses the spec's functions.
pub fn parse(text: &str) -> Result<Vec<SpecFn>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("option ") {
            continue;
        }
        let err = |why: &str| format!("spec line {}: {why}: {line}", i + 1);
        let (name, rest) = line.split_once('(').ok_or_else(|| err("expected `name(`"))?;
        let body = rest.strip_suffix(')').ok_or_else(|| err("expected `)` at the end"))?;
        let mut params = Vec::new();
        for p in body.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (pname, ty) = p.split_once(':').ok_or_else(|| err("expected `name: type`"))?;
            let ty = ty.trim();
            let known = matches!(ty, "fd" | "u8" | "u16" | "u32" | "u64") || ty.starts_with('*');
            if !known {
                return Err(err(&format!("unknown type `{ty}`")));
            }
            params.push((pname.trim().to_string(), ty.to_string()));
        }
        out.push(SpecFn { name: name.trim().to_string(), params });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_parses() {
        let fns = parse(SPEC).unwrap();
        let open = fns.iter().find(|f| f.name == "open").unwrap();
        assert_eq!(open.params.len(), 4);
        let t = fns.iter().find(|f| f.name == "sockopt_get").unwrap();
        assert!(t.wasm_params().iter().all(|p| matches!(p, ValType::I32)));
        assert_eq!(parse("f(ns: u64)").unwrap()[0].wasm_params().len(), 1);
        assert!(matches!(parse("f(ns: u64)").unwrap()[0].wasm_params()[0], ValType::I64));
        assert!(!fns.iter().any(|f| f.name == "option"));
        assert!(parse("bad line").is_err());
        assert!(parse("f(x: float)").is_err());
    }

    #[test]
    fn options_parse() {
        let opts = parse_options(SPEC).unwrap();
        let idle = opts.iter().find(|o| o.ident == "tcp.keepidle").unwrap();
        assert_eq!((idle.level, idle.ty, idle.applies), (4, OptType::Int, Applies::Stream));
        assert_eq!(idle.linux, ("IPPROTO_TCP".to_string(), "TCP_KEEPIDLE".to_string()));
        let line = "option 1 1 socket.a bool any A B";
        assert_eq!(parse_options(line).unwrap().len(), 1);
        assert!(parse_options("option 2 1 socket.a bool any A B").is_err(), "level mismatch");
        assert!(parse_options(&format!("{line}\noption 1 1 socket.b bool any A B")).is_err(), "twice");
        assert!(parse_options("option 1 1 socket.a float any A B").is_err());
        assert!(parse_options("option 1 1 socket.a bool all A B").is_err());
        assert!(parse_options("option 4 1 tcp.a bool any A B").is_err(), "tcp options apply to streams");
        assert!(parse_options("option 1 1 socket.a bool any A").is_err());
    }
}
