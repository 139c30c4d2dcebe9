//! v5 Topic Aliases, for one network connection each way.
//!
//! [`AliasMap`]: the aliases the broker assigns in the PUBLISH packets it
//! sends. The map holds as many entries as the Topic Alias Maximum we
//! announced in CONNECT (0 unless the caller put that property in the
//! CONNECT properties, as libmosquitto sends none by default).
//!
//! [`OutAliases`]: the aliases the application puts in its publish calls,
//! within the broker's Topic Alias Maximum from CONNACK.

use super::error::SessionError;

/// Alias number to topic, for one connection.
#[derive(Clone, Debug, Default)]
pub struct AliasMap {
    /// A boxed slice rather than a `Vec`: its size is fixed per
    /// connection, and every client carries this field.
    topics: Box<[Option<Vec<u8>>]>,
}

impl AliasMap {
    /// Empties the map and sizes it for `maximum` aliases.
    pub fn reset(&mut self, maximum: u16) {
        self.topics = vec![None; usize::from(maximum)].into_boxed_slice();
    }

    /// The slot for `alias`: 0 or above the maximum (none announced
    /// included) is an invalid alias [MQTT-3.3.2-7], [MQTT-3.3.2-10].
    fn slot(&mut self, alias: u16) -> Result<&mut Option<Vec<u8>>, SessionError> {
        let index = usize::from(alias)
            .checked_sub(1)
            .ok_or(SessionError::BrokerTopicAliasInvalid)?;
        self.topics
            .get_mut(index)
            .ok_or(SessionError::BrokerTopicAliasInvalid)
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
            None => Err(SessionError::BrokerTopicAliasInvalid),
        }
    }
}

/// Topic aliases we send, for one connection: the broker's Topic Alias
/// Maximum from CONNACK (0 when absent, and before CONNACK), the mappings
/// the application set with its publish calls, and the mappings the broker
/// has really been sent (a queued message can reach the wire after a later
/// QoS 0 one, and a reconnection forgets every mapping).
#[derive(Clone, Debug, Default)]
pub struct OutAliases {
    maximum: u16,
    /// Set by accepted publish calls, in the application's order.
    given: Vec<Option<Vec<u8>>>,
    /// Set by PUBLISH packets written, in the wire's order.
    sent: Vec<Option<Vec<u8>>>,
}

/// How a PUBLISH carrying a Topic Alias goes out on this connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AliasForm {
    /// As the application gave it (topic and alias, or the alias alone
    /// when the broker already holds its mapping).
    AsGiven,
    /// With the full topic and the alias: the broker lacks the mapping.
    TopicAndAlias,
    /// With the full topic and no alias: this connection does not allow
    /// the alias (a message queued across a reconnection).
    TopicOnly,
}

impl OutAliases {
    /// No alias allowed, no mapping.
    pub const fn new() -> Self {
        OutAliases {
            maximum: 0,
            given: Vec::new(),
            sent: Vec::new(),
        }
    }

    /// A new connection: no mapping, and no alias allowed until CONNACK.
    pub fn reset(&mut self) {
        self.set_maximum(0);
    }

    /// The broker's Topic Alias Maximum from CONNACK (absent: 0); the
    /// mappings start empty.
    pub fn set_maximum(&mut self, maximum: u16) {
        self.maximum = maximum;
        for map in [&mut self.given, &mut self.sent] {
            map.clear();
            map.resize(usize::from(maximum), None);
        }
    }

    /// Whether this connection allows `alias` (1 to the maximum).
    pub fn allows(&self, alias: u16) -> bool {
        alias != 0 && alias <= self.maximum
    }

    /// The topic a publish call with `alias` and `topic` stands for: the
    /// topic itself, or (empty topic) the one the application mapped the
    /// alias to earlier on this connection. A forbidden or unmapped alias
    /// is `TopicAliasInvalid`.
    pub fn resolve<'t>(&'t self, alias: u16, topic: &'t [u8]) -> Result<&'t [u8], SessionError> {
        if !self.allows(alias) {
            return Err(SessionError::TopicAliasInvalid);
        }
        if !topic.is_empty() {
            return Ok(topic);
        }
        match &self.given[usize::from(alias) - 1] {
            Some(t) => Ok(t),
            None => Err(SessionError::TopicAliasInvalid),
        }
    }

    /// An accepted publish call mapped `alias` to `topic`.
    pub fn note_given(&mut self, alias: u16, topic: &[u8]) {
        if self.allows(alias) {
            store(&mut self.given[usize::from(alias) - 1], topic);
        }
    }

    /// How a message with `alias`, standing for `topic`, goes out now
    /// (`alias_only`: the application gave no topic).
    pub fn form(&self, alias: u16, topic: &[u8], alias_only: bool) -> AliasForm {
        if !self.allows(alias) {
            return AliasForm::TopicOnly;
        }
        let known = self.sent[usize::from(alias) - 1].as_deref() == Some(topic);
        if alias_only && !known {
            AliasForm::TopicAndAlias
        } else {
            AliasForm::AsGiven
        }
    }

    /// A PUBLISH with `alias` and its topic was written: the broker now
    /// maps `alias` to `topic`.
    pub fn note_sent(&mut self, alias: u16, topic: &[u8]) {
        if self.allows(alias) {
            store(&mut self.sent[usize::from(alias) - 1], topic);
        }
    }
}

fn store(slot: &mut Option<Vec<u8>>, topic: &[u8]) {
    match slot {
        Some(t) => {
            t.clear();
            t.extend_from_slice(topic);
        }
        None => *slot = Some(topic.to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_and_lookup() {
        let mut m = AliasMap::default();
        assert_eq!(m.set(1, b"a"), Err(SessionError::BrokerTopicAliasInvalid));
        m.reset(2);
        assert_eq!(m.set(0, b"a"), Err(SessionError::BrokerTopicAliasInvalid));
        assert_eq!(m.set(3, b"a"), Err(SessionError::BrokerTopicAliasInvalid));
        assert_eq!(m.get(2), Err(SessionError::BrokerTopicAliasInvalid));
        m.set(2, b"x/y").unwrap();
        assert_eq!(m.get(2).unwrap(), b"x/y");
        m.set(2, b"z").unwrap();
        assert_eq!(m.get(2).unwrap(), b"z");
        m.reset(2);
        assert_eq!(m.get(2), Err(SessionError::BrokerTopicAliasInvalid));
    }

    #[test]
    fn outgoing_aliases_follow_the_maximum_and_the_wire() {
        let mut a = OutAliases::default();
        assert_eq!(a.resolve(1, b"t"), Err(SessionError::TopicAliasInvalid));
        a.set_maximum(2);
        assert_eq!(a.resolve(0, b"t"), Err(SessionError::TopicAliasInvalid));
        assert_eq!(a.resolve(3, b"t"), Err(SessionError::TopicAliasInvalid));
        assert_eq!(a.resolve(2, b""), Err(SessionError::TopicAliasInvalid));
        assert_eq!(a.resolve(2, b"t"), Ok(&b"t"[..]));
        a.note_given(2, b"t");
        assert_eq!(a.resolve(2, b""), Ok(&b"t"[..]));
        assert_eq!(a.form(2, b"t", true), AliasForm::TopicAndAlias);
        a.note_sent(2, b"t");
        assert_eq!(a.form(2, b"t", true), AliasForm::AsGiven);
        assert_eq!(a.form(2, b"t", false), AliasForm::AsGiven);
        a.reset();
        assert_eq!(a.form(2, b"t", true), AliasForm::TopicOnly);
        assert_eq!(a.resolve(2, b""), Err(SessionError::TopicAliasInvalid));
    }
}
