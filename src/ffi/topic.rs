//! Topic utilities of `mosquitto.h`: validity checks, matching, splitting and
//! UTF-8 validation. The logic lives in [`crate::protocol::topic`] and
//! [`crate::protocol::utf8`]; this module only converts arguments and codes.

use std::ffi::{c_char, c_int, CStr};
use std::ptr;

use super::boundary::{c_str, ffi_boundary};
use super::constants::{mosq_err_t, rc};
use crate::protocol::topic::{self, Identity, Invalid};
use crate::protocol::utf8::{self, Utf8Error};

const SUCCESS: c_int = rc(mosq_err_t::MOSQ_ERR_SUCCESS);
const INVAL: c_int = rc(mosq_err_t::MOSQ_ERR_INVAL);
const NOMEM: c_int = rc(mosq_err_t::MOSQ_ERR_NOMEM);

/// Maps a validity verdict to its return code.
fn check_code(verdict: Result<(), Invalid>) -> c_int {
    match verdict {
        Ok(()) => SUCCESS,
        Err(Invalid) => INVAL,
    }
}

/// Borrows `len` bytes at `ptr` for the `*2` checks, or `None` when `ptr` is
/// NULL or `len` is over the topic limit (refused before reading anything).
///
/// # Safety
/// When non-NULL, `ptr` must be readable for `len` bytes whenever `len` is
/// within [`topic::MAX_TOPIC_LEN`].
unsafe fn topic_buffer<'a>(ptr: *const c_char, len: usize) -> Option<&'a [u8]> {
    if ptr.is_null() || len > topic::MAX_TOPIC_LEN {
        return None;
    }
    // SAFETY: non-NULL, and the caller guarantees `len` readable bytes; `len`
    // is at most 65535 so the slice size is in range.
    Some(unsafe { std::slice::from_raw_parts(ptr as *const u8, len) })
}

/// Writes a match verdict to `result` and returns the code for it.
///
/// # Safety
/// `result` must be valid for a `bool` write.
unsafe fn report_match(verdict: Result<bool, Invalid>, result: *mut bool) -> c_int {
    match verdict {
        Ok(matched) => {
            // SAFETY: guaranteed writable by the caller.
            unsafe { *result = matched };
            SUCCESS
        }
        Err(Invalid) => INVAL,
    }
}

/// Runs a matcher on two C strings after the original's argument checks:
/// `result` NULL is refused; otherwise it is cleared first, then NULL
/// strings are refused.
///
/// # Safety
/// `a` and `b` must be NULL or NUL-terminated; `result` NULL or writable.
unsafe fn match_c_strings(
    a: *const c_char,
    b: *const c_char,
    result: *mut bool,
    matcher: impl FnOnce(&[u8], &[u8]) -> Result<bool, Invalid>,
) -> c_int {
    if result.is_null() {
        return INVAL;
    }
    // SAFETY: non-NULL and, by contract, writable.
    unsafe { *result = false };
    // SAFETY: NULL or NUL-terminated, by contract.
    let (Some(a), Some(b)) = (unsafe { c_str(a) }, unsafe { c_str(b) }) else {
        return INVAL;
    };
    // SAFETY: `result` is writable (checked above).
    unsafe { report_match(matcher(a.to_bytes(), b.to_bytes()), result) }
}

/// Borrows an optional C string as bytes.
///
/// # Safety
/// `ptr` must be NULL or NUL-terminated.
unsafe fn optional_bytes<'a>(ptr: *const c_char) -> Option<&'a [u8]> {
    // SAFETY: NULL or NUL-terminated (this function's contract).
    unsafe { c_str(ptr) }.map(CStr::to_bytes)
}

/// Checks a topic for publishing: no wildcards, at most 65535 bytes.
///
/// # Safety
/// `topic` must be NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_pub_topic_check(topic: *const c_char) -> c_int {
    ffi_boundary(|| {
        // SAFETY: NULL or NUL-terminated, by contract.
        match unsafe { c_str(topic) } {
            Some(t) => check_code(topic::check_publish_topic(t.to_bytes())),
            None => INVAL,
        }
    })
}

/// Checks `topiclen` bytes of a topic for publishing.
///
/// # Safety
/// `topic` must be NULL or readable for `topiclen` bytes.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_pub_topic_check2(
    topic: *const c_char,
    topiclen: usize,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: NULL or `topiclen` readable bytes (this function's contract).
        match unsafe { topic_buffer(topic, topiclen) } {
            Some(t) => check_code(topic::check_publish_topic(t)),
            None => INVAL,
        }
    })
}

/// Checks a topic filter for subscribing: wildcards in valid positions, at
/// most 65535 bytes.
///
/// # Safety
/// `topic` must be NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_sub_topic_check(topic: *const c_char) -> c_int {
    ffi_boundary(|| {
        // SAFETY: NULL or NUL-terminated, by contract.
        match unsafe { c_str(topic) } {
            Some(t) => check_code(topic::check_subscription_filter(t.to_bytes())),
            None => INVAL,
        }
    })
}

/// Checks `topiclen` bytes of a topic filter for subscribing.
///
/// # Safety
/// `topic` must be NULL or readable for `topiclen` bytes.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_sub_topic_check2(
    topic: *const c_char,
    topiclen: usize,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: NULL or `topiclen` readable bytes (this function's contract).
        match unsafe { topic_buffer(topic, topiclen) } {
            Some(t) => check_code(topic::check_subscription_filter(t)),
            None => INVAL,
        }
    })
}

/// Whether `topic` matches the subscription `sub`; the verdict goes to
/// `*result`.
///
/// # Safety
/// `sub` and `topic` must be NULL or NUL-terminated; `result` NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_topic_matches_sub(
    sub: *const c_char,
    topic: *const c_char,
    result: *mut bool,
) -> c_int {
    // SAFETY: this function's contract covers `match_c_strings`'s.
    ffi_boundary(|| unsafe { match_c_strings(sub, topic, result, topic::topic_matches_sub) })
}

/// As [`mosquitto_topic_matches_sub`]; like the original, the lengths are
/// ignored and both strings are read up to their NUL.
///
/// # Safety
/// As [`mosquitto_topic_matches_sub`].
#[no_mangle]
pub unsafe extern "C" fn mosquitto_topic_matches_sub2(
    sub: *const c_char,
    sublen: usize,
    topic: *const c_char,
    topiclen: usize,
    result: *mut bool,
) -> c_int {
    ffi_boundary(|| {
        // The original ignores the lengths; so do we (named as in the header).
        let _ = (sublen, topiclen);
        // SAFETY: strings NULL or NUL-terminated, `result` NULL or writable
        // (this function's contract, which is `match_c_strings`').
        unsafe { match_c_strings(sub, topic, result, topic::topic_matches_sub) }
    })
}

/// Whether `topic` matches `sub`, with `%c`/`%u` levels of `sub` replaced by
/// `clientid`/`username` (2.1).
///
/// # Safety
/// The strings must be NULL or NUL-terminated; `result` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_topic_matches_sub_with_pattern(
    sub: *const c_char,
    topic: *const c_char,
    clientid: *const c_char,
    username: *const c_char,
    result: *mut bool,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: NULL or NUL-terminated, by contract.
        let identity = unsafe {
            Identity {
                client_id: optional_bytes(clientid),
                username: optional_bytes(username),
            }
        };
        // SAFETY: this function's contract covers `match_c_strings`'s.
        unsafe {
            match_c_strings(sub, topic, result, |s, t| {
                topic::topic_matches_sub_with_pattern(s, t, identity)
            })
        }
    })
}

/// Whether every topic the subscription `sub` can receive is allowed by the
/// ACL filter `acl` (2.1).
///
/// # Safety
/// The strings must be NULL or NUL-terminated; `result` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_sub_matches_acl(
    acl: *const c_char,
    sub: *const c_char,
    result: *mut bool,
) -> c_int {
    // SAFETY: this function's contract covers `match_c_strings`'s.
    ffi_boundary(|| unsafe { match_c_strings(acl, sub, result, topic::sub_matches_acl) })
}

/// [`mosquitto_sub_matches_acl`] with `%c`/`%u` levels of `acl` replaced by
/// `clientid`/`username` (2.1).
///
/// # Safety
/// The strings must be NULL or NUL-terminated; `result` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_sub_matches_acl_with_pattern(
    acl: *const c_char,
    sub: *const c_char,
    clientid: *const c_char,
    username: *const c_char,
    result: *mut bool,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: NULL or NUL-terminated, by contract.
        let identity = unsafe {
            Identity {
                client_id: optional_bytes(clientid),
                username: optional_bytes(username),
            }
        };
        // SAFETY: this function's contract covers `match_c_strings`'s.
        unsafe {
            match_c_strings(acl, sub, result, |a, s| {
                topic::sub_matches_acl_with_pattern(a, s, identity)
            })
        }
    })
}

/// Splits `subtopic` at each `/` into a `calloc`ed array of `malloc`ed
/// strings (NULL for empty levels), released by
/// [`mosquitto_sub_topic_tokens_free`] or by `free()`.
///
/// # Safety
/// `subtopic` must be NULL or NUL-terminated; `topics` and `count` NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_sub_topic_tokenise(
    subtopic: *const c_char,
    topics: *mut *mut *mut c_char,
    count: *mut c_int,
) -> c_int {
    ffi_boundary(|| {
        if topics.is_null() || count.is_null() {
            return INVAL;
        }
        // SAFETY: NULL or NUL-terminated, by contract.
        let Some(subtopic) = (unsafe { c_str(subtopic) }) else {
            return INVAL;
        };
        let levels = topic::tokenise(subtopic.to_bytes());
        let Ok(n) = c_int::try_from(levels.len()) else {
            return INVAL;
        };
        let Some(array) = build_token_array(&levels) else {
            return NOMEM;
        };
        // SAFETY: both checked non-NULL and writable by contract.
        unsafe {
            *topics = array;
            *count = n;
        }
        SUCCESS
    })
}

/// Allocates the C array for [`mosquitto_sub_topic_tokenise`], or `None`
/// (with everything released) when out of memory.
fn build_token_array(levels: &[Option<&[u8]>]) -> Option<*mut *mut c_char> {
    // SAFETY: calloc with a non-zero count (tokenise gives at least one
    // level); the block is zeroed, so every slot starts as NULL.
    let array = unsafe { libc::calloc(levels.len(), std::mem::size_of::<*mut c_char>()) }
        as *mut *mut c_char;
    if array.is_null() {
        return None;
    }
    for (i, level) in levels.iter().enumerate() {
        let Some(level) = level else { continue };
        let copy = super::ptr::malloc_c_string(level);
        if copy.is_null() {
            // SAFETY: `array` holds `levels.len()` slots, each NULL or a
            // malloc block we made above.
            unsafe { free_token_array(array, levels.len()) };
            return None;
        }
        // SAFETY: `i` is within the `levels.len()` slots of `array`.
        unsafe { *array.add(i) = copy };
    }
    Some(array)
}

/// Frees the first `count` strings of `array`, then `array`.
///
/// # Safety
/// `array` must be a malloc block of at least `count` slots, each NULL or a
/// malloc block.
unsafe fn free_token_array(array: *mut *mut c_char, count: usize) {
    for i in 0..count {
        // SAFETY: `i < count`, within the array; each slot is NULL or owned.
        unsafe { libc::free(*array.add(i) as *mut libc::c_void) };
    }
    // SAFETY: `array` is a malloc block we own.
    unsafe { libc::free(array as *mut libc::c_void) };
}

/// Frees the array made by [`mosquitto_sub_topic_tokenise`] and sets
/// `*topics` to NULL (the original leaves it dangling).
///
/// # Safety
/// `topics` must be NULL or point to NULL or to an array from
/// [`mosquitto_sub_topic_tokenise`] holding at least `count` slots.
/// Difference: sets *topics to NULL after freeing.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_sub_topic_tokens_free(
    topics: *mut *mut *mut c_char,
    count: c_int,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: NULL or readable, by contract.
        if topics.is_null() || unsafe { (*topics).is_null() } || count < 1 {
            return INVAL;
        }
        // SAFETY: by contract `*topics` is a tokenise array of at least
        // `count` slots; `count` is positive so the cast is exact.
        unsafe {
            free_token_array(*topics, count as usize);
            *topics = ptr::null_mut();
        }
        SUCCESS
    })
}

/// Validates `len` bytes at `str` as an MQTT UTF-8 string.
///
/// # Safety
/// `str` must be NULL or readable for `len` bytes.
/// Difference: never reads past len (the original does when len cuts a multi-byte sequence short).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_validate_utf8(str: *const c_char, len: c_int) -> c_int {
    ffi_boundary(|| {
        let Ok(len) = usize::try_from(len) else {
            return INVAL;
        };
        if str.is_null() || len > utf8::MAX_VALIDATED_LEN {
            return INVAL;
        }
        // SAFETY: non-NULL, readable for `len` bytes by contract, and `len`
        // is small.
        let bytes = unsafe { std::slice::from_raw_parts(str as *const u8, len) };
        match utf8::validate(bytes) {
            Ok(()) => SUCCESS,
            Err(Utf8Error::TooLong) => INVAL,
            Err(Utf8Error::Malformed) => rc(mosq_err_t::MOSQ_ERR_MALFORMED_UTF8),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MALFORMED: c_int = rc(mosq_err_t::MOSQ_ERR_MALFORMED_UTF8);

    fn matches(sub: &CStr, topic: &CStr) -> (c_int, bool) {
        let mut result = true;
        // SAFETY: valid C strings and a live bool.
        let code =
            unsafe { mosquitto_topic_matches_sub(sub.as_ptr(), topic.as_ptr(), &mut result) };
        (code, result)
    }

    #[test]
    fn matching_reports_through_result() {
        assert_eq!(matches(c"a/+", c"a/b"), (SUCCESS, true));
        assert_eq!(matches(c"a/+", c"b/b"), (SUCCESS, false));
        // On error the result is still cleared.
        assert_eq!(matches(c"a+", c"a"), (INVAL, false));
        assert_eq!(matches(c"", c"a"), (INVAL, false));
    }

    #[test]
    fn matching_refuses_null_arguments() {
        let mut result = true;
        // SAFETY: NULL strings are allowed; `result` is a live bool.
        unsafe {
            assert_eq!(
                mosquitto_topic_matches_sub(ptr::null(), c"a".as_ptr(), &mut result),
                INVAL
            );
            assert!(!result);
            result = true;
            assert_eq!(
                mosquitto_topic_matches_sub(c"a".as_ptr(), ptr::null(), &mut result),
                INVAL
            );
            assert!(!result);
            assert_eq!(
                mosquitto_topic_matches_sub(c"a".as_ptr(), c"a".as_ptr(), ptr::null_mut()),
                INVAL
            );
            assert_eq!(
                mosquitto_sub_matches_acl(c"a".as_ptr(), c"a".as_ptr(), ptr::null_mut()),
                INVAL
            );
        }
    }

    #[test]
    fn matches_sub2_ignores_the_lengths() {
        let mut result = false;
        // SAFETY: valid C strings; lengths are ignored; `result` is live.
        unsafe {
            let code =
                mosquitto_topic_matches_sub2(c"#".as_ptr(), 0, c"a".as_ptr(), 0, &mut result);
            assert_eq!((code, result), (SUCCESS, true));
            let code =
                mosquitto_topic_matches_sub2(c"a/b".as_ptr(), 1, c"a/b".as_ptr(), 1, &mut result);
            assert_eq!((code, result), (SUCCESS, true));
            let code =
                mosquitto_topic_matches_sub2(c"a".as_ptr(), 5, c"b".as_ptr(), 0, &mut result);
            assert_eq!((code, result), (SUCCESS, false));
            let code = mosquitto_topic_matches_sub2(c"".as_ptr(), 5, c"a".as_ptr(), 1, &mut result);
            assert_eq!(code, INVAL);
        }
    }

    #[test]
    fn pattern_variants_pass_the_identity() {
        let mut result = false;
        // SAFETY: valid or NULL C strings; `result` is live.
        unsafe {
            let code = mosquitto_topic_matches_sub_with_pattern(
                c"s/%c/%u".as_ptr(),
                c"s/kitchen/bob".as_ptr(),
                c"kitchen".as_ptr(),
                c"bob".as_ptr(),
                &mut result,
            );
            assert_eq!((code, result), (SUCCESS, true));
            let code = mosquitto_topic_matches_sub_with_pattern(
                c"s/%c".as_ptr(),
                c"s/kitchen".as_ptr(),
                ptr::null(),
                c"kitchen".as_ptr(),
                &mut result,
            );
            assert_eq!((code, result), (SUCCESS, false));
            let code = mosquitto_sub_matches_acl_with_pattern(
                c"s/%u/#".as_ptr(),
                c"s/bob/+".as_ptr(),
                ptr::null(),
                c"bob".as_ptr(),
                &mut result,
            );
            assert_eq!((code, result), (SUCCESS, true));
            let code = mosquitto_sub_matches_acl(c"s/+".as_ptr(), c"s/#".as_ptr(), &mut result);
            assert_eq!((code, result), (SUCCESS, false));
            let code = mosquitto_sub_matches_acl_with_pattern(
                ptr::null(),
                c"s".as_ptr(),
                ptr::null(),
                ptr::null(),
                &mut result,
            );
            assert_eq!((code, result), (INVAL, false));
        }
    }

    #[test]
    fn topic_checks_handle_null_and_lengths() {
        // SAFETY: NULL, C strings, or buffers readable for the given length.
        unsafe {
            assert_eq!(mosquitto_pub_topic_check(ptr::null()), INVAL);
            assert_eq!(mosquitto_sub_topic_check(ptr::null()), INVAL);
            assert_eq!(mosquitto_pub_topic_check2(ptr::null(), 0), INVAL);
            assert_eq!(mosquitto_sub_topic_check2(ptr::null(), 5), INVAL);
            assert_eq!(mosquitto_pub_topic_check(c"".as_ptr()), SUCCESS);
            assert_eq!(mosquitto_pub_topic_check(c"a/+".as_ptr()), INVAL);
            assert_eq!(mosquitto_sub_topic_check(c"a/+".as_ptr()), SUCCESS);
            assert_eq!(mosquitto_pub_topic_check2(c"a+".as_ptr(), 1), SUCCESS);
            assert_eq!(mosquitto_pub_topic_check2(c"a+".as_ptr(), 2), INVAL);
            assert_eq!(mosquitto_pub_topic_check2(c"a".as_ptr(), 0), SUCCESS);
            assert_eq!(mosquitto_sub_topic_check2(c"a#".as_ptr(), 2), INVAL);
            assert_eq!(mosquitto_sub_topic_check2(c"a/#".as_ptr(), 2), SUCCESS);
            let embedded = b"a\0+";
            assert_eq!(
                mosquitto_sub_topic_check2(embedded.as_ptr().cast(), 3),
                SUCCESS
            );
            assert_eq!(
                mosquitto_pub_topic_check2(embedded.as_ptr().cast(), 3),
                INVAL
            );
            // Over-long lengths are refused without reading the buffer.
            assert_eq!(mosquitto_pub_topic_check2(c"a".as_ptr(), 65536), INVAL);
            assert_eq!(mosquitto_sub_topic_check2(c"a".as_ptr(), usize::MAX), INVAL);
            let long = vec![b'a'; 65535];
            assert_eq!(
                mosquitto_pub_topic_check2(long.as_ptr().cast(), long.len()),
                SUCCESS
            );
        }
    }

    fn tokens(topic: &CStr) -> Vec<Option<String>> {
        let mut array: *mut *mut c_char = ptr::null_mut();
        let mut count: c_int = -1;
        // SAFETY: a valid C string and live out-pointers.
        let code = unsafe { mosquitto_sub_topic_tokenise(topic.as_ptr(), &mut array, &mut count) };
        assert_eq!(code, SUCCESS);
        let levels = (0..count as usize)
            .map(|i| {
                // SAFETY: tokenise returned `count` slots, each NULL or a C string.
                unsafe { c_str(*array.add(i)) }.map(|s| s.to_str().unwrap().to_owned())
            })
            .collect();
        // SAFETY: the array and count tokenise just gave us.
        assert_eq!(
            unsafe { mosquitto_sub_topic_tokens_free(&mut array, count) },
            SUCCESS
        );
        assert!(array.is_null());
        levels
    }

    #[test]
    fn tokenise_builds_a_c_array() {
        let s = |v: &str| Some(v.to_owned());
        assert_eq!(tokens(c""), vec![None]);
        assert_eq!(tokens(c"a//b"), vec![s("a"), None, s("b")]);
        assert_eq!(tokens(c"/a/"), vec![None, s("a"), None]);
        assert_eq!(tokens(c"$SYS/+/#"), vec![s("$SYS"), s("+"), s("#")]);
    }

    #[test]
    fn tokenise_and_free_refuse_bad_arguments() {
        let mut array: *mut *mut c_char = ptr::dangling_mut::<*mut c_char>();
        let mut count: c_int = 7;
        // SAFETY: NULL or live pointers; nothing is written on failure.
        unsafe {
            assert_eq!(
                mosquitto_sub_topic_tokenise(ptr::null(), &mut array, &mut count),
                INVAL
            );
            assert_eq!(
                mosquitto_sub_topic_tokenise(c"a".as_ptr(), ptr::null_mut(), &mut count),
                INVAL
            );
            assert_eq!(
                mosquitto_sub_topic_tokenise(c"a".as_ptr(), &mut array, ptr::null_mut()),
                INVAL
            );
            assert_eq!((array, count), (ptr::dangling_mut(), 7));
            assert_eq!(mosquitto_sub_topic_tokens_free(ptr::null_mut(), 1), INVAL);
            let mut none: *mut *mut c_char = ptr::null_mut();
            assert_eq!(mosquitto_sub_topic_tokens_free(&mut none, 1), INVAL);
            // A count below one is refused and frees nothing.
            assert_eq!(
                mosquitto_sub_topic_tokenise(c"a/b".as_ptr(), &mut array, &mut count),
                SUCCESS
            );
            assert_eq!(mosquitto_sub_topic_tokens_free(&mut array, 0), INVAL);
            assert_eq!(mosquitto_sub_topic_tokens_free(&mut array, -1), INVAL);
            assert!(!array.is_null());
            assert_eq!(mosquitto_sub_topic_tokens_free(&mut array, count), SUCCESS);
        }
    }

    #[test]
    fn validate_utf8_codes() {
        // SAFETY: NULL or buffers readable for the given length.
        unsafe {
            assert_eq!(mosquitto_validate_utf8(ptr::null(), 0), INVAL);
            assert_eq!(mosquitto_validate_utf8(ptr::null(), 3), INVAL);
            assert_eq!(mosquitto_validate_utf8(c"a".as_ptr(), -1), INVAL);
            assert_eq!(mosquitto_validate_utf8(c"a".as_ptr(), 0), SUCCESS);
            assert_eq!(mosquitto_validate_utf8(c"h\xc3\xa9".as_ptr(), 3), SUCCESS);
            assert_eq!(mosquitto_validate_utf8(c"\xc3\x28".as_ptr(), 2), MALFORMED);
            assert_eq!(
                mosquitto_validate_utf8(b"a\0b".as_ptr().cast(), 3),
                MALFORMED
            );
            // The sequence is cut by the length: refused, nothing read beyond.
            assert_eq!(mosquitto_validate_utf8(c"\xc3\xa9".as_ptr(), 1), MALFORMED);
            let long = vec![b'a'; 65537];
            assert_eq!(
                mosquitto_validate_utf8(long.as_ptr().cast(), 65536),
                SUCCESS
            );
            assert_eq!(mosquitto_validate_utf8(long.as_ptr().cast(), 65537), INVAL);
        }
    }
}
