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
