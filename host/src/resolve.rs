//! Name resolution through the system resolver (so `/etc/hosts` and
//! `localhost` work as they do for native programs).

use crate::abi::{Errno, FamilyHint};
use std::ffi::CString;
use std::net::{IpAddr, SocketAddr};

/// glibc's "no address of the requested family" (`__USE_GNU`, not in the libc crate).
const EAI_ADDRFAMILY: i32 = -9;

/// The `getaddrinfo` family for a hint.
fn ai_family(hint: FamilyHint) -> i32 {
    match hint {
        FamilyHint::Any => libc::AF_UNSPEC,
        FamilyHint::V4 => libc::AF_INET,
        FamilyHint::V6 => libc::AF_INET6,
    }
}

/// A numeric host (`127.0.0.1`, `::1`, `[::1]`), which needs no lookup.
pub fn numeric(name: &str) -> Option<IpAddr> {
    let bare = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(name);
    bare.parse().ok()
}

/// Looks `name` up, returning each address once, in the resolver's order.
pub fn lookup(name: &str, port: u16, family: FamilyHint) -> Result<Vec<SocketAddr>, Errno> {
    let c_name = CString::new(name).map_err(|_| Errno::INVAL)?;
    // SAFETY: an all-zero addrinfo is a valid hints value.
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_family = ai_family(family);
    // One socket type, so each address comes back once rather than per type.
    hints.ai_socktype = libc::SOCK_STREAM;
    let mut res: *mut libc::addrinfo = std::ptr::null_mut();
    // SAFETY: valid C string and hints; `res` is freed below.
    let rc = unsafe { libc::getaddrinfo(c_name.as_ptr(), std::ptr::null(), &hints, &mut res) };
    if rc != 0 {
        return Err(match rc {
            libc::EAI_NONAME | libc::EAI_NODATA | EAI_ADDRFAMILY | libc::EAI_SERVICE => Errno::NOENT,
            libc::EAI_AGAIN => Errno::AGAIN,
            libc::EAI_MEMORY => Errno::NOMEM,
            libc::EAI_SYSTEM => Errno::from(std::io::Error::last_os_error()),
            _ => Errno::IO,
        });
    }
    let mut out: Vec<SocketAddr> = Vec::new();
    let mut p = res;
    while !p.is_null() {
        // SAFETY: `p` walks the list getaddrinfo returned.
        let ai = unsafe { &*p };
        if !ai.ai_addr.is_null() {
            // SAFETY: ai_addr points to ai_addrlen valid bytes.
            let sa = unsafe {
                socket2::SockAddr::try_init(|storage, len| {
                    std::ptr::copy_nonoverlapping(
                        ai.ai_addr.cast::<u8>(),
                        storage.cast::<u8>(),
                        ai.ai_addrlen as usize,
                    );
                    *len = ai.ai_addrlen;
                    Ok(())
                })
            };
            if let Ok(((), sa)) = sa {
                if let Some(mut a) = sa.as_socket() {
                    a.set_port(port);
                    if family.admits(&a.ip()) && !out.contains(&a) {
                        out.push(a);
                    }
                }
            }
        }
        p = ai.ai_next;
    }
    // SAFETY: `res` came from getaddrinfo and is freed once.
    unsafe { libc::freeaddrinfo(res) };
    if out.is_empty() {
        return Err(Errno::NOENT);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_hosts() {
        assert_eq!(numeric("127.0.0.1"), Some("127.0.0.1".parse().unwrap()));
        assert_eq!(numeric("[::1]"), Some("::1".parse().unwrap()));
        assert_eq!(numeric("localhost"), None);
    }

    #[test]
    fn resolves_localhost() {
        let v4 = lookup("localhost", 80, FamilyHint::V4).unwrap();
        assert!(v4.iter().all(|a| a.is_ipv4() && a.port() == 80), "{v4:?}");
        assert!(v4.iter().any(|a| a.ip().is_loopback()));
        assert_eq!(lookup("no-such-host.invalid", 1, FamilyHint::Any), Err(Errno::NOENT));
    }
}
