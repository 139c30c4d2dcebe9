//! `struct mosquitto_message` helpers of `mosquitto.h`: deep copy and
//! release. Every block is `malloc`ed, so C code may also `free()` the
//! fields itself.

use std::ffi::{c_char, c_int, c_void};
use std::ptr;

use super::boundary::{c_str, ffi_boundary};
use super::constants::{mosq_err_t, rc};
use super::ptr::malloc_c_string;
use super::types::mosquitto_message;

/// Deep-copies `src` into `dst`: the topic is duplicated, and a payload of
/// `payloadlen > 0` bytes is copied into a block one byte longer whose last
/// byte is NUL. With `payloadlen == 0` the copy's payload is NULL, whatever
/// `src->payload` holds. Only the fields are written, not padding.
///
/// Arguments the original crashes on (NULL topic, NULL payload with a
/// positive length, negative length) give `MOSQ_ERR_INVAL` and leave `dst`
/// untouched.
///
/// # Safety
/// `dst` must be NULL or writable; `src` NULL or a valid message whose topic
/// is NULL or NUL-terminated and whose payload holds `payloadlen` bytes.
/// Difference: a NULL topic, or a NULL payload with a positive length, returns MOSQ_ERR_INVAL (the original crashes).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_message_copy(
    dst: *mut mosquitto_message,
    src: *const mosquitto_message,
) -> c_int {
    ffi_boundary(|| {
        if dst.is_null() || src.is_null() {
            return rc(mosq_err_t::MOSQ_ERR_INVAL);
        }
        // SAFETY: non-NULL and valid by contract.
        let src = unsafe { &*src };
        // SAFETY: NULL or NUL-terminated by contract.
        let Some(topic) = (unsafe { c_str(src.topic) }) else {
            return rc(mosq_err_t::MOSQ_ERR_INVAL);
        };
        let Ok(len) = usize::try_from(src.payloadlen) else {
            return rc(mosq_err_t::MOSQ_ERR_INVAL);
        };
        if len > 0 && src.payload.is_null() {
            return rc(mosq_err_t::MOSQ_ERR_INVAL);
        }
        let topic_copy = malloc_c_string(topic.to_bytes());
        if topic_copy.is_null() {
            return rc(mosq_err_t::MOSQ_ERR_NOMEM);
        }
        let payload_copy = if len > 0 {
            // SAFETY: non-NULL and holding `len` bytes by contract.
            let payload = unsafe { std::slice::from_raw_parts(src.payload as *const u8, len) };
            let copy = malloc_c_string(payload);
            if copy.is_null() {
                // SAFETY: our own malloc block, not yet handed out.
                unsafe { libc::free(topic_copy as *mut c_void) };
                return rc(mosq_err_t::MOSQ_ERR_NOMEM);
            }
            copy as *mut c_void
        } else {
            ptr::null_mut()
        };
        // SAFETY: `dst` is non-NULL and writable by contract; writing field
        // by field leaves its padding as it was, like the original.
        unsafe {
            (*dst).mid = src.mid;
            (*dst).topic = topic_copy;
            (*dst).qos = src.qos;
            (*dst).retain = src.retain;
            (*dst).payload = payload_copy;
            (*dst).payloadlen = src.payloadlen;
        }
        rc(mosq_err_t::MOSQ_ERR_SUCCESS)
    })
}

/// Frees a message's topic and payload and sets both to NULL (the original
/// leaves them dangling); other fields are kept. NULL is ignored.
///
/// # Safety
/// `message` must be NULL or a valid message whose topic and payload are
/// NULL or `malloc` blocks.
/// Difference: sets topic and payload to NULL after freeing.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_message_free_contents(message: *mut mosquitto_message) {
    ffi_boundary(|| {
        if message.is_null() {
            return;
        }
        // SAFETY: non-NULL and valid by contract; the fields are NULL or
        // malloc blocks we may free, and are cleared so they cannot be freed
        // twice.
        unsafe {
            libc::free((*message).topic as *mut c_void);
            (*message).topic = ptr::null_mut::<c_char>();
            libc::free((*message).payload);
            (*message).payload = ptr::null_mut();
        }
    })
}

/// Frees a `malloc`ed message with its contents and sets `*message` to NULL.
/// NULL, or a pointer to NULL, is ignored.
///
/// # Safety
/// `message` must be NULL or point to NULL or to a `malloc`ed message as
/// [`mosquitto_message_free_contents`] accepts.
/// Difference: sets *message to NULL after freeing.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_message_free(message: *mut *mut mosquitto_message) {
    ffi_boundary(|| {
        // SAFETY: NULL or readable by contract.
        if message.is_null() || unsafe { (*message).is_null() } {
            return;
        }
        // SAFETY: `*message` is a malloc'ed message by contract; after its
        // contents it is freed itself and the caller's pointer cleared.
        unsafe {
            mosquitto_message_free_contents(*message);
            libc::free(*message as *mut c_void);
            *message = ptr::null_mut();
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    const SUCCESS: c_int = rc(mosq_err_t::MOSQ_ERR_SUCCESS);
    const INVAL: c_int = rc(mosq_err_t::MOSQ_ERR_INVAL);

    fn message(topic: *const c_char, payload: *const u8, len: c_int) -> mosquitto_message {
        mosquitto_message {
            mid: 5,
            topic: topic as *mut c_char,
            payload: payload as *mut c_void,
            payloadlen: len,
            qos: 1,
            retain: true,
        }
    }

    fn blank() -> mosquitto_message {
        message(0x55 as *const c_char, 0x55 as *const u8, 0x55)
    }

    #[test]
    fn copy_duplicates_topic_and_payload_with_a_trailing_nul() {
        let src = message(c"a/b".as_ptr(), b"xyz".as_ptr(), 3);
        let mut dst = blank();
        // SAFETY: valid messages.
        assert_eq!(unsafe { mosquitto_message_copy(&mut dst, &src) }, SUCCESS);
        assert_eq!(
            (dst.mid, dst.payloadlen, dst.qos, dst.retain),
            (5, 3, 1, true)
        );
        assert_ne!(dst.topic, src.topic);
        assert_ne!(dst.payload, src.payload);
        // SAFETY: the copy's fields are fresh blocks of the stated sizes.
        unsafe {
            assert_eq!(CStr::from_ptr(dst.topic).to_bytes(), b"a/b");
            let payload = std::slice::from_raw_parts(dst.payload as *const u8, 4);
            assert_eq!(payload, b"xyz\0");
            mosquitto_message_free_contents(&mut dst);
        }
        assert!(dst.topic.is_null() && dst.payload.is_null());
        assert_eq!(dst.payloadlen, 3, "other fields are kept");
    }

    #[test]
    fn empty_payload_copies_as_null() {
        for payload in [ptr::null(), b"abc".as_ptr()] {
            let src = message(c"t".as_ptr(), payload, 0);
            let mut dst = blank();
            // SAFETY: valid messages.
            assert_eq!(unsafe { mosquitto_message_copy(&mut dst, &src) }, SUCCESS);
            assert!(dst.payload.is_null());
            assert_eq!(dst.payloadlen, 0);
            // SAFETY: the copy made above.
            unsafe { mosquitto_message_free_contents(&mut dst) };
        }
    }

    #[test]
    fn copy_refuses_what_the_original_crashes_on() {
        let cases = [
            message(ptr::null(), b"abc".as_ptr(), 3),
            message(c"t".as_ptr(), ptr::null(), 5),
            message(c"t".as_ptr(), b"abc".as_ptr(), -1),
        ];
        for src in cases {
            let mut dst = blank();
            // SAFETY: the fields that are read are valid or NULL.
            assert_eq!(unsafe { mosquitto_message_copy(&mut dst, &src) }, INVAL);
            assert_eq!(dst.topic as usize, 0x55, "dst untouched");
        }
        let src = message(c"t".as_ptr(), ptr::null(), 0);
        let mut dst = blank();
        // SAFETY: NULL pointers are allowed.
        unsafe {
            assert_eq!(mosquitto_message_copy(ptr::null_mut(), &src), INVAL);
            assert_eq!(mosquitto_message_copy(&mut dst, ptr::null()), INVAL);
        }
    }

    #[test]
    fn free_releases_a_malloced_message_and_clears_the_pointer() {
        let src = message(c"t".as_ptr(), b"p".as_ptr(), 1);
        // SAFETY: a zeroed malloc block is a valid empty message; the copy
        // fills it; free releases everything.
        unsafe {
            let mut msg =
                libc::calloc(1, std::mem::size_of::<mosquitto_message>()) as *mut mosquitto_message;
            assert!(!msg.is_null());
            assert_eq!(mosquitto_message_copy(msg, &src), SUCCESS);
            mosquitto_message_free(&mut msg);
            assert!(msg.is_null());
            mosquitto_message_free(&mut msg);
            mosquitto_message_free(ptr::null_mut());
            mosquitto_message_free_contents(ptr::null_mut());
        }
    }
}
