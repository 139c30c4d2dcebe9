//! Walking a list and reading its values (`mosquitto_property_read_*`,
//! the 2.1 `*_value` accessors).

use std::ffi::{c_char, c_int, c_void};
use std::ptr;

use super::list::*;
use crate::ffi::boundary::{ffi_boundary, ffi_boundary_or};
use crate::ffi::ptr::write_out;
use crate::ffi::types::{mosquitto_property, mqtt__string};
use crate::protocol::property::PropertyType;

/// The identifier of one node (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_identifier(
    property: *const mosquitto_property,
) -> c_int {
    // SAFETY: NULL or a valid node from the caller.
    ffi_boundary(|| unsafe { property.as_ref() }.map_or(0, |p| p.identifier))
}

/// The node after `proplist` (NULL for NULL or at the end).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_next(
    proplist: *const mosquitto_property,
) -> *const mosquitto_property {
    // SAFETY: NULL or a valid node from the caller.
    ffi_boundary(|| unsafe { proplist.as_ref() }.map_or(ptr::null(), |p| p.next as *const _))
}

/// The type (`MQTT_PROP_TYPE_*`) of one node, 0 for NULL or an unknown
/// identifier (2.1).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_type(property: *const mosquitto_property) -> c_int {
    ffi_boundary(|| {
        // SAFETY: NULL or a valid node from the caller.
        unsafe { property.as_ref() }
            .and_then(|p| type_of(p.identifier))
            .map_or(0, |t| t as c_int)
    })
}

/// The first node from `proplist` on with `identifier`, or the second one
/// when `skip_first` (the original skips the first MATCH, not the first
/// node).
///
/// # Safety
/// `proplist` must be NULL or a well-formed list.
pub(super) unsafe fn find<'a>(
    proplist: *const mosquitto_property,
    identifier: c_int,
    skip_first: bool,
) -> Option<&'a mosquitto_property> {
    // SAFETY: NULL or a well-formed list (this function's contract, which
    // is `Nodes::new`'s).
    let nodes = unsafe { Nodes::new(proplist) };
    nodes
        .filter(|n| n.identifier == identifier)
        .nth(usize::from(skip_first))
}

/// Shared body of the integer readers: finds the node, checks the type,
/// stores what `get` reads through `out` when it is not NULL.
///
/// # Safety
/// `proplist` NULL or a well-formed list; `out` NULL or writable.
pub(super) unsafe fn read_number<T: Copy>(
    proplist: *const mosquitto_property,
    identifier: c_int,
    out: *mut T,
    skip_first: bool,
    t: PropertyType,
    get: impl FnOnce(&mosquitto_property) -> T,
) -> *const mosquitto_property {
    // SAFETY: NULL or a well-formed list (this function's contract, which
    // is `find`'s).
    let Some(node) = (unsafe { find(proplist, identifier, skip_first) }) else {
        return ptr::null();
    };
    if !is_type(identifier, t) {
        return ptr::null();
    }
    // SAFETY: `out` is NULL or writable (this function's contract).
    unsafe { write_out(out, get(node)) };
    node
}

/// Reads a byte property (see `mosquitto.h` for the search rules).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_read_byte(
    proplist: *const mosquitto_property,
    identifier: c_int,
    value: *mut u8,
    skip_first: bool,
) -> *const mosquitto_property {
    ffi_boundary(|| {
        // SAFETY: caller's list and out-pointer; the node found is a byte
        // property, so `i8` is its live member.
        unsafe {
            read_number(
                proplist,
                identifier,
                value,
                skip_first,
                PropertyType::Byte,
                |n| n.value.i8,
            )
        }
    })
}

/// Reads a two byte integer property.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_read_int16(
    proplist: *const mosquitto_property,
    identifier: c_int,
    value: *mut u16,
    skip_first: bool,
) -> *const mosquitto_property {
    ffi_boundary(|| {
        // SAFETY: as in mosquitto_property_read_byte, for `i16`.
        unsafe {
            read_number(
                proplist,
                identifier,
                value,
                skip_first,
                PropertyType::Int16,
                |n| n.value.i16,
            )
        }
    })
}

/// Reads a four byte integer property.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_read_int32(
    proplist: *const mosquitto_property,
    identifier: c_int,
    value: *mut u32,
    skip_first: bool,
) -> *const mosquitto_property {
    ffi_boundary(|| {
        // SAFETY: as in mosquitto_property_read_byte, for `i32`.
        unsafe {
            read_number(
                proplist,
                identifier,
                value,
                skip_first,
                PropertyType::Int32,
                |n| n.value.i32,
            )
        }
    })
}

/// Reads a variable byte integer property.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_read_varint(
    proplist: *const mosquitto_property,
    identifier: c_int,
    value: *mut u32,
    skip_first: bool,
) -> *const mosquitto_property {
    ffi_boundary(|| {
        // SAFETY: as in mosquitto_property_read_byte, for `varint`.
        unsafe {
            read_number(
                proplist,
                identifier,
                value,
                skip_first,
                PropertyType::VarInt,
                |n| n.value.varint,
            )
        }
    })
}

/// A `calloc`ed, NUL-terminated copy of a node string (always allocated,
/// even for length 0, as the original does).
///
/// # Safety
/// `s` must satisfy [`string_bytes`]'s contract.
pub(super) unsafe fn calloc_copy(s: mqtt__string) -> *mut c_char {
    // SAFETY: `s` follows `string_bytes`'s contract (this function's).
    let bytes = unsafe { string_bytes(s) };
    // As many bytes as the node's length says, even when its pointer is
    // NULL (zeros then), plus the terminator.
    malloc_copy(bytes, usize::from(s.len) + 1 - bytes.len())
}

/// Reads a binary property into a new `malloc` block (NUL-terminated,
/// allocated even when empty). `value` and `len` must both be NULL or both
/// be set; `*value` is set to NULL before the search.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_read_binary(
    proplist: *const mosquitto_property,
    identifier: c_int,
    value: *mut *mut c_void,
    len: *mut u16,
    skip_first: bool,
) -> *const mosquitto_property {
    ffi_boundary(|| {
        if proplist.is_null() || value.is_null() != len.is_null() {
            return ptr::null();
        }
        // SAFETY: out-pointers are NULL or writable, the list well-formed,
        // and the node found is a binary property so `bin` is live.
        unsafe {
            if !value.is_null() {
                *value = ptr::null_mut();
            }
            let Some(node) = find(proplist, identifier, skip_first) else {
                return ptr::null();
            };
            if !is_type(identifier, PropertyType::Binary) {
                return ptr::null();
            }
            if !value.is_null() {
                *len = node.value.bin.len;
                let copy = calloc_copy(node.value.bin);
                if copy.is_null() {
                    return ptr::null();
                }
                *value = copy as *mut c_void;
            }
            node
        }
    })
}

/// Reads a string property into a new `malloc` block (allocated even when
/// empty). `*value` is untouched when nothing is found.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_read_string(
    proplist: *const mosquitto_property,
    identifier: c_int,
    value: *mut *mut c_char,
    skip_first: bool,
) -> *const mosquitto_property {
    ffi_boundary(|| {
        // SAFETY: list well-formed, out-pointer NULL or writable, and the
        // node found is a string property so `s` is live.
        unsafe {
            let Some(node) = find(proplist, identifier, skip_first) else {
                return ptr::null();
            };
            if !is_type(identifier, PropertyType::String) {
                return ptr::null();
            }
            if !value.is_null() {
                let copy = calloc_copy(node.value.s);
                if copy.is_null() {
                    return ptr::null();
                }
                *value = copy;
            }
            node
        }
    })
}

/// Reads a user property into two new `malloc` blocks (allocated even when
/// empty). For a non-NULL list, `*name` and `*value` are set to NULL
/// before the search.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_read_string_pair(
    proplist: *const mosquitto_property,
    identifier: c_int,
    name: *mut *mut c_char,
    value: *mut *mut c_char,
    skip_first: bool,
) -> *const mosquitto_property {
    ffi_boundary(|| {
        if proplist.is_null() {
            return ptr::null();
        }
        // SAFETY: list well-formed, out-pointers NULL or writable, and the
        // node found is a user property so `name` and `s` are live.
        unsafe {
            if !name.is_null() {
                *name = ptr::null_mut();
            }
            if !value.is_null() {
                *value = ptr::null_mut();
            }
            let Some(node) = find(proplist, identifier, skip_first) else {
                return ptr::null();
            };
            if !is_type(identifier, PropertyType::StringPair) {
                return ptr::null();
            }
            if !name.is_null() {
                let copy = calloc_copy(node.name);
                if copy.is_null() {
                    return ptr::null();
                }
                *name = copy;
            }
            if !value.is_null() {
                let copy = calloc_copy(node.value.s);
                if copy.is_null() {
                    if !name.is_null() {
                        libc::free(*name as *mut c_void);
                        *name = ptr::null_mut();
                    }
                    return ptr::null();
                }
                *value = copy;
            }
            node
        }
    })
}

/// Runs `get` on `property` when it is a node of one of the `types`.
///
/// # Safety
/// `property` must be NULL or a valid node.
pub(super) unsafe fn with_type<R>(
    property: *const mosquitto_property,
    types: &[PropertyType],
    default: R,
    get: impl FnOnce(&mosquitto_property) -> R,
) -> R {
    // SAFETY: NULL or a valid node (this function's contract).
    match unsafe { property.as_ref() } {
        Some(p) if type_of(p.identifier).is_some_and(|t| types.contains(&t)) => get(p),
        _ => default,
    }
}

/// The value of a byte property, 0 for NULL or another type (2.1).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_byte_value(property: *const mosquitto_property) -> u8 {
    // SAFETY: caller's node; `i8` is live for byte properties.
    ffi_boundary_or(0, || unsafe {
        with_type(property, &[PropertyType::Byte], 0, |p| p.value.i8)
    })
}

/// The value of an int16 property, 0 for NULL or another type (2.1).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_int16_value(
    property: *const mosquitto_property,
) -> u16 {
    // SAFETY: caller's node; `i16` is live for int16 properties.
    ffi_boundary_or(0, || unsafe {
        with_type(property, &[PropertyType::Int16], 0, |p| p.value.i16)
    })
}

/// The value of an int32 property, 0 for NULL or another type (2.1).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_int32_value(
    property: *const mosquitto_property,
) -> u32 {
    // SAFETY: caller's node; `i32` is live for int32 properties.
    ffi_boundary_or(0, || unsafe {
        with_type(property, &[PropertyType::Int32], 0, |p| p.value.i32)
    })
}

/// The value of a varint property, 0 for NULL or another type (2.1).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_varint_value(
    property: *const mosquitto_property,
) -> u32 {
    // SAFETY: caller's node; `varint` is live for varint properties.
    ffi_boundary_or(0, || unsafe {
        with_type(property, &[PropertyType::VarInt], 0, |p| p.value.varint)
    })
}

/// The data of a binary property (owned by the node), NULL for NULL or
/// another type (2.1).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_binary_value(
    property: *const mosquitto_property,
) -> *const c_void {
    // SAFETY: caller's node; `bin` is live for binary properties.
    ffi_boundary(|| unsafe {
        with_type(property, &[PropertyType::Binary], ptr::null(), |p| {
            p.value.bin.v as *const c_void
        })
    })
}

/// The length of a binary property, 0 for NULL or another type (2.1).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_binary_value_length(
    property: *const mosquitto_property,
) -> u16 {
    // SAFETY: caller's node; `bin` is live for binary properties.
    ffi_boundary_or(0, || unsafe {
        with_type(property, &[PropertyType::Binary], 0, |p| p.value.bin.len)
    })
}

/// The property types whose value is a string (`value.s`).
pub(super) const STRING_TYPES: &[PropertyType] = &[PropertyType::String, PropertyType::StringPair];

/// The value of a string or string pair property (owned by the node),
/// NULL for NULL or another type (2.1).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_string_value(
    property: *const mosquitto_property,
) -> *const c_char {
    // SAFETY: caller's node; `s` is live for string and pair properties.
    ffi_boundary(|| unsafe {
        with_type(property, STRING_TYPES, ptr::null(), |p| {
            p.value.s.v as *const c_char
        })
    })
}

/// The length of a string or string pair value, 0 for NULL or another
/// type (2.1).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_string_value_length(
    property: *const mosquitto_property,
) -> u16 {
    // SAFETY: caller's node; `s` is live for string and pair properties.
    ffi_boundary_or(0, || unsafe {
        with_type(property, STRING_TYPES, 0, |p| p.value.s.len)
    })
}

/// The name of a string pair property (owned by the node), NULL for NULL
/// or another type (2.1).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_string_name(
    property: *const mosquitto_property,
) -> *const c_char {
    // SAFETY: caller's node; `name` is only read for pair properties.
    ffi_boundary(|| unsafe {
        with_type(property, &[PropertyType::StringPair], ptr::null(), |p| {
            p.name.v as *const c_char
        })
    })
}

/// The length of a string pair's name, 0 for NULL or another type (2.1).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_string_name_length(
    property: *const mosquitto_property,
) -> u16 {
    // SAFETY: caller's node; `name` is only read for pair properties.
    ffi_boundary_or(0, || unsafe {
        with_type(property, &[PropertyType::StringPair], 0, |p| p.name.len)
    })
}
