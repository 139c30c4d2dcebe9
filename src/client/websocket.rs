//! Putting WebSocket on a new connection (`MOSQ_OPT_TRANSPORT` =
//! `MOSQ_T_WEBSOCKETS`), over TCP or over TLS.

use std::sync::Arc;

use super::error::ClientError;
use super::Client;
use crate::transport::{Stream, WsSettings, WsStream};

impl Client {
    /// `MOSQ_OPT_TRANSPORT`: WebSockets (true) or plain MQTT (false).
    pub fn set_websockets(&self, on: bool) -> Result<(), ClientError> {
        self.with_state(|st| st.websockets.get_mut().enabled = on);
        Ok(())
    }

    /// Wraps `stream` (already in TLS when TLS is configured) in the
    /// WebSocket layer for `host`:`port` when `ws` asks for it; `stream`
    /// unchanged otherwise.
    pub(super) fn start_websocket(
        stream: Arc<Stream>,
        ws: Option<&WsSettings>,
        host: &str,
        port: u16,
    ) -> Result<Arc<Stream>, ClientError> {
        let Some(ws) = ws.filter(|w| w.enabled) else {
            return Ok(stream);
        };
        let tls = matches!(*stream, Stream::Tls(_));
        let ws = WsStream::new(stream, ws, host, port, tls)?;
        Ok(Arc::new(Stream::Ws(Box::new(ws))))
    }
}
