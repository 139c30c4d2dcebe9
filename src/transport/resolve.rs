//! Host name resolution through the system's `getaddrinfo`.
//!
//! The original asks `getaddrinfo(host, NULL, {AF_UNSPEC, SOCK_STREAM})` and
//! on failure reports the raw `EAI_*` code in `errno`. The standard library
//! resolver hides that code (and uses other hints), so this module calls the
//! C function itself: that is the only reason it holds `unsafe` code.

use std::ffi::CString;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use super::error::TransportError;

/// One address `getaddrinfo` returned, in the order it returned them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    /// `ai_family` (`AF_INET` or `AF_INET6`).
    pub family: i32,
    /// `ai_socktype` (`SOCK_STREAM`).
    pub socktype: i32,
    /// `ai_protocol` (normally `IPPROTO_TCP`).
    pub protocol: i32,
    /// The address, with port 0.
    pub addr: SocketAddr,
}

/// Owns a list from `getaddrinfo` and frees it on drop.
struct AddrInfoList(*mut libc::addrinfo);

impl Drop for AddrInfoList {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: the pointer came from a successful getaddrinfo call and
            // is freed exactly once, here.
            unsafe { libc::freeaddrinfo(self.0) };
        }
    }
}

/// Resolves `host` as the original does: any family, stream sockets, in the
/// resolver's order. Entries of other families are skipped (the original
/// skips them too when connecting).
pub fn resolve(host: &str) -> Result<Vec<Resolved>, TransportError> {
    let c_host = CString::new(host)
        .map_err(|_| TransportError::InvalidArgument("host name contains a NUL byte"))?;
    // SAFETY: addrinfo is plain old data; all-zero is a valid "no hints" value.
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_family = libc::AF_UNSPEC;
    hints.ai_socktype = libc::SOCK_STREAM;
    let mut head: *mut libc::addrinfo = std::ptr::null_mut();
    // SAFETY: c_host is a valid NUL-terminated string, the service may be
    // NULL, hints and head point to live locals for the duration of the call.
    let rc = unsafe { libc::getaddrinfo(c_host.as_ptr(), std::ptr::null(), &hints, &mut head) };
    if rc != 0 {
        return Err(TransportError::Resolve { code: rc });
    }
    let list = AddrInfoList(head);
    let mut out = Vec::new();
    let mut cur = list.0;
    while !cur.is_null() {
        // SAFETY: cur is a node of the list owned by `list`, alive until it drops.
        let ai = unsafe { &*cur };
        if let Some(addr) = sockaddr_of(ai) {
            out.push(Resolved {
                family: ai.ai_family,
                socktype: ai.ai_socktype,
                protocol: ai.ai_protocol,
                addr,
            });
        }
        cur = ai.ai_next;
    }
    Ok(out)
}

/// Copies the node's address out, for IPv4 and IPv6 only.
fn sockaddr_of(ai: &libc::addrinfo) -> Option<SocketAddr> {
    if ai.ai_addr.is_null() {
        return None;
    }
    let len = ai.ai_addrlen as usize;
    match ai.ai_family {
        libc::AF_INET if len >= std::mem::size_of::<libc::sockaddr_in>() => {
            // SAFETY: for AF_INET getaddrinfo's ai_addr points to a
            // sockaddr_in of ai_addrlen bytes (checked above); read_unaligned
            // copes with any alignment.
            let sin = unsafe { std::ptr::read_unaligned(ai.ai_addr as *const libc::sockaddr_in) };
            let ip = Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr));
            Some(SocketAddr::V4(SocketAddrV4::new(ip, 0)))
        }
        libc::AF_INET6 if len >= std::mem::size_of::<libc::sockaddr_in6>() => {
            // SAFETY: as above, for AF_INET6 and sockaddr_in6.
            let sin6 = unsafe { std::ptr::read_unaligned(ai.ai_addr as *const libc::sockaddr_in6) };
            let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
            Some(SocketAddr::V6(SocketAddrV6::new(
                ip,
                0,
                sin6.sin6_flowinfo,
                sin6.sin6_scope_id,
            )))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_addresses_resolve_to_themselves() {
        let v4 = resolve("127.0.0.1").unwrap();
        assert_eq!(v4.len(), 1);
        assert_eq!(v4[0].family, libc::AF_INET);
        assert_eq!(v4[0].socktype, libc::SOCK_STREAM);
        assert_eq!(v4[0].addr, "127.0.0.1:0".parse().unwrap());

        let v6 = resolve("::1").unwrap();
        assert_eq!(v6.len(), 1);
        assert_eq!(v6[0].family, libc::AF_INET6);
        assert_eq!(v6[0].addr, "[::1]:0".parse().unwrap());
    }

    #[test]
    fn localhost_includes_a_loopback_address() {
        let all = resolve("localhost").unwrap();
        assert!(!all.is_empty());
        assert!(all.iter().all(|r| r.addr.ip().is_loopback()));
    }

    #[test]
    fn invalid_names_give_the_eai_code() {
        // Both are rejected by the resolver itself, without any DNS query.
        for bad in ["", "a..b"] {
            match resolve(bad) {
                Err(TransportError::Resolve { code }) => assert_eq!(code, libc::EAI_NONAME),
                other => panic!("{bad:?}: expected a resolve error, got {other:?}"),
            }
        }
    }

    #[test]
    fn nul_in_host_is_an_invalid_argument() {
        assert!(matches!(
            resolve("a\0b"),
            Err(TransportError::InvalidArgument(_))
        ));
    }
}
