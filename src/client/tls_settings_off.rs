//! The TLS setters in a build without the `tls` feature: each is
//! `NotSupported`, what the original built without TLS returns for
//! `mosquitto_tls_set`, `mosquitto_tls_insecure_set`,
//! `mosquitto_tls_opts_set` and the TLS options.

use std::path::PathBuf;

use super::{Client, ClientError};
use crate::transport::PasswordSource;

/// What `mosquitto_tls_set` names (unused in this build).
#[derive(Clone, Debug, Default)]
pub struct TlsFiles {
    /// CA certificates in one PEM file.
    pub cafile: Option<PathBuf>,
    /// A folder of CA certificates.
    pub capath: Option<PathBuf>,
    /// The client certificate.
    pub certfile: Option<PathBuf>,
    /// The client certificate's key.
    pub keyfile: Option<PathBuf>,
}

impl Client {
    /// `mosquitto_tls_set`: `NotSupported`.
    pub fn set_tls(
        &self,
        _files: TlsFiles,
        _password: Option<PasswordSource>,
    ) -> Result<(), ClientError> {
        Err(ClientError::NotSupported)
    }

    /// `mosquitto_tls_insecure_set`: `NotSupported`.
    pub fn set_tls_insecure(&self, _insecure: bool) -> Result<(), ClientError> {
        Err(ClientError::NotSupported)
    }

    /// `mosquitto_tls_opts_set`: `NotSupported`.
    pub fn set_tls_opts(
        &self,
        _cert_reqs: i32,
        _version: Option<&str>,
        _ciphers: Option<String>,
    ) -> Result<(), ClientError> {
        Err(ClientError::NotSupported)
    }

    /// `MOSQ_OPT_TLS_USE_OS_CERTS`: `NotSupported`.
    pub fn set_tls_use_os_certs(&self, _on: bool) -> Result<(), ClientError> {
        Err(ClientError::NotSupported)
    }

    /// `MOSQ_OPT_TLS_ALPN`: `NotSupported`.
    pub fn set_tls_alpn(&self, _alpn: Option<&[u8]>) -> Result<(), ClientError> {
        Err(ClientError::NotSupported)
    }

    /// `MOSQ_OPT_TLS_OCSP_REQUIRED`: `NotSupported`.
    pub fn set_tls_ocsp_required(&self, _required: bool) -> Result<(), ClientError> {
        Err(ClientError::NotSupported)
    }

    /// `MOSQ_OPT_TLS_KEYFORM`: `NotSupported`.
    pub fn set_tls_keyform(&self, _keyform: Option<&[u8]>) -> Result<(), ClientError> {
        Err(ClientError::NotSupported)
    }

    /// `MOSQ_OPT_TLS_ENGINE` and `MOSQ_OPT_TLS_ENGINE_KPASS_SHA1`:
    /// `NotSupported`.
    pub fn set_tls_engine(&self) -> Result<(), ClientError> {
        Err(ClientError::NotSupported)
    }

    /// `MOSQ_OPT_SSL_CTX`: `NotSupported`, with or without a context.
    pub fn set_ssl_ctx(&self, _has_context: bool) -> Result<(), ClientError> {
        Err(ClientError::NotSupported)
    }

    /// `MOSQ_OPT_SSL_CTX_WITH_DEFAULTS`: `NotSupported`.
    pub fn set_ssl_ctx_with_defaults(&self, _on: bool) -> Result<(), ClientError> {
        Err(ClientError::NotSupported)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tls_setter_is_not_supported() {
        let c = Client::new(None, true);
        let not_supported =
            |r: Result<(), ClientError>| matches!(r, Err(ClientError::NotSupported));
        assert!(not_supported(c.set_tls(TlsFiles::default(), None)));
        assert!(not_supported(c.set_tls_insecure(true)));
        assert!(not_supported(c.set_tls_opts(1, None, None)));
        assert!(not_supported(c.set_tls_use_os_certs(true)));
        assert!(not_supported(c.set_tls_alpn(Some(b"mqtt"))));
        assert!(not_supported(c.set_tls_ocsp_required(false)));
        assert!(not_supported(c.set_tls_keyform(Some(b"pem"))));
        assert!(not_supported(c.set_tls_engine()));
        assert!(not_supported(c.set_ssl_ctx(false)));
        assert!(not_supported(c.set_ssl_ctx_with_defaults(true)));
        assert!(not_supported(c.set_psk("abcd", b"id", None)));
    }
}
