//! The broker's certificate check, as the original (OpenSSL plus its own
//! host name check) accepts certificates, on top of webpki's chain check.
//!
//! - The chain (signatures, validity, path to a trusted certificate, the
//!   server purpose) is webpki's.
//! - A self-signed certificate that is itself in the trusted set (the
//!   broker's own certificate given as `cafile`, `CA:TRUE` or not) is its
//!   own anchor, as OpenSSL has it: it is trusted when it is byte for byte
//!   one of the trusted certificates, within its validity period, and its
//!   key usages allow a TLS server. (OpenSSL does not check the signature
//!   of a trusted self-signed certificate; the handshake signature still
//!   proves that the broker holds its key.)
//! - A certificate that webpki refuses only for its form, an X.509 v1
//!   certificate (what `openssl x509 -req` makes without extensions) or
//!   one marked `CA:TRUE`, is accepted as OpenSSL accepts it when a
//!   trusted CA certificate signed it directly: the signature is checked
//!   with that CA's key, both are within their validity, the CA may sign
//!   certificates, and the key usages allow a TLS server.
//! - The name check is the original's: subjectAltName DNS names and IP
//!   addresses, then the first Common Name when there is no DNS name
//!   (see [`CertInfo::matches_host`]). `insecure` skips it.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::verify_server_cert_signed_by_trust_anchor;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, Error as RustlsError, RootCertStore};
use rustls::{OtherError, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use super::x509::CertInfo;

/// keyUsage keyCertSign, as [`CertInfo::key_usage`] holds it.
const KU_KEY_CERT_SIGN: u16 = 0x0004;

/// Checks the broker's certificate as the settings ask.
#[derive(Debug)]
pub struct Verifier {
    /// The trust anchors; `None` when no CA is trusted.
    roots: Option<Arc<RootCertStore>>,
    /// The trusted certificates themselves.
    trusted: Vec<CertificateDer<'static>>,
    /// `cert_reqs` != 0.
    verify: bool,
    /// Skip the name check only.
    insecure: bool,
    /// For certificate and handshake signatures.
    algorithms: WebPkiSupportedAlgorithms,
}

impl Verifier {
    /// A verifier trusting `trusted` (every certificate that parses as a
    /// trust anchor becomes one).
    pub fn new(
        trusted: Vec<CertificateDer<'static>>,
        provider: &Arc<CryptoProvider>,
        verify: bool,
        insecure: bool,
    ) -> Verifier {
        let mut roots = RootCertStore::empty();
        roots.add_parsable_certificates(trusted.iter().cloned());
        Verifier {
            roots: (!roots.is_empty()).then(|| Arc::new(roots)),
            trusted,
            verify,
            insecure,
            algorithms: provider.signature_verification_algorithms,
        }
    }

    /// The chain check, before the name check.
    fn check_chain(
        &self,
        end_entity: &CertificateDer<'_>,
        info: &CertInfo,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), RustlsError> {
        let Some(roots) = &self.roots else {
            return Err(CertificateError::UnknownIssuer.into());
        };
        if info.self_issued() && self.trusted.iter().any(|t| t[..] == end_entity[..]) {
            within_validity(info, now)?;
            return server_purpose(info);
        }
        let webpki = ParsedCertificate::try_from(end_entity).and_then(|parsed| {
            verify_server_cert_signed_by_trust_anchor(
                &parsed,
                roots,
                intermediates,
                now,
                self.algorithms.all,
            )
        });
        match webpki {
            Err(e) if refused_for_form(&e) => self.signed_by_trusted(info, now).map_err(|_| e),
            other => other,
        }
    }

    /// Whether a trusted CA certificate signed `info` directly, with both
    /// valid now and `info` fit for a TLS server (see the module doc).
    fn signed_by_trusted(&self, info: &CertInfo, now: UnixTime) -> Result<(), RustlsError> {
        within_validity(info, now)?;
        server_purpose(info)?;
        for ca in self.trusted.iter().filter_map(|t| CertInfo::parse(t)) {
            if ca.subject != info.issuer
                || !(ca.version == 1 || ca.is_ca == Some(true))
                || ca.key_usage.is_some_and(|k| k & KU_KEY_CERT_SIGN == 0)
                || within_validity(&ca, now).is_err()
            {
                continue;
            }
            let signed = self.algorithms.all.iter().any(|alg| {
                alg.signature_alg_id().as_ref() == info.signature_algorithm.as_slice()
                    && alg.public_key_alg_id().as_ref() == ca.key_algorithm.as_slice()
                    && alg
                        .verify_signature(&ca.public_key, &info.tbs, &info.signature)
                        .is_ok()
            });
            if signed {
                return Ok(());
            }
        }
        Err(CertificateError::UnknownIssuer.into())
    }
}

impl Verifier {
    /// The handshake signature of a broker whose certificate webpki cannot
    /// read for its form (see [`refused_for_form`]; the certificate was
    /// accepted by [`Verifier::check_chain`]): checked with the key read by
    /// [`CertInfo`], with an algorithm that `dss`'s scheme allows (in TLS
    /// 1.3, not PKCS#1 v1.5 or SHA-1). Other failures stay `refusal`.
    fn signature_by_hand(
        &self,
        refusal: RustlsError,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
        tls13: bool,
    ) -> Result<HandshakeSignatureValid, RustlsError> {
        if !refused_for_form(&refusal) {
            return Err(refusal);
        }
        let Some(info) = CertInfo::parse(cert) else {
            return Err(refusal);
        };
        use SignatureScheme as S;
        let allowed = !tls13
            || matches!(
                dss.scheme,
                S::ECDSA_NISTP256_SHA256
                    | S::ECDSA_NISTP384_SHA384
                    | S::ECDSA_NISTP521_SHA512
                    | S::RSA_PSS_SHA256
                    | S::RSA_PSS_SHA384
                    | S::RSA_PSS_SHA512
                    | S::ED25519
                    | S::ED448
            );
        let algorithms = self
            .algorithms
            .mapping
            .iter()
            .filter(|(scheme, _)| allowed && *scheme == dss.scheme)
            .flat_map(|(_, algs)| algs.iter());
        for alg in algorithms {
            if alg.public_key_alg_id().as_ref() == info.key_algorithm.as_slice()
                && alg
                    .verify_signature(&info.public_key, message, dss.signature())
                    .is_ok()
            {
                return Ok(HandshakeSignatureValid::assertion());
            }
        }
        Err(RustlsError::InvalidCertificate(
            CertificateError::BadSignature,
        ))
    }
}

/// Whether webpki refused a certificate only for its form (X.509 v1, or a
/// CA certificate used by a server), which OpenSSL accepts.
fn refused_for_form(e: &RustlsError) -> bool {
    let RustlsError::InvalidCertificate(CertificateError::Other(OtherError(inner))) = e else {
        return false;
    };
    matches!(
        inner.downcast_ref::<webpki::Error>(),
        Some(webpki::Error::UnsupportedCertVersion | webpki::Error::CaUsedAsEndEntity)
    )
}

/// Whether `now` is within the certificate's validity period.
fn within_validity(info: &CertInfo, now: UnixTime) -> Result<(), RustlsError> {
    let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    if now < info.not_before {
        Err(CertificateError::NotValidYet.into())
    } else if now > info.not_after {
        Err(CertificateError::Expired.into())
    } else {
        Ok(())
    }
}

/// OpenSSL's "SSL server" purpose for the broker's certificate.
fn server_purpose(info: &CertInfo) -> Result<(), RustlsError> {
    if info.allows_tls_server() {
        Ok(())
    } else {
        Err(CertificateError::InvalidPurpose.into())
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, RustlsError> {
        if !self.verify {
            return Ok(ServerCertVerified::assertion());
        }
        let info = CertInfo::parse(end_entity).ok_or(RustlsError::InvalidCertificate(
            CertificateError::BadEncoding,
        ))?;
        self.check_chain(end_entity, &info, intermediates, now)?;
        if !self.insecure && !info.matches_host(&server_name.to_str()) {
            return Err(CertificateError::NotValidForName.into());
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, RustlsError> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
            .or_else(|e| self.signature_by_hand(e, message, cert, dss, false))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, RustlsError> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
            .or_else(|e| self.signature_by_hand(e, message, cert, dss, true))
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls_pki_types::pem::PemObject;
    use std::path::{Path, PathBuf};

    /// A self-signed certificate for CN=localhost from Debian's `openssl
    /// req -x509` (marked CA:TRUE), in a fresh folder.
    fn self_signed(dir: &Path, name: &str) -> CertificateDer<'static> {
        let (key, crt) = (format!("{name}.key"), format!("{name}.crt"));
        let out = std::process::Command::new("openssl")
            .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
            .args([
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-subj",
                "/CN=localhost",
            ])
            .args(["-days", "30", "-keyout", &key, "-out", &crt])
            .current_dir(dir)
            .output()
            .expect("run openssl");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        CertificateDer::from_pem_file(dir.join(crt)).unwrap()
    }

    #[test]
    fn a_trusted_self_signed_certificate_is_its_own_anchor() {
        let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/test-scratch/tls-verify")
            .join(std::process::id().to_string());
        std::fs::create_dir_all(&dir).unwrap();
        let (cert, other) = (self_signed(&dir, "a"), self_signed(&dir, "b"));
        assert_eq!(CertInfo::parse(&cert).unwrap().is_ca, Some(true));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let check = |trusted: &CertificateDer<'static>, host: &str, insecure: bool| {
            let v = Verifier::new(vec![trusted.clone()], &provider, true, insecure);
            let name = ServerName::try_from(host.to_string()).unwrap();
            v.verify_server_cert(&cert, &[], &name, &[], UnixTime::now())
                .map(|_| ())
        };
        assert!(check(&cert, "localhost", false).is_ok());
        assert!(check(&cert, "LOCALHOST", false).is_ok());
        assert_eq!(
            check(&cert, "127.0.0.1", false),
            Err(CertificateError::NotValidForName.into())
        );
        assert!(check(&cert, "127.0.0.1", true).is_ok());
        // Another self-signed certificate of the same name is no anchor,
        // insecure or not; and webpki alone refuses a CA:TRUE one.
        assert!(check(&other, "localhost", false).is_err());
        assert!(check(&other, "localhost", true).is_err());
        let mut roots = RootCertStore::empty();
        roots.add(cert.clone()).unwrap();
        let parsed = ParsedCertificate::try_from(&cert).unwrap();
        let algs = provider.signature_verification_algorithms.all;
        let webpki =
            verify_server_cert_signed_by_trust_anchor(&parsed, &roots, &[], UnixTime::now(), algs);
        assert!(webpki.is_err());
        // Expired (checked one year on).
        let v = Verifier::new(vec![cert.clone()], &provider, true, false);
        let later = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            UnixTime::now().as_secs() + 365 * 86_400,
        ));
        let name = ServerName::try_from("localhost").unwrap();
        assert!(v.verify_server_cert(&cert, &[], &name, &[], later).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
