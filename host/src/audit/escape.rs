//! Escaping for text that a guest or a peer controls.

use std::fmt::Write;

/// `s` with everything but printable ASCII escaped: `\n`, `\t`, `\r`, `\"`,
/// `\\`, and `\u{..}` for every other character, so that no newline,
/// terminal escape, bidirectional override or look-alike letter from a
/// guest can forge or disguise a log line.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            _ => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    out
}

/// Escapes each line of a multi-line message (a trap's backtrace names
/// the guest's functions), keeping the line breaks.
pub fn escape_lines(msg: &str) -> String {
    msg.lines().map(escape).collect::<Vec<_>>().join("\n")
}

/// `s` as a JSON string literal in pure ASCII (non-ASCII as `\uXXXX`
/// escapes, with surrogate pairs), so the audit file is safe to print.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_escape_leaves_no_control_or_non_ascii() {
        let evil = "a\nwasock: granted everything\u{1b}[2J\r\t\"\\\u{202e}é\0";
        let e = escape(evil);
        assert!(e.bytes().all(|b| (b' '..=b'~').contains(&b)), "{e}");
        assert_eq!(e, "a\\nwasock: granted everything\\u{1b}[2J\\r\\t\\\"\\\\\\u{202e}\\u{e9}\\u{0}");
        assert_eq!(escape("localhost"), "localhost");
    }

    #[test]
    fn json_strings_are_ascii_and_round_trip_shape() {
        assert_eq!(json_string("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
        assert_eq!(json_string("\u{1b}"), r#""\u001b""#);
        assert_eq!(json_string("😀"), r#""\ud83d\ude00""#);
        assert!(json_string("\u{202e}\u{7f}").bytes().all(|b| (b' '..=b'~').contains(&b)));
    }
}
