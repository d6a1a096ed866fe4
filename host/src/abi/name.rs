//! Host names the guest passes to `addr_resolve`.

use super::Errno;

/// The longest host name DNS allows (253, plus a trailing dot).
pub const MAX_NAME: usize = 254;

/// Checks a guest-supplied host name: UTF-8, no NUL, at most [`MAX_NAME`] bytes.
pub fn check_name(bytes: &[u8]) -> Result<&str, Errno> {
    if bytes.is_empty() || bytes.len() > MAX_NAME || bytes.contains(&0) {
        return Err(Errno::INVAL);
    }
    std::str::from_utf8(bytes).map_err(|_| Errno::INVAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert_eq!(check_name(b"localhost"), Ok("localhost"));
        assert_eq!(check_name(b""), Err(Errno::INVAL));
        assert_eq!(check_name(b"a\0b"), Err(Errno::INVAL));
        assert_eq!(check_name(&[b'a'; 255]), Err(Errno::INVAL));
        assert_eq!(check_name(&[0xff, 0xfe]), Err(Errno::INVAL));
    }
}
