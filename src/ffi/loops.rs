//! The network loop functions: the blocking loops, `loop_start`'s thread,
//! and the pieces an external event loop drives (`mosquitto_socket`,
//! `loop_read`, `loop_write`, `loop_misc`, `want_write`).

use std::ffi::c_int;

use super::boundary::{ffi_boundary, ffi_boundary_or};
use super::client::{client, client_arc, result_rc};
use super::constants::{mosq_err_t::*, rc};
use super::ptr::try_client;
use super::types::mosquitto;

/// Runs the network loop, reconnecting after lost connections, until the
/// client disconnects or a fatal error occurs.
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_loop_forever(
    mosq: *mut mosquitto,
    timeout: c_int,
    max_packets: c_int,
) -> c_int {
    ffi_boundary(|| {
        let client = try_client!(mosq);
        if max_packets < 1 {
            return rc(MOSQ_ERR_INVAL);
        }
        result_rc(client.loop_forever(timeout))
    })
}

/// Starts a thread that runs the network loop.
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_loop_start(mosq: *mut mosquitto) -> c_int {
    ffi_boundary(|| {
        // SAFETY: `mosq` is NULL or live (this function's contract).
        match unsafe { client_arc(mosq) } {
            Some(c) => result_rc(c.loop_start()),
            None => rc(MOSQ_ERR_INVAL),
        }
    })
}

/// Stops the network thread, waiting for it to end.
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_loop_stop(mosq: *mut mosquitto, force: bool) -> c_int {
    ffi_boundary(|| {
        let c = try_client!(mosq);
        result_rc(c.loop_stop(force))
    })
}

/// Runs one iteration of the network loop.
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_loop(
    mosq: *mut mosquitto,
    timeout: c_int,
    max_packets: c_int,
) -> c_int {
    ffi_boundary(|| {
        let client = try_client!(mosq);
        if max_packets < 1 {
            return rc(MOSQ_ERR_INVAL);
        }
        result_rc(client.run_loop(timeout))
    })
}

/// Reads and handles what the socket has (for external event loops).
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_loop_read(mosq: *mut mosquitto, max_packets: c_int) -> c_int {
    ffi_boundary(|| {
        let client = try_client!(mosq);
        if max_packets < 1 {
            return rc(MOSQ_ERR_INVAL);
        }
        result_rc(client.loop_read())
    })
}

/// Writes queued packets (for external event loops).
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_loop_write(mosq: *mut mosquitto, max_packets: c_int) -> c_int {
    ffi_boundary(|| {
        let client = try_client!(mosq);
        if max_packets < 1 {
            return rc(MOSQ_ERR_INVAL);
        }
        result_rc(client.loop_write())
    })
}

/// Keep-alive housekeeping (for external event loops).
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_loop_misc(mosq: *mut mosquitto) -> c_int {
    ffi_boundary(|| {
        let c = try_client!(mosq);
        result_rc(c.loop_misc())
    })
}

/// The connection's socket, for the caller's own `select`/`poll`/`epoll`
/// (-1 without a connection).
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_socket(mosq: *mut mosquitto) -> c_int {
    ffi_boundary_or(-1, || {
        // SAFETY: `mosq` is NULL or live (this function's contract).
        unsafe { client(mosq) }.map_or(-1, |c| c.socket())
    })
}

/// Whether the client has data waiting to be written.
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_want_write(mosq: *mut mosquitto) -> bool {
    ffi_boundary(|| {
        // SAFETY: `mosq` is NULL or live (this function's contract).
        unsafe { client(mosq) }.is_some_and(|c| c.want_write())
    })
}
