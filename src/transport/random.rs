//! The one source of random bytes: the operating system's generator
//! (`getrandom(2)`), through ring's `SystemRandom` (ring is linked for
//! TLS already). WebSocket keys and masks and made-up client ids take
//! their bytes from here.

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
}
