//! The MQTT v5 property list API of `mosquitto.h` (`mosquitto_property_*`,
//! `mosquitto_string_to_property_info`) and the 2.1 accessors, over the C
//! node list whose layout callers rely on ([`mosquitto_property`]).
//!
//! Behaviour follows Debian's libmosquitto 2.0.11 as probed, quirks included
//! (see the tests at the end). Where the original crashes (NULL data with a
//! non-zero length, NULL out-pointers, copying an empty string property) we
//! return an error or treat the data as empty instead.
//!
//! Also the bridge between C lists and the pure
//! [`Property`] model: [`view_list`], [`build_list`], [`free_list`],
//! [`check_list`] and [`error_code`].

// The safety contract of every exported function is the C API's, as
// mosquitto.h documents it: pointers are NULL or valid for their use.
#![allow(clippy::missing_safety_doc)]

use std::ffi::{c_char, c_int, c_void, CStr};
use std::marker::PhantomData;
use std::ptr;

use super::boundary::{c_str, ffi_boundary, ffi_boundary_or};
use super::constants::mosq_err_t::*;
use super::constants::rc;
use super::types::{mosquitto_property, mqtt__string};
use crate::protocol::property::{
    check_raw, validate_utf8, Identifier, Property, PropertyError, PropertyType, Value, VARINT_MAX,
};

// ---------------------------------------------------------------------------
// Crate-internal helpers
// ---------------------------------------------------------------------------

/// The `MOSQ_ERR_*` code the original returns for a property error.
pub fn error_code(err: PropertyError) -> c_int {
    rc(match err {
        PropertyError::Malformed => MOSQ_ERR_MALFORMED_PACKET,
        PropertyError::MalformedUtf8 => MOSQ_ERR_MALFORMED_UTF8,
        PropertyError::Duplicate => MOSQ_ERR_DUPLICATE_PROPERTY,
        PropertyError::NotAllowed | PropertyError::InvalidValue => MOSQ_ERR_PROTOCOL,
    })
}

/// The wire type of a node's raw identifier, if it is a known one.
fn type_of(identifier: i32) -> Option<PropertyType> {
    Identifier::from_i32(identifier).map(Identifier::property_type)
}

/// The bytes a length-prefixed node string refers to (empty when NULL).
///
/// # Safety
/// `s.v` must be NULL or point to at least `s.len` readable bytes that stay
/// valid and unmodified for `'a`.
unsafe fn string_bytes<'a>(s: mqtt__string) -> &'a [u8] {
    if s.v.is_null() || s.len == 0 {
        &[]
    } else {
        // SAFETY: non-NULL, and by this function's contract `len` bytes are
        // readable for 'a.
        unsafe { std::slice::from_raw_parts(s.v as *const u8, usize::from(s.len)) }
    }
}

/// One node seen as a [`Property`], or `None` for an unknown identifier.
///
/// # Safety
/// The node's string members must satisfy [`string_bytes`]'s contract.
unsafe fn node_view(node: &mosquitto_property) -> Option<Property<'_>> {
    let id = Identifier::from_i32(node.identifier)?;
    // SAFETY: the union member read is the one the identifier's type says
    // is live (every bit pattern of the integer members is valid anyway);
    // strings follow this function's contract.
    let value = unsafe {
        match id.property_type() {
            PropertyType::Byte => Value::Byte(node.value.i8),
            PropertyType::Int16 => Value::Int16(node.value.i16),
            PropertyType::Int32 => Value::Int32(node.value.i32),
            PropertyType::VarInt => Value::VarInt(node.value.varint),
            PropertyType::Binary => Value::Binary(string_bytes(node.value.bin)),
            PropertyType::String => Value::String(string_bytes(node.value.s)),
            PropertyType::StringPair => {
                Value::StringPair(string_bytes(node.name), string_bytes(node.value.s))
            }
        }
    };
    Some(Property { id, value })
}

/// The integer `check_all` looks at for a node (0 for non-numeric types).
///
/// # Safety
/// `node` must be a valid node.
unsafe fn node_number(node: &mosquitto_property) -> u32 {
    // SAFETY: integer union members; any bit pattern is a valid integer and
    // the member read is the one the identifier's type makes live.
    unsafe {
        match type_of(node.identifier) {
            Some(PropertyType::Byte) => u32::from(node.value.i8),
            Some(PropertyType::Int16) => u32::from(node.value.i16),
            Some(PropertyType::Int32) => node.value.i32,
            Some(PropertyType::VarInt) => node.value.varint,
            _ => 0,
        }
    }
}

/// Walks a C list node by node.
#[derive(Clone)]
struct Nodes<'a> {
    cur: *const mosquitto_property,
    _list: PhantomData<&'a mosquitto_property>,
}

impl<'a> Nodes<'a> {
    /// # Safety
    /// `list` must be NULL or the head of a well-formed, NULL-terminated
    /// list whose nodes stay valid and unmodified for `'a`.
    unsafe fn new(list: *const mosquitto_property) -> Self {
        Nodes {
            cur: list,
            _list: PhantomData,
        }
    }
}

impl<'a> Iterator for Nodes<'a> {
    type Item = &'a mosquitto_property;

    fn next(&mut self) -> Option<&'a mosquitto_property> {
        // SAFETY: `Nodes::new`'s contract: every node reached is valid for 'a.
        let node = unsafe { self.cur.as_ref() }?;
        self.cur = node.next;
        Some(node)
    }
}

/// Views a C property list as borrowed [`Property`] values, in order.
/// Fails with [`PropertyError::NotAllowed`] on a node with an unknown
/// identifier (the original rejects those as protocol errors).
///
/// # Safety
/// `list` must be NULL or a well-formed list (as built by this module or
/// by a caller following the node layout) that stays valid and unmodified
/// for `'a`.
pub unsafe fn view_list<'a>(
    list: *const mosquitto_property,
) -> Result<Vec<Property<'a>>, PropertyError> {
    // SAFETY: forwarded contract.
    let nodes = unsafe { Nodes::new(list) };
    nodes
        // SAFETY: nodes of a well-formed list have valid strings.
        .map(|node| unsafe { node_view(node) }.ok_or(PropertyError::NotAllowed))
        .collect()
}

/// Runs `mosquitto_property_check_all`'s rules over a C list and returns
/// the original's return code.
///
/// # Safety
/// As for [`view_list`].
pub unsafe fn check_list(command: u32, list: *const mosquitto_property) -> c_int {
    // SAFETY: forwarded contract.
    let nodes = unsafe { Nodes::new(list) };
    // SAFETY: every node yielded is valid.
    let items = nodes.map(|node| (node.identifier, unsafe { node_number(node) }));
    match check_raw(command, items) {
        Ok(()) => rc(MOSQ_ERR_SUCCESS),
        Err(e) => error_code(e),
    }
}

/// Copies `bytes` into a new `malloc` block of `bytes.len() + extra` bytes
/// (the extra ones zeroed). NULL when out of memory.
fn malloc_copy(bytes: &[u8], extra: usize) -> *mut c_char {
    let size = bytes.len() + extra;
    // SAFETY: we allocate `size` bytes and write exactly `size` bytes into
    // the block we own before returning it.
    unsafe {
        let p = libc::malloc(size) as *mut u8;
        if p.is_null() {
            return ptr::null_mut();
        }
        ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
        ptr::write_bytes(p.add(bytes.len()), 0, extra);
        p as *mut c_char
    }
}

/// A `calloc`ed node with only its identifier set. NULL when out of memory.
fn new_node(identifier: i32, client_generated: bool) -> *mut mosquitto_property {
    // SAFETY: calloc returns zeroed memory or NULL; all-zero bytes are a
    // valid empty node (NULL pointers, zero integers, false).
    unsafe {
        let node =
            libc::calloc(1, std::mem::size_of::<mosquitto_property>()) as *mut mosquitto_property;
        if let Some(n) = node.as_mut() {
            n.identifier = identifier;
            n.client_generated = client_generated;
        }
        node
    }
}

/// A node string holding a `malloc`ed copy of `bytes` plus a NUL.
fn node_string(bytes: &[u8]) -> Result<mqtt__string, ()> {
    let v = malloc_copy(bytes, 1);
    if v.is_null() {
        return Err(());
    }
    Ok(mqtt__string {
        v,
        len: bytes.len() as u16,
    })
}

/// Frees one node and the strings its identifier's type says it owns.
///
/// # Safety
/// `node` must be a node allocated with `malloc`/`calloc`, not in use
/// elsewhere, whose string members are NULL or `malloc` blocks.
unsafe fn free_node(node: *mut mosquitto_property) {
    // SAFETY: per this function's contract the node and the members its
    // type makes live are ours to free; libc::free accepts NULL.
    unsafe {
        let n = &mut *node;
        match type_of(n.identifier) {
            Some(PropertyType::String) => libc::free(n.value.s.v as *mut c_void),
            Some(PropertyType::Binary) => libc::free(n.value.bin.v as *mut c_void),
            Some(PropertyType::StringPair) => {
                libc::free(n.name.v as *mut c_void);
                libc::free(n.value.s.v as *mut c_void);
            }
            _ => {}
        }
        libc::free(node as *mut c_void);
    }
}

/// Frees a whole list.
///
/// # Safety
/// `list` must be NULL or a list whose nodes satisfy [`free_node`]'s
/// contract; it must not be used afterwards.
pub unsafe fn free_list(mut list: *mut mosquitto_property) {
    while !list.is_null() {
        // SAFETY: `list` is a valid node per the contract; read its
        // successor before freeing it.
        unsafe {
            let next = (*list).next;
            free_node(list);
            list = next;
        }
    }
}

/// Builds a C list (nodes `calloc`ed, strings and binaries `malloc`ed with
/// a trailing NUL, `client_generated` false) from parsed properties, as
/// the original does when it receives a packet. On out of memory frees what
/// it built and returns `MOSQ_ERR_NOMEM`. An empty input gives NULL.
pub fn build_list<'p>(
    props: impl IntoIterator<Item = Property<'p>>,
) -> Result<*mut mosquitto_property, c_int> {
    let mut head: *mut mosquitto_property = ptr::null_mut();
    let mut tail: *mut mosquitto_property = ptr::null_mut();
    for prop in props {
        let node = new_node(i32::from(prop.id as u8), false);
        if node.is_null() {
            // SAFETY: `head` is the list we built; nobody else has it.
            unsafe { free_list(head) };
            return Err(rc(MOSQ_ERR_NOMEM));
        }
        // SAFETY: `node` is a fresh, valid node we own; `tail` is NULL or
        // the last node of our list.
        unsafe {
            if tail.is_null() {
                head = node;
            } else {
                (*tail).next = node;
            }
            tail = node;
            if fill_node(&mut *node, prop.value).is_err() {
                free_list(head);
                return Err(rc(MOSQ_ERR_NOMEM));
            }
        }
    }
    Ok(head)
}

/// Stores `value` in a fresh node.
fn fill_node(node: &mut mosquitto_property, value: Value<'_>) -> Result<(), ()> {
    match value {
        Value::Byte(v) => node.value.i8 = v,
        Value::Int16(v) => node.value.i16 = v,
        Value::Int32(v) => node.value.i32 = v,
        Value::VarInt(v) => node.value.varint = v,
        Value::Binary(b) => node.value.bin = node_string(b)?,
        Value::String(s) => node.value.s = node_string(s)?,
        Value::StringPair(n, v) => {
            node.name = node_string(n)?;
            node.value.s = node_string(v)?;
        }
    }
    Ok(())
}

/// Appends `node` at the end of `*proplist`.
///
/// # Safety
/// `proplist` must be valid; `*proplist` NULL or a well-formed list;
/// `node` a valid node not in any list.
unsafe fn append(proplist: *mut *mut mosquitto_property, node: *mut mosquitto_property) {
    // SAFETY: per the contract every pointer followed is a valid node.
    unsafe {
        let mut slot = proplist;
        while !(*slot).is_null() {
            slot = &mut (**slot).next;
        }
        *slot = node;
    }
}

/// Allocates a client-generated node, lets `fill` set its value, and
/// appends it; the shared tail of the `mosquitto_property_add_*` functions.
///
/// # Safety
/// As for [`append`].
unsafe fn add_node(
    proplist: *mut *mut mosquitto_property,
    identifier: c_int,
    fill: impl FnOnce(&mut mosquitto_property) -> Result<(), ()>,
) -> c_int {
    let node = new_node(identifier, true);
    if node.is_null() {
        return rc(MOSQ_ERR_NOMEM);
    }
    // SAFETY: `node` is a fresh node we own; on failure it is freed before
    // anyone else sees it, on success `append`'s contract is ours.
    unsafe {
        if fill(&mut *node).is_err() {
            free_node(node);
            return rc(MOSQ_ERR_NOMEM);
        }
        append(proplist, node);
    }
    rc(MOSQ_ERR_SUCCESS)
}

/// Whether `identifier` is known and of type `t`.
fn is_type(identifier: c_int, t: PropertyType) -> bool {
    type_of(identifier) == Some(t)
}

/// A `strdup` of a C string for a node, keeping the original's `uint16_t`
/// length (which wraps for strings longer than 65535 bytes).
fn dup_c_string(s: &CStr) -> Result<mqtt__string, ()> {
    let bytes = s.to_bytes();
    let v = malloc_copy(bytes, 1);
    if v.is_null() {
        return Err(());
    }
    Ok(mqtt__string {
        v,
        len: bytes.len() as u16,
    })
}

// ---------------------------------------------------------------------------
// Adding properties
// ---------------------------------------------------------------------------

/// Appends a byte property. `MOSQ_ERR_INVAL` for a NULL list pointer or an
/// identifier that is not a byte property.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_add_byte(
    proplist: *mut *mut mosquitto_property,
    identifier: c_int,
    value: u8,
) -> c_int {
    ffi_boundary(|| {
        if proplist.is_null() || !is_type(identifier, PropertyType::Byte) {
            return rc(MOSQ_ERR_INVAL);
        }
        // SAFETY: non-NULL list pointer from the caller, per the C contract.
        unsafe {
            add_node(proplist, identifier, |n| {
                n.value.i8 = value;
                Ok(())
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
        if proplist.is_null() || !is_type(identifier, PropertyType::Int16) {
            return rc(MOSQ_ERR_INVAL);
        }
        // SAFETY: non-NULL list pointer from the caller, per the C contract.
        unsafe {
            add_node(proplist, identifier, |n| {
                n.value.i16 = value;
                Ok(())
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
        if proplist.is_null() || !is_type(identifier, PropertyType::Int32) {
            return rc(MOSQ_ERR_INVAL);
        }
        // SAFETY: non-NULL list pointer from the caller, per the C contract.
        unsafe {
            add_node(proplist, identifier, |n| {
                n.value.i32 = value;
                Ok(())
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
        if proplist.is_null() || value > VARINT_MAX || !is_type(identifier, PropertyType::VarInt) {
            return rc(MOSQ_ERR_INVAL);
        }
        // SAFETY: non-NULL list pointer from the caller, per the C contract.
        unsafe {
            add_node(proplist, identifier, |n| {
                n.value.varint = value;
                Ok(())
            })
        }
    })
}

/// Appends a binary property (copied with `malloc`; nothing stored for a
/// zero length). NULL data with a non-zero length is `MOSQ_ERR_INVAL`
/// (the original crashes).
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

// ---------------------------------------------------------------------------
// Walking and reading
// ---------------------------------------------------------------------------

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
unsafe fn find<'a>(
    proplist: *const mosquitto_property,
    identifier: c_int,
    skip_first: bool,
) -> Option<&'a mosquitto_property> {
    // SAFETY: forwarded contract.
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
unsafe fn read_number<T>(
    proplist: *const mosquitto_property,
    identifier: c_int,
    out: *mut T,
    skip_first: bool,
    t: PropertyType,
    get: impl FnOnce(&mosquitto_property) -> T,
) -> *const mosquitto_property {
    // SAFETY: forwarded contract.
    let Some(node) = (unsafe { find(proplist, identifier, skip_first) }) else {
        return ptr::null();
    };
    if !is_type(identifier, t) {
        return ptr::null();
    }
    if !out.is_null() {
        // SAFETY: non-NULL out-pointer from the caller.
        unsafe { out.write(get(node)) };
    }
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
unsafe fn calloc_copy(s: mqtt__string) -> *mut c_char {
    // SAFETY: forwarded contract.
    let bytes = unsafe { string_bytes(s) };
    // SAFETY: calloc of len+1 bytes; we copy `len` bytes into the block we
    // own, leaving the zeroed terminator.
    unsafe {
        let p = libc::calloc(1, usize::from(s.len) + 1) as *mut u8;
        if !p.is_null() {
            ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
        }
        p as *mut c_char
    }
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
unsafe fn with_type<R>(
    property: *const mosquitto_property,
    types: &[PropertyType],
    default: R,
    get: impl FnOnce(&mosquitto_property) -> R,
) -> R {
    // SAFETY: forwarded contract.
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

/// The value of a string or string pair property (owned by the node),
/// NULL for NULL or another type (2.1).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_string_value(
    property: *const mosquitto_property,
) -> *const c_char {
    const TYPES: &[PropertyType] = &[PropertyType::String, PropertyType::StringPair];
    // SAFETY: caller's node; `s` is live for string and pair properties.
    ffi_boundary(|| unsafe {
        with_type(property, TYPES, ptr::null(), |p| {
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
    const TYPES: &[PropertyType] = &[PropertyType::String, PropertyType::StringPair];
    // SAFETY: caller's node; `s` is live for string and pair properties.
    ffi_boundary_or(0, || unsafe {
        with_type(property, TYPES, 0, |p| p.value.s.len)
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

// ---------------------------------------------------------------------------
// Whole lists
// ---------------------------------------------------------------------------

/// Frees every node of `*properties` and sets it to NULL (NULL is a no-op).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_free_all(properties: *mut *mut mosquitto_property) {
    ffi_boundary(|| {
        if properties.is_null() {
            return;
        }
        // SAFETY: the caller hands over its list, built by this library or
        // following the node layout with malloc'd strings.
        unsafe {
            free_list(*properties);
            *properties = ptr::null_mut();
        }
    })
}

/// A copy of one node (`client_generated` false), or `Err(code)`.
///
/// # Safety
/// `src` must be a valid node.
unsafe fn copy_node(src: &mosquitto_property) -> Result<*mut mosquitto_property, c_int> {
    let Some(t) = type_of(src.identifier) else {
        return Err(rc(MOSQ_ERR_INVAL));
    };
    let node = new_node(src.identifier, false);
    if node.is_null() {
        return Err(rc(MOSQ_ERR_NOMEM));
    }
    // Strings keep their length and get a NUL; a NULL string stays NULL
    // (the original crashes on it).
    let dup = |s: mqtt__string| -> Result<mqtt__string, ()> {
        if s.v.is_null() {
            return Ok(mqtt__string {
                v: ptr::null_mut(),
                len: s.len,
            });
        }
        // SAFETY: a valid node's non-NULL string has `len` readable bytes.
        let v = malloc_copy(unsafe { string_bytes(s) }, 1);
        if v.is_null() {
            Err(())
        } else {
            Ok(mqtt__string { v, len: s.len })
        }
    };
    // SAFETY: `node` is fresh and ours; the members of `src` read are the
    // ones its type makes live.
    let filled = unsafe {
        let n = &mut *node;
        match t {
            PropertyType::Byte => n.value.i8 = src.value.i8,
            PropertyType::Int16 => n.value.i16 = src.value.i16,
            PropertyType::Int32 => n.value.i32 = src.value.i32,
            PropertyType::VarInt => n.value.varint = src.value.varint,
            PropertyType::Binary => {
                // Binaries are copied with malloc(len), even for 0.
                let b = src.value.bin;
                let v = malloc_copy(string_bytes(b), 0);
                if !v.is_null() {
                    n.value.bin = mqtt__string { v, len: b.len };
                }
                if v.is_null() && usize::from(b.len) > 0 {
                    free_node(node);
                    return Err(rc(MOSQ_ERR_NOMEM));
                }
            }
            PropertyType::String => match dup(src.value.s) {
                Ok(s) => n.value.s = s,
                Err(()) => {
                    free_node(node);
                    return Err(rc(MOSQ_ERR_NOMEM));
                }
            },
            PropertyType::StringPair => {
                let value = dup(src.value.s);
                if let Ok(s) = value {
                    n.value.s = s;
                }
                let name = dup(src.name);
                if let Ok(s) = name {
                    n.name = s;
                }
                if value.is_err() || name.is_err() {
                    free_node(node);
                    return Err(rc(MOSQ_ERR_NOMEM));
                }
            }
        }
        node
    };
    Ok(filled)
}

/// Copies the list `src` into a new list at `*dest`. NULL `src` succeeds
/// without touching `dest`; on failure (unknown identifier:
/// `MOSQ_ERR_INVAL`, out of memory) `*dest` is freed and set to NULL.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_copy_all(
    dest: *mut *mut mosquitto_property,
    src: *const mosquitto_property,
) -> c_int {
    ffi_boundary(|| {
        if src.is_null() {
            return rc(MOSQ_ERR_SUCCESS);
        }
        if dest.is_null() {
            return rc(MOSQ_ERR_INVAL);
        }
        // SAFETY: `dest` is writable; `src` is the caller's well-formed list;
        // the list under construction is ours until returned.
        unsafe {
            *dest = ptr::null_mut();
            let mut tail: *mut mosquitto_property = ptr::null_mut();
            for node in Nodes::new(src) {
                match copy_node(node) {
                    Ok(copy) => {
                        if tail.is_null() {
                            *dest = copy;
                        } else {
                            (*tail).next = copy;
                        }
                        tail = copy;
                    }
                    Err(code) => {
                        free_list(*dest);
                        *dest = ptr::null_mut();
                        return code;
                    }
                }
            }
        }
        rc(MOSQ_ERR_SUCCESS)
    })
}

/// `MOSQ_ERR_SUCCESS` if `identifier` may be used in `command`, else
/// `MOSQ_ERR_PROTOCOL` (unknown identifiers included).
#[no_mangle]
pub extern "C" fn mosquitto_property_check_command(command: c_int, identifier: c_int) -> c_int {
    ffi_boundary(|| match Identifier::from_i32(identifier) {
        Some(id) if id.allowed_in(command as u32) => rc(MOSQ_ERR_SUCCESS),
        _ => rc(MOSQ_ERR_PROTOCOL),
    })
}

/// Checks a whole list for `command`: value rules, allowed identifiers,
/// duplicates (only user properties may repeat).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_property_check_all(
    command: c_int,
    properties: *const mosquitto_property,
) -> c_int {
    // SAFETY: NULL or the caller's well-formed list.
    ffi_boundary(|| unsafe { check_list(command as u32, properties) })
}

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

/// The NUL-terminated name of an identifier.
fn c_name(id: Identifier) -> &'static CStr {
    use Identifier::*;
    match id {
        PayloadFormatIndicator => c"payload-format-indicator",
        MessageExpiryInterval => c"message-expiry-interval",
        ContentType => c"content-type",
        ResponseTopic => c"response-topic",
        CorrelationData => c"correlation-data",
        SubscriptionIdentifier => c"subscription-identifier",
        SessionExpiryInterval => c"session-expiry-interval",
        AssignedClientIdentifier => c"assigned-client-identifier",
        ServerKeepAlive => c"server-keep-alive",
        AuthenticationMethod => c"authentication-method",
        AuthenticationData => c"authentication-data",
        RequestProblemInformation => c"request-problem-information",
        WillDelayInterval => c"will-delay-interval",
        RequestResponseInformation => c"request-response-information",
        ResponseInformation => c"response-information",
        ServerReference => c"server-reference",
        ReasonString => c"reason-string",
        ReceiveMaximum => c"receive-maximum",
        TopicAliasMaximum => c"topic-alias-maximum",
        TopicAlias => c"topic-alias",
        MaximumQos => c"maximum-qos",
        RetainAvailable => c"retain-available",
        UserProperty => c"user-property",
        MaximumPacketSize => c"maximum-packet-size",
        WildcardSubscriptionAvailable => c"wildcard-subscription-available",
        SubscriptionIdentifierAvailable => c"subscription-identifier-available",
        SharedSubscriptionAvailable => c"shared-subscription-available",
    }
}

/// The specification name of a property (`"content-type"`), NULL for an
/// unknown identifier.
#[no_mangle]
pub extern "C" fn mosquitto_property_identifier_to_string(identifier: c_int) -> *const c_char {
    ffi_boundary(|| Identifier::from_i32(identifier).map_or(ptr::null(), |id| c_name(id).as_ptr()))
}

/// Looks a property name up (ASCII case-insensitively) and stores its
/// identifier and type. `MOSQ_ERR_INVAL` for an unknown name or any NULL
/// argument (the original crashes on NULL outputs).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_string_to_property_info(
    propname: *const c_char,
    identifier: *mut c_int,
    type_: *mut c_int,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: NULL or a NUL-terminated string from the caller.
        let Some(name) = (unsafe { c_str(propname) }) else {
            return rc(MOSQ_ERR_INVAL);
        };
        let Some(id) = Identifier::from_name_bytes(name.to_bytes()) else {
            return rc(MOSQ_ERR_INVAL);
        };
        if identifier.is_null() || type_.is_null() {
            return rc(MOSQ_ERR_INVAL);
        }
        // SAFETY: both out-pointers are non-NULL and, per the C contract,
        // writable ints.
        unsafe {
            *identifier = c_int::from(id as u8);
            *type_ = id.property_type() as c_int;
        }
        rc(MOSQ_ERR_SUCCESS)
    })
}
