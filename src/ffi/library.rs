//! Library-wide entry points of `mosquitto.h`: version, init/cleanup and the
//! code-to-text helpers. The texts live in [`crate::protocol::reason`].

use std::ffi::{c_char, c_int};
use std::sync::Mutex;

use super::boundary::{c_str, ffi_boundary, ffi_boundary_or};
use super::constants::{
    mosq_err_t, rc, LIBMOSQUITTO_MAJOR, LIBMOSQUITTO_MINOR, LIBMOSQUITTO_REVISION,
    LIBMOSQUITTO_VERSION_NUMBER,
};
use super::ptr::write_out;
use crate::protocol::reason::{self, ErrorText};

/// How many `mosquitto_lib_init` calls are not yet matched by a
/// `mosquitto_lib_cleanup`.
static INIT_COUNT: Mutex<u32> = Mutex::new(0);

/// Whether the library is currently initialised (more inits than cleanups).
pub fn is_initialised() -> bool {
    *INIT_COUNT.lock().unwrap_or_else(|e| e.into_inner()) > 0
}

/// Reports the library version: each non-NULL pointer receives its part,
/// and the return value is `major*1000000 + minor*1000 + revision`.
///
/// # Safety
/// Each pointer must be NULL or writable.
/// Difference: reports 2.1.0 (the API level implemented), where Debian's reports 2.0.11.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_lib_version(
    major: *mut c_int,
    minor: *mut c_int,
    revision: *mut c_int,
) -> c_int {
    ffi_boundary_or(LIBMOSQUITTO_VERSION_NUMBER, || {
        for (out, value) in [
            (major, LIBMOSQUITTO_MAJOR),
            (minor, LIBMOSQUITTO_MINOR),
            (revision, LIBMOSQUITTO_REVISION),
        ] {
            // SAFETY: each is NULL or writable (this function's contract).
            unsafe { write_out(out, value) };
        }
        LIBMOSQUITTO_VERSION_NUMBER
    })
}

/// Initialises the library. Reference counted and thread-safe: may be called
/// any number of times, and always succeeds.
#[no_mangle]
pub extern "C" fn mosquitto_lib_init() -> c_int {
    ffi_boundary(|| {
        let mut count = INIT_COUNT.lock().unwrap_or_else(|e| e.into_inner());
        *count = count.saturating_add(1);
        rc(mosq_err_t::MOSQ_ERR_SUCCESS)
    })
}

/// Undoes one `mosquitto_lib_init`; extra calls are harmless. Always
/// succeeds.
#[no_mangle]
pub extern "C" fn mosquitto_lib_cleanup() -> c_int {
    ffi_boundary(|| {
        let mut count = INIT_COUNT.lock().unwrap_or_else(|e| e.into_inner());
        *count = count.saturating_sub(1);
        rc(mosq_err_t::MOSQ_ERR_SUCCESS)
    })
}

/// A static text describing an error code (`MOSQ_ERR_ERRNO` gives the C
/// library's text for the current `errno`).
/// Difference: describes every code of 2.0 and 2.1; 2.0.11 answers "Unknown error." for 17, 19-21, 27-34 and the 2.1 codes (2.1's texts are used for those).
#[no_mangle]
pub extern "C" fn mosquitto_strerror(mosq_errno: c_int) -> *const c_char {
    ffi_boundary_or(reason::UNKNOWN_ERROR.as_ptr(), || {
        // Read errno before anything else can change it.
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        match reason::error_text(mosq_errno) {
            ErrorText::Fixed(text) => text.as_ptr(),
            // SAFETY: strerror accepts any value and returns a NUL-terminated
            // string that stays valid until the next strerror call in this
            // thread, exactly what the original hands out.
            ErrorText::FromErrno => unsafe { libc::strerror(errno) },
        }
    })
}

/// A static text describing an MQTT 3.1/3.1.1 CONNACK return code.
#[no_mangle]
pub extern "C" fn mosquitto_connack_string(connack_code: c_int) -> *const c_char {
    ffi_boundary_or(reason::connack_text(-1).as_ptr(), || {
        reason::connack_text(connack_code).as_ptr()
    })
}

/// A static text describing an MQTT v5 reason code.
#[no_mangle]
pub extern "C" fn mosquitto_reason_string(reason_code: c_int) -> *const c_char {
    ffi_boundary_or(reason::reason_text(-1).as_ptr(), || {
        reason::reason_text(reason_code).as_ptr()
    })
}

/// Looks up a packet name (any ASCII case) and stores its command value in
/// `*cmd`. Unknown names give `MOSQ_ERR_INVAL` and leave `*cmd` untouched,
/// as in 2.0.11; so do NULL arguments (on which the original crashes).
///
/// # Safety
/// `str` must be NULL or NUL-terminated; `cmd` NULL or writable.
/// Difference: a NULL argument returns MOSQ_ERR_INVAL (the original crashes).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_string_to_command(str: *const c_char, cmd: *mut c_int) -> c_int {
    ffi_boundary(|| {
        // SAFETY: NULL or NUL-terminated, by contract.
        let Some(name) = (unsafe { c_str(str) }) else {
            return rc(mosq_err_t::MOSQ_ERR_INVAL);
        };
        if cmd.is_null() {
            return rc(mosq_err_t::MOSQ_ERR_INVAL);
        }
        match reason::command_from_name(name.to_bytes()) {
            Some(value) => {
                // SAFETY: non-NULL and, by contract, writable.
                unsafe { *cmd = value };
                rc(mosq_err_t::MOSQ_ERR_SUCCESS)
            }
            None => rc(mosq_err_t::MOSQ_ERR_INVAL),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;
    use std::ptr;

    fn text(p: *const c_char) -> &'static str {
        // SAFETY: the functions under test return static C strings.
        unsafe { CStr::from_ptr(p) }.to_str().unwrap()
    }

    #[test]
    fn version_fills_each_non_null_pointer() {
        let (mut major, mut minor, mut revision) = (-1, -1, -1);
        // SAFETY: live ints or NULL.
        unsafe {
            assert_eq!(
                mosquitto_lib_version(&mut major, &mut minor, &mut revision),
                2001000
            );
            assert_eq!((major, minor, revision), (2, 1, 0));
            let mut only_minor = -1;
            assert_eq!(
                mosquitto_lib_version(ptr::null_mut(), &mut only_minor, ptr::null_mut()),
                2001000
            );
            assert_eq!(only_minor, 1);
        }
    }

    #[test]
    fn init_and_cleanup_always_succeed_and_count() {
        assert_eq!(mosquitto_lib_init(), 0);
        assert_eq!(mosquitto_lib_init(), 0);
        assert!(is_initialised());
        assert_eq!(mosquitto_lib_cleanup(), 0);
        assert!(is_initialised(), "one init is still outstanding");
        assert_eq!(mosquitto_lib_cleanup(), 0);
        // Surplus cleanups are harmless.
        assert_eq!(mosquitto_lib_cleanup(), 0);
        assert_eq!(mosquitto_lib_cleanup(), 0);
        let threads: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    for _ in 0..100 {
                        assert_eq!(mosquitto_lib_init(), 0);
                        assert_eq!(mosquitto_lib_cleanup(), 0);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }

    #[test]
    fn strerror_texts() {
        assert_eq!(text(mosquitto_strerror(0)), "No error.");
        assert_eq!(
            text(mosquitto_strerror(3)),
            "Invalid function arguments provided."
        );
        assert_eq!(text(mosquitto_strerror(148)), "Topic alias invalid");
        assert_eq!(text(mosquitto_strerror(9999)), "Unknown error.");
    }

    #[test]
    fn strerror_of_errno_reads_errno() {
        // SAFETY: writing this thread's errno.
        unsafe { *libc::__errno_location() = libc::ENOENT };
        assert_eq!(text(mosquitto_strerror(14)), "No such file or directory");
    }

    #[test]
    fn connack_and_reason_strings() {
        assert_eq!(
            text(mosquitto_connack_string(1)),
            "Connection Refused: unacceptable protocol version."
        );
        assert_eq!(
            text(mosquitto_connack_string(-3)),
            "Connection Refused: unknown reason."
        );
        assert_eq!(text(mosquitto_reason_string(135)), "Not authorized");
        assert_eq!(text(mosquitto_reason_string(3)), "Unknown reason");
    }

    #[test]
    fn string_to_command() {
        let mut cmd = -5;
        // SAFETY: C strings or NULL, and a live int.
        unsafe {
            assert_eq!(mosquitto_string_to_command(c"PubRel".as_ptr(), &mut cmd), 0);
            assert_eq!(cmd, 0x60);
            cmd = -5;
            assert_eq!(mosquitto_string_to_command(c"suback".as_ptr(), &mut cmd), 3);
            assert_eq!(cmd, -5, "left untouched on failure");
            assert_eq!(mosquitto_string_to_command(ptr::null(), &mut cmd), 3);
            assert_eq!(
                mosquitto_string_to_command(c"will".as_ptr(), ptr::null_mut()),
                3
            );
        }
    }
}
