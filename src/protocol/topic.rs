//! Topic names and topic filters: validity checks, matching and splitting,
//! with the exact verdicts of libmosquitto's utility functions.
//!
//! Inputs are byte slices. For the NUL-terminated C entry points the slice
//! is the string without its terminator; for the `*2` check variants it is
//! the buffer as given, which may hold NUL bytes. The matching functions
//! expect NUL-free slices (a NUL reads as the end of the string).
//!
//! Matching is a single left-to-right walk that decides as early as it can.
//! That is what the original does, and its verdicts depend on it: a filter
//! that is malformed past the point where it stops matching is reported as
//! "no match" rather than as invalid (`a+` against `b` is a valid no-match,
//! against `a` it is invalid), and wildcards in the topic are only noticed
//! where the walk reaches them.

/// The longest topic or filter the validity checks accept, in bytes.
pub const MAX_TOPIC_LEN: usize = 65535;

/// A topic, filter or argument that the function refuses (`MOSQ_ERR_INVAL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Invalid;

/// Checks a topic name for publishing: no `+` or `#` anywhere and at most
/// [`MAX_TOPIC_LEN`] bytes. The empty topic passes, as in the original;
/// UTF-8 is not examined here.
pub fn check_publish_topic(topic: &[u8]) -> Result<(), Invalid> {
    if topic.len() > MAX_TOPIC_LEN || topic.iter().any(|&b| is_wildcard(b)) {
        return Err(Invalid);
    }
    Ok(())
}

/// Whether `topic` is a non-empty topic name of printable ASCII
/// (`0x20..=0x7E`) without `+` or `#`, at most [`MAX_TOPIC_LEN`] bytes:
/// valid MQTT UTF-8 and a valid topic name at once. The publish path's
/// fast check, eight bytes at a time; `false` only means the full checks
/// ([`crate::protocol::utf8::validate`], [`check_publish_topic`]) decide.
#[inline]
pub fn is_plain_topic_name(topic: &[u8]) -> bool {
    let len = topic.len();
    if len == 0 || len > MAX_TOPIC_LEN {
        return false;
    }
    if len < 4 {
        return topic.iter().all(|&b| plain_byte(b));
    }
    if len < 8 {
        // Two overlapping four-byte reads cover the whole topic.
        let lo = u32::from_le_bytes(topic[..4].try_into().expect("4 bytes"));
        let hi = u32::from_le_bytes(topic[len - 4..].try_into().expect("4 bytes"));
        return plain_word(u64::from(lo) | u64::from(hi) << 32);
    }
    let mut chunks = topic.chunks_exact(8);
    let mut ok = true;
    for c in &mut chunks {
        ok &= plain_word(u64::from_le_bytes(c.try_into().expect("8 bytes")));
    }
    // The last eight bytes (overlapping what was checked) cover the tail.
    let last = u64::from_le_bytes(topic[len - 8..].try_into().expect("8 bytes"));
    ok && plain_word(last)
}

/// One byte of [`is_plain_topic_name`]'s alphabet.
#[inline]
fn plain_byte(b: u8) -> bool {
    (0x20..0x7F).contains(&b) && b != b'+' && b != b'#'
}

/// Whether all eight bytes of `w` are [`plain_byte`]s, without a branch
/// per byte (the classic "has a zero byte" bit trick, exact for the
/// question whether any byte matches).
#[inline]
fn plain_word(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    // Bytes below 0x20 (checked on the low seven bits; 0x80 and above are
    // caught by the high bit of `w` itself).
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    let bad = (w & HIGH)
        | below_space
        | has_zero(w ^ (ONES * 0x7F))
        | has_zero(w ^ (ONES * u64::from(b'+')))
        | has_zero(w ^ (ONES * u64::from(b'#')));
    bad == 0
}

/// Checks a topic filter for subscribing: `+` must fill a whole level, `#`
/// must fill the last level, and at most [`MAX_TOPIC_LEN`] bytes. The empty
/// filter passes; UTF-8 is not examined here.
///
/// A NUL byte inside the slice (possible only through the `*2` entry point)
/// counts as a level start for the wildcard that follows it, but not as a
/// level end for a `+` before it: the original's quirk, kept.
pub fn check_subscription_filter(filter: &[u8]) -> Result<(), Invalid> {
    if filter.len() > MAX_TOPIC_LEN {
        return Err(Invalid);
    }
    for (i, &b) in filter.iter().enumerate() {
        let starts_level = i == 0 || matches!(filter[i - 1], b'/' | 0);
        let next = filter.get(i + 1).copied();
        let ok = match b {
            b'+' => starts_level && matches!(next, None | Some(b'/')),
            b'#' => starts_level && next.is_none(),
            _ => true,
        };
        if !ok {
            return Err(Invalid);
        }
    }
    Ok(())
}

/// Whether `topic` matches the subscription `filter`
/// (`mosquitto_topic_matches_sub`). Both must be non-empty; a topic holding
/// wildcards, or a malformed filter, is [`Invalid`] where the walk meets it.
pub fn topic_matches_sub(filter: &[u8], topic: &[u8]) -> Result<bool, Invalid> {
    walk(Kind::TopicAgainstFilter, filter, topic, None)
}

/// [`topic_matches_sub`], with filter levels that are exactly `%c` or `%u`
/// standing for the client id or username (2.1's
/// `mosquitto_topic_matches_sub_with_pattern`).
///
/// A level whose substitute is missing, empty, or holds `/`, `+` or `#` never
/// matches.
pub fn topic_matches_sub_with_pattern(
    filter: &[u8],
    topic: &[u8],
    identity: Identity<'_>,
) -> Result<bool, Invalid> {
    walk(Kind::TopicAgainstFilter, filter, topic, Some(identity))
}

/// Whether the subscription `sub` (a filter, wildcards allowed) only ever
/// receives topics that the ACL filter `acl` also matches (2.1's
/// `mosquitto_sub_matches_acl`). `+` in the ACL covers any single level of
/// the subscription except `#`; `#` in the ACL covers everything below it.
pub fn sub_matches_acl(acl: &[u8], sub: &[u8]) -> Result<bool, Invalid> {
    walk(Kind::FilterAgainstAcl, acl, sub, None)
}

/// [`sub_matches_acl`], with ACL levels that are exactly `%c` or `%u`
/// standing for the client id or username (2.1's
/// `mosquitto_sub_matches_acl_with_pattern`).
pub fn sub_matches_acl_with_pattern(
    acl: &[u8],
    sub: &[u8],
    identity: Identity<'_>,
) -> Result<bool, Invalid> {
    walk(Kind::FilterAgainstAcl, acl, sub, Some(identity))
}

/// The values substituted for `%c` and `%u` pattern levels.
#[derive(Clone, Copy, Debug, Default)]
pub struct Identity<'a> {
    /// Replaces a `%c` level; `None` makes such a level never match.
    pub client_id: Option<&'a [u8]>,
    /// Replaces a `%u` level; `None` makes such a level never match.
    pub username: Option<&'a [u8]>,
}

/// Splits a topic or filter at every `/` (`mosquitto_sub_topic_tokenise`).
/// There is always one more level than there are separators; empty levels
/// are `None`. Nothing is validated.
pub fn tokenise(topic: &[u8]) -> Vec<Option<&[u8]>> {
    topic
        .split(|&b| b == b'/')
        .map(|level| (!level.is_empty()).then_some(level))
        .collect()
}

fn is_wildcard(b: u8) -> bool {
    b == b'+' || b == b'#'
}

/// What is being matched against the filter on the left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A topic name, in which wildcards are an error.
    TopicAgainstFilter,
    /// A subscription filter, whose wildcards must be covered by the ACL's.
    FilterAgainstAcl,
}

/// A read position in a byte string that, like a C string, reads as NUL
/// past its end.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Cursor { bytes, pos: 0 }
    }

    /// The byte `ahead` places after the current one (0 past the end).
    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn cur(&self) -> u8 {
        self.peek(0)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn rest(&self) -> &'a [u8] {
        &self.bytes[self.pos.min(self.bytes.len())..]
    }

    /// Whether a byte precedes the current one and it is not `/` (so a
    /// wildcard here would be glued to other characters).
    fn follows_non_separator(&self) -> bool {
        self.pos > 0 && self.bytes[self.pos - 1] != b'/'
    }

    /// Whether the current byte is the first of a level.
    fn starts_level(&self) -> bool {
        !self.follows_non_separator()
    }

    fn advance(&mut self, n: usize) {
        self.pos += n;
    }
}

/// The shared matching walk. `left` is the filter (subscription or ACL),
/// `right` the topic or subscription being tested against it.
fn walk(
    kind: Kind,
    left: &[u8],
    right: &[u8],
    identity: Option<Identity<'_>>,
) -> Result<bool, Invalid> {
    let topic_mode = kind == Kind::TopicAgainstFilter;
    if left.is_empty() || right.is_empty() {
        return Err(Invalid);
    }
    // `$`-topics are only matched by filters that also start with `$`.
    if (left[0] == b'$') != (right[0] == b'$') {
        return Ok(false);
    }
    let mut f = Cursor::new(left);
    let mut t = Cursor::new(right);

    while !f.at_end() {
        if topic_mode && is_wildcard(t.cur()) {
            return Err(Invalid);
        }

        if let Some(identity) = identity {
            if let Some(value) = pattern_level(&f, identity) {
                let Some(value) = value.filter(|v| substitutable(v)) else {
                    return Ok(false);
                };
                f.advance(2);
                if !t.rest().starts_with(value) {
                    return Ok(false);
                }
                t.advance(value.len());
                if t.at_end() && (f.at_end() || f.rest() == b"/#") {
                    return Ok(true);
                }
                // Otherwise carry on comparing from here, in this same step.
            }
        }

        let (fc, tc) = (f.cur(), t.cur());
        if fc == tc {
            // Same literal byte on both sides.
            if t.peek(1) == 0 && f.rest().get(1..) == Some(b"/#") {
                // "foo" against "foo/#": the parent level matches too.
                return Ok(true);
            }
            f.advance(1);
            t.advance(1);
            if f.at_end() && t.at_end() {
                return Ok(true);
            }
            if t.at_end() && f.cur() == b'+' && f.peek(1) == 0 {
                // "foo/" against "foo/+": an empty last level.
                if f.follows_non_separator() {
                    return Err(Invalid);
                }
                return Ok(true);
            }
            continue;
        }

        match fc {
            b'+' => {
                if !topic_mode && tc == b'#' {
                    return Ok(false);
                }
                if f.follows_non_separator() || !matches!(f.peek(1), 0 | b'/') {
                    return Err(Invalid);
                }
                f.advance(1);
                while !t.at_end() && t.cur() != b'/' {
                    if topic_mode && is_wildcard(t.cur()) {
                        return Err(Invalid);
                    }
                    t.advance(1);
                }
                if t.at_end() && f.at_end() {
                    return Ok(true);
                }
            }
            b'#' => {
                if f.follows_non_separator() || f.peek(1) != 0 {
                    return Err(Invalid);
                }
                if topic_mode && t.rest().iter().any(|&b| is_wildcard(b)) {
                    return Err(Invalid);
                }
                return Ok(true);
            }
            _ => {
                if t.at_end() && f.pos > 0 && left[f.pos - 1] == b'+' && f.rest().starts_with(b"/#")
                {
                    // "foo/bar" against "foo/+/#".
                    return Ok(true);
                }
                // No match; the rest of the filter is only checked for a
                // `#` that is not last.
                let rest = f.rest();
                if rest
                    .iter()
                    .take(rest.len().saturating_sub(1))
                    .any(|&b| b == b'#')
                {
                    return Err(Invalid);
                }
                return Ok(false);
            }
        }
    }

    // The filter is used up and the other side is not (or not both at once).
    if topic_mode {
        if t.rest().iter().any(|&b| is_wildcard(b)) {
            return Err(Invalid);
        }
        Ok(false)
    } else {
        Ok(t.at_end())
    }
}

/// If the filter cursor sits on a `%c` or `%u` level, the value standing for
/// it (`Some(None)` when that value is absent).
fn pattern_level<'a>(f: &Cursor<'_>, identity: Identity<'a>) -> Option<Option<&'a [u8]>> {
    if !f.starts_level() || f.cur() != b'%' || !matches!(f.peek(2), b'/' | 0) {
        return None;
    }
    match f.peek(1) {
        b'c' => Some(identity.client_id),
        b'u' => Some(identity.username),
        _ => None,
    }
}

/// Whether a client id or username may stand in for a whole level: it must
/// be non-empty and hold no separator or wildcard.
fn substitutable(value: &[u8]) -> bool {
    !value.is_empty() && !value.iter().any(|&b| matches!(b, b'/' | b'+' | b'#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: Result<bool, Invalid> = Ok(true);
    const N: Result<bool, Invalid> = Ok(false);
    const I: Result<bool, Invalid> = Err(Invalid);

    #[test]
    fn plain_topic_check_agrees_with_a_byte_by_byte_check() {
        let bytewise = |t: &[u8]| {
            !t.is_empty() && t.len() <= MAX_TOPIC_LEN && t.iter().all(|&b| plain_byte(b))
        };
        // Every byte value at every position of topics of 1 to 24 bytes.
        for len in 1..=24 {
            for pos in 0..len {
                for b in 0..=255u8 {
                    let mut t = vec![b'a'; len];
                    t[pos] = b;
                    assert_eq!(is_plain_topic_name(&t), bytewise(&t), "{t:?}");
                }
            }
        }
        // Pairs of unusual bytes (borrows between neighbouring lanes).
        let odd = [
            0u8, 0x1F, 0x20, 0x22, 0x23, 0x24, 0x2A, 0x2B, 0x2C, 0x7E, 0x7F, 0x80, 0xFF,
        ];
        for &a in &odd {
            for &b in &odd {
                for len in [8usize, 9, 16, 17] {
                    for i in 0..len - 1 {
                        let mut t = vec![b'x'; len];
                        t[i] = a;
                        t[i + 1] = b;
                        assert_eq!(is_plain_topic_name(&t), bytewise(&t), "{t:?}");
                    }
                }
            }
        }
        assert!(!is_plain_topic_name(b""));
        assert!(is_plain_topic_name(&vec![b'a'; MAX_TOPIC_LEN]));
        assert!(!is_plain_topic_name(&vec![b'a'; MAX_TOPIC_LEN + 1]));
    }

    #[test]
    fn publish_topic_check_matches_the_reference() {
        // Verdicts observed from libmosquitto 2.0.11.
        for ok in [
            &b""[..],
            b"/",
            b"//",
            b"a",
            b"a/",
            b"/a",
            b"a//b",
            b"$SYS/x",
            b"$",
            b"x/$SYS",
        ] {
            assert_eq!(check_publish_topic(ok), Ok(()), "{ok:?}");
        }
        // Malformed UTF-8 and control characters are not examined here.
        assert_eq!(check_publish_topic(b"\xc3\x28/\x01\x7f"), Ok(()));
        for bad in [
            &b"#"[..],
            b"+",
            b"a+",
            b"a/#",
            b"+/x",
            b"a/+/b",
            b"a/b+",
            b"$SYS/#",
        ] {
            assert_eq!(check_publish_topic(bad), Err(Invalid), "{bad:?}");
        }
    }

    #[test]
    fn publish_topic_length_limit() {
        assert_eq!(check_publish_topic(&vec![b'a'; 65535]), Ok(()));
        assert_eq!(check_publish_topic(&vec![b'a'; 65536]), Err(Invalid));
    }

    #[test]
    fn subscription_filter_check_matches_the_reference() {
        for ok in [
            &b""[..],
            b"#",
            b"+",
            b"/",
            b"//",
            b"+/x",
            b"a/#",
            b"a/+",
            b"a/+/b",
            b"+/+",
            b"/#",
            b"/+",
            b"+/",
            b"a/b/#",
            b"a/+/#",
            b"+/#",
            b"$SYS/#",
            b"+/+/+",
            b"$x/+",
        ] {
            assert_eq!(check_subscription_filter(ok), Ok(()), "{ok:?}");
        }
        for bad in [
            &b"a/#/b"[..],
            b"a+",
            b"#/a",
            b"a#",
            b"#/",
            b"+#",
            b"#+",
            b"++",
            b"a/b+",
            b"a/+b",
            b"$SYS/#/a",
            b"#a",
        ] {
            assert_eq!(check_subscription_filter(bad), Err(Invalid), "{bad:?}");
        }
    }

    #[test]
    fn subscription_filter_check_with_embedded_nul_as_check2_sees_it() {
        // A NUL before a wildcard starts a level...
        assert_eq!(check_subscription_filter(b"a\0+"), Ok(()));
        assert_eq!(check_subscription_filter(b"a\0#"), Ok(()));
        // ...but a NUL after `+` does not end one, and `#` must be last.
        assert_eq!(check_subscription_filter(b"+\0"), Err(Invalid));
        assert_eq!(check_subscription_filter(b"#\0"), Err(Invalid));
        // A short length simply cuts the filter.
        assert_eq!(check_subscription_filter(&b"a/#"[..2]), Ok(()));
        assert_eq!(check_subscription_filter(&b"+a"[..1]), Ok(()));
    }

    #[test]
    fn subscription_filter_length_limit() {
        let mut filter = vec![b'a'; 65535];
        assert_eq!(check_subscription_filter(&filter), Ok(()));
        filter[65533] = b'/';
        filter[65534] = b'#';
        assert_eq!(check_subscription_filter(&filter), Ok(()));
        filter.push(b'a');
        assert_eq!(check_subscription_filter(&filter), Err(Invalid));
    }

    fn check_table(table: &[(&str, &str, Result<bool, Invalid>)]) {
        for &(filter, topic, expected) in table {
            assert_eq!(
                topic_matches_sub(filter.as_bytes(), topic.as_bytes()),
                expected,
                "{filter:?} vs {topic:?}"
            );
        }
    }

    #[test]
    fn ordinary_matching() {
        check_table(&[
            ("a", "a", M),
            ("a", "a/b", N),
            ("a/b", "a/b", M),
            ("/", "/", M),
            ("//", "//", M),
            ("#", "a", M),
            ("#", "a/b/c", M),
            ("#", "/", M),
            ("#", "x/$SYS", M),
            ("+", "a", M),
            ("+", "a/b", N),
            ("+", "/", N),
            ("a/+", "a/b", M),
            ("a/+", "a/", M),
            ("a/+", "a", N),
            ("a/+", "a//b", N),
            ("/+", "/a", M),
            ("/+", "/", M),
            ("+/", "/", M),
            ("+/", "a/", M),
            ("a/#", "a", M),
            ("a/#", "a/", M),
            ("a/#", "a//b", M),
            ("a/b/#", "a/b", M),
            ("a/b/#", "a", N),
            ("/#", "/", M),
            ("/#", "/a", M),
            ("/#", "a", N),
            ("foo/+/#", "foo/bar", M),
            ("foo/+/#", "foo/bar/baz", M),
            ("foo/+/+/baz", "foo///baz", M),
            ("A/B/+/#", "A/B/B/C", M),
        ]);
    }

    #[test]
    fn dollar_topics_need_dollar_filters() {
        check_table(&[
            ("#", "$SYS/x", N),
            ("+/x", "$SYS/x", N),
            ("$SYS/#", "$SYS/x", M),
            ("$SYS/+", "$SYS/x", M),
            ("$SYS", "$SYS", M),
            ("$", "$", M),
            ("$BOB/bar", "$SYS/bar", N),
            // The `$` test comes before any validation.
            ("$SYS/x", "a/#", N),
            ("a+", "$SYS", N),
        ]);
    }

    #[test]
    fn empty_arguments_are_invalid() {
        check_table(&[
            ("", "a", I),
            ("a", "", I),
            ("", "", I),
            ("#", "", I),
            ("a/#/b", "", I),
        ]);
    }

    #[test]
    fn malformed_filters_are_invalid_where_the_walk_reaches_them() {
        check_table(&[
            // A `#` before the end of the filter is always found.
            ("a/#/b", "a/b", I),
            ("a/#/b", "foo", I),
            ("#/a", "a", I),
            ("foo#", "foo", I),
            ("#a", "foo", I),
            ("/#a", "foo/bar", I),
            // A `+` glued to text is only found if reached.
            ("a+", "a", I),
            ("a+", "a/b", I),
            ("a+", "foo", N),
            ("a+", "/", N),
            ("+foo", "afoo", I),
            ("foo/+bar", "foo/abar", I),
            ("foo/bar+", "foo/bara", I),
            ("++", "a", I),
            ("+#", "a", I),
        ]);
    }

    #[test]
    fn wildcards_in_the_topic_are_invalid_where_the_walk_reaches_them() {
        check_table(&[
            ("#", "#", I),
            ("#", "a/+", I),
            ("+", "+", I),
            ("foo/+", "foo/+", I),
            ("foo/#", "foo/bar/#", I),
            ("a", "a/b+", I),
            ("a/+", "a/b+", I),
            ("+/x", "a/+b", I),
            ("/#", "/#", I),
            ("/+", "/#", I),
            // Not reached: the walk stopped at an earlier mismatch.
            ("+/x", "a/b+", N),
            ("/#", "a/#", N),
            ("a/#", "/#", N),
            ("/", "a/#", N),
            ("a/+", "/#", N),
        ]);
    }

    #[test]
    fn long_topics_are_not_length_checked_when_matching() {
        let long = vec![b'a'; 65537];
        assert_eq!(topic_matches_sub(&long, &long), M);
        assert_eq!(topic_matches_sub(b"#", &long), M);
    }

    fn ids<'a>(client_id: Option<&'a str>, username: Option<&'a str>) -> Identity<'a> {
        Identity {
            client_id: client_id.map(str::as_bytes),
            username: username.map(str::as_bytes),
        }
    }

    fn with_pattern(
        sub: &str,
        topic: &str,
        c: Option<&str>,
        u: Option<&str>,
    ) -> Result<bool, Invalid> {
        topic_matches_sub_with_pattern(sub.as_bytes(), topic.as_bytes(), ids(c, u))
    }

    #[test]
    fn topic_patterns_substitute_whole_levels() {
        let c = Some("kitchen");
        let u = Some("bob");
        assert_eq!(
            with_pattern(
                "sensors/%c/temperature",
                "sensors/kitchen/temperature",
                c,
                None
            ),
            M
        );
        assert_eq!(
            with_pattern(
                "sensors/%c/temperature",
                "sensors/bathroom/temperature",
                c,
                None
            ),
            N
        );
        assert_eq!(with_pattern("%c", "kitchen", c, None), M);
        assert_eq!(with_pattern("%c/x", "kitchen/x", c, None), M);
        assert_eq!(with_pattern("x/%c", "x/kitchen", c, None), M);
        assert_eq!(
            with_pattern("%c/%c/%u/%u", "kitchen/kitchen/bob/bob", c, u),
            M
        );
        assert_eq!(with_pattern("%u/%c", "bob/kitchen", c, Some("alice")), N);
        assert_eq!(with_pattern("%u", "bob", None, u), M);
        // A substitute must fill the level exactly.
        assert_eq!(with_pattern("%c", "kitchenette", c, None), N);
        assert_eq!(with_pattern("%c", "kitch", c, None), N);
        // Wildcards after a pattern level still work.
        assert_eq!(with_pattern("x/%c/+", "x/kitchen/t", c, None), M);
        assert_eq!(with_pattern("x/%c/#", "x/kitchen/t/u", c, None), M);
        assert_eq!(with_pattern("x/%c/#", "x/kitchen", c, None), M);
        assert_eq!(with_pattern("x/%u/#", "x/bob", None, Some("eve")), N);
    }

    #[test]
    fn topic_patterns_are_only_exact_levels() {
        let c = Some("kitchen");
        assert_eq!(
            with_pattern("sensors/%count/t", "sensors/kitchen/t", c, None),
            N
        );
        assert_eq!(with_pattern("a%c", "akitchen", c, None), N);
        assert_eq!(with_pattern("%c", "%c", c, None), N);
        // Without the pattern variant, `%c` is plain text.
        assert_eq!(topic_matches_sub(b"%c", b"%c"), M);
        assert_eq!(topic_matches_sub(b"%c", b"kitchen"), N);
    }

    #[test]
    fn topic_patterns_with_missing_or_unsafe_substitutes_never_match() {
        assert_eq!(with_pattern("%c", "topic", None, None), N);
        assert_eq!(with_pattern("%u", "topic", None, None), N);
        assert_eq!(
            with_pattern("test/%c/test", "test//test", Some(""), None),
            N
        );
        assert_eq!(
            with_pattern("test/%u/test", "test//test", None, Some("")),
            N
        );
        assert_eq!(with_pattern("%c", "a/b", Some("a/b"), None), N);
        assert_eq!(with_pattern("%c", "a", Some("+"), None), N);
        assert_eq!(with_pattern("u/%u/+", "u/t/+", None, Some("+")), N);
        // A wildcard in the topic is still an error, found before the
        // pattern level is looked at.
        assert_eq!(with_pattern("%u", "#", None, Some("#")), I);
    }

    #[test]
    fn topic_patterns_keep_the_argument_checks() {
        assert_eq!(with_pattern("%c", "", Some(""), None), I);
        assert_eq!(with_pattern("", "topic", Some("c"), Some("u")), I);
        assert_eq!(with_pattern("%c/#", "a/+", Some("a"), None), I);
    }

    fn acl(acl: &str, sub: &str) -> Result<bool, Invalid> {
        sub_matches_acl(acl.as_bytes(), sub.as_bytes())
    }

    #[test]
    fn subscriptions_against_acls() {
        let table = [
            ("$SYS/#", "$SYS/broker/#", M),
            ("$SYS/#", "$SYS/+/#", M),
            ("$SYS/#", "$SYS", M),
            ("$SYS/+", "$SYS/#", N),
            ("$SYS/+/a", "$SYS/a/+", N),
            ("$SYS/+", "$SYS/+/a", N),
            ("$SYS/broker/uptime", "$SYS/broker/#", N),
            ("#", "$SYS/broker/#", N),
            ("foo/+/bar", "foo/#", N),
            ("foo/+/baz/#", "foo/x/baz", M),
            ("foo/+/baz/#", "foo/x/baz/+", M),
            ("foo/+/baz/#", "foo/x/baz/#", M),
            ("foo/+/baz/#", "foo/x/+/#", N),
            ("/+//#", "/foo///#", M),
            ("#", "#", M),
            ("#", "+", M),
            ("/#", "+", N),
            ("/#", "/+", M),
            ("/+", "#", N),
            ("/+", "+", N),
            ("+/+", "topic/topic", M),
            ("+/+", "topic/topic/", N),
            ("+", "#", N),
            ("+", "+", M),
            ("a/b/c/d/e", "a/b/c/d/e", M),
            ("a/b/ /d/e", "a/b/c/d/e", N),
            ("a/b/c/d/e", "a/b/c/d/+", N),
            ("a/b/c/d/+", "a/b/c/d/e", M),
            ("a/b/c/d/", "a/b/c/d/+", N),
            ("a/b/c/d/+", "a/b/c/d/", M),
        ];
        for (a, s, expected) in table {
            assert_eq!(acl(a, s), expected, "acl {a:?} sub {s:?}");
        }
    }

    #[test]
    fn acl_argument_checks() {
        assert_eq!(acl("", "a"), I);
        assert_eq!(acl("a", ""), I);
        assert_eq!(acl("a+", "a"), I);
        assert_eq!(acl("a/#/b", "a/b"), I);
    }

    fn acl_pattern(a: &str, s: &str, c: Option<&str>, u: Option<&str>) -> Result<bool, Invalid> {
        sub_matches_acl_with_pattern(a.as_bytes(), s.as_bytes(), ids(c, u))
    }

    #[test]
    fn acl_patterns() {
        let c = Some("kitchen");
        let u = Some("bob");
        assert_eq!(
            acl_pattern("sensors/%c/+", "sensors/kitchen/temperature", c, None),
            M
        );
        assert_eq!(
            acl_pattern("sensors/%c/+", "sensors/bathroom/temperature", c, None),
            N
        );
        assert_eq!(
            acl_pattern("sensors/%count/+", "sensors/kitchen/temperature", c, None),
            N
        );
        assert_eq!(
            acl_pattern("%c/%c/%u/+", "kitchen/kitchen/bob/bob", c, u),
            M
        );
        assert_eq!(acl_pattern("%c/t/#", "kitchen/t/+", c, None), M);
        assert_eq!(acl_pattern("+/t/%c", "+/t/kitchen", c, None), M);
        assert_eq!(acl_pattern("+/%u/t", "x/bob/t", None, u), M);
        assert_eq!(
            acl_pattern("t/%u/%c/%c/%u/#", "t/bob/kitchen/kitchen/bob/#", c, u),
            M
        );
        assert_eq!(acl_pattern("+/p/%u/#", "+/p/bob", None, u), M);
        assert_eq!(acl_pattern("+/p/%u/#", "+/p/bob", None, Some("eve")), N);
        // Missing or unsafe substitutes never match.
        assert_eq!(acl_pattern("%c", "sub", None, None), N);
        assert_eq!(acl_pattern("t/%c/t", "t//t", Some(""), None), N);
        assert_eq!(acl_pattern("%c", "/", Some("/"), None), N);
        assert_eq!(acl_pattern("%c", "+", Some("+"), None), N);
        assert_eq!(acl_pattern("%u", "#", None, Some("#")), N);
        assert_eq!(acl_pattern("u/%u/+", "u/+", None, Some("+/a")), N);
        // Argument checks still apply.
        assert_eq!(acl_pattern("%c", "", Some(""), None), I);
        assert_eq!(acl_pattern("", "sub", Some(""), Some("")), I);
    }

    fn levels(topic: &str) -> Vec<Option<&str>> {
        tokenise(topic.as_bytes())
            .into_iter()
            .map(|l| l.map(|b| std::str::from_utf8(b).unwrap()))
            .collect()
    }

    #[test]
    fn tokenise_matches_the_reference() {
        assert_eq!(levels(""), vec![None]);
        assert_eq!(levels("/"), vec![None, None]);
        assert_eq!(levels("//"), vec![None, None, None]);
        assert_eq!(levels("a"), vec![Some("a")]);
        assert_eq!(levels("a/b"), vec![Some("a"), Some("b")]);
        assert_eq!(levels("a//b"), vec![Some("a"), None, Some("b")]);
        assert_eq!(levels("/a/"), vec![None, Some("a"), None]);
        assert_eq!(levels("+/#"), vec![Some("+"), Some("#")]);
        assert_eq!(levels("$SYS/x"), vec![Some("$SYS"), Some("x")]);
        // Nothing is validated.
        assert_eq!(
            tokenise(b"\xc3\x28/a"),
            vec![Some(&b"\xc3\x28"[..]), Some(&b"a"[..])]
        );
        assert_eq!(tokenise(&vec![b'/'; 65536]).len(), 65537);
    }
}
