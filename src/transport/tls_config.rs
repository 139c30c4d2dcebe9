//! The TLS settings of a client (`mosquitto_tls_set`, `_tls_opts_set`,
//! `_tls_insecure_set` and the `MOSQ_OPT_TLS_*` options) and the rustls
//! client configuration built from them at connect time.
//!
//! What the settings mean follows the original (built on OpenSSL):
//!
//! - TLS is used when a CA file, a CA folder or the OS certificates are set.
//! - The CA file must hold at least one certificate; every file in the CA
//!   folder that holds PEM certificates is used (OpenSSL looks up hashed
//!   names; reading them all trusts the same set for a `c_rehash`ed folder).
//! - `cert_reqs` 0 turns off all certificate checks; otherwise the chain
//!   is verified and, unless `insecure`, the broker's name (or IP address)
//!   must be in the certificate, as [`super::tls_verify`] has it.
//! - `tls_version` is the lowest version allowed: "tlsv1.1" and "tlsv1.2"
//!   allow TLS 1.2 and 1.3 (rustls has no TLS 1.1), "tlsv1.3" only 1.3.
//! - `ciphers` is an OpenSSL cipher list; it restricts the TLS 1.2 suites
//!   only (as `SSL_CTX_set_cipher_list` does), and fails when it selects
//!   none of them.
//! - The client key is PEM: plain PKCS#1 (RSA), SEC1 (EC) or PKCS#8; PKCS#8
//!   `ENCRYPTED PRIVATE KEY`; or OpenSSL's legacy encrypted format
//!   (`Proc-Type: 4,ENCRYPTED` with AES-128/192/256-CBC or DES-EDE3-CBC,
//!   see [`legacy_pem`]). The password of an encrypted key comes from
//!   `pw_callback`, or else from a terminal prompt as in OpenSSL.

use std::fmt;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::{ring, CryptoProvider};
use rustls::{ClientConfig, RootCertStore, SupportedCipherSuite};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer,
};

use super::legacy_pem;
use super::tls::TlsError;
use super::tls_verify::Verifier;

/// Asks the application for the password of an encrypted private key:
/// returns the password, or `None` when it gives none.
pub type PasswordSource = Arc<dyn Fn() -> Option<Vec<u8>> + Send + Sync>;

/// The lowest TLS version allowed (`mosquitto_tls_opts_set`'s `tls_version`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MinVersion {
    /// "tlsv1.1" or "tlsv1.2" (the default): TLS 1.2 and 1.3.
    #[default]
    Tls12,
    /// "tlsv1.3": TLS 1.3 only.
    Tls13,
}

impl MinVersion {
    /// Parses a `tls_version` string as the original accepts it (any case);
    /// `None` for anything else (`MOSQ_ERR_INVAL`).
    pub fn parse(s: &str) -> Option<MinVersion> {
        match s.to_ascii_lowercase().as_str() {
            "tlsv1.1" | "tlsv1.2" => Some(MinVersion::Tls12),
            "tlsv1.3" => Some(MinVersion::Tls13),
            _ => None,
        }
    }
}

/// Everything the client's TLS functions and options record.
#[derive(Clone)]
pub struct TlsSettings {
    /// PEM file of trusted CA certificates.
    pub cafile: Option<PathBuf>,
    /// Folder of trusted CA certificates.
    pub capath: Option<PathBuf>,
    /// PEM client certificate (chain).
    pub certfile: Option<PathBuf>,
    /// PEM client private key.
    pub keyfile: Option<PathBuf>,
    /// Where the password of an encrypted key comes from (`pw_callback`);
    /// `None` prompts on the terminal as OpenSSL's default does.
    pub password: Option<PasswordSource>,
    /// `mosquitto_tls_insecure_set`: skip the host name check.
    pub insecure: bool,
    /// `cert_reqs`: 0 verifies nothing, anything else verifies the peer.
    pub cert_reqs: i32,
    /// Lowest TLS version.
    pub min_version: MinVersion,
    /// OpenSSL-style cipher list for TLS 1.2.
    pub ciphers: Option<String>,
    /// `MOSQ_OPT_TLS_ALPN`.
    pub alpn: Option<Vec<u8>>,
    /// `MOSQ_OPT_TLS_USE_OS_CERTS`.
    pub use_os_certs: bool,
    /// `mosquitto_tls_psk_set`: TLS 1.3 with a pre-shared key, used when
    /// no certificate TLS is configured (see [`super::psk`]).
    pub psk: Option<super::psk::PskSettings>,
}

impl Default for TlsSettings {
    fn default() -> Self {
        TlsSettings {
            cafile: None,
            capath: None,
            certfile: None,
            keyfile: None,
            password: None,
            insecure: false,
            // SSL_VERIFY_PEER, as mosquitto_new sets it.
            cert_reqs: 1,
            min_version: MinVersion::Tls12,
            ciphers: None,
            alpn: None,
            use_os_certs: false,
            psk: None,
        }
    }
}

impl fmt::Debug for TlsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsSettings")
            .field("cafile", &self.cafile)
            .field("capath", &self.capath)
            .field("certfile", &self.certfile)
            .field("keyfile", &self.keyfile)
            .field("insecure", &self.insecure)
            .field("cert_reqs", &self.cert_reqs)
            .field("min_version", &self.min_version)
            .field("ciphers", &self.ciphers)
            .field("alpn", &self.alpn)
            .field("use_os_certs", &self.use_os_certs)
            .field("psk", &self.psk)
            .finish_non_exhaustive()
    }
}

impl TlsSettings {
    /// Whether connections use TLS (a CA source is configured).
    pub fn enabled(&self) -> bool {
        self.cafile.is_some() || self.capath.is_some() || self.use_os_certs
    }

    /// Builds the rustls configuration, reading the certificate and key
    /// files now (as the original does at connect time).
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, TlsError> {
        let base = ring::default_provider();
        let suites = select_suites(&base.cipher_suites, self.ciphers.as_deref())?;
        let provider = Arc::new(CryptoProvider {
            cipher_suites: suites,
            ..base
        });
        let versions: &[&rustls::SupportedProtocolVersion] = match self.min_version {
            MinVersion::Tls12 => &[&rustls::version::TLS13, &rustls::version::TLS12],
            MinVersion::Tls13 => &[&rustls::version::TLS13],
        };
        let trusted = self.load_roots()?;
        let verifier = Verifier::new(trusted, &provider, self.cert_reqs != 0, self.insecure);
        let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_protocol_versions(versions)
            .map_err(|e| TlsError::config(format!("Error: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier));
        let mut config = match (&self.certfile, &self.keyfile) {
            (Some(cert), Some(key)) => {
                let chain = load_cert_chain(cert)?;
                let key = load_key(key, self.password.as_ref())?;
                builder.with_client_auth_cert(chain, key).map_err(|_| {
                    TlsError::config("Error: Client certificate/key are inconsistent.".into())
                })?
            }
            _ => builder.with_no_client_auth(),
        };
        if let Some(alpn) = &self.alpn {
            // The original sends at most 254 bytes of it.
            config.alpn_protocols = vec![alpn[..alpn.len().min(254)].to_vec()];
        }
        Ok(Arc::new(config))
    }

    /// The trusted certificates: OS ones, then the CA file, then the folder.
    fn load_roots(&self) -> Result<Vec<CertificateDer<'static>>, TlsError> {
        let mut roots = Vec::new();
        if self.use_os_certs {
            roots.extend(rustls_native_certs::load_native_certs().certs);
        }
        if let Some(file) = &self.cafile {
            let certs = read_certs(file).unwrap_or_default();
            let added = RootCertStore::empty()
                .add_parsable_certificates(certs.iter().cloned())
                .0;
            roots.extend(certs);
            if added == 0 {
                return Err(TlsError::config(format!(
                    "Error: Unable to load CA certificates, check cafile \"{}\".",
                    file.display()
                )));
            }
        }
        // OpenSSL reads the folder lazily: one that cannot be read (or
        // is not a folder) configures, and then trusts nothing.
        if let Some(entries) = self.capath.as_ref().and_then(|d| std::fs::read_dir(d).ok()) {
            let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            for path in paths.iter().filter(|p| p.is_file()) {
                if let Some(certs) = read_certs(path) {
                    roots.extend(certs);
                }
            }
        }
        Ok(roots)
    }
}

/// Every PEM certificate in `path` (`None` if it cannot be read or parsed).
fn read_certs(path: &Path) -> Option<Vec<CertificateDer<'static>>> {
    CertificateDer::pem_file_iter(path)
        .ok()?
        .collect::<Result<Vec<_>, _>>()
        .ok()
}

/// The client certificate chain.
fn load_cert_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    match read_certs(path) {
        Some(chain) if !chain.is_empty() => Ok(chain),
        _ => Err(TlsError::config(format!(
            "Error: Unable to load client certificate \"{}\".",
            path.display()
        ))),
    }
}

/// The PEM label of a PKCS#8 encrypted key.
const ENCRYPTED_LABEL: &str = "ENCRYPTED PRIVATE KEY";

/// The client private key: PKCS#1 (RSA), SEC1 (EC) or PKCS#8 (any), in
/// plain PEM or encrypted with a password from `password` (asked for only
/// when the key is encrypted): PKCS#8 `ENCRYPTED PRIVATE KEY`, or the
/// legacy OpenSSL format with `Proc-Type`/`DEK-Info` headers (see
/// [`legacy_pem`]). Any failure, a wrong password included, is the
/// original's "Unable to load client key file".
fn load_key(
    path: &Path,
    password: Option<&PasswordSource>,
) -> Result<PrivateKeyDer<'static>, TlsError> {
    let fail = || {
        TlsError::config(format!(
            "Error: Unable to load client key file \"{}\".",
            path.display()
        ))
    };
    let ask = || match password {
        Some(source) => source(),
        None => prompt_password(),
    };
    let text = std::fs::read(path).map_err(|_| fail())?;
    if let Some(block) = pem_block(&text, ENCRYPTED_LABEL) {
        let password = ask().ok_or_else(fail)?;
        let der = decrypt_pkcs8(block, &password);
        wipe(password);
        let der = der.ok_or_else(fail)?;
        return Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der)));
    }
    if let Some(found) = legacy_pem::find_encrypted(&text) {
        // The headers are read before the password is asked for; OpenSSL
        // asks even for a cipher it then cannot use.
        let encrypted = match found {
            Ok(encrypted) => encrypted,
            Err(legacy_pem::HeaderError::UnsupportedCipher(_)) => {
                wipe(ask().unwrap_or_default());
                return Err(fail());
            }
            Err(_) => return Err(fail()),
        };
        let password = ask().ok_or_else(fail)?;
        let key = decrypt_legacy(&encrypted, &password);
        wipe(password);
        return key.ok_or_else(fail);
    }
    PrivateKeyDer::from_pem_slice(&text).map_err(|_| fail())
}

/// Decrypts a legacy encrypted PEM key and checks that what comes out is a
/// key of the kind its label names (as OpenSSL parses it after
/// decrypting): `None` otherwise, e.g. for a wrong password whose padding
/// happened to check out.
pub(crate) fn decrypt_legacy(
    key: &legacy_pem::EncryptedKey,
    password: &[u8],
) -> Option<PrivateKeyDer<'static>> {
    let der = key.decrypt(password)?;
    let key: PrivateKeyDer<'static> = match key.label.as_str() {
        "RSA PRIVATE KEY" => PrivatePkcs1KeyDer::from(der).into(),
        "EC PRIVATE KEY" => PrivateSec1KeyDer::from(der).into(),
        "PRIVATE KEY" => PrivatePkcs8KeyDer::from(der).into(),
        _ => return None,
    };
    ring::default_provider()
        .key_provider
        .load_private_key(key.clone_key())
        .ok()?;
    Some(key)
}

/// Overwrites a password with zeros before its memory is freed.
fn wipe(mut secret: Vec<u8>) {
    secret.iter_mut().for_each(|b| *b = 0);
    // Keep the compiler from dropping the writes as dead stores.
    std::hint::black_box(&secret);
}

/// The first PEM block labelled `label` in `text`, markers included.
fn pem_block<'a>(text: &'a [u8], label: &str) -> Option<&'a [u8]> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = find(text, begin.as_bytes())?;
    let stop = find(&text[start..], end.as_bytes())? + start + end.len();
    Some(&text[start..stop])
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Decrypts a PEM `ENCRYPTED PRIVATE KEY` block into PKCS#8 DER.
pub(crate) fn decrypt_pkcs8(pem: &[u8], password: &[u8]) -> Option<Vec<u8>> {
    let (label, der) = pkcs8::der::pem::decode_vec(pem).ok()?;
    if label != ENCRYPTED_LABEL {
        return None;
    }
    let info = pkcs8::EncryptedPrivateKeyInfo::try_from(der.as_slice()).ok()?;
    let doc = info.decrypt(password).ok()?;
    Some(doc.as_bytes().to_vec())
}

/// OpenSSL's default when no password callback is set: asks on the
/// terminal (stderr) and reads a line from standard input.
fn prompt_password() -> Option<Vec<u8>> {
    let mut err = io::stderr();
    let _ = write!(err, "Enter PEM pass phrase:");
    let _ = err.flush();
    let mut line = String::new();
    io::stdin().lock().read_line(&mut line).ok()?;
    let pw = line.trim_end_matches(['\r', '\n']);
    (!pw.is_empty()).then(|| pw.as_bytes().to_vec())
}

/// OpenSSL's name of a TLS 1.2 suite, split in its `-` components.
fn openssl_name(suite: &SupportedCipherSuite) -> Option<&'static str> {
    use rustls::CipherSuite as C;
    Some(match suite.suite() {
        C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 => "ECDHE-ECDSA-AES128-GCM-SHA256",
        C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 => "ECDHE-ECDSA-AES256-GCM-SHA384",
        C::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 => "ECDHE-ECDSA-CHACHA20-POLY1305",
        C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => "ECDHE-RSA-AES128-GCM-SHA256",
        C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 => "ECDHE-RSA-AES256-GCM-SHA384",
        C::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => "ECDHE-RSA-CHACHA20-POLY1305",
        _ => return None,
    })
}

/// Whether one cipher-list word (a name, an alias, or aliases joined with
/// `+`) selects the suite called `name`.
fn word_matches(word: &str, name: &str) -> bool {
    if word.eq_ignore_ascii_case(name) {
        return true;
    }
    let parts: Vec<&str> = name.split('-').collect();
    word.split('+').all(|alias| {
        let a = alias.to_ascii_uppercase();
        match a.as_str() {
            "ALL" | "DEFAULT" | "HIGH" | "TLSV1.2" | "SSLV3" | "KECDHE" | "ECDH" | "EECDH"
            | "AEAD" | "SHA2" => true,
            "ECDHE" => parts[0] == "ECDHE",
            "AECDSA" | "ECDSA" => parts[1] == "ECDSA",
            "ARSA" | "RSA" => parts[1] == "RSA",
            "AESGCM" => name.contains("-GCM-"),
            "AES" => parts[2].starts_with("AES"),
            "AES128" | "AES256" | "CHACHA20" | "SHA256" | "SHA384" => parts.contains(&a.as_str()),
            _ => false,
        }
    })
}

/// The provider's suites limited by an OpenSSL cipher list: TLS 1.3 suites
/// always stay; TLS 1.2 ones stay when a word of the list selects them and
/// no `!`/`-` word removes them. An error when the list selects no TLS 1.2
/// suite (OpenSSL's "no cipher match").
pub fn select_suites(
    all: &[SupportedCipherSuite],
    ciphers: Option<&str>,
) -> Result<Vec<SupportedCipherSuite>, TlsError> {
    let Some(list) = ciphers else {
        return Ok(all.to_vec());
    };
    let words: Vec<&str> = list
        .split([':', ',', ' ', ';'])
        .filter(|w| !w.is_empty())
        .collect();
    let mut chosen = Vec::new();
    let mut any12 = false;
    for suite in all {
        let Some(name) = openssl_name(suite) else {
            chosen.push(*suite);
            continue;
        };
        let mut selected = false;
        let mut removed = false;
        for w in &words {
            if let Some(rest) = w.strip_prefix(['!', '-']) {
                removed |= word_matches(rest, name);
            } else if !w.starts_with('@') {
                selected |= word_matches(w.trim_start_matches('+'), name);
            }
        }
        if selected && !removed {
            any12 = true;
            chosen.push(*suite);
        }
    }
    if !any12 {
        return Err(TlsError::config(format!(
            "Error: Unable to set TLS ciphers. Check cipher list \"{list}\"."
        )));
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suites(list: &str) -> Result<Vec<String>, TlsError> {
        let all = ring::default_provider().cipher_suites;
        select_suites(&all, Some(list))
            .map(|v| v.iter().map(|s| format!("{:?}", s.suite())).collect())
    }

    #[test]
    fn versions_parse_as_the_original_accepts_them() {
        assert_eq!(MinVersion::parse("tlsv1.2"), Some(MinVersion::Tls12));
        assert_eq!(MinVersion::parse("TLSv1.3"), Some(MinVersion::Tls13));
        assert_eq!(MinVersion::parse("tlsv1.1"), Some(MinVersion::Tls12));
        assert_eq!(MinVersion::parse("tlsv1"), None);
        assert_eq!(MinVersion::parse("sslv3"), None);
    }

    #[test]
    fn cipher_lists_select_tls12_suites_and_keep_tls13() {
        let one = suites("ECDHE-RSA-AES256-GCM-SHA384").unwrap();
        assert!(one.contains(&"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384".to_string()));
        assert!(!one.contains(&"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".to_string()));
        assert!(one.contains(&"TLS13_AES_128_GCM_SHA256".to_string()));
        let ecdsa = suites("HIGH:!aRSA").unwrap();
        assert!(ecdsa.iter().all(|s| !s.contains("_RSA_")));
        assert!(ecdsa.contains(&"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256".to_string()));
        let chacha = suites("ECDHE+CHACHA20").unwrap();
        assert_eq!(
            chacha
                .iter()
                .filter(|s| s.contains("CHACHA20") && !s.starts_with("TLS13"))
                .count(),
            2
        );
        // OpenSSL ignores unknown words as long as something matches...
        assert!(suites("NOPE:ECDHE-ECDSA-AES128-GCM-SHA256").is_ok());
        // ...and fails when nothing does.
        let err = suites("NOPE-CIPHER").unwrap_err();
        assert!(err.to_string().contains("NOPE-CIPHER"), "{err}");
        assert!(suites("RC4-MD5").is_err());
    }

    #[test]
    fn tls_is_enabled_by_a_ca_source_only() {
        let mut s = TlsSettings::default();
        assert!(!s.enabled());
        s.certfile = Some("c.pem".into());
        assert!(!s.enabled());
        s.capath = Some("/etc/ssl/certs".into());
        assert!(s.enabled());
        assert_eq!(TlsSettings::default().cert_reqs, 1);
    }

    #[test]
    fn missing_or_empty_ca_file_fails_to_configure() {
        let dir = std::env::temp_dir().join(format!("mosq-rs-tlscfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let s = TlsSettings {
            cafile: Some(empty.clone()),
            ..TlsSettings::default()
        };
        let err = s.client_config().unwrap_err();
        assert!(
            err.to_string().contains("Unable to load CA certificates"),
            "{err}"
        );
        // An empty CA folder configures (OpenSSL loads it lazily) and then
        // trusts nothing.
        let s = TlsSettings {
            capath: Some(dir.clone()),
            ..TlsSettings::default()
        };
        assert!(s.client_config().is_ok());
        // So does a missing one, or a file named as the folder, beside a
        // CA file (the upstream pair 08-ssl-connect-cert-auth names a
        // folder that does not exist).
        for capath in [dir.join("missing"), empty.clone()] {
            let s = TlsSettings {
                capath: Some(capath),
                ..TlsSettings::default()
            };
            assert!(s.client_config().is_ok());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn pem_blocks_are_found_by_label() {
        let text = b"junk\n-----BEGIN ENCRYPTED PRIVATE KEY-----\nQUJD\n-----END ENCRYPTED PRIVATE KEY-----\nmore";
        let block = pem_block(text, ENCRYPTED_LABEL).unwrap();
        assert!(block.starts_with(b"-----BEGIN"));
        assert!(block.ends_with(b"KEY-----"));
        assert!(pem_block(text, "CERTIFICATE").is_none());
        // Not a valid encrypted key: no panic, just nothing.
        assert!(decrypt_pkcs8(block, b"pw").is_none());
    }

    /// Runs the `openssl` command in `dir`, panicking on failure.
    fn openssl(dir: &Path, args: &[&str]) {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("run openssl");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The OpenSSL option for each legacy cipher, and its `DEK-Info` name.
    const LEGACY_CIPHERS: [(&str, &str); 4] = [
        ("-aes128", "AES-128-CBC"),
        ("-aes192", "AES-192-CBC"),
        ("-aes256", "AES-256-CBC"),
        ("-des3", "DES-EDE3-CBC"),
    ];

    /// A folder with an RSA and an EC key, each in plain traditional PEM
    /// (`rsa.pem`, `ec.pem`) and encrypted by `openssl` in the legacy
    /// format with the password "secret" (`rsa-aes128.pem`, ...).
    fn legacy_keys() -> &'static Path {
        static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
        DIR.get_or_init(|| {
            // Under target/ (one folder per run), as the integration tests
            // keep theirs.
            let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/test-scratch/legacy-pem")
                .join(std::process::id().to_string());
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            openssl(&dir, &["genrsa", "-out", "rsa8.pem", "2048"]);
            openssl(
                &dir,
                &["rsa", "-in", "rsa8.pem", "-traditional", "-out", "rsa.pem"],
            );
            let curve = ["ecparam", "-name", "prime256v1", "-genkey", "-noout"];
            openssl(&dir, &[&curve[..], &["-out", "ec.pem"]].concat());
            for (opt, _) in LEGACY_CIPHERS {
                let name = &opt[1..];
                let (rsa, ec) = (format!("rsa-{name}.pem"), format!("ec-{name}.pem"));
                let pass = ["-passout", "pass:secret"];
                let rsa_args = ["rsa", "-in", "rsa.pem", opt, "-traditional", "-out", &rsa];
                openssl(&dir, &[&rsa_args[..], &pass[..]].concat());
                let ec_args = ["ec", "-in", "ec.pem", opt, "-out", &ec];
                openssl(&dir, &[&ec_args[..], &pass[..]].concat());
            }
            dir
        })
    }

    /// A password source giving `pw`, counting how often it is asked.
    fn source(pw: &'static str) -> (PasswordSource, Arc<std::sync::atomic::AtomicUsize>) {
        let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = Arc::clone(&asked);
        let src: PasswordSource = Arc::new(move || {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Some(pw.as_bytes().to_vec())
        });
        (src, asked)
    }

    fn plain_key(path: &Path) -> Vec<u8> {
        let key = load_key(path, None).unwrap();
        key.secret_der().to_vec()
    }

    #[test]
    fn legacy_encrypted_keys_from_openssl_decrypt_with_each_cipher() {
        let dir = legacy_keys();
        let plain_rsa = plain_key(&dir.join("rsa.pem"));
        let plain_ec = plain_key(&dir.join("ec.pem"));
        for (opt, dek) in LEGACY_CIPHERS {
            for (kind, plain) in [("rsa", &plain_rsa), ("ec", &plain_ec)] {
                let path = dir.join(format!("{kind}-{}.pem", &opt[1..]));
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(text.contains("Proc-Type: 4,ENCRYPTED"), "{text}");
                assert!(text.contains(&format!("DEK-Info: {dek},")), "{text}");
                let (pw, asked) = source("secret");
                let key = load_key(&path, Some(&pw)).unwrap_or_else(|e| panic!("{path:?}: {e}"));
                assert_eq!(key.secret_der(), &plain[..], "{path:?}");
                match (kind, &key) {
                    ("rsa", PrivateKeyDer::Pkcs1(_)) | ("ec", PrivateKeyDer::Sec1(_)) => {}
                    _ => panic!("{path:?}: wrong key kind {key:?}"),
                }
                assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 1);
            }
        }
    }

    #[test]
    fn pkcs8_keys_encrypted_with_des3_load() {
        // `openssl pkcs8 -topk8 -v2 des3`, as upstream's client-encrypted.key.
        let dir = legacy_keys();
        let path = dir.join("rsa-pkcs8-des3.pem");
        let out = path.to_str().unwrap();
        let args = [
            "pkcs8", "-topk8", "-in", "rsa.pem", "-v2", "des3", "-out", out,
        ];
        openssl(dir, &[&args[..], &["-passout", "pass:secret"]].concat());
        let (pw, _) = source("secret");
        let key = load_key(&path, Some(&pw)).unwrap_or_else(|e| panic!("{e}"));
        let again = PrivateKeyDer::from_pem_slice(&std::fs::read(dir.join("rsa8.pem")).unwrap());
        assert!(matches!(key, PrivateKeyDer::Pkcs8(_)));
        assert_eq!(key.secret_der(), again.unwrap().secret_der());
        let (wrong, _) = source("wrong");
        assert!(load_key(&path, Some(&wrong)).is_err());
    }

    #[test]
    fn legacy_keys_with_a_wrong_or_no_password_fail_to_load() {
        let dir = legacy_keys();
        for (opt, _) in LEGACY_CIPHERS {
            for kind in ["rsa", "ec"] {
                let path = dir.join(format!("{kind}-{}.pem", &opt[1..]));
                for wrong in ["wrong", "secret2", "Secret", ""] {
                    let (pw, _) = source(wrong);
                    let err = load_key(&path, Some(&pw)).unwrap_err();
                    assert_eq!(
                        err.message,
                        format!(
                            "Error: Unable to load client key file \"{}\".",
                            path.display()
                        )
                    );
                    assert!(err.handshake);
                }
                let none: PasswordSource = Arc::new(|| None);
                assert!(load_key(&path, Some(&none)).is_err());
            }
        }
    }

    #[test]
    fn unsupported_legacy_ciphers_fail_before_asking_for_a_password() {
        let dir = legacy_keys();
        let text = std::fs::read_to_string(dir.join("rsa-aes128.pem")).unwrap();
        let start = text.find("DEK-Info: ").unwrap();
        let end = start + text[start..].find('\n').unwrap();
        // OpenSSL 3 reads DES-CBC keys only with its legacy provider, which
        // the original does not load: it asks for the password, then fails.
        // A name it does not know fails before that.
        let cases = [
            ("DEK-Info: DES-CBC,0011223344556677", 1),
            ("DEK-Info: BF-CBC,0011223344556677", 1),
            ("DEK-Info: FOO-CBC,0011223344556677", 0),
        ];
        for (header, asks) in cases {
            let path = dir.join("rsa-unsupported.pem");
            std::fs::write(&path, format!("{}{header}{}", &text[..start], &text[end..])).unwrap();
            let (pw, asked) = source("secret");
            assert!(load_key(&path, Some(&pw)).is_err(), "{header}");
            let count = asked.load(std::sync::atomic::Ordering::SeqCst);
            assert_eq!(count, asks, "{header}");
        }
        // A body that is not base64 fails too.
        let damaged = text.replacen("\n\n", "\n\n!", 1);
        let path = dir.join("rsa-damaged.pem");
        std::fs::write(&path, damaged).unwrap();
        let (pw, _) = source("secret");
        assert!(load_key(&path, Some(&pw)).is_err());
    }
}
