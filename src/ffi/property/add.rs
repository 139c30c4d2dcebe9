//! Adding to and removing from a list (`mosquitto_property_add_*`,
//! `mosquitto_property_remove`).

use std::ffi::{c_char, c_int, c_void};
use std::ptr;

use super::list::*;
use crate::ffi::boundary::{c_str, ffi_boundary};
use crate::ffi::constants::mosq_err_t::*;
use crate::ffi::constants::rc;
use crate::ffi::types::{mosquitto_property, mqtt__string};
use crate::protocol::property::{validate_utf8, PropertyType, VARINT_MAX};

/// The shared body of the four numeric `mosquitto_property_add_*`
/// functions: `MOSQ_ERR_INVAL` for a NULL list pointer, an identifier of
/// another type or an invalid value; otherwise a node set by `set`.
///
/// # Safety
/// `proplist` is NULL or points to a valid list head.
pub(super) unsafe fn add_number(
    proplist: *mut *mut mosquitto_property,
    identifier: c_int,
    ty: PropertyType,
    valid: bool,
    set: impl FnOnce(&mut mosquitto_property),
) -> c_int {
    if proplist.is_null() || !valid || !is_type(identifier, ty) {
        return rc(MOSQ_ERR_INVAL);
    }
    // SAFETY: non-NULL list pointer from the caller, per the C contract.
    unsafe {
        add_node(proplist, identifier, |n| {
            set(n);
            Ok(())
        })
    }
}

/// Appends a byte property. `MOSQ_ERR_INVAL` for a NULL list pointer or an
/// identifier that is not a byte property.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_add_byte(
    proplist: *mut *mut mosquitto_property,
    identifier: c_int,
    value: u8,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: `proplist` is NULL or points to a valid list head (this
        // function's contract, which is `add_number`'s).
        unsafe {
            add_number(proplist, identifier, PropertyType::Byte, true, |n| {
                n.value.i8 = value
            })
        }
    })
}

/// Appends a two byte integer property.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_add_int16(
    proplist: *mut *mut mosquitto_property,
    identifier: c_int,
    value: u16,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: `proplist` is NULL or points to a valid list head (this
        // function's contract, which is `add_number`'s).
        unsafe {
            add_number(proplist, identifier, PropertyType::Int16, true, |n| {
                n.value.i16 = value
            })
        }
    })
}

/// Appends a four byte integer property.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_add_int32(
    proplist: *mut *mut mosquitto_property,
    identifier: c_int,
    value: u32,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: `proplist` is NULL or points to a valid list head (this
        // function's contract, which is `add_number`'s).
        unsafe {
            add_number(proplist, identifier, PropertyType::Int32, true, |n| {
                n.value.i32 = value
            })
        }
    })
}

/// Appends a variable byte integer property; values above 268435455 are
/// `MOSQ_ERR_INVAL`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_add_varint(
    proplist: *mut *mut mosquitto_property,
    identifier: c_int,
    value: u32,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: `proplist` is NULL or points to a valid list head (this
        // function's contract, which is `add_number`'s).
        unsafe {
            add_number(
                proplist,
                identifier,
                PropertyType::VarInt,
                value <= VARINT_MAX,
                |n| n.value.varint = value,
            )
        }
    })
}

/// Appends a binary property (copied with `malloc`; nothing stored for a
/// zero length). NULL data with a non-zero length is `MOSQ_ERR_INVAL`
/// (the original crashes).
/// Difference: NULL value with a positive length returns MOSQ_ERR_INVAL (the original crashes).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_add_binary(
    proplist: *mut *mut mosquitto_property,
    identifier: c_int,
    value: *const c_void,
    len: u16,
) -> c_int {
    ffi_boundary(|| {
        if proplist.is_null() || !is_type(identifier, PropertyType::Binary) {
            return rc(MOSQ_ERR_INVAL);
        }
        if value.is_null() && len > 0 {
            return rc(MOSQ_ERR_INVAL);
        }
        let data: &[u8] = if len == 0 {
            &[]
        } else {
            // SAFETY: non-NULL, and the caller promises `len` readable bytes.
            unsafe { std::slice::from_raw_parts(value as *const u8, usize::from(len)) }
        };
        // SAFETY: non-NULL list pointer from the caller, per the C contract.
        unsafe {
            add_node(proplist, identifier, |n| {
                if !data.is_empty() {
                    let v = malloc_copy(data, 0);
                    if v.is_null() {
                        return Err(());
                    }
                    n.value.bin = mqtt__string { v, len };
                }
                Ok(())
            })
        }
    })
}

/// Appends a string property. The string is UTF-8 checked before the
/// identifier (`MOSQ_ERR_MALFORMED_UTF8`); NULL and "" store no string.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_add_string(
    proplist: *mut *mut mosquitto_property,
    identifier: c_int,
    value: *const c_char,
) -> c_int {
    ffi_boundary(|| {
        if proplist.is_null() {
            return rc(MOSQ_ERR_INVAL);
        }
        // SAFETY: NULL or a NUL-terminated string from the caller.
        let value = unsafe { c_str(value) };
        if let Some(s) = value {
            if validate_utf8(s.to_bytes()).is_err() {
                return rc(MOSQ_ERR_MALFORMED_UTF8);
            }
        }
        if !is_type(identifier, PropertyType::String) {
            return rc(MOSQ_ERR_INVAL);
        }
        // SAFETY: non-NULL list pointer from the caller, per the C contract.
        unsafe {
            add_node(proplist, identifier, |n| {
                if let Some(s) = value.filter(|s| !s.is_empty()) {
                    n.value.s = dup_c_string(s)?;
                }
                Ok(())
            })
        }
    })
}

/// Appends a string pair (user property). As in the original only the
/// name is UTF-8 checked, and NULL name or value are accepted (stored as
/// NULL); "" is stored as an empty allocated string.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_add_string_pair(
    proplist: *mut *mut mosquitto_property,
    identifier: c_int,
    name: *const c_char,
    value: *const c_char,
) -> c_int {
    ffi_boundary(|| {
        if proplist.is_null() || !is_type(identifier, PropertyType::StringPair) {
            return rc(MOSQ_ERR_INVAL);
        }
        // SAFETY: NULL or NUL-terminated strings from the caller.
        let (name, value) = unsafe { (c_str(name), c_str(value)) };
        if let Some(n) = name {
            if validate_utf8(n.to_bytes()).is_err() {
                return rc(MOSQ_ERR_MALFORMED_UTF8);
            }
        }
        // SAFETY: non-NULL list pointer from the caller, per the C contract.
        unsafe {
            add_node(proplist, identifier, |n| {
                if let Some(s) = name {
                    n.name = dup_c_string(s)?;
                }
                if let Some(s) = value {
                    n.value.s = dup_c_string(s)?;
                }
                Ok(())
            })
        }
    })
}

/// Unlinks `property` from `*proplist` without freeing it (2.1).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_remove(
    proplist: *mut *mut mosquitto_property,
    property: *const mosquitto_property,
) -> c_int {
    ffi_boundary(|| {
        if proplist.is_null() || property.is_null() {
            return rc(MOSQ_ERR_INVAL);
        }
        // SAFETY: the caller's list is well-formed; we only follow and
        // rewrite `next` links of its nodes.
        unsafe {
            let mut slot = proplist;
            while !(*slot).is_null() {
                let item = *slot;
                if ptr::eq(item, property) {
                    *slot = (*item).next;
                    (*item).next = ptr::null_mut();
                    return rc(MOSQ_ERR_SUCCESS);
                }
                slot = &mut (*item).next;
            }
        }
        rc(MOSQ_ERR_NOT_FOUND)
    })
}
