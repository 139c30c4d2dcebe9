//! The single panic boundary and the pointer helpers every entry point uses.
//!
//! A panic unwinding into C is undefined behaviour, so every exported
//! function wraps its body in [`ffi_boundary`] (or [`ffi_boundary_or`] when
//! the "something went wrong" value is not the return type's default).
//!
//! The boundary also decides what the caller finds in `errno`: the original
//! changes it only by its socket I/O (see [`io_errno`]), by the failures
//! that set it ([`report_errno`]) and by what the application's callbacks
//! leave ([`around_callback`]). Everything else our code does (the standard
//! library's system calls, `shutdown`, `getpeername`...) may clobber it, so
//! the outermost entry point restores the caller's value unless one of those
//! says otherwise.

use std::cell::Cell;
use std::ffi::{c_char, c_int, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::constants::mosq_err_t;
use crate::transport::io_errno;

thread_local! {
    /// The caller's `errno` while an entry point runs on this thread
    /// (`None` outside any; entry points called from callbacks nest).
    static CALLER_ERRNO: Cell<Option<c_int>> = const { Cell::new(None) };
}

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
    let outermost = CALLER_ERRNO.with(Cell::get).is_none();
    if outermost {
        CALLER_ERRNO.with(|c| c.set(Some(errno())));
        io_errno::set(None);
    }
    // AssertUnwindSafe: after a panic we never look at the closure's captured
    // state again; we only return a constant to C.
    let r = catch_unwind(AssertUnwindSafe(body)).unwrap_or(on_panic);
    if outermost {
        let caller = CALLER_ERRNO.with(Cell::take).unwrap_or_default();
        set_errno(io_errno::take().unwrap_or(caller));
    }
    r
}

/// Makes the current entry point leave `value` in `errno` (unless later I/O
/// in the same call changes it, as in the original).
pub fn report_errno(value: c_int) {
    io_errno::set(Some(value));
}

/// Calls an application callback with `errno` as the original would show
/// it, and keeps what the callback leaves there for the caller.
#[inline]
pub fn around_callback(f: impl FnOnce()) {
    let Some(caller) = CALLER_ERRNO.with(Cell::get) else {
        // The loop thread: no C caller waits for this thread's errno.
        return f();
    };
    set_errno(io_errno::get().unwrap_or(caller));
    f();
    io_errno::set(Some(errno()));
}

/// The calling thread's `errno`.
pub fn errno() -> c_int {
    // SAFETY: __errno_location returns this thread's errno slot.
    unsafe { *libc::__errno_location() }
}

/// Sets the calling thread's `errno`.
fn set_errno(value: c_int) {
    // SAFETY: __errno_location returns this thread's errno slot.
    unsafe { *libc::__errno_location() = value };
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
