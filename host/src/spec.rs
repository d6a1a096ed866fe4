//! The machine-readable spec of `wasi_ephemeral_sock`
//! (`include/wasi_ephemeral_sock.spec`), parsed into core wasm signatures
//! so tests can hold the host, the Rust guest and the C library to it.

use wasmtime::ValType;

/// The spec file, as built into the host.
pub const SPEC: &str = include_str!("../../include/wasi_ephemeral_sock.spec");

/// One function of the spec.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecFn {
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

/// Parses the spec text.
pub fn parse(text: &str) -> Result<Vec<SpecFn>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
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
        let t = fns.iter().find(|f| f.name == "set_recv_timeout").unwrap();
        assert!(matches!(t.wasm_params()[1], ValType::I64));
        assert!(parse("bad line").is_err());
        assert!(parse("f(x: float)").is_err());
    }
}
