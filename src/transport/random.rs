//! The one source of random bytes: the operating system's generator,
//! `getrandom(2)` (what ring's `SystemRandom` calls too, so a build
//! without TLS draws from the same place). WebSocket keys and masks,
//! made-up client ids and, with the `tls` feature, the TLS-PSK handshake
//! (`OsRandom`, for embedded-tls) take their bytes from here.

use std::fmt;
use std::io;

/// The operating system gave no random bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RandomError;

impl fmt::Display for RandomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the operating system's random source failed")
    }
}

impl std::error::Error for RandomError {}

/// Fills `out` with random bytes from the operating system.
pub fn fill(out: &mut [u8]) -> Result<(), RandomError> {
    let mut done = 0;
    while done < out.len() {
        let rest = &mut out[done..];
        // SAFETY: `rest` is a writable buffer of `rest.len()` bytes, which
        // getrandom(2) writes at most; flags 0 (the urandom source, blocking
        // only until it is first seeded) need nothing else.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        match usize::try_from(n) {
            Ok(n) => done += n,
            // A signal interrupted the call before any byte: try again.
            Err(_) if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Err(RandomError),
        }
    }
    Ok(())
}

/// [`fill`] as the `rand_core` generator embedded-tls asks for (TLS-PSK).
#[cfg(feature = "tls")]
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

#[cfg(feature = "tls")]
impl rand_core::RngCore for OsRandom {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_ne_bytes(b)
    }

    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_ne_bytes(b)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        // `getrandom(2)` does not fail on a running Linux system; if it
        // ever did, a handshake without randomness must not go on (the
        // panic ends the call at the C API's boundary).
        fill(dest).expect("the operating system's random source failed");
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        fill(dest).map_err(rand_core::Error::new)
    }
}

#[cfg(feature = "tls")]
impl rand_core::CryptoRng for OsRandom {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_with_fresh_bytes_each_time() {
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        fill(&mut a).unwrap();
        fill(&mut b).unwrap();
        // 2^-256 chance of a false failure for each comparison.
        assert_ne!(a, [0u8; 32]);
        assert_ne!(a, b);
        fill(&mut []).unwrap();
    }

    #[test]
    fn fills_a_buffer_larger_than_one_call_may_return() {
        // getrandom(2) may return fewer bytes than asked above 256; the
        // loop fills the rest (the last 64 bytes all zero: 2^-512).
        let mut big = vec![0u8; 1 << 20];
        fill(&mut big).unwrap();
        assert_ne!(&big[big.len() - 64..], &[0u8; 64][..]);
    }

    #[cfg(feature = "tls")]
    #[test]
    fn the_rand_core_adapter_draws_from_the_same_source() {
        use rand_core::RngCore;
        let mut rng = OsRandom;
        assert_ne!(rng.next_u64(), rng.next_u64());
        let mut buf = [0u8; 16];
        rng.try_fill_bytes(&mut buf).unwrap();
        assert_ne!(buf, [0u8; 16]);
    }
}
