//! Topic aliases the broker assigns in v5 PUBLISH packets.
//!
//! The map holds as many entries as the Topic Alias Maximum we announced
//! in CONNECT (0 unless the caller put that property in the CONNECT
//! properties, as libmosquitto sends none by default). It lives for one
//! network connection.

use super::error::SessionError;

/// Alias number to topic, for one connection.
#[derive(Clone, Debug, Default)]
pub struct AliasMap {
    topics: Vec<Option<Vec<u8>>>,
}

impl AliasMap {
    /// Empties the map and sizes it for `maximum` aliases.
    pub fn reset(&mut self, maximum: u16) {
        self.topics.clear();
        self.topics.resize(usize::from(maximum), None);
    }

    /// The slot for `alias`: 0 or above the maximum (none announced
    /// included) is an invalid alias [MQTT-3.3.2-7], [MQTT-3.3.2-10].
    fn slot(&mut self, alias: u16) -> Result<&mut Option<Vec<u8>>, SessionError> {
        let index = usize::from(alias)
            .checked_sub(1)
            .ok_or(SessionError::TopicAliasInvalid)?;
        self.topics
            .get_mut(index)
            .ok_or(SessionError::TopicAliasInvalid)
    }

    /// Records `topic` under `alias` (a PUBLISH carrying both).
    pub fn set(&mut self, alias: u16, topic: &[u8]) -> Result<(), SessionError> {
        let slot = self.slot(alias)?;
        match slot {
            Some(t) => {
                t.clear();
                t.extend_from_slice(topic);
            }
            None => *slot = Some(topic.to_vec()),
        }
        Ok(())
    }

    /// The topic of `alias` (a PUBLISH with an empty topic); an alias never
    /// set is a protocol error.
    pub fn get(&mut self, alias: u16) -> Result<&[u8], SessionError> {
        match self.slot(alias)? {
            Some(t) => Ok(t),
            None => Err(SessionError::TopicAliasInvalid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_and_lookup() {
        let mut m = AliasMap::default();
        assert_eq!(m.set(1, b"a"), Err(SessionError::TopicAliasInvalid));
        m.reset(2);
        assert_eq!(m.set(0, b"a"), Err(SessionError::TopicAliasInvalid));
        assert_eq!(m.set(3, b"a"), Err(SessionError::TopicAliasInvalid));
        assert_eq!(m.get(2), Err(SessionError::TopicAliasInvalid));
        m.set(2, b"x/y").unwrap();
        assert_eq!(m.get(2).unwrap(), b"x/y");
        m.set(2, b"z").unwrap();
        assert_eq!(m.get(2).unwrap(), b"z");
        m.reset(2);
        assert_eq!(m.get(2), Err(SessionError::TopicAliasInvalid));
    }
}
