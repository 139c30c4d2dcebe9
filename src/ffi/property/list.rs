//! The bridge between C property lists and the pure [`Property`] model:
//! walking, viewing, building and freeing node lists.

use std::ffi::{c_int, c_void, CStr};
use std::marker::PhantomData;
use std::ptr;

use crate::ffi::constants::mosq_err_t::*;
use crate::ffi::constants::rc;
pub(super) use crate::ffi::ptr::malloc_copy;
use crate::ffi::types::{mosquitto_property, mqtt__string};
use crate::protocol::property::{
    check_raw, Identifier, Property, PropertyError, PropertyType, Value,
};

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
pub(super) fn type_of(identifier: i32) -> Option<PropertyType> {
    Identifier::from_i32(identifier).map(Identifier::property_type)
}

/// The bytes a length-prefixed node string refers to (empty when NULL).
///
/// # Safety
/// `s.v` must be NULL or point to at least `s.len` readable bytes that stay
/// valid and unmodified for `'a`.
pub(super) unsafe fn string_bytes<'a>(s: mqtt__string) -> &'a [u8] {
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
pub(super) unsafe fn node_view(node: &mosquitto_property) -> Option<Property<'_>> {
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
pub(super) unsafe fn node_number(node: &mosquitto_property) -> u32 {
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
pub(super) struct Nodes<'a> {
    cur: *const mosquitto_property,
    _list: PhantomData<&'a mosquitto_property>,
}

impl<'a> Nodes<'a> {
    /// # Safety
    /// `list` must be NULL or the head of a well-formed, NULL-terminated
    /// list whose nodes stay valid and unmodified for `'a`.
    pub(super) unsafe fn new(list: *const mosquitto_property) -> Self {
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
    // SAFETY: NULL or a well-formed list valid for 'a (this function's
    // contract, which is `Nodes::new`'s).
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
        // SAFETY: this function's contract is `view_list`'s.
        _ => unsafe { view_list(list) },
    }
}

/// Runs `mosquitto_property_check_all`'s rules over a C list and returns
/// the original's return code.
///
/// # Safety
/// As for [`view_list`].
pub unsafe fn check_list(command: u32, list: *const mosquitto_property) -> c_int {
    // SAFETY: NULL or a well-formed list valid for 'a (this function's
    // contract, which is `Nodes::new`'s).
    let nodes = unsafe { Nodes::new(list) };
    // SAFETY: every node yielded is valid.
    let items = nodes.map(|node| (node.identifier, unsafe { node_number(node) }));
    match check_raw(command, items) {
        Ok(()) => rc(MOSQ_ERR_SUCCESS),
        Err(e) => error_code(e),
    }
}

/// A `calloc`ed node with only its identifier set. NULL when out of memory.
pub(super) fn new_node(identifier: i32, client_generated: bool) -> *mut mosquitto_property {
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
pub(super) fn node_string(bytes: &[u8]) -> Result<mqtt__string, ()> {
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
pub(super) unsafe fn free_node(node: *mut mosquitto_property) {
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
pub(super) fn fill_node(node: &mut mosquitto_property, value: Value<'_>) -> Result<(), ()> {
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
pub(super) unsafe fn append(proplist: *mut *mut mosquitto_property, node: *mut mosquitto_property) {
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
pub(super) unsafe fn add_node(
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
pub(super) fn is_type(identifier: c_int, t: PropertyType) -> bool {
    type_of(identifier) == Some(t)
}

/// A `strdup` of a C string for a node, keeping the original's `uint16_t`
/// length (which wraps for strings longer than 65535 bytes).
pub(super) fn dup_c_string(s: &CStr) -> Result<mqtt__string, ()> {
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
