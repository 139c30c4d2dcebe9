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
///
/// Probed with a fake broker: Debian's 2.0.11 client reports truncated
/// values and bad varints in received properties as `MOSQ_ERR_PROTOCOL`
/// (not `MOSQ_ERR_MALFORMED_PACKET`), bad UTF-8 as
/// `MOSQ_ERR_MALFORMED_UTF8` and repeats as `MOSQ_ERR_DUPLICATE_PROPERTY`.
/// (An unknown identifier makes it abort on an assertion.)
pub fn error_code(err: PropertyError) -> c_int {
    rc(match err {
        PropertyError::Malformed => MOSQ_ERR_PROTOCOL,
        PropertyError::MalformedUtf8 => MOSQ_ERR_MALFORMED_UTF8,
        PropertyError::Duplicate => MOSQ_ERR_DUPLICATE_PROPERTY,
        PropertyError::NotAllowed | PropertyError::InvalidValue | PropertyError::ZeroTopicAlias => {
            MOSQ_ERR_PROTOCOL
        }
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

/// The properties a packet-sending `_v5` call (publish, subscribe,
/// unsubscribe, disconnect) sends for `list`, as the original picks them: a
/// list whose head the application built (`mosquitto_property_add_*`, so
/// `client_generated`) is sent whole; a head the library made (a node of a
/// received list, found with `mosquitto_property_read_*`, or the head of a
/// `mosquitto_property_copy_all` copy) stands for itself alone, so the
/// nodes after it in the received packet are not sent along.
///
/// # Safety
/// As for [`view_list`].
pub unsafe fn view_outgoing<'a>(
    list: *const mosquitto_property,
) -> Result<Vec<Property<'a>>, PropertyError> {
    // SAFETY: NULL or a valid node, per the contract.
    match unsafe { list.as_ref() } {
        Some(head) if !head.client_generated => {
            // SAFETY: the head is a valid node of a well-formed list.
            let one = unsafe { node_view(head) }.ok_or(PropertyError::NotAllowed)?;
            Ok(vec![one])
        }
        // SAFETY: forwarded contract.
        _ => unsafe { view_list(list) },
    }
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
/// `list` must be NULL or a list whose nodes satisfy `free_node`'s
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

/// The shared body of the four numeric `mosquitto_property_add_*`
/// functions: `MOSQ_ERR_INVAL` for a NULL list pointer, an identifier of
/// another type or an invalid value; otherwise a node set by `set`.
///
/// # Safety
/// `proplist` is NULL or points to a valid list head.
unsafe fn add_number(
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
        // SAFETY: forwarded contract.
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
        // SAFETY: forwarded contract.
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
        // SAFETY: forwarded contract.
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
        // SAFETY: forwarded contract.
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

/// The property types whose value is a string (`value.s`).
const STRING_TYPES: &[PropertyType] = &[PropertyType::String, PropertyType::StringPair];

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
/// Difference: copies empty string properties (the original crashes on them).
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
/// Difference: NULL output pointers return MOSQ_ERR_INVAL (the original crashes).
#[no_mangle]
pub unsafe extern "C" fn mosquitto_string_to_property_info(
    propname: *const c_char,
    identifier: *mut c_int,
    r#type: *mut c_int,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: NULL or a NUL-terminated string from the caller.
        let Some(name) = (unsafe { c_str(propname) }) else {
            return rc(MOSQ_ERR_INVAL);
        };
        let Some(id) = Identifier::from_name_bytes(name.to_bytes()) else {
            return rc(MOSQ_ERR_INVAL);
        };
        if identifier.is_null() || r#type.is_null() {
            return rc(MOSQ_ERR_INVAL);
        }
        // SAFETY: both out-pointers are non-NULL and, per the C contract,
        // writable ints.
        unsafe {
            *identifier = c_int::from(id as u8);
            *r#type = id.property_type() as c_int;
        }
        rc(MOSQ_ERR_SUCCESS)
    })
}

/// Expected values come from probing Debian's libmosquitto 2.0.11 with
/// small C programs (same calls, same node inspection).
#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;

    const ALL_IDS: [c_int; 27] = [
        1, 2, 3, 8, 9, 11, 17, 18, 19, 21, 22, 23, 24, 25, 26, 28, 31, 33, 34, 35, 36, 37, 38, 39,
        40, 41, 42,
    ];
    const OK: c_int = 0;
    const INVAL: c_int = 3;
    const UTF8: c_int = 18;

    /// An owned list freed on drop.
    struct List(*mut mosquitto_property);

    impl List {
        fn new() -> Self {
            List(ptr::null_mut())
        }
        fn at(&self) -> *mut *mut mosquitto_property {
            &self.0 as *const _ as *mut _
        }
        fn nodes(&self) -> Vec<&mosquitto_property> {
            unsafe { Nodes::new(self.0) }.collect()
        }
    }

    impl Drop for List {
        fn drop(&mut self) {
            unsafe { mosquitto_property_free_all(&mut self.0) };
        }
    }

    fn cs(s: &[u8]) -> CString {
        CString::new(s).unwrap()
    }

    /// (v is NULL, len, bytes) of a node string.
    fn st(s: mqtt__string) -> (bool, u16, Vec<u8>) {
        (s.v.is_null(), s.len, unsafe { string_bytes(s) }.to_vec())
    }

    /// Which identifiers in -2..=45 an add function accepts.
    fn accepted(add: impl Fn(*mut *mut mosquitto_property, c_int) -> c_int) -> Vec<c_int> {
        (-2..=45)
            .filter(|id| {
                let list = List::new();
                let r = add(list.at(), *id);
                assert!(r == OK || r == INVAL, "id {id}: {r}");
                r == OK
            })
            .collect()
    }

    /// A list with one property of every identifier (values 7, "s", "b",
    /// ("n","v")).
    fn everything() -> List {
        let list = List::new();
        let (s, n, v) = (cs(b"s"), cs(b"n"), cs(b"v"));
        for id in ALL_IDS {
            let r = unsafe {
                match type_of(id).unwrap() {
                    PropertyType::Byte => mosquitto_property_add_byte(list.at(), id, 7),
                    PropertyType::Int16 => mosquitto_property_add_int16(list.at(), id, 7),
                    PropertyType::Int32 => mosquitto_property_add_int32(list.at(), id, 7),
                    PropertyType::VarInt => mosquitto_property_add_varint(list.at(), id, 7),
                    PropertyType::Binary => {
                        mosquitto_property_add_binary(list.at(), id, b"b".as_ptr().cast(), 1)
                    }
                    PropertyType::String => {
                        mosquitto_property_add_string(list.at(), id, s.as_ptr())
                    }
                    PropertyType::StringPair => {
                        mosquitto_property_add_string_pair(list.at(), id, n.as_ptr(), v.as_ptr())
                    }
                }
            };
            assert_eq!(r, OK);
        }
        list
    }

    #[test]
    fn add_functions_accept_only_their_type() {
        let s = cs(b"ab");
        unsafe {
            assert_eq!(
                accepted(|l, id| mosquitto_property_add_byte(l, id, 1)),
                [1, 23, 25, 36, 37, 40, 41, 42]
            );
            assert_eq!(
                accepted(|l, id| mosquitto_property_add_int16(l, id, 1)),
                [19, 33, 34, 35]
            );
            assert_eq!(
                accepted(|l, id| mosquitto_property_add_int32(l, id, 1)),
                [2, 17, 24, 39]
            );
            assert_eq!(
                accepted(|l, id| mosquitto_property_add_varint(l, id, 1)),
                [11]
            );
            assert_eq!(
                accepted(|l, id| mosquitto_property_add_binary(l, id, s.as_ptr().cast(), 2)),
                [9, 22]
            );
            assert_eq!(
                accepted(|l, id| mosquitto_property_add_string(l, id, s.as_ptr())),
                [3, 8, 18, 21, 26, 28, 31]
            );
            assert_eq!(
                accepted(|l, id| mosquitto_property_add_string_pair(l, id, s.as_ptr(), s.as_ptr())),
                [38]
            );
            assert_eq!(mosquitto_property_add_byte(ptr::null_mut(), 1, 1), INVAL);
            assert_eq!(mosquitto_property_add_int16(ptr::null_mut(), 33, 1), INVAL);
            assert_eq!(mosquitto_property_add_int32(ptr::null_mut(), 2, 1), INVAL);
            assert_eq!(mosquitto_property_add_varint(ptr::null_mut(), 11, 1), INVAL);
            assert_eq!(
                mosquitto_property_add_binary(ptr::null_mut(), 9, s.as_ptr().cast(), 1),
                INVAL
            );
            assert_eq!(
                mosquitto_property_add_string(ptr::null_mut(), 3, s.as_ptr()),
                INVAL
            );
            assert_eq!(
                mosquitto_property_add_string_pair(ptr::null_mut(), 38, s.as_ptr(), s.as_ptr()),
                INVAL
            );
        }
    }

    #[test]
    fn nodes_are_appended_in_order_and_client_generated() {
        let list = everything();
        let nodes = list.nodes();
        assert_eq!(
            nodes.iter().map(|n| n.identifier).collect::<Vec<_>>(),
            ALL_IDS
        );
        assert!(nodes.iter().all(|n| n.client_generated));
        // A list the application built is sent whole.
        let whole = unsafe { view_outgoing(list.0) }.unwrap();
        assert_eq!(whole.len(), ALL_IDS.len());
        let pair = nodes[22];
        assert_eq!(st(pair.name), (false, 1, b"n".to_vec()));
        assert_eq!(unsafe { st(pair.value.s) }, (false, 1, b"v".to_vec()));
        assert_eq!(unsafe { nodes[0].value.i8 }, 7);
    }

    #[test]
    fn varint_range() {
        for (v, want) in [
            (0, OK),
            (127, OK),
            (128, OK),
            (VARINT_MAX, OK),
            (VARINT_MAX + 1, INVAL),
            (u32::MAX, INVAL),
        ] {
            let list = List::new();
            assert_eq!(
                unsafe { mosquitto_property_add_varint(list.at(), 11, v) },
                want,
                "{v}"
            );
            if want == OK {
                assert_eq!(unsafe { list.nodes()[0].value.varint }, v);
            }
        }
    }

    #[test]
    fn binary_edge_cases() {
        unsafe {
            let list = List::new();
            assert_eq!(
                mosquitto_property_add_binary(list.at(), 9, ptr::null(), 0),
                OK
            );
            assert_eq!(
                mosquitto_property_add_binary(list.at(), 9, b"x".as_ptr().cast(), 0),
                OK
            );
            assert_eq!(
                mosquitto_property_add_binary(list.at(), 22, b"x\0y".as_ptr().cast(), 3),
                OK
            );
            let nodes = list.nodes();
            assert_eq!(st(nodes[0].value.bin), (true, 0, vec![]));
            assert_eq!(st(nodes[1].value.bin), (true, 0, vec![]));
            assert_eq!(st(nodes[2].value.bin), (false, 3, b"x\0y".to_vec()));
            // The original crashes here; we refuse.
            assert_eq!(
                mosquitto_property_add_binary(list.at(), 9, ptr::null(), 3),
                INVAL
            );
            assert_eq!(
                mosquitto_property_add_binary(list.at(), 1, ptr::null(), 3),
                INVAL
            );
        }
    }

    #[test]
    fn string_edge_cases() {
        unsafe {
            let list = List::new();
            assert_eq!(mosquitto_property_add_string(list.at(), 3, ptr::null()), OK);
            assert_eq!(
                mosquitto_property_add_string(list.at(), 3, c"".as_ptr()),
                OK
            );
            let nodes = list.nodes();
            assert_eq!(st(nodes[0].value.s), (true, 0, vec![]));
            assert_eq!(st(nodes[1].value.s), (true, 0, vec![]));
            // UTF-8 is checked before the identifier, the list pointer first.
            assert_eq!(
                mosquitto_property_add_string(list.at(), 1, c"\xff".as_ptr()),
                UTF8
            );
            assert_eq!(
                mosquitto_property_add_string(list.at(), 1, ptr::null()),
                INVAL
            );
            assert_eq!(
                mosquitto_property_add_string(ptr::null_mut(), 3, c"\xff".as_ptr()),
                INVAL
            );
            assert_eq!(
                mosquitto_property_add_string(list.at(), 3, c"a\x01".as_ptr()),
                UTF8
            );
            assert_eq!(list.nodes().len(), 2);
        }
    }

    #[test]
    fn long_strings_wrap_their_length_like_the_original() {
        let make = |n: usize| CString::new(vec![b'a'; n]).unwrap();
        unsafe {
            for (n, want, stored) in [(65535, OK, 65535u16), (65536, OK, 0), (65537, UTF8, 0)] {
                let list = List::new();
                let s = make(n);
                assert_eq!(
                    mosquitto_property_add_string(list.at(), 3, s.as_ptr()),
                    want,
                    "{n}"
                );
                if want == OK {
                    let node = list.nodes()[0];
                    assert_eq!(node.value.s.len, stored);
                    assert_eq!(CStr::from_ptr(node.value.s.v).to_bytes().len(), n);
                }
            }
            // Pair names are checked (65537 bytes fails), values are not.
            let list = List::new();
            let big = make(65537);
            assert_eq!(
                mosquitto_property_add_string_pair(list.at(), 38, big.as_ptr(), c"v".as_ptr()),
                UTF8
            );
            assert_eq!(
                mosquitto_property_add_string_pair(list.at(), 38, c"n".as_ptr(), big.as_ptr()),
                OK
            );
            assert_eq!(list.nodes()[0].value.s.len, 1);
        }
    }

    #[test]
    fn string_pair_edge_cases() {
        unsafe {
            let list = List::new();
            assert_eq!(
                mosquitto_property_add_string_pair(list.at(), 38, ptr::null(), c"v".as_ptr()),
                OK
            );
            assert_eq!(
                mosquitto_property_add_string_pair(list.at(), 38, c"n".as_ptr(), ptr::null()),
                OK
            );
            assert_eq!(
                mosquitto_property_add_string_pair(list.at(), 38, c"".as_ptr(), c"".as_ptr()),
                OK
            );
            assert_eq!(
                mosquitto_property_add_string_pair(list.at(), 38, c"n".as_ptr(), c"\xff".as_ptr()),
                OK
            );
            assert_eq!(
                mosquitto_property_add_string_pair(list.at(), 38, c"\xff".as_ptr(), c"v".as_ptr()),
                UTF8
            );
            assert_eq!(
                mosquitto_property_add_string_pair(list.at(), 3, c"\xff".as_ptr(), c"v".as_ptr()),
                INVAL
            );
            assert_eq!(
                mosquitto_property_add_string_pair(
                    ptr::null_mut(),
                    38,
                    c"\xff".as_ptr(),
                    c"v".as_ptr()
                ),
                INVAL
            );
            let nodes = list.nodes();
            assert_eq!(nodes.len(), 4);
            assert_eq!(
                (st(nodes[0].name), st(nodes[0].value.s)),
                ((true, 0, vec![]), (false, 1, b"v".to_vec()))
            );
            assert_eq!(
                (st(nodes[1].name), st(nodes[1].value.s)),
                ((false, 1, b"n".to_vec()), (true, 0, vec![]))
            );
            assert_eq!(
                (st(nodes[2].name), st(nodes[2].value.s)),
                ((false, 0, vec![]), (false, 0, vec![]))
            );
            assert_eq!(st(nodes[3].value.s), (false, 1, b"\xff".to_vec()));
        }
    }

    #[test]
    fn free_all_clears_the_pointer() {
        let mut list = everything();
        unsafe {
            mosquitto_property_free_all(&mut list.0);
            assert!(list.0.is_null());
            mosquitto_property_free_all(ptr::null_mut());
        }
    }

    #[test]
    fn names_and_lookup() {
        unsafe {
            for id in ALL_IDS {
                let name = mosquitto_property_identifier_to_string(id);
                let name = CStr::from_ptr(name);
                assert_eq!(
                    name.to_str().unwrap(),
                    Identifier::from_i32(id).unwrap().name()
                );
                let (mut i, mut t) = (-9, -9);
                assert_eq!(
                    mosquitto_string_to_property_info(name.as_ptr(), &mut i, &mut t),
                    OK
                );
                assert_eq!((i, t), (id, type_of(id).unwrap() as c_int));
            }
            for id in [-255, -1, 0, 4, 43, 256, 257, 0x10001] {
                assert!(
                    mosquitto_property_identifier_to_string(id).is_null(),
                    "{id}"
                );
            }
            let (mut i, mut t) = (-9, -9);
            assert_eq!(
                mosquitto_string_to_property_info(c"Content-Type".as_ptr(), &mut i, &mut t),
                OK
            );
            assert_eq!((i, t), (3, 6));
            for bad in [
                c"content_type",
                c"content-type ",
                c"",
                c"shared-sub-available",
            ] {
                let (mut i, mut t) = (-9, -9);
                assert_eq!(
                    mosquitto_string_to_property_info(bad.as_ptr(), &mut i, &mut t),
                    INVAL
                );
                assert_eq!((i, t), (-9, -9));
            }
            assert_eq!(
                mosquitto_string_to_property_info(ptr::null(), &mut i, &mut t),
                INVAL
            );
            assert_eq!(
                mosquitto_string_to_property_info(
                    c"content-type".as_ptr(),
                    ptr::null_mut(),
                    &mut t
                ),
                INVAL
            );
            assert_eq!(
                mosquitto_string_to_property_info(
                    c"content-type".as_ptr(),
                    &mut i,
                    ptr::null_mut()
                ),
                INVAL
            );
        }
    }

    #[test]
    fn identifier_next_and_type() {
        let list = everything();
        unsafe {
            assert_eq!(mosquitto_property_identifier(ptr::null()), 0);
            assert!(mosquitto_property_next(ptr::null()).is_null());
            assert_eq!(mosquitto_property_type(ptr::null()), 0);
            let mut p: *const mosquitto_property = list.0;
            let mut seen = vec![];
            while !p.is_null() {
                seen.push((mosquitto_property_identifier(p), mosquitto_property_type(p)));
                p = mosquitto_property_next(p);
            }
            let want: Vec<_> = ALL_IDS
                .iter()
                .map(|id| (*id, type_of(*id).unwrap() as c_int))
                .collect();
            assert_eq!(seen, want);
            let odd = mosquitto_property {
                identifier: 99,
                ..std::mem::zeroed()
            };
            assert_eq!(mosquitto_property_identifier(&odd), 99);
            assert_eq!(mosquitto_property_type(&odd), 0);
        }
    }

    #[test]
    fn readers_find_only_their_type() {
        let list = everything();
        let found = |read: &dyn Fn(c_int) -> bool| -> Vec<c_int> {
            (-1..=45).filter(|id| read(*id)).collect()
        };
        unsafe {
            let l = list.0;
            assert_eq!(
                found(&|id| !mosquitto_property_read_byte(l, id, &mut 0, false).is_null()),
                [1, 23, 25, 36, 37, 40, 41, 42]
            );
            assert_eq!(
                found(&|id| !mosquitto_property_read_int16(l, id, &mut 0, false).is_null()),
                [19, 33, 34, 35]
            );
            assert_eq!(
                found(&|id| !mosquitto_property_read_int32(l, id, &mut 0, false).is_null()),
                [2, 17, 24, 39]
            );
            assert_eq!(
                found(&|id| !mosquitto_property_read_varint(l, id, &mut 0, false).is_null()),
                [11]
            );
            assert_eq!(
                found(&|id| !mosquitto_property_read_binary(
                    l,
                    id,
                    ptr::null_mut(),
                    ptr::null_mut(),
                    false
                )
                .is_null()),
                [9, 22]
            );
            assert_eq!(
                found(
                    &|id| !mosquitto_property_read_string(l, id, ptr::null_mut(), false).is_null()
                ),
                [3, 8, 18, 21, 26, 28, 31]
            );
            assert_eq!(
                found(&|id| !mosquitto_property_read_string_pair(
                    l,
                    id,
                    ptr::null_mut(),
                    ptr::null_mut(),
                    false
                )
                .is_null()),
                [38]
            );
            let mut v = 0u16;
            assert!(!mosquitto_property_read_int16(l, 33, &mut v, false).is_null());
            assert_eq!(v, 7);
            let mut b = 99u8;
            assert!(mosquitto_property_read_byte(ptr::null(), 1, &mut b, false).is_null());
            assert!(mosquitto_property_read_byte(l, 1, &mut b, true).is_null());
            assert_eq!(b, 99);
        }
    }

    #[test]
    fn skip_first_skips_the_first_match() {
        let list = List::new();
        unsafe {
            for (n, v) in [(c"a", c"1"), (c"b", c"2")] {
                mosquitto_property_add_string_pair(list.at(), 38, n.as_ptr(), v.as_ptr());
                mosquitto_property_add_byte(list.at(), 1, 1);
            }
            mosquitto_property_add_string_pair(list.at(), 38, c"c".as_ptr(), c"3".as_ptr());
            let mut names = vec![];
            let mut name: *mut c_char = ptr::null_mut();
            let mut p =
                mosquitto_property_read_string_pair(list.0, 38, &mut name, ptr::null_mut(), false);
            while !p.is_null() {
                names.push(CStr::from_ptr(name).to_bytes().to_vec());
                libc::free(name.cast());
                p = mosquitto_property_read_string_pair(p, 38, &mut name, ptr::null_mut(), true);
            }
            assert_eq!(names, [b"a", b"b", b"c"]);
            assert!(name.is_null());
            // Starting on a non-matching node, skip_first skips "b", not the node.
            let second = mosquitto_property_next(list.0);
            assert!(ptr::eq(
                mosquitto_property_read_string_pair(
                    second,
                    38,
                    ptr::null_mut(),
                    ptr::null_mut(),
                    true
                ),
                list.nodes()[4]
            ));
        }
    }

    /// Takes a malloc'd C string: None for NULL, else its bytes.
    fn take(p: *mut c_char) -> Option<Vec<u8>> {
        if p.is_null() {
            return None;
        }
        let v = unsafe { CStr::from_ptr(p) }.to_bytes().to_vec();
        unsafe { libc::free(p.cast()) };
        Some(v)
    }

    #[test]
    fn read_binary_and_string_allocation_and_side_effects() {
        let list = List::new();
        let sentinel = ptr::dangling_mut::<c_char>();
        unsafe {
            mosquitto_property_add_binary(list.at(), 9, b"xyz".as_ptr().cast(), 3);
            mosquitto_property_add_binary(list.at(), 22, ptr::null(), 0);
            mosquitto_property_add_string(list.at(), 3, c"".as_ptr());
            mosquitto_property_add_byte(list.at(), 1, 1);
            let l = list.0;
            let (mut v, mut len) = (sentinel.cast::<c_void>(), 77u16);
            assert!(!mosquitto_property_read_binary(l, 9, &mut v, &mut len, false).is_null());
            assert_eq!((take(v.cast()), len), (Some(b"xyz".to_vec()), 3));
            // Empty binaries still get a (NUL-terminated) allocation.
            let (mut v, mut len) = (sentinel.cast::<c_void>(), 77u16);
            assert!(!mosquitto_property_read_binary(l, 22, &mut v, &mut len, false).is_null());
            assert_eq!((take(v.cast()), len), (Some(vec![]), 0));
            // *value is cleared before the search; len is not.
            for id in [8, 1, 3] {
                let (mut v, mut len) = (sentinel.cast::<c_void>(), 77u16);
                assert!(mosquitto_property_read_binary(l, id, &mut v, &mut len, false).is_null());
                assert_eq!((v.is_null(), len), (true, 77), "{id}");
            }
            // But not for a NULL list, and value/len must come together.
            let (mut v, mut len) = (sentinel.cast::<c_void>(), 77u16);
            assert!(
                mosquitto_property_read_binary(ptr::null(), 9, &mut v, &mut len, false).is_null()
            );
            assert_eq!(v, sentinel.cast());
            assert!(
                mosquitto_property_read_binary(l, 9, ptr::null_mut(), &mut len, false).is_null()
            );
            assert!(mosquitto_property_read_binary(l, 9, &mut v, ptr::null_mut(), false).is_null());
            assert_eq!((v, len), (sentinel.cast(), 77));
            // Strings: always allocated, untouched when not found.
            let mut s = sentinel;
            assert!(!mosquitto_property_read_string(l, 3, &mut s, false).is_null());
            assert_eq!(take(s), Some(vec![]));
            let mut s = sentinel;
            assert!(mosquitto_property_read_string(l, 9, &mut s, false).is_null());
            assert!(mosquitto_property_read_string(l, 8, &mut s, false).is_null());
            assert!(mosquitto_property_read_string(ptr::null(), 3, &mut s, false).is_null());
            assert_eq!(s, sentinel);
            assert!(!mosquitto_property_read_string(l, 3, ptr::null_mut(), false).is_null());
        }
    }

    #[test]
    fn read_string_pair_clears_outputs_for_a_non_null_list() {
        let list = List::new();
        let sentinel = ptr::dangling_mut::<c_char>();
        unsafe {
            mosquitto_property_add_string_pair(list.at(), 38, c"nn".as_ptr(), c"vvv".as_ptr());
            mosquitto_property_add_string_pair(list.at(), 38, ptr::null(), ptr::null());
            mosquitto_property_add_string(list.at(), 3, c"s".as_ptr());
            let l = list.0;
            let (mut n, mut v) = (sentinel, sentinel);
            assert!(!mosquitto_property_read_string_pair(l, 38, &mut n, &mut v, false).is_null());
            assert_eq!(
                (take(n), take(v)),
                (Some(b"nn".to_vec()), Some(b"vvv".to_vec()))
            );
            let (mut n, mut v) = (sentinel, sentinel);
            assert!(!mosquitto_property_read_string_pair(l, 38, &mut n, &mut v, true).is_null());
            assert_eq!((take(n), take(v)), (Some(vec![]), Some(vec![])));
            for (id, skip) in [(38, true), (3, false), (2, false)] {
                let (mut n, mut v) = (sentinel, sentinel);
                let found = mosquitto_property_read_string_pair(
                    mosquitto_property_next(l),
                    id,
                    &mut n,
                    &mut v,
                    skip,
                );
                assert!(found.is_null());
                assert!(n.is_null() && v.is_null(), "{id}");
            }
            let (mut n, mut v) = (sentinel, sentinel);
            assert!(
                mosquitto_property_read_string_pair(ptr::null(), 38, &mut n, &mut v, false)
                    .is_null()
            );
            assert_eq!((n, v), (sentinel, sentinel));
        }
    }

    #[test]
    fn check_command_and_check_all() {
        unsafe {
            assert_eq!(mosquitto_property_check_command(0x30, 35), OK);
            assert_eq!(mosquitto_property_check_command(0x30, 36), 2);
            assert_eq!(mosquitto_property_check_command(0x100, 24), OK);
            assert_eq!(mosquitto_property_check_command(-1, 31), OK);
            assert_eq!(mosquitto_property_check_command(0x30, -1), 2);
            assert_eq!(mosquitto_property_check_command(0x30, 38 + 256), 2);
            assert_eq!(mosquitto_property_check_all(0x30, ptr::null()), OK);
            assert_eq!(mosquitto_property_check_all(0x1234, ptr::null()), OK);
            let list = List::new();
            mosquitto_property_add_byte(list.at(), 1, 2);
            mosquitto_property_add_string_pair(list.at(), 38, c"a".as_ptr(), c"b".as_ptr());
            mosquitto_property_add_string_pair(list.at(), 38, c"a".as_ptr(), c"b".as_ptr());
            assert_eq!(mosquitto_property_check_all(0x30, list.0), OK);
            assert_eq!(mosquitto_property_check_all(0x10, list.0), 2);
            mosquitto_property_add_varint(list.at(), 11, 1);
            mosquitto_property_add_varint(list.at(), 11, 2);
            assert_eq!(mosquitto_property_check_all(0x30, list.0), 22);
            let zero = List::new();
            mosquitto_property_add_int16(zero.at(), 33, 0);
            assert_eq!(mosquitto_property_check_all(0x10, zero.0), 2);
            let odd = mosquitto_property {
                identifier: 99,
                ..std::mem::zeroed()
            };
            assert_eq!(mosquitto_property_check_all(0x30, &odd), 2);
        }
    }

    #[test]
    fn copy_all_copies_values_not_the_client_flag() {
        let src = List::new();
        unsafe {
            mosquitto_property_add_string(src.at(), 3, c"abc".as_ptr());
            mosquitto_property_add_binary(src.at(), 9, b"xyz".as_ptr().cast(), 3);
            mosquitto_property_add_string_pair(src.at(), 38, c"nn".as_ptr(), c"vvv".as_ptr());
            mosquitto_property_add_binary(src.at(), 22, ptr::null(), 0);
            mosquitto_property_add_string(src.at(), 31, c"".as_ptr());
            mosquitto_property_add_string_pair(src.at(), 38, ptr::null(), c"".as_ptr());
            mosquitto_property_add_int32(src.at(), 2, 0xDEAD_BEEF);
            let dest = List::new();
            assert_eq!(mosquitto_property_copy_all(dest.at(), src.0), OK);
            let (a, b) = (src.nodes(), dest.nodes());
            assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(&b) {
                assert_eq!(node_view(x), node_view(y));
                assert!(!y.client_generated);
            }
            assert_eq!(st(b[0].value.s), (false, 3, b"abc".to_vec()));
            assert_eq!(*b[0].value.s.v.add(3), 0);
            // An empty binary is copied with malloc(0) (non-NULL on glibc);
            // NULL strings stay NULL (the original crashes on them).
            assert!(!b[3].value.bin.v.is_null());
            assert!(b[4].value.s.v.is_null());
            assert!(b[5].name.v.is_null());
            assert_eq!(st(b[5].value.s), (false, 0, vec![]));
            assert_eq!(b[6].value.i32, 0xDEAD_BEEF);
        }
    }

    #[test]
    fn copy_all_argument_and_failure_rules() {
        unsafe {
            let mut dest = ptr::dangling_mut::<mosquitto_property>();
            assert_eq!(mosquitto_property_copy_all(&mut dest, ptr::null()), OK);
            assert_eq!(dest, ptr::dangling_mut());
            let src = everything();
            assert_eq!(mosquitto_property_copy_all(ptr::null_mut(), src.0), INVAL);
            // An unknown identifier anywhere fails the copy and clears dest.
            let odd = Box::into_raw(Box::new(mosquitto_property {
                identifier: 99,
                ..std::mem::zeroed()
            }));
            let last = *src.nodes().last().unwrap() as *const mosquitto_property
                as *mut mosquitto_property;
            (*last).next = odd;
            let mut dest = ptr::dangling_mut::<mosquitto_property>();
            assert_eq!(mosquitto_property_copy_all(&mut dest, src.0), INVAL);
            assert!(dest.is_null());
            (*last).next = ptr::null_mut();
            drop(Box::from_raw(odd));
            // Copying into a non-empty list replaces (does not append).
            let dest = List::new();
            mosquitto_property_add_byte(dest.at(), 36, 1);
            let before = dest.0;
            let single = List::new();
            mosquitto_property_add_byte(single.at(), 1, 1);
            assert_eq!(mosquitto_property_copy_all(dest.at(), single.0), OK);
            assert_eq!(dest.nodes().len(), 1);
            assert_eq!(dest.nodes()[0].identifier, 1);
            let mut orphan = before;
            mosquitto_property_free_all(&mut orphan);
        }
    }

    #[test]
    fn remove_unlinks_without_freeing() {
        let list = everything();
        unsafe {
            let nodes: Vec<*mut mosquitto_property> = list
                .nodes()
                .into_iter()
                .map(|n| n as *const _ as *mut _)
                .collect();
            assert_eq!(mosquitto_property_remove(ptr::null_mut(), nodes[0]), INVAL);
            assert_eq!(mosquitto_property_remove(list.at(), ptr::null()), INVAL);
            let stranger = mosquitto_property {
                identifier: 1,
                ..std::mem::zeroed()
            };
            assert_eq!(mosquitto_property_remove(list.at(), &stranger), 6);
            assert_eq!(mosquitto_property_remove(list.at(), nodes[0]), OK);
            assert_eq!(mosquitto_property_remove(list.at(), nodes[5]), OK);
            assert_eq!(list.0, nodes[1]);
            assert!((*nodes[0]).next.is_null() && (*nodes[5]).next.is_null());
            assert_eq!(list.nodes().len(), 25);
            assert_eq!(mosquitto_property_remove(list.at(), nodes[0]), 6);
            let mut empty: *mut mosquitto_property = ptr::null_mut();
            assert_eq!(mosquitto_property_remove(&mut empty, nodes[0]), 6);
            for n in [nodes[0], nodes[5]] {
                let mut n = n;
                mosquitto_property_free_all(&mut n);
            }
        }
    }

    #[test]
    fn value_accessors_check_the_type() {
        let list = everything();
        let n = list.nodes();
        let at = |id: c_int| {
            n[ALL_IDS.iter().position(|x| *x == id).unwrap()] as *const mosquitto_property
        };
        unsafe {
            assert_eq!(mosquitto_property_byte_value(at(1)), 7);
            assert_eq!(mosquitto_property_byte_value(at(33)), 0);
            assert_eq!(mosquitto_property_int16_value(at(33)), 7);
            assert_eq!(mosquitto_property_int16_value(at(2)), 0);
            assert_eq!(mosquitto_property_int32_value(at(2)), 7);
            assert_eq!(mosquitto_property_int32_value(at(11)), 0);
            assert_eq!(mosquitto_property_varint_value(at(11)), 7);
            assert_eq!(mosquitto_property_varint_value(at(1)), 0);
            assert_eq!(mosquitto_property_binary_value_length(at(9)), 1);
            assert_eq!(*mosquitto_property_binary_value(at(9)).cast::<u8>(), b'b');
            assert!(mosquitto_property_binary_value(at(3)).is_null());
            assert_eq!(mosquitto_property_binary_value_length(at(3)), 0);
            assert_eq!(CStr::from_ptr(mosquitto_property_string_value(at(3))), c"s");
            assert_eq!(mosquitto_property_string_value_length(at(3)), 1);
            assert_eq!(
                CStr::from_ptr(mosquitto_property_string_value(at(38))),
                c"v"
            );
            assert_eq!(CStr::from_ptr(mosquitto_property_string_name(at(38))), c"n");
            assert_eq!(mosquitto_property_string_name_length(at(38)), 1);
            assert!(mosquitto_property_string_name(at(3)).is_null());
            assert_eq!(mosquitto_property_string_name_length(at(3)), 0);
            assert!(mosquitto_property_string_value(at(9)).is_null());
            assert_eq!(mosquitto_property_string_value_length(at(9)), 0);
            assert_eq!(mosquitto_property_byte_value(ptr::null()), 0);
            assert!(mosquitto_property_string_value(ptr::null()).is_null());
        }
    }

    #[test]
    fn view_and_build_round_trip() {
        let props = [
            Property {
                id: Identifier::ContentType,
                value: Value::String(b"text"),
            },
            Property {
                id: Identifier::CorrelationData,
                value: Value::Binary(b""),
            },
            Property {
                id: Identifier::UserProperty,
                value: Value::StringPair(b"", b"v"),
            },
            Property {
                id: Identifier::SubscriptionIdentifier,
                value: Value::VarInt(300),
            },
            Property {
                id: Identifier::TopicAlias,
                value: Value::Int16(9),
            },
        ];
        let list = List(build_list(props).unwrap());
        let nodes = list.nodes();
        assert!(nodes.iter().all(|n| !n.client_generated));
        unsafe {
            // Received strings and binaries are allocated and NUL-terminated,
            // even when empty.
            assert_eq!(*nodes[0].value.s.v.add(4), 0);
            assert!(!nodes[1].value.bin.v.is_null());
            assert!(!nodes[2].name.v.is_null());
            assert_eq!(view_list(list.0).unwrap(), props);
            // A received node sent on stands for itself alone.
            assert_eq!(view_outgoing(list.0).unwrap(), props[..1]);
            assert_eq!(view_outgoing(nodes[2]).unwrap(), props[2..3]);
            assert_eq!(view_outgoing(ptr::null()).unwrap(), []);
            assert_eq!(check_list(0x30, list.0), 0);
            assert_eq!(check_list(0x10, list.0), 2);
        }
        assert!(build_list([]).unwrap().is_null());
        let odd = mosquitto_property {
            identifier: 99,
            ..unsafe { std::mem::zeroed() }
        };
        assert_eq!(unsafe { view_list(&odd) }, Err(PropertyError::NotAllowed));
        assert_eq!(error_code(PropertyError::Duplicate), 22);
        assert_eq!(error_code(PropertyError::MalformedUtf8), 18);
        assert_eq!(error_code(PropertyError::InvalidValue), 2);
    }
}
