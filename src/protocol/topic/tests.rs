//! Unit tests of topic checks and matching.

use super::*;

const M: Result<bool, Invalid> = Ok(true);
const N: Result<bool, Invalid> = Ok(false);
const I: Result<bool, Invalid> = Err(Invalid);

#[test]
fn plain_topic_check_agrees_with_a_byte_by_byte_check() {
    let bytewise =
        |t: &[u8]| !t.is_empty() && t.len() <= MAX_TOPIC_LEN && t.iter().all(|&b| plain_byte(b));
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

fn with_pattern(sub: &str, topic: &str, c: Option<&str>, u: Option<&str>) -> Result<bool, Invalid> {
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
