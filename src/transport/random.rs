//! The one source of random bytes: the operating system's generator
//! (`getrandom(2)`), through ring's `SystemRandom` (ring is linked for
//! TLS already). WebSocket keys and masks, made-up client ids and the TLS-PSK
//! handshake ([`OsRandom`], for embedded-tls) take their bytes from here.

use std::fmt;

use ring::rand::{SecureRandom, SystemRandom};

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
    SystemRandom::new().fill(out).map_err(|_| RandomError)
}

/// [`fill`] as the `rand_core` generator embedded-tls asks for (TLS-PSK).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

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
    fn the_rand_core_adapter_draws_from_the_same_source() {
        use rand_core::RngCore;
        let mut rng = OsRandom;
        assert_ne!(rng.next_u64(), rng.next_u64());
        let mut buf = [0u8; 16];
        rng.try_fill_bytes(&mut buf).unwrap();
        assert_ne!(buf, [0u8; 16]);
    }
}
