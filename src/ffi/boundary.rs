//! The single panic boundary and the pointer helpers every entry point uses.
//!
//! A panic unwinding into C is undefined behaviour, so every exported
//! function wraps its body in [`ffi_boundary`] (or [`ffi_boundary_or`] when
//! the "something went wrong" value is not the return type's default).

use std::ffi::{c_char, c_int, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::constants::mosq_err_t;

/// The value an entry point returns when its body panicked.
pub trait PanicValue {
    /// What C sees after a caught panic.
    fn panicked() -> Self;
}

impl PanicValue for c_int {
    fn panicked() -> Self {
        mosq_err_t::MOSQ_ERR_UNKNOWN as c_int
    }
}

impl PanicValue for bool {
    fn panicked() -> Self {
        false
    }
}

impl PanicValue for () {
    fn panicked() -> Self {}
}

impl<T> PanicValue for *mut T {
    fn panicked() -> Self {
        std::ptr::null_mut()
    }
}

impl<T> PanicValue for *const T {
    fn panicked() -> Self {
        std::ptr::null()
    }
}

/// Runs `body`, turning a panic into `R::panicked()`.
pub fn ffi_boundary<R: PanicValue>(body: impl FnOnce() -> R) -> R {
    ffi_boundary_or(R::panicked(), body)
}

/// Runs `body`, turning a panic into `on_panic`.
pub fn ffi_boundary_or<R>(on_panic: R, body: impl FnOnce() -> R) -> R {
    // AssertUnwindSafe: after a panic we never look at the closure's captured
    // state again; we only return a constant to C.
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(on_panic)
}

/// Borrows a NUL-terminated C string, or `None` for NULL.
///
/// # Safety
/// `ptr` must be NULL or point to a NUL-terminated string that stays valid
/// and unmodified for `'a`.
pub unsafe fn c_str<'a>(ptr: *const c_char) -> Option<&'a CStr> {
    if ptr.is_null() {
        None
    } else {
        // SAFETY: non-NULL and, by this function's contract, NUL-terminated
        // and alive for 'a.
        Some(unsafe { CStr::from_ptr(ptr) })
    }
}

/// Copies `bytes` into a new `malloc` block with a NUL after them, so that C
/// callers may release it with `free()`. Returns NULL when out of memory.
pub fn malloc_bytes_nul(bytes: &[u8]) -> *mut c_char {
    // SAFETY: malloc with a non-zero size; we write exactly len+1 bytes into
    // the block we own before handing it out.
    unsafe {
        let p = libc::malloc(bytes.len() + 1) as *mut u8;
        if p.is_null() {
            return std::ptr::null_mut();
        }
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
        *p.add(bytes.len()) = 0;
        p as *mut c_char
    }
}
