//! The peer's verified identity as the text `tls.peer_identity` gives:
//! one entry per line, `dns:`, `ip:`, `email:` and `uri:` for each subject
//! alternative name, then `cn:` for each common name of the subject.

use std::fmt::Write;
use std::net::IpAddr;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

/// Describes a certificate rustls has verified (so it parses; a part that
/// does not is left out rather than guessed).
pub(crate) fn describe(der: &[u8]) -> String {
    let mut out = String::new();
    let Ok((_, cert)) = X509Certificate::from_der(der) else { return out };
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            let _ = match name {
                GeneralName::DNSName(n) => writeln!(out, "dns:{n}"),
                GeneralName::RFC822Name(n) => writeln!(out, "email:{n}"),
                GeneralName::URI(n) => writeln!(out, "uri:{n}"),
                GeneralName::IPAddress(b) => match ip(b) {
                    Some(a) => writeln!(out, "ip:{a}"),
                    None => Ok(()),
                },
                _ => Ok(()),
            };
        }
    }
    for cn in cert.subject().iter_common_name() {
        if let Ok(cn) = cn.as_str() {
            let _ = writeln!(out, "cn:{cn}");
        }
    }
    out
}

fn ip(b: &[u8]) -> Option<IpAddr> {
    match b.len() {
        4 => Some(IpAddr::from(<[u8; 4]>::try_from(b).ok()?)),
        16 => Some(IpAddr::from(<[u8; 16]>::try_from(b).ok()?)),
        _ => None,
    }
}
