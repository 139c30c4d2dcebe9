//! Putting TLS on a new connection, and reporting TLS failures to the log
//! callback as the original does (as errors).

use std::sync::Arc;

use super::error::ClientError;
use super::{Client, LogLevel};
use crate::transport::{Stream, TlsSettings, TlsStream};

impl Client {
    /// Wraps the connected (or connecting) `raw` socket in TLS to `host`
    /// when `tls` asks for it; `raw` unchanged otherwise. The rustls
    /// configuration is built (and its files read) now, as the original
    /// sets up its `SSL_CTX` at connect time.
    pub(super) fn start_tls(
        raw: Arc<Stream>,
        tls: Option<&TlsSettings>,
        host: &str,
    ) -> Result<Arc<Stream>, ClientError> {
        let Some(tls) = tls else {
            return Ok(raw);
        };
        if let Some(psk) = Client::start_psk(&raw, tls, host)? {
            return Ok(psk);
        }
        if !tls.enabled() {
            return Ok(raw);
        }
        let config = tls.client_config()?;
        let stream = TlsStream::new(raw, config, host)?;
        Ok(Arc::new(Stream::Tls(Box::new(stream))))
    }

    /// Logs why TLS failed, one call per line, if `err` is a TLS failure
    /// (no lock held).
    pub(super) fn log_tls_error(&self, err: &ClientError) {
        if let ClientError::Tls(e) = err {
            for line in e.message.lines() {
                self.emit_log(LogLevel::Error, line);
            }
        }
    }
}
