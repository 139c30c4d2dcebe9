//! Legacy OpenSSL-encrypted PEM private keys ("traditional" format).
//!
//! Before PKCS#8 encryption became the default, OpenSSL encrypted a key's
//! own PEM block (`RSA PRIVATE KEY`, `EC PRIVATE KEY`...) and said how in
//! two headers:
//!
//! ```text
//! -----BEGIN RSA PRIVATE KEY-----
//! Proc-Type: 4,ENCRYPTED
//! DEK-Info: AES-256-CBC,<IV in hex>
//!
//! <base64 of the encrypted DER>
//! -----END RSA PRIVATE KEY-----
//! ```
//!
//! The cipher key comes from the password by `EVP_BytesToKey` with MD5,
//! one round, and the first 8 bytes of the IV as salt; the data is CBC
//! with PKCS#7 padding. The ciphers read here are the ones the original's
//! OpenSSL 3 reads without its legacy provider: AES-128/192/256-CBC and
//! DES-EDE3-CBC. Single DES-CBC is refused, as OpenSSL 3 refuses it.
//! (OpenSSL 3 also reads Camellia, ARIA and SM4 CBC keys; those are not.)
//!
//! [`find_encrypted`] picks the block and reads its headers (as OpenSSL
//! does before it asks for a password);
//! [`EncryptedKey::decrypt`] then turns it into the plain DER, or `None`
//! for a wrong password (bad padding).

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, KeyIvInit};
use base64ct::{Base64, Encoding};
use md5::{Digest, Md5};

/// A cipher a `DEK-Info` header can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cipher {
    /// `AES-128-CBC`.
    Aes128Cbc,
    /// `AES-192-CBC`.
    Aes192Cbc,
    /// `AES-256-CBC`.
    Aes256Cbc,
    /// `DES-EDE3-CBC` (three-key triple DES).
    DesEde3Cbc,
}

impl Cipher {
    /// The cipher called `name` (any case, as OpenSSL looks names up);
    /// `None` for one that is not supported.
    pub fn from_name(name: &str) -> Option<Cipher> {
        match name.to_ascii_uppercase().as_str() {
            "AES-128-CBC" => Some(Cipher::Aes128Cbc),
            "AES-192-CBC" => Some(Cipher::Aes192Cbc),
            "AES-256-CBC" => Some(Cipher::Aes256Cbc),
            "DES-EDE3-CBC" => Some(Cipher::DesEde3Cbc),
            _ => None,
        }
    }

    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            Cipher::Aes128Cbc => 16,
            Cipher::Aes192Cbc | Cipher::DesEde3Cbc => 24,
            Cipher::Aes256Cbc => 32,
        }
    }

    /// IV (and block) length in bytes.
    pub fn iv_len(self) -> usize {
        match self {
            Cipher::DesEde3Cbc => 8,
            _ => 16,
        }
    }

    /// Decrypts `data` in place; the plaintext length, or `None` when the
    /// length is not whole blocks or the padding is wrong.
    fn decrypt(self, key: &[u8], iv: &[u8], data: &mut [u8]) -> Option<usize> {
        fn run<C: BlockDecryptMut + KeyIvInit>(k: &[u8], iv: &[u8], d: &mut [u8]) -> Option<usize> {
            let dec = C::new_from_slices(k, iv).ok()?;
            dec.decrypt_padded_mut::<Pkcs7>(d).ok().map(<[u8]>::len)
        }
        match self {
            Cipher::Aes128Cbc => run::<cbc::Decryptor<aes::Aes128>>(key, iv, data),
            Cipher::Aes192Cbc => run::<cbc::Decryptor<aes::Aes192>>(key, iv, data),
            Cipher::Aes256Cbc => run::<cbc::Decryptor<aes::Aes256>>(key, iv, data),
            Cipher::DesEde3Cbc => run::<cbc::Decryptor<des::TdesEde3>>(key, iv, data),
        }
    }
}

/// An encrypted key block whose headers have been read.
pub struct EncryptedKey {
    /// The PEM label, e.g. `RSA PRIVATE KEY`.
    pub label: String,
    /// The cipher from `DEK-Info`.
    pub cipher: Cipher,
    /// The IV from `DEK-Info`.
    iv: Vec<u8>,
    /// The encrypted DER.
    data: Vec<u8>,
}

impl EncryptedKey {
    /// The key's DER, decrypted with `password`; `None` when the password
    /// is wrong (the padding does not check out).
    pub fn decrypt(&self, password: &[u8]) -> Option<Vec<u8>> {
        let mut key = bytes_to_key(password, &self.iv[..8], self.cipher.key_len());
        let mut out = self.data.clone();
        let len = self.cipher.decrypt(&key, &self.iv, &mut out);
        wipe(&mut key);
        match len {
            Some(n) => {
                wipe(&mut out[n..]);
                out.truncate(n);
                Some(out)
            }
            None => {
                wipe(&mut out);
                None
            }
        }
    }
}

/// Why an encrypted block cannot be read (before any password is used).
#[derive(Debug, PartialEq, Eq)]
pub enum HeaderError {
    /// Missing or malformed `DEK-Info`, bad IV or bad base64.
    Malformed,
    /// A cipher name OpenSSL does not know.
    UnknownCipher(String),
    /// A cipher OpenSSL knows but that is not read here: OpenSSL 3 asks
    /// for the password before it finds it cannot use it (DES-CBC and the
    /// other legacy-provider ciphers), so the caller asks too, then fails.
    UnsupportedCipher(String),
}

/// `DEK-Info` cipher names OpenSSL recognises besides those of [`Cipher`]:
/// the legacy-provider ones the original cannot use, and the default
/// provider's Camellia, ARIA and SM4 that it can (not supported here).
const OTHER_OPENSSL_CIPHERS: &[&str] = &[
    "DES-CBC",
    "DES-EDE-CBC",
    "DESX-CBC",
    "BF-CBC",
    "CAST5-CBC",
    "IDEA-CBC",
    "SEED-CBC",
    "RC2-CBC",
    "RC2-40-CBC",
    "RC2-64-CBC",
    "CAMELLIA-128-CBC",
    "CAMELLIA-192-CBC",
    "CAMELLIA-256-CBC",
    "ARIA-128-CBC",
    "ARIA-192-CBC",
    "ARIA-256-CBC",
    "SM4-CBC",
];

/// The first private-key PEM block of `text` (`PRIVATE KEY` or
/// `<ALG> PRIVATE KEY`, as OpenSSL's key reader takes them) if it has a
/// `Proc-Type: 4,ENCRYPTED` header: `None` when that block is not
/// encrypted this way (or there is none), an error when its headers or
/// body cannot be read.
pub fn find_encrypted(text: &[u8]) -> Option<Result<EncryptedKey, HeaderError>> {
    let text = String::from_utf8_lossy(text);
    let mut lines = text.lines().map(str::trim_end);
    let label = lines.find_map(key_label)?;
    let end = format!("-----END {label}-----");
    let block: Vec<&str> = lines.take_while(|l| *l != end).collect();
    // Headers run from the first line up to a blank one.
    let has_headers = block.first().is_some_and(|l| l.contains(':'));
    let (headers, body) = match block.iter().position(|l| l.trim().is_empty()) {
        Some(blank) if has_headers => (&block[..blank], &block[blank + 1..]),
        _ if has_headers => (&block[..], &block[..0]),
        _ => (&block[..0], &block[..]),
    };
    let proc_type = headers.first().and_then(|l| l.strip_prefix("Proc-Type:"));
    if proc_type.map(str::trim) != Some("4,ENCRYPTED") {
        return None;
    }
    Some(parse_encrypted(label.to_string(), &headers[1..], body))
}

/// The label of a `-----BEGIN ... PRIVATE KEY-----` line, other than the
/// PKCS#8 `ENCRYPTED PRIVATE KEY` one.
fn key_label(line: &str) -> Option<&str> {
    let label = line.strip_prefix("-----BEGIN ")?.strip_suffix("-----")?;
    let is_key = label == "PRIVATE KEY" || label.ends_with(" PRIVATE KEY");
    (is_key && label != "ENCRYPTED PRIVATE KEY").then_some(label)
}

/// Reads `DEK-Info` (the header after `Proc-Type`) and the base64 body.
fn parse_encrypted(
    label: String,
    headers: &[&str],
    body: &[&str],
) -> Result<EncryptedKey, HeaderError> {
    let info = headers
        .first()
        .and_then(|l| l.strip_prefix("DEK-Info:"))
        .ok_or(HeaderError::Malformed)?;
    let (name, iv_hex) = info.trim().split_once(',').ok_or(HeaderError::Malformed)?;
    let cipher = Cipher::from_name(name).ok_or_else(|| {
        let upper = name.to_ascii_uppercase();
        if OTHER_OPENSSL_CIPHERS.contains(&upper.as_str()) {
            HeaderError::UnsupportedCipher(name.to_string())
        } else {
            HeaderError::UnknownCipher(name.to_string())
        }
    })?;
    let iv = decode_hex(iv_hex.trim()).ok_or(HeaderError::Malformed)?;
    if iv.len() != cipher.iv_len() {
        return Err(HeaderError::Malformed);
    }
    let b64: String = body
        .iter()
        .flat_map(|l| l.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut data = vec![0u8; b64.len() / 4 * 3];
    let len = Base64::decode(b64.as_bytes(), &mut data)
        .map_err(|_| HeaderError::Malformed)?
        .len();
    data.truncate(len);
    Ok(EncryptedKey {
        label,
        cipher,
        iv,
        data,
    })
}

/// Bytes from hex digits (either case); `None` for anything else.
fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.len() % 2 != 0 {
        return None;
    }
    hex.as_bytes()
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect()
}

/// OpenSSL's `EVP_BytesToKey` with MD5 and one round: blocks of
/// MD5(previous block ‖ password ‖ salt) until `len` bytes are made.
pub fn bytes_to_key(password: &[u8], salt: &[u8], len: usize) -> Vec<u8> {
    let mut key = Vec::with_capacity(len + 16);
    let mut prev: Option<[u8; 16]> = None;
    while key.len() < len {
        let mut md = Md5::new();
        if let Some(p) = &prev {
            md.update(p);
        }
        md.update(password);
        md.update(salt);
        let block: [u8; 16] = md.finalize().into();
        key.extend_from_slice(&block);
        prev = Some(block);
    }
    if let Some(p) = prev.as_mut() {
        wipe(p);
    }
    wipe(&mut key[len..]);
    key.truncate(len);
    key
}

/// Overwrites key material with zeros.
fn wipe(secret: &mut [u8]) {
    secret.iter_mut().for_each(|b| *b = 0);
    // Keep the compiler from dropping the writes as dead stores.
    std::hint::black_box(secret);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        decode_hex(s).unwrap()
    }

    #[test]
    fn bytes_to_key_matches_openssl() {
        // `openssl enc -P -md md5 -aes-256-cbc -S 0102030405060708
        // -pass pass:password` prints this key (two chained MD5 blocks).
        let salt = hex("0102030405060708");
        let want = hex("E7B0971E52CA5CC8D0539FB3412F6316F7BA2E6EE293D9F3457B99436B51CE02");
        assert_eq!(bytes_to_key(b"password", &salt, 32), want);
        // Shorter keys are its prefix (AES-192 and DES-EDE3 take 24 bytes).
        assert_eq!(bytes_to_key(b"password", &salt, 24), want[..24].to_vec());
        assert_eq!(bytes_to_key(b"password", &salt, 16), want[..16].to_vec());
        assert_ne!(bytes_to_key(b"passwore", &salt, 16), want[..16].to_vec());
    }

    #[test]
    fn ciphers_are_named_as_openssl_names_them() {
        assert_eq!(Cipher::from_name("AES-256-CBC"), Some(Cipher::Aes256Cbc));
        assert_eq!(Cipher::from_name("aes-128-cbc"), Some(Cipher::Aes128Cbc));
        assert_eq!(Cipher::from_name("DES-EDE3-CBC"), Some(Cipher::DesEde3Cbc));
        assert_eq!(Cipher::from_name("DES-CBC"), None);
        assert_eq!(Cipher::DesEde3Cbc.iv_len(), 8);
        assert_eq!(Cipher::Aes192Cbc.key_len(), 24);
    }

    #[test]
    fn plain_and_pkcs8_blocks_are_not_legacy_encrypted() {
        let plain = b"-----BEGIN RSA PRIVATE KEY-----\nQUJD\n-----END RSA PRIVATE KEY-----\n";
        assert!(find_encrypted(plain).is_none());
        let pkcs8 =
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nQUJD\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert!(find_encrypted(pkcs8).is_none());
        assert!(find_encrypted(b"-----BEGIN CERTIFICATE-----\nQUJD\n").is_none());
    }

    #[test]
    fn headers_are_checked_before_any_password() {
        let block = |info: &str| {
            format!(
                "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n\
                 -----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\
                 DEK-Info: {info}\n\nQUJDRA==\n-----END EC PRIVATE KEY-----\n"
            )
        };
        let ok = find_encrypted(block("AES-128-CBC,000102030405060708090a0b0c0d0e0f").as_bytes());
        let key = ok.unwrap().unwrap();
        assert_eq!(key.label, "EC PRIVATE KEY");
        assert_eq!(key.cipher, Cipher::Aes128Cbc);
        assert_eq!(key.data, b"ABCD");
        // Not whole blocks: no password can decrypt it.
        assert!(key.decrypt(b"x").is_none());
        let des = find_encrypted(block("DES-CBC,0001020304050607").as_bytes());
        assert_eq!(
            des.unwrap().err(),
            Some(HeaderError::UnsupportedCipher("DES-CBC".into()))
        );
        let foo = find_encrypted(block("FOO-CBC,0001020304050607").as_bytes());
        assert_eq!(
            foo.unwrap().err(),
            Some(HeaderError::UnknownCipher("FOO-CBC".into()))
        );
        for bad in [
            "AES-128-CBC,0001",
            "AES-128-CBC",
            "AES-128-CBC,zz0102030405060708090a0b0c0d0e0f",
        ] {
            let got = find_encrypted(block(bad).as_bytes()).unwrap();
            assert_eq!(got.err(), Some(HeaderError::Malformed), "{bad}");
        }
    }

    #[test]
    fn round_trip_with_the_crates_encryptor() {
        use aes::cipher::BlockEncryptMut;
        let iv = hex("00112233445566778899aabbccddeeff");
        let key = bytes_to_key(b"pw", &iv[..8], 32);
        let plain = b"0123456789abcdef0123".to_vec();
        let mut buf = [0u8; 32];
        let enc = cbc::Encryptor::<aes::Aes256>::new_from_slices(&key, &iv)
            .unwrap()
            .encrypt_padded_b2b_mut::<Pkcs7>(&plain, &mut buf)
            .unwrap()
            .to_vec();
        let k = EncryptedKey {
            label: "RSA PRIVATE KEY".into(),
            cipher: Cipher::Aes256Cbc,
            iv,
            data: enc,
        };
        assert_eq!(k.decrypt(b"pw").as_deref(), Some(&plain[..]));
        assert!(k.decrypt(b"wrong").is_none_or(|d| d != plain));
    }
}
