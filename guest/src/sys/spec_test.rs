//! Keeps the declarations in `imports.rs` in agreement with
//! the project's machine-readable spec: same functions, same order, same
//! parameter names and the same types. Runs on any target because it only
//! reads source text.

const SPEC: &str = include_str!("../../../include/wasi_ephemeral_sock.spec");
const IMPORTS: &str = include_str!("imports.rs");
/// The ABI document, whose option table mirrors the spec's `option` lines.
const ABI_DOC: &str = include_str!("../../../docs/abi.md");

/// `(name, [(param, type)])` in the spec's notation.
type Decl = (String, Vec<(String, String)>);

/// The spec's functions.
fn parse_spec() -> Vec<Decl> {
    SPEC.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("option "))
        .map(|l| {
            let (name, rest) = l.split_once('(').expect("spec line has `(`");
            let params = rest.strip_suffix(')').expect("spec line ends with `)`");
            (name.trim().to_string(), parse_params(params, |t| t.to_string()))
        })
        .collect()
}

fn parse_params(s: &str, ty: impl Fn(&str) -> String) -> Vec<(String, String)> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, t) = p.split_once(':').expect("`name: type`");
            (n.trim().to_string(), ty(t.trim()))
        })
        .collect()
}

/// Translates a Rust parameter type to the spec's notation.
fn spec_type(rust: &str) -> String {
    let rust = rust.split_whitespace().collect::<Vec<_>>().join(" ");
    let base = |t: &str| match t {
        "Fd" => "fd".to_string(),
        "RawAddr" => "addr".to_string(),
        "Dgram" => "dgram".to_string(),
        other => other.to_string(),
    };
    match rust.strip_prefix("*mut ").or_else(|| rust.strip_prefix("*const ")) {
        Some(t) => format!("*{}", base(t)),
        None => base(&rust),
    }
}

/// The `pub fn` declarations of the sock module in a source file: from
/// `start` to the preview-1 declarations.
fn parse_rust(src: &str, start: &str) -> Vec<Decl> {
    let src = src.split_once(start).expect("start marker").1;
    let src = src.split("pub(crate) mod p1").next().unwrap();
    let mut out = Vec::new();
    let mut rest = src;
    while let Some(i) = rest.find("pub fn ") {
        rest = &rest[i + "pub fn ".len()..];
        let open = rest.find('(').unwrap();
        let close = rest.find(") -> i32").expect("every import returns i32");
        let name = rest[..open].trim().to_string();
        let params = parse_params(&rest[open + 1..close], spec_type)
            .into_iter()
            // `type` is a Rust keyword.
            .map(|(n, t)| (if n == "ty" { "type".to_string() } else { n }, t))
            .collect();
        out.push((name, params));
        rest = &rest[close..];
    }
    out
}

#[test]
fn spec_is_parsed() {
    let spec = parse_spec();
    assert!(spec.len() >= 18, "{} functions", spec.len());
    assert_eq!(spec[0].0, "open");
}

#[test]
fn imports_match_spec() {
    assert_eq!(parse_rust(IMPORTS, "\"wasi_ephemeral_sock\" {"), parse_spec());
}

/// The spec's `option` lines as (ident, level, name).
fn spec_options() -> Vec<(String, u32, u32)> {
    SPEC.lines()
        .filter_map(|l| l.trim().strip_prefix("option "))
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            (cols[2].to_string(), cols[0].parse().unwrap(), cols[1].parse().unwrap())
        })
        .collect()
}

/// Every column of the spec's `option` lines (the Linux level and name as one).
fn spec_option_rows() -> Vec<Vec<String>> {
    SPEC.lines()
        .filter_map(|l| l.trim().strip_prefix("option "))
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            let mut row: Vec<String> = cols[..5].iter().map(|c| c.to_string()).collect();
            row.push(cols[5..].join(" "));
            row
        })
        .collect()
}

/// The rows of docs/abi.md's option table: its only table of six columns
/// whose first two cells are numbers.
fn doc_option_rows() -> Vec<Vec<String>> {
    ABI_DOC
        .lines()
        .filter_map(|l| l.trim().strip_prefix('|')?.strip_suffix('|'))
        .map(|l| l.split('|').map(|c| c.trim().trim_matches('`').to_string()).collect::<Vec<_>>())
        .filter(|row| row.len() == 6 && row[..2].iter().all(|c| c.parse::<u32>().is_ok()))
        .collect()
}

#[test]
fn options_match_spec() {
    let crate_opts: Vec<_> = super::opt::ALL.iter().map(|(i, o)| (i.to_string(), o.level, o.name)).collect();
    assert!(crate_opts.len() >= 30);
    assert_eq!(crate_opts, spec_options());
    // The document's table, too, so that it cannot drift from the spec.
    assert_eq!(doc_option_rows(), spec_option_rows(), "docs/abi.md's option table (left) differs from the spec's");
}
