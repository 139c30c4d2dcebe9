//! WebSockets in a build without the `websockets` feature:
//! `MOSQ_OPT_TRANSPORT` refuses `MOSQ_T_WEBSOCKETS` with `NotSupported`,
//! as the original does for a feature it was built without, and
//! connections stay plain MQTT.

use std::sync::Arc;

use super::error::ClientError;
use super::Client;
use crate::transport::{Stream, WsSettings};

impl Client {
    /// `MOSQ_OPT_TRANSPORT`: plain MQTT (false) is accepted, WebSockets
    /// (true) is `NotSupported`.
    pub fn set_websockets(&self, on: bool) -> Result<(), ClientError> {
        if on {
            Err(ClientError::NotSupported)
        } else {
            Ok(())
        }
    }

    /// `stream` unchanged: no setting can ask for WebSockets here.
    pub(super) fn start_websocket(
        stream: Arc<Stream>,
        _ws: Option<&WsSettings>,
        _host: &str,
        _port: u16,
    ) -> Result<Arc<Stream>, ClientError> {
        Ok(stream)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websockets_are_not_supported_and_tcp_is_accepted() {
        let c = Client::new(None, true);
        assert!(matches!(
            c.set_websockets(true),
            Err(ClientError::NotSupported)
        ));
        assert!(c.set_websockets(false).is_ok());
    }
}
