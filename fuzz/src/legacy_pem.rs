//! `legacy_pem`: OpenSSL's traditional encrypted PEM keys
//! (`Proc-Type: 4,ENCRYPTED` + `DEK-Info`) as arbitrary text: reading the
//! headers and body, deriving the key and decrypting.

use mosquitto::transport::legacy_pem::{find_encrypted, Cipher, HeaderError};

/// The password the seeds were encrypted with.
pub const PASSWORD: &[u8] = b"secret";

/// The whole input is the PEM file's text.
pub fn legacy_pem(data: &[u8]) {
    let Some(found) = find_encrypted(data) else {
        return;
    };
    let key = match found {
        Ok(key) => key,
        Err(HeaderError::Malformed) => return,
        Err(HeaderError::UnknownCipher(name) | HeaderError::UnsupportedCipher(name)) => {
            assert!(Cipher::from_name(&name).is_none(), "{name} is known");
            return;
        }
    };
    assert!(key.label.ends_with("PRIVATE KEY"), "{}", key.label);
    assert!(matches!(key.cipher.key_len(), 16 | 24 | 32));
    assert!(matches!(key.cipher.iv_len(), 8 | 16));
    for password in [PASSWORD, b"", b"wrong password"] {
        if let Some(der) = key.decrypt(password) {
            // Padding removed: at most one block shorter than a whole
            // number of blocks, never longer than the text's base64.
            assert!(der.len() * 3 / 4 <= data.len());
        }
    }
}
