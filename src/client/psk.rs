//! `mosquitto_tls_psk_set`: storing the pre-shared key, and putting a TLS
//! 1.3 PSK session on a new connection (see `crate::transport::psk`).

use std::sync::Arc;

use super::error::ClientError;
use super::events::LogLevel;
use super::Client;
use crate::transport::psk::{is_hex, names_only_tls12_psk, tls12_only_warning};
use crate::transport::{PskSettings, PskStream, Stream, TlsSettings};

impl Client {
    /// Stores a pre-shared key (hexadecimal digits) and identity for the
    /// next connects, and `ciphers` as the cipher list (replacing the one
    /// of `mosquitto_tls_opts_set`, as the original shares it).
    ///
    /// [`ClientError::Inval`] for a key with a non-hex digit, as the
    /// original. A cipher list naming only TLS 1.2 PSK suites is accepted
    /// with a warning: the connection is TLS 1.3 all the same, as with
    /// the original (OpenSSL's cipher list governs TLS 1.2 only).
    pub fn set_psk(
        &self,
        hex: &str,
        identity: &[u8],
        ciphers: Option<String>,
    ) -> Result<(), ClientError> {
        if !is_hex(hex) {
            return Err(ClientError::Inval);
        }
        if let Some(list) = ciphers.as_deref().filter(|c| names_only_tls12_psk(c)) {
            self.emit_log(LogLevel::Warning, &tls12_only_warning(list));
        }
        self.with_state(|st| {
            let tls = st.tls.get_mut();
            tls.psk = Some(PskSettings {
                hex: hex.to_string(),
                identity: identity.to_vec(),
            });
            tls.ciphers = ciphers;
        });
        Ok(())
    }

    /// Wraps `raw` in a PSK session to `host` when `tls` has a key and no
    /// certificate TLS (which the original prefers when both are set).
    /// `Ok(None)` when there is no key.
    pub(super) fn start_psk(
        raw: &Arc<Stream>,
        tls: &TlsSettings,
        host: &str,
    ) -> Result<Option<Arc<Stream>>, ClientError> {
        let Some(psk) = tls.psk.as_ref().filter(|_| !tls.enabled()) else {
            return Ok(None);
        };
        let stream = PskStream::new(Arc::clone(raw), psk, host)?;
        Ok(Some(Arc::new(Stream::Psk(Box::new(stream)))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_psk_checks_the_key_and_stores_it_with_the_cipher_list() {
        let c = Client::new(None, true);
        assert!(matches!(
            c.set_psk("12zz", b"id", None),
            Err(ClientError::Inval)
        ));
        assert!(c.with_state(|st| st.tls.get_mut().psk.is_none()));
        // A TLS 1.2 PSK list is accepted (with a warning), as the original.
        c.set_psk("DEADbeef", b"dev1", Some("PSK-AES128-GCM-SHA256".into()))
            .unwrap();
        c.with_state(|st| {
            let tls = st.tls.get_mut();
            let psk = tls.psk.as_ref().unwrap();
            assert_eq!(psk.hex, "DEADbeef");
            assert_eq!(psk.identity, b"dev1");
            assert_eq!(tls.ciphers.as_deref(), Some("PSK-AES128-GCM-SHA256"));
            // Not certificate TLS: the key is what a connect uses.
            assert!(!tls.enabled());
        });
    }

    #[test]
    fn certificate_tls_wins_over_a_key() {
        let raw = Arc::new(Stream::Unix(
            std::os::unix::net::UnixStream::pair().unwrap().0,
        ));
        let mut tls = TlsSettings {
            psk: Some(PskSettings {
                hex: "abcd".into(),
                identity: b"id".to_vec(),
            }),
            ..TlsSettings::default()
        };
        let s = Client::start_psk(&raw, &tls, "h").unwrap().unwrap();
        assert!(matches!(*s, Stream::Psk(_)));
        tls.cafile = Some("/nonexistent".into());
        assert!(Client::start_psk(&raw, &tls, "h").unwrap().is_none());
    }
}
