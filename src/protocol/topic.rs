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

use std::ops::ControlFlow::{self, Break, Continue};

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
            if let Break(verdict) = substitute(&mut f, &mut t, identity) {
                return verdict;
            }
        }
        let step = match f.cur() {
            fc if fc == t.cur() => same_byte(&mut f, &mut t),
            b'+' => single_level(&mut f, &mut t, topic_mode),
            b'#' => Break(multi_level(&f, &t, topic_mode)),
            _ => Break(mismatch(&f, &t)),
        };
        if let Break(verdict) = step {
            return verdict;
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

/// What one step of [`walk`] decided: go on, or this verdict.
type Step = ControlFlow<Result<bool, Invalid>>;

/// A `%c`/`%u` pattern level at `f`: the client's id or user name must be
/// at `t`, and is stepped over on both sides.
fn substitute(f: &mut Cursor<'_>, t: &mut Cursor<'_>, identity: Identity<'_>) -> Step {
    let Some(value) = pattern_level(f, identity) else {
        return Continue(());
    };
    let Some(value) = value.filter(|v| substitutable(v)) else {
        return Break(Ok(false));
    };
    f.advance(2);
    if !t.rest().starts_with(value) {
        return Break(Ok(false));
    }
    t.advance(value.len());
    if t.at_end() && (f.at_end() || f.rest() == b"/#") {
        return Break(Ok(true));
    }
    // Otherwise carry on comparing from here, in this same step.
    Continue(())
}

/// The same literal byte on both sides.
fn same_byte(f: &mut Cursor<'_>, t: &mut Cursor<'_>) -> Step {
    if t.peek(1) == 0 && f.rest().get(1..) == Some(b"/#") {
        // "foo" against "foo/#": the parent level matches too.
        return Break(Ok(true));
    }
    f.advance(1);
    t.advance(1);
    if f.at_end() && t.at_end() {
        return Break(Ok(true));
    }
    if t.at_end() && f.cur() == b'+' && f.peek(1) == 0 {
        // "foo/" against "foo/+": an empty last level.
        if f.follows_non_separator() {
            return Break(Err(Invalid));
        }
        return Break(Ok(true));
    }
    Continue(())
}

/// A `+` in the filter: it must fill its level, and matches one level of
/// the other side.
fn single_level(f: &mut Cursor<'_>, t: &mut Cursor<'_>, topic_mode: bool) -> Step {
    if !topic_mode && t.cur() == b'#' {
        return Break(Ok(false));
    }
    if f.follows_non_separator() || !matches!(f.peek(1), 0 | b'/') {
        return Break(Err(Invalid));
    }
    f.advance(1);
    while !t.at_end() && t.cur() != b'/' {
        if topic_mode && is_wildcard(t.cur()) {
            return Break(Err(Invalid));
        }
        t.advance(1);
    }
    if t.at_end() && f.at_end() {
        return Break(Ok(true));
    }
    Continue(())
}

/// A `#` in the filter: valid only as the whole last level, where it
/// matches whatever is left.
fn multi_level(f: &Cursor<'_>, t: &Cursor<'_>, topic_mode: bool) -> Result<bool, Invalid> {
    if f.follows_non_separator() || f.peek(1) != 0 {
        return Err(Invalid);
    }
    if topic_mode && t.rest().iter().any(|&b| is_wildcard(b)) {
        return Err(Invalid);
    }
    Ok(true)
}

/// Different bytes and no wildcard: no match, unless the topic ended
/// where the filter has `+/#` left.
fn mismatch(f: &Cursor<'_>, t: &Cursor<'_>) -> Result<bool, Invalid> {
    if t.at_end() && f.pos > 0 && f.bytes[f.pos - 1] == b'+' && f.rest().starts_with(b"/#") {
        // "foo/bar" against "foo/+/#".
        return Ok(true);
    }
    // The rest of the filter is only checked for a `#` that is not last.
    let rest = f.rest();
    if rest
        .iter()
        .take(rest.len().saturating_sub(1))
        .any(|&b| b == b'#')
    {
        return Err(Invalid);
    }
    Ok(false)
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
mod tests;
