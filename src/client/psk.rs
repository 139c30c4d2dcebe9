//! `mosquitto_tls_psk_set`: storing the pre-shared key, and putting a TLS
//! 1.3 PSK session on a new connection (see `crate::transport::psk`).

use std::sync::Arc;

use super::error::ClientError;
use super::Client;
use crate::ffi::constants::MOSQ_LOG_ERR;
use crate::ffi::dispatch;
use crate::transport::psk::{check_ciphers, is_hex};
use crate::transport::{PskSettings, PskStream, Stream, TlsError, TlsSettings};

impl Client {
    /// Stores a pre-shared key (hexadecimal digits) and identity for the
    /// next connects, and `ciphers` as the cipher list (replacing the one
    /// of `mosquitto_tls_opts_set`, as the original shares it).
    ///
    /// [`ClientError::Inval`] for a key with a non-hex digit, as the
    /// original; [`ClientError::NotSupported`] (and a log line) for a
    /// cipher list naming only TLS 1.2 PSK suites: PSK here is TLS 1.3.
    pub fn set_psk(
        &self,
        hex: &str,
        identity: &[u8],
        ciphers: Option<String>,
    ) -> Result<(), ClientError> {
        if !is_hex(hex) {
            return Err(ClientError::Inval);
        }
        if let Some(Err(line)) = ciphers.as_deref().map(check_ciphers) {
            dispatch::log(self, MOSQ_LOG_ERR, &line);
            return Err(ClientError::NotSupported);
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
        if let Some(Err(line)) = tls.ciphers.as_deref().map(check_ciphers) {
            return Err(TlsError::config(line).into());
        }
        let stream = PskStream::new(Arc::clone(raw), psk, host)?;
        Ok(Some(Arc::new(Stream::Psk(Box::new(stream)))))
    }
}
