//! `topic_utf8`: UTF-8 validation, topic checks, tokenising and matching
//! on arbitrary bytes, each against a plain reference written here from
//! the rules (not from the code under test).

use mosquitto::protocol::topic::{
    check_publish_topic, check_subscription_filter, is_plain_topic_name, sub_matches_acl, tokenise,
    topic_matches_sub, topic_matches_sub_with_pattern, Identity, MAX_TOPIC_LEN,
};
use mosquitto::protocol::utf8::{validate, Utf8Error, MAX_VALIDATED_LEN};

/// The first two bytes pick where the rest splits into a filter and a
/// topic; both halves (and the whole) go through every check.
pub fn topic_utf8(data: &[u8]) {
    let (split, rest) = match data {
        [a, b, rest @ ..] => (usize::from(u16::from_be_bytes([*a, *b])), rest),
        _ => (0, data),
    };
    let at = if rest.is_empty() {
        0
    } else {
        split % (rest.len() + 1)
    };
    let (filter, topic) = rest.split_at(at);
    for s in [data, rest, filter, topic] {
        single(s);
    }
    pair(filter, topic);
    pair(topic, filter);
}

/// Whether `bytes` is UTF-8 that MQTT allows: well formed, with no
/// U+0000, no C0 or C1 control character and no non-character.
pub(crate) fn mqtt_utf8_ok(bytes: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(bytes) else {
        return false;
    };
    s.chars().all(|c| {
        let c = u32::from(c);
        !(c <= 0x1F || (0x7F..=0x9F).contains(&c) || (0xFDD0..=0xFDEF).contains(&c))
            && c & 0xFFFE != 0xFFFE
    })
}

/// The checks on one string.
fn single(s: &[u8]) {
    let want = if s.len() > MAX_VALIDATED_LEN {
        Err(Utf8Error::TooLong)
    } else if mqtt_utf8_ok(s) {
        Ok(())
    } else {
        Err(Utf8Error::Malformed)
    };
    assert_eq!(validate(s), want, "utf8::validate({s:02x?})");

    let levels = tokenise(s);
    assert_eq!(levels.len(), s.iter().filter(|&&b| b == b'/').count() + 1);
    let joined: Vec<u8> = levels
        .iter()
        .map(|l| l.unwrap_or_default())
        .collect::<Vec<_>>()
        .join(&b'/');
    assert_eq!(joined, s);
    assert!(levels.iter().all(|l| l.is_none_or(|l| !l.is_empty())));

    let publishable = s.len() <= MAX_TOPIC_LEN && !s.iter().any(|&b| b == b'+' || b == b'#');
    assert_eq!(check_publish_topic(s).is_ok(), publishable, "{s:02x?}");
    let plain = !s.is_empty()
        && s.len() <= MAX_TOPIC_LEN
        && s.iter()
            .all(|&b| (0x20..0x7F).contains(&b) && b != b'+' && b != b'#');
    assert_eq!(
        is_plain_topic_name(s),
        plain,
        "is_plain_topic_name({s:02x?})"
    );
    let nul_free = !s.contains(&0);
    if nul_free {
        assert_eq!(
            check_subscription_filter(s).is_ok(),
            filter_ok(s),
            "check_subscription_filter({s:02x?})"
        );
    }
    if publishable {
        assert!(check_subscription_filter(s).is_ok(), "{s:02x?}");
    }
    if publishable && nul_free && !s.is_empty() {
        assert_eq!(topic_matches_sub(s, s), Ok(true), "{s:02x?} vs itself");
        assert_eq!(sub_matches_acl(s, s), Ok(true), "{s:02x?} vs itself");
        assert_eq!(
            topic_matches_sub(b"#", s),
            Ok(s[0] != b'$'),
            "# vs {s:02x?}"
        );
    }
}

/// The checks on a filter and a topic.
fn pair(filter: &[u8], topic: &[u8]) {
    // Never a panic, whatever the inputs.
    let plain = topic_matches_sub(filter, topic);
    let _ = sub_matches_acl(filter, topic);
    let identity = Identity {
        client_id: Some(b"c"),
        username: Some(b"u"),
    };
    let patterned = topic_matches_sub_with_pattern(filter, topic, identity);
    let _ = topic_matches_sub_with_pattern(filter, topic, Identity::default());

    let usable = |s: &[u8]| !s.is_empty() && !s.contains(&0);
    if !usable(filter) || !usable(topic) {
        return;
    }
    let topic_ok = check_publish_topic(topic).is_ok();
    let filter_valid = check_subscription_filter(filter).is_ok();
    if topic_ok && filter_valid {
        let want = reference_match(filter, topic);
        assert_eq!(plain, Ok(want), "filter {filter:02x?} topic {topic:02x?}");
        // A filter without pattern levels means the same with patterns.
        let has_pattern = filter
            .split(|&b| b == b'/')
            .any(|l| l == b"%c" || l == b"%u");
        if !has_pattern {
            assert_eq!(patterned, plain, "filter {filter:02x?} topic {topic:02x?}");
        }
    }
}

/// A valid filter's levels: no wildcard inside a level, `#` only as the
/// last one.
fn filter_ok(filter: &[u8]) -> bool {
    if filter.len() > MAX_TOPIC_LEN {
        return false;
    }
    let levels: Vec<&[u8]> = filter.split(|&b| b == b'/').collect();
    levels.iter().enumerate().all(|(i, l)| match *l {
        b"+" => true,
        b"#" => i + 1 == levels.len(),
        l => !l.iter().any(|&b| b == b'+' || b == b'#'),
    })
}

/// Matching by levels: `+` matches one level (even empty), `#` the rest
/// (including the parent level itself), and a topic starting with `$` is
/// not matched by a wildcard in the first level.
fn reference_match(filter: &[u8], topic: &[u8]) -> bool {
    if topic[0] == b'$' && matches!(filter[0], b'+' | b'#') {
        return false;
    }
    let f: Vec<&[u8]> = filter.split(|&b| b == b'/').collect();
    let t: Vec<&[u8]> = topic.split(|&b| b == b'/').collect();
    for (i, level) in f.iter().enumerate() {
        match *level {
            b"#" => return true,
            b"+" if i < t.len() => {}
            l if i < t.len() && t[i] == l => {}
            _ => return false,
        }
    }
    f.len() == t.len()
}
