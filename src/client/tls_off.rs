//! TLS in a build without the `tls` feature: connections stay plain and
//! `mosquitto_tls_psk_set` is `NotSupported`, as in the original built
//! without TLS. (The other TLS setters: `tls_settings_off.rs`.)

use std::sync::Arc;

use super::error::ClientError;
use super::Client;
use crate::transport::{Stream, TlsSettings};

impl Client {
    /// `raw` unchanged: no setting can ask for TLS in this build.
    pub(super) fn start_tls(
        raw: Arc<Stream>,
        _tls: Option<&TlsSettings>,
        _host: &str,
    ) -> Result<Arc<Stream>, ClientError> {
        Ok(raw)
    }

    /// Nothing to log: no TLS failure happens in this build.
    pub(super) fn log_tls_error(&self, _err: &ClientError) {}

    /// `mosquitto_tls_psk_set`: `NotSupported` (no TLS in this build).
    pub fn set_psk(
        &self,
        _hex: &str,
        _identity: &[u8],
        _ciphers: Option<String>,
    ) -> Result<(), ClientError> {
        Err(ClientError::NotSupported)
    }
}
