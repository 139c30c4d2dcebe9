//! [`WsSettings`], what the WebSocket options record. It is in every build
//! (without the `websockets` feature it is never enabled), so the client's
//! state is the same with and without WebSockets.

/// The `MOSQ_OPT_TRANSPORT`, `MOSQ_OPT_HTTP_PATH` and
/// `MOSQ_OPT_HTTP_HEADER_SIZE` settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WsSettings {
    /// `MOSQ_T_WEBSOCKETS` was chosen.
    pub enabled: bool,
    /// The upgrade request's path; `None` means "/mqtt".
    pub http_path: Option<Vec<u8>>,
    /// The largest answer header accepted, in bytes.
    pub header_size: usize,
}

impl Default for WsSettings {
    fn default() -> Self {
        WsSettings {
            enabled: false,
            http_path: None,
            header_size: 4096,
        }
    }
}
