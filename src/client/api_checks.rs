//! The argument checks `mosquitto_publish*` and `mosquitto_subscribe*`
//! make before the session sees a packet, in the original's order.
//!
//! The session checks what it can check on a real packet (QoS, topic,
//! payload size, properties: `Session::publish`). What stays here is what
//! cannot reach it: a payload whose length cannot be a buffer, a NULL
//! payload, a negative filter count; and the order in which the original
//! reports a C property list it cannot read.

use super::{Client, ClientError};
use crate::protocol::property::Property;
use crate::protocol::utf8;
use crate::session::SessionError;

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

impl Client {
    /// Whether a connection exists (open or being opened).
    fn has_link(&self) -> bool {
        self.with_state(|st| st.link.is_some())
    }

    /// `mosquitto_publish_v5`: QoS 0 to 2 (`Inval`), the properties, then
    /// a payload that cannot be sent is refused after the checks the
    /// original makes first (properties before v5 (`NotSupported`), an
    /// empty topic (`Inval`), its UTF-8 (`MalformedUtf8`), then
    /// `PayloadSize`); a NULL payload is `Inval` once connected (the
    /// original reads through it) and empty before; then
    /// [`Client::publish`]. Returns the message id (also with some errors).
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

    #[test]
    fn publish_refuses_payloads_it_cannot_send_in_the_original_order() {
        let c = Client::new(None, true);
        let code = |topic: &[u8], payload, qos| {
            c.publish_args(topic, payload, qos, false, Ok(Vec::new()))
                .map_err(|(e, _)| e.mosq_err())
        };
        assert_eq!(code(b"t", PayloadArg::OutOfRange, 3), Err(3));
        assert_eq!(code(b"", PayloadArg::OutOfRange, 0), Err(3));
        assert_eq!(code(b"\xff", PayloadArg::OutOfRange, 0), Err(18));
        assert_eq!(code(b"t", PayloadArg::OutOfRange, 0), Err(9));
        // Offline, a NULL payload is empty, and QoS 0 needs a connection.
        assert_eq!(code(b"t", PayloadArg::Null, 0), Err(4));
    }

    #[test]
    fn subscribe_without_filters_depends_on_the_connection() {
        let c = Client::new(None, true);
        let r = c.subscribe_args(&[], 0, 0, Ok(Vec::new()));
        assert_eq!(r.unwrap_err().mosq_err(), 4);
        let r = c.subscribe_args(&[b"a"], 0, 256, Ok(Vec::new()));
        assert_eq!(r.unwrap_err().mosq_err(), 3);
    }
}
