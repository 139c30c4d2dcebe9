//! What CONNECT carries besides the connection settings: the will, the
//! user name and password, and the client id checks of `mosquitto_new`.

use std::sync::Arc;

use super::{wipe_secret, Client, ClientError};
use crate::protocol::property::{Property, CMD_WILL};
use crate::protocol::{topic, utf8};
use crate::session::{OwnedProperties, SessionError, WillConfig};

/// The most bytes CONNECT can carry in a will payload or a password.
const MAX_CONNECT_FIELD: usize = u16::MAX as usize;

/// Checks a client id as `mosquitto_new` does: none only with a clean
/// session, never empty (`Inval`), valid UTF-8 (`MalformedUtf8`, `Inval`
/// when too long).
fn check_client_id(id: Option<&[u8]>, clean_session: bool) -> Result<(), ClientError> {
    match id {
        None if !clean_session => Err(ClientError::Inval),
        None => Ok(()),
        Some([]) => Err(ClientError::Inval),
        Some(id) => utf8::validate(id).map_err(|e| match e {
            utf8::Utf8Error::TooLong => ClientError::Inval,
            utf8::Utf8Error::Malformed => SessionError::MalformedUtf8.into(),
        }),
    }
}

impl Client {
    /// `mosquitto_new`: a client for `id` (`None`: the broker or the
    /// library picks one), after `check_client_id`.
    pub fn create(id: Option<&[u8]>, clean_session: bool) -> Result<Arc<Client>, ClientError> {
        check_client_id(id, clean_session)?;
        Ok(Client::new(id, clean_session))
    }

    /// `mosquitto_reinitialise`: the checks of [`Client::create`], then
    /// everything back to a new client's state.
    pub fn reset(
        self: &Arc<Self>,
        id: Option<&[u8]>,
        clean_session: bool,
    ) -> Result<(), ClientError> {
        check_client_id(id, clean_session)?;
        self.reinitialise(id, clean_session);
        Ok(())
    }

    /// `mosquitto_will_set_v5`: checks the will in the original's order
    /// (topic (`Inval`), its UTF-8 (`MalformedUtf8`), the properties (why
    /// the caller could not read them, then their rules), properties
    /// before v5 (`NotSupported`)) and stores it for the next connection.
    ///
    /// As the original, any QoS is accepted and its low two bits are sent;
    /// a payload longer than CONNECT can carry keeps its first 65,535
    /// bytes (the original sends a corrupt CONNECT).
    pub fn set_will(
        &self,
        topic_name: &[u8],
        payload: &[u8],
        qos: i32,
        retain: bool,
        props: Result<Vec<Property<'_>>, ClientError>,
    ) -> Result<(), ClientError> {
        topic::check_publish_topic(topic_name).map_err(|_| ClientError::Inval)?;
        utf8::validate(topic_name).map_err(|_| SessionError::MalformedUtf8)?;
        let properties = OwnedProperties::new(CMD_WILL, &props?)?;
        self.with_state(|st| {
            if !properties.is_empty() && !st.version().is_v5() {
                return Err(ClientError::NotSupported);
            }
            let payload = &payload[..payload.len().min(MAX_CONNECT_FIELD)];
            st.session.config_mut().will = Some(Box::new(WillConfig {
                topic: topic_name.to_vec(),
                payload: payload.to_vec(),
                qos: (qos & 3) as u8,
                retain,
                properties,
            }));
            Ok(())
        })
    }

    /// `mosquitto_will_clear`.
    pub fn clear_will(&self) {
        self.with_state(|st| st.session.config_mut().will = None);
    }

    /// `mosquitto_username_pw_set`: a password needs a user name before
    /// v5 (`Inval`); the user name at most 65,535 bytes (`Inval`) of UTF-8
    /// (`MalformedUtf8`). The previous password is wiped first. Like the
    /// original, a password of any length is accepted; CONNECT carries its
    /// first 65,535 bytes, so that is what is kept.
    pub fn set_credentials(
        &self,
        username: Option<&[u8]>,
        password: Option<&[u8]>,
    ) -> Result<(), ClientError> {
        self.with_state(|st| {
            let cfg = st.session.config_mut();
            if !cfg.version.is_v5() && password.is_some() && username.is_none() {
                return Err(ClientError::Inval);
            }
            wipe_secret(cfg.password.take());
            cfg.username = None;
            if let Some(u) = username {
                if u.len() > MAX_CONNECT_FIELD {
                    return Err(ClientError::Inval);
                }
                utf8::validate(u).map_err(|_| SessionError::MalformedUtf8)?;
                cfg.username = Some(u.to_vec());
            }
            if let Some(p) = password {
                cfg.password = Some(p[..p.len().min(MAX_CONNECT_FIELD)].to_vec());
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_are_checked_as_mosquitto_new_does() {
        assert!(check_client_id(None, true).is_ok());
        assert!(matches!(
            check_client_id(None, false),
            Err(ClientError::Inval)
        ));
        assert!(matches!(
            check_client_id(Some(b""), true),
            Err(ClientError::Inval)
        ));
        let bad = check_client_id(Some(b"\xff"), true).unwrap_err();
        assert_eq!(bad.kind(), crate::client::ErrorKind::MalformedUtf8);
        assert!(check_client_id(Some(b"id"), false).is_ok());
    }

    #[test]
    fn a_long_will_payload_keeps_what_connect_can_carry() {
        let client = Client::new(None, true);
        let payload = vec![7u8; MAX_CONNECT_FIELD + 10];
        client
            .set_will(b"t", &payload, 5, false, Ok(Vec::new()))
            .unwrap();
        client.with_state(|st| {
            let will = st.session.config().will.as_ref().unwrap();
            assert_eq!(will.payload.len(), MAX_CONNECT_FIELD);
            assert_eq!(will.qos, 1, "the low two bits of 5");
        });
        client.clear_will();
        assert!(client.with_state(|st| st.session.config().will.is_none()));
    }
}
