//! Made-up client ids, as the original makes them for an MQTT 3.1 client
//! that has none: "mosq-" and 18 random letters or digits.

use crate::transport::random;

/// The letters and digits the id is drawn from.
const ALPHANUM: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// "mosq-" followed by 18 random letters and digits (23 bytes, MQTT
/// 3.1's limit), from the operating system's random source.
///
/// # Panics
///
/// When the operating system has no random bytes (`getrandom(2)` and
/// `/dev/urandom` both failing): the C API's panic boundary then returns
/// `MOSQ_ERR_UNKNOWN` from `mosquitto_connect*`, the code the original
/// returns in that case.
pub fn client_id() -> Vec<u8> {
    let mut bytes = [0u8; 18];
    random::fill(&mut bytes).expect("random bytes for a client id");
    let mut id = b"mosq-".to_vec();
    // 256 is not a multiple of 62: the first 8 characters come slightly
    // more often (the original's draw is biased too); no matter for an id.
    id.extend(
        bytes
            .iter()
            .map(|b| ALPHANUM[usize::from(*b) % ALPHANUM.len()]),
    );
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_mosq_and_18_fresh_alphanumerics() {
        let a = client_id();
        assert_eq!(a.len(), 23);
        assert!(a.starts_with(b"mosq-"));
        assert!(a[5..].iter().all(u8::is_ascii_alphanumeric));
        // Two ids agree with a chance of 62^-18.
        assert_ne!(a, client_id());
    }
}
