//! The client's options as typed setters: what `mosquitto_int_option`,
//! `mosquitto_string_option`, `mosquitto_reconnect_delay_set` and
//! `mosquitto_socks5_set` store, with the original's range checks. The C
//! API turns option numbers into calls of these.

use crate::protocol::packet::ProtocolVersion;
use crate::session::QueuePolicy;

use super::{Client, ClientError, ReconnectDelay, Socks5Proxy};

/// The most bytes of a SOCKS5 host name the original accepts.
const MAX_SOCKS5_HOST: usize = 256;
/// The most bytes of a SOCKS5 user name or password (one length byte).
const MAX_SOCKS5_FIELD: usize = 255;

/// One of this library's queue extensions (`MOSQ_OPT_RS_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueOption {
    /// Most queued messages (0: unlimited).
    MaxMessages,
    /// Most KiB of queued topics and payloads (0: unlimited).
    MaxKib,
    /// 0: refuse a message when full, 1: drop the oldest.
    Policy,
    /// Milliseconds a disconnect lets the queue drain (0: none).
    DisconnectFlushMs,
}

/// An in-flight limit as the original takes it: 0 to 65,535 (the session
/// reads 0 as "no limit").
fn inflight_value(value: i32) -> Result<u16, ClientError> {
    u16::try_from(value).map_err(|_| ClientError::Inval)
}

impl Client {
    /// `MOSQ_OPT_PROTOCOL_VERSION`.
    pub fn set_protocol_version(&self, version: ProtocolVersion) {
        self.with_state(|st| st.session.config_mut().version = version);
    }

    /// `MOSQ_OPT_RECEIVE_MAXIMUM`: 0 to 65,535 (`Inval` otherwise).
    pub fn set_receive_maximum(&self, value: i32) -> Result<(), ClientError> {
        let value = inflight_value(value)?;
        self.with_state(|st| st.session.set_receive_maximum(value));
        Ok(())
    }

    /// `MOSQ_OPT_SEND_MAXIMUM` and `mosquitto_max_inflight_messages_set`:
    /// 0 to 65,535 (`Inval` otherwise).
    pub fn set_send_maximum(&self, value: i32) -> Result<(), ClientError> {
        let value = inflight_value(value)?;
        self.with_state(|st| st.session.set_send_maximum(value));
        Ok(())
    }

    /// `MOSQ_OPT_TCP_NODELAY`.
    pub fn set_tcp_nodelay(&self, on: bool) {
        self.with_state(|st| st.tcp_nodelay = on);
    }

    /// `MOSQ_OPT_DISABLE_SOCKETPAIR`: disabling drops the loop's wake-up
    /// pair; enabled, the pair is made when a loop first needs it.
    pub fn set_socketpair_disabled(&self, disabled: bool) {
        self.with_state(|st| {
            st.wake_disabled = disabled;
            if disabled {
                st.wake = None;
            }
        });
    }

    /// `MOSQ_OPT_HTTP_HEADER_SIZE`: at least 100 bytes, and not while an
    /// upgrade reads its answer (`Inval`), as the original.
    pub fn set_http_header_size(&self, size: i32) -> Result<(), ClientError> {
        self.with_state(|st| {
            let during_upgrade = st.link.as_ref().is_some_and(|l| l.stream.ws_handshaking());
            if size < 100 || during_upgrade {
                return Err(ClientError::Inval);
            }
            st.websockets.get_mut().header_size = size as usize;
            Ok(())
        })
    }

    /// `MOSQ_OPT_HTTP_PATH`: `None` goes back to the default ("/mqtt").
    pub fn set_http_path(&self, path: Option<&[u8]>) {
        self.with_state(|st| st.websockets.get_mut().http_path = path.map(<[u8]>::to_vec));
    }

    /// `MOSQ_OPT_BIND_ADDRESS` (`None` clears it). The original keeps any
    /// bytes; a name that is not UTF-8 cannot resolve, so a lossy copy
    /// fails the same way at connect time.
    pub fn set_bind_address(&self, address: Option<&[u8]>) {
        let address = address.map(|v| String::from_utf8_lossy(v).into_owned());
        self.with_state(|st| st.target.bind_address = address);
    }

    /// A queue extension: counts from 0 (`Inval` below), the policy 0 or 1.
    pub fn set_queue_option(&self, option: QueueOption, value: i32) -> Result<(), ClientError> {
        let n = u32::try_from(value).map_err(|_| ClientError::Inval);
        self.with_state(|st| {
            let mut limits = st.session.queue_limits();
            let r = match option {
                QueueOption::MaxMessages => n.map(|n| limits.max_msgs = n),
                QueueOption::MaxKib => n.map(|n| limits.max_kib = n),
                QueueOption::Policy => match value {
                    0 => Ok(QueuePolicy::Reject),
                    1 => Ok(QueuePolicy::DropOldest),
                    _ => Err(ClientError::Inval),
                }
                .map(|p| limits.policy = p),
                QueueOption::DisconnectFlushMs => {
                    return n.map(|n| st.session.set_disconnect_flush_ms(n));
                }
            };
            st.session.set_queue_limits(limits);
            r
        })
    }

    /// `mosquitto_reconnect_delay_set`: a first delay of 0 counts as 1 s
    /// while a maximum of 0 is kept, as in the original.
    pub fn set_reconnect_delay(&self, delay: u32, max: u32, exponential: bool) {
        self.with_state(|st| {
            st.reconnect_delay = ReconnectDelay {
                delay: delay.max(1),
                max,
                exponential,
            };
        });
    }

    /// `mosquitto_socks5_set`: a host of at most 256 bytes, a port from 1
    /// to 65,535, a user name and (with one) a password of at most 255
    /// bytes each (`Inval` otherwise). A password without a user name is
    /// not kept.
    pub fn set_socks5(
        &self,
        host: &[u8],
        port: i32,
        username: Option<&[u8]>,
        password: Option<&[u8]>,
    ) -> Result<(), ClientError> {
        let port = u16::try_from(port).ok().filter(|&p| p != 0);
        let (true, Some(port)) = (host.len() <= MAX_SOCKS5_HOST, port) else {
            return Err(ClientError::Inval);
        };
        if username.is_some_and(|u| u.len() > MAX_SOCKS5_FIELD)
            || (username.is_some() && password.is_some_and(|p| p.len() > MAX_SOCKS5_FIELD))
        {
            return Err(ClientError::Inval);
        }
        let proxy = Socks5Proxy {
            host: String::from_utf8_lossy(host).into_owned(),
            port,
            password: username.and(password).map(<[u8]>::to_vec),
            username: username.map(<[u8]>::to_vec),
        };
        self.with_state(|st| st.target.socks5 = Some(Box::new(proxy)));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socks5_settings_are_checked_and_stored() {
        let c = Client::new(None, true);
        assert!(c.set_socks5(b"h", 0, None, None).is_err());
        assert!(c.set_socks5(b"h", 65536, None, None).is_err());
        assert!(c.set_socks5(&[b'h'; 257], 1080, None, None).is_err());
        assert!(c.set_socks5(b"h", 1080, Some(&[b'u'; 256]), None).is_err());
        assert!(c
            .set_socks5(b"h", 1080, Some(b"u"), Some(&[b'p'; 256]))
            .is_err());
        // A long password without a user name is not looked at, nor kept.
        c.set_socks5(b"h", 1080, None, Some(&[b'p'; 256])).unwrap();
        c.with_state(|st| {
            let p = st.target.socks5.as_ref().unwrap();
            assert_eq!((p.host.as_str(), p.port, &p.password), ("h", 1080, &None));
        });
    }

    #[test]
    fn queue_options_take_counts_and_two_policies() {
        let c = Client::new(None, true);
        c.set_queue_option(QueueOption::MaxMessages, 5).unwrap();
        assert!(c.set_queue_option(QueueOption::MaxKib, -1).is_err());
        assert!(c.set_queue_option(QueueOption::Policy, 2).is_err());
        c.set_queue_option(QueueOption::Policy, 1).unwrap();
        let limits = c.with_state(|st| st.session.queue_limits());
        assert_eq!(
            (limits.max_msgs, limits.policy),
            (5, QueuePolicy::DropOldest)
        );
    }
}

/// What the option setters stored, for the C API's unit tests (the state's
/// fields are private to the client).
#[cfg(test)]
#[derive(Clone)]
pub(crate) struct StoredOptions {
    pub version: ProtocolVersion,
    pub tcp_nodelay: bool,
    pub wake_made: bool,
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    pub tls: crate::transport::TlsSettings,
    pub tls_enabled: bool,
    pub websockets: crate::transport::WsSettings,
    pub bind_address: Option<String>,
    #[cfg_attr(not(feature = "websockets"), allow(dead_code))]
    pub ws_handshaking: bool,
}

#[cfg(test)]
impl Client {
    /// A copy of what the option setters stored.
    pub(crate) fn stored_options(&self) -> StoredOptions {
        self.with_state(|st| StoredOptions {
            version: st.version(),
            tcp_nodelay: st.tcp_nodelay,
            wake_made: st.wake.is_some(),
            tls_enabled: st.tls.get_mut().enabled(),
            tls: st.tls.get_mut().clone(),
            websockets: st.websockets.get().cloned().unwrap_or_default(),
            bind_address: st.target.bind_address.clone(),
            ws_handshaking: st.link.as_ref().is_some_and(|l| l.stream.ws_handshaking()),
        })
    }
}
