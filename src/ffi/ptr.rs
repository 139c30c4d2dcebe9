//! Raw pointers from C turned into Rust values, in one place.
//!
//! Every exported function's contract (`mosquitto.h`) says each pointer is
//! NULL or valid for its use: a handle from `mosquitto_new` not yet
//! destroyed, a NUL-terminated string, a buffer of the given length, a
//! writable out-parameter. The helpers here rely on exactly that and
//! nothing more, so a function's own `unsafe` blocks only have to say which
//! of those promises they use. `try_client!` borrows the client or
//! returns `MOSQ_ERR_INVAL`, as every client function of the original does
//! for a NULL handle.

use std::ffi::{c_char, c_void, CStr};
use std::sync::Arc;

use super::types::mosquitto;
use crate::client::Client;

pub use super::boundary::c_str;

/// Borrows the client behind `$mosq` (a `*mut mosquitto` argument of the
/// enclosing exported function), or returns `MOSQ_ERR_INVAL` from that
/// function when it is NULL.
///
/// The enclosing function's contract must say that `$mosq` is NULL or a
/// live handle, as every `mosquitto_*` function taking one does.
macro_rules! try_client {
    ($mosq:expr) => {
        // SAFETY: the enclosing function's contract: the handle is NULL or
        // live (see the macro's documentation).
        match unsafe { $crate::ffi::ptr::client($mosq) } {
            Some(client) => client,
            None => {
                return $crate::ffi::constants::rc(
                    $crate::ffi::constants::mosq_err_t::MOSQ_ERR_INVAL,
                )
            }
        }
    };
}
pub(crate) use try_client;

/// Borrows the client behind a handle (`None` for NULL).
///
/// # Safety
/// `mosq` is NULL or a handle from `mosquitto_new` not yet destroyed.
pub(crate) unsafe fn client<'a>(mosq: *mut mosquitto) -> Option<&'a Client> {
    // SAFETY: live handles are `Arc::into_raw` pointers; the C side's
    // reference keeps the client alive until `mosquitto_destroy`.
    unsafe { (mosq as *const Client).as_ref() }
}

/// A new strong reference to the client behind a handle.
///
/// # Safety
/// As [`client`].
pub(crate) unsafe fn client_arc(mosq: *mut mosquitto) -> Option<Arc<Client>> {
    if mosq.is_null() {
        return None;
    }
    let raw = mosq as *const Client;
    // SAFETY: `raw` came from `Arc::into_raw` and its count is at least one
    // (the C side's); we add one for the `Arc` we hand out.
    unsafe {
        Arc::increment_strong_count(raw);
        Some(Arc::from_raw(raw))
    }
}

/// The bytes of a NUL-terminated C string, or `None` for NULL.
///
/// # Safety
/// As [`c_str`].
pub unsafe fn c_bytes<'a>(ptr: *const c_char) -> Option<&'a [u8]> {
    // SAFETY: this function's contract is `c_str`'s.
    unsafe { c_str(ptr) }.map(CStr::to_bytes)
}

/// `len` bytes at `ptr` (`len` 0: empty, whatever `ptr` is), or `None` for
/// NULL with a non-zero length.
///
/// # Safety
/// `ptr` is NULL or valid for reading `len` bytes that stay unmodified
/// for `'a`.
pub unsafe fn bytes<'a>(ptr: *const c_void, len: usize) -> Option<&'a [u8]> {
    if len == 0 {
        Some(&[])
    } else if ptr.is_null() {
        None
    } else {
        // SAFETY: non-NULL and, by this function's contract, `len` readable
        // bytes alive for 'a.
        Some(unsafe { std::slice::from_raw_parts(ptr as *const u8, len) })
    }
}

/// Writes `value` to the out-parameter `out` unless it is NULL.
///
/// # Safety
/// `out` is NULL or valid for writing a `T` (the previous value is not
/// dropped: `T` is a plain C value).
pub unsafe fn write_out<T: Copy>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: non-NULL and writable by this function's contract.
        unsafe { out.write(value) };
    }
}

/// Copies `bytes` into a new `malloc` block followed by `zeros` zero bytes
/// (1 for a C string), which C callers release with `free()`. NULL when
/// out of memory (and possibly for an empty block, as `malloc(0)`).
pub fn malloc_copy(bytes: &[u8], zeros: usize) -> *mut c_char {
    let size = bytes.len() + zeros;
    // SAFETY: the block is ours and `size` bytes long: we write exactly
    // `bytes.len()` copied bytes and `zeros` zeros into it before handing
    // it out.
    unsafe {
        let p = libc::malloc(size) as *mut u8;
        if p.is_null() {
            return std::ptr::null_mut();
        }
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
        std::ptr::write_bytes(p.add(bytes.len()), 0, zeros);
        p as *mut c_char
    }
}

/// A `malloc` copy of `bytes` with a NUL after them (a C string).
pub fn malloc_c_string(bytes: &[u8]) -> *mut c_char {
    malloc_copy(bytes, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_take_null_only_when_empty() {
        // SAFETY: NULL, or a live array of the length given.
        unsafe {
            assert_eq!(bytes(std::ptr::null(), 0), Some(&[][..]));
            assert_eq!(bytes(std::ptr::null(), 3), None);
            let a = [1u8, 2, 3];
            assert_eq!(bytes(a.as_ptr().cast(), 2), Some(&a[..2]));
        }
    }

    #[test]
    fn write_out_skips_null() {
        let mut v = 0;
        // SAFETY: NULL, or a live local.
        unsafe {
            write_out(std::ptr::null_mut(), 5);
            write_out(&mut v, 7);
        }
        assert_eq!(v, 7);
    }

    #[test]
    fn malloc_copy_appends_zeros() {
        let p = malloc_copy(b"ab", 2);
        assert!(!p.is_null());
        // SAFETY: a 4-byte block we own, freed once.
        unsafe {
            assert_eq!(std::slice::from_raw_parts(p as *const u8, 4), b"ab\0\0");
            libc::free(p.cast());
        }
    }

    /// The production code of every file under `dir` (up to its unit
    /// tests; `tests.rs` files left out), with its path.
    fn production_sources(dir: &std::path::Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(production_sources(&path));
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "tests.rs")
            {
                let text = std::fs::read_to_string(&path).unwrap();
                let end = text.find("#[cfg(test)]").unwrap_or(text.len());
                out.push((path.display().to_string(), text[..end].to_string()));
            }
        }
        out
    }

    /// The C API translates: it never reaches into the client's state
    /// (decisions are client methods), and `malloc` copies are made here
    /// only.
    #[test]
    fn the_c_api_only_translates() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ffi");
        for (path, code) in production_sources(&dir) {
            assert!(
                !code.contains("with_state("),
                "{path} reaches into the client's state"
            );
            // boundary.rs still holds the unused `malloc_bytes_nul`, left
            // for that file's owner to delete (a parallel change).
            if !path.ends_with("ptr.rs") && !path.ends_with("boundary.rs") {
                assert!(
                    !code.contains("libc::malloc("),
                    "{path} has its own malloc copy"
                );
            }
        }
    }
}
