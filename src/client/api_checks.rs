//! The argument checks `mosquitto_connect*`, `mosquitto_disconnect_v5`,
//! `mosquitto_publish*` and `mosquitto_subscribe*` make before the session
//! sees a packet, in the original's order.
//!
//! The session checks what it can check on a real packet (QoS, topic,
//! payload size, properties: `Session::publish`). What stays here is what
//! cannot reach it: a payload whose length cannot be a buffer, a NULL
//! payload, a negative filter count; and the order in which the original
//! reports a C property list it cannot read.

use super::{Client, ClientError};
use crate::protocol::property::{Property, CMD_CONNECT, CMD_DISCONNECT};
use crate::protocol::utf8;
use crate::session::{check_properties, OwnedProperties, SessionError, MAX_PAYLOAD};

/// A PUBLISH payload as the C API received it.
#[derive(Clone, Copy, Debug)]
pub enum PayloadArg<'a> {
    /// The payload's bytes.
    Bytes(&'a [u8]),
    /// NULL with a positive length.
    Null,
    /// A length outside 0 to `MAX_PAYLOAD`.
    OutOfRange,
}

/// The properties of a `_v5` call, or why the C API could not read them
/// (reported where the original reports it).
pub type PropertiesArg<'a> = Result<Vec<Property<'a>>, ClientError>;

/// A payload length from C as the original checks it before anything else:
/// 0 to [`MAX_PAYLOAD`], or `PayloadSize`.
pub fn payload_len(len: i32) -> Result<usize, ClientError> {
    usize::try_from(len)
        .ok()
        .filter(|&n| n <= MAX_PAYLOAD)
        .ok_or(SessionError::PayloadSize.into())
}

impl Client {
    /// Whether a connection exists (open or being opened).
    fn has_link(&self) -> bool {
        self.with_state(|st| st.link.is_some())
    }

    /// `mosquitto_connect*`: the CONNECT properties of the `_v5` call
    /// (`props`; `None` for the others) and their rules, a host (`Inval`),
    /// a port from 0 to 65,535 and a keep alive of 0 or 5 to 65,535
    /// (`Inval`); then [`Client::connect`].
    pub fn connect_args(
        &self,
        host: Option<&str>,
        port: i32,
        keepalive: i32,
        bind_address: Option<&str>,
        props: Option<PropertiesArg<'_>>,
        blocking: bool,
    ) -> Result<(), ClientError> {
        let props = match props {
            Some(list) => Some(OwnedProperties::new(CMD_CONNECT, &list?)?),
            None => None,
        };
        let host = host.ok_or(ClientError::Inval)?;
        let port = u16::try_from(port).map_err(|_| ClientError::Inval)?;
        let keepalive = match keepalive {
            0 | 5..=65535 => keepalive as u16,
            _ => return Err(ClientError::Inval),
        };
        self.connect(host, port, keepalive, bind_address, props, blocking)
    }

    /// `mosquitto_disconnect_v5`: properties (`props`, `None` for none
    /// given) only in v5 (`NotSupported`), a reason code from 0 to 255
    /// (`Inval`), the properties and their rules; then
    /// [`Client::disconnect`].
    pub fn disconnect_args(
        &self,
        reason_code: i32,
        props: Option<PropertiesArg<'_>>,
    ) -> Result<(), ClientError> {
        if props.is_some() && !self.with_state(|st| st.version().is_v5()) {
            return Err(ClientError::NotSupported);
        }
        let reason_code = u8::try_from(reason_code).map_err(|_| ClientError::Inval)?;
        let props = props.transpose()?.unwrap_or_default();
        check_properties(CMD_DISCONNECT, &props)?;
        self.disconnect(reason_code, &props)
    }

    /// `mosquitto_publish_v5`: QoS 0 to 2 (`Inval`), the properties, then
    /// a payload that cannot be sent is refused after the checks the
    /// original makes first (properties before v5 (`NotSupported`), an
    /// empty topic (`Inval`), its UTF-8 (`MalformedUtf8`), then
    /// `PayloadSize`); a NULL payload is `Inval` once connected (the
    /// original reads through it) and empty before; then
    /// [`Client::publish`]. Returns the message id (also with some errors).
    #[inline]
    pub fn publish_args(
        &self,
        topic: &[u8],
        payload: PayloadArg<'_>,
        qos: i32,
        retain: bool,
        props: PropertiesArg<'_>,
    ) -> Result<u16, (ClientError, Option<u16>)> {
        let refuse = |e: ClientError| Err((e, None));
        let qos = match qos {
            0..=2 => qos as u8,
            _ => return refuse(ClientError::Inval),
        };
        let props = match props {
            Ok(p) => p,
            Err(e) => return refuse(e),
        };
        let payload = match payload {
            PayloadArg::Bytes(b) => b,
            PayloadArg::OutOfRange => {
                let v5 = self.with_state(|st| st.version().is_v5());
                return refuse(if !v5 && !props.is_empty() {
                    ClientError::NotSupported
                } else if topic.is_empty() {
                    ClientError::Inval
                } else if utf8::validate(topic).is_err() {
                    SessionError::MalformedUtf8.into()
                } else {
                    SessionError::PayloadSize.into()
                });
            }
            PayloadArg::Null if self.has_link() => return refuse(ClientError::Inval),
            PayloadArg::Null => &[],
        };
        self.publish(topic, payload, qos, retain, &props)
    }

    /// `mosquitto_subscribe*`: the properties, QoS 0 to 2 and options 0 to
    /// 255 (`Inval`); no filters (a negative count) is `NoConn` without a
    /// connection and `Inval` with one; then [`Client::subscribe`].
    pub fn subscribe_args(
        &self,
        filters: &[&[u8]],
        qos: i32,
        options: i32,
        props: PropertiesArg<'_>,
    ) -> Result<u16, ClientError> {
        let props = props?;
        let (Ok(qos @ 0..=2), Ok(options)) = (u8::try_from(qos), u8::try_from(options)) else {
            return Err(ClientError::Inval);
        };
        if filters.is_empty() {
            return Err(if self.has_link() {
                ClientError::Inval
            } else {
                ClientError::NoConn
            });
        }
        self.subscribe(filters, qos, options, &props)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ErrorKind::*;

    #[test]
    fn publish_refuses_payloads_it_cannot_send_in_the_original_order() {
        let c = Client::new(None, true);
        let code = |topic: &[u8], payload, qos| {
            c.publish_args(topic, payload, qos, false, Ok(Vec::new()))
                .map_err(|(e, _)| e.kind())
        };
        assert_eq!(code(b"t", PayloadArg::OutOfRange, 3), Err(Inval));
        assert_eq!(code(b"", PayloadArg::OutOfRange, 0), Err(Inval));
        assert_eq!(code(b"\xff", PayloadArg::OutOfRange, 0), Err(MalformedUtf8));
        assert_eq!(code(b"t", PayloadArg::OutOfRange, 0), Err(PayloadSize));
        // Offline, a NULL payload is empty, and QoS 0 needs a connection.
        assert_eq!(code(b"t", PayloadArg::Null, 0), Err(NoConn));
    }

    #[test]
    fn payload_lengths_run_from_0_to_max_payload() {
        assert_eq!(payload_len(0).unwrap(), 0);
        assert_eq!(payload_len(MAX_PAYLOAD as i32).unwrap(), MAX_PAYLOAD);
        assert_eq!(payload_len(-1).unwrap_err().kind(), PayloadSize);
        assert_eq!(
            payload_len(MAX_PAYLOAD as i32 + 1).unwrap_err().kind(),
            PayloadSize
        );
    }

    #[test]
    fn connect_and_disconnect_arguments_are_checked_first() {
        let c = Client::new(None, true);
        let connect = |host, port, keepalive| {
            c.connect_args(host, port, keepalive, None, None, true)
                .map_err(|e| e.kind())
        };
        assert_eq!(connect(None, 1883, 60), Err(Inval));
        assert_eq!(connect(Some("h"), 65536, 60), Err(Inval));
        assert_eq!(connect(Some("h"), 1883, 4), Err(Inval));
        let disconnect = |rc, props| c.disconnect_args(rc, props).map_err(|e| e.kind());
        assert_eq!(
            disconnect(0, Some(Ok(Vec::new()))),
            Err(NotSupported),
            "v3 with a list"
        );
        assert_eq!(disconnect(256, None), Err(Inval));
        assert_eq!(disconnect(0, None), Err(NoConn));
    }

    #[test]
    fn subscribe_without_filters_depends_on_the_connection() {
        let c = Client::new(None, true);
        let r = c.subscribe_args(&[], 0, 0, Ok(Vec::new()));
        assert_eq!(r.unwrap_err().kind(), NoConn);
        let r = c.subscribe_args(&[b"a"], 0, 256, Ok(Vec::new()));
        assert_eq!(r.unwrap_err().kind(), Inval);
    }
}
