//! Whole lists and names: freeing, copying and checking a list, and the
//! identifier names of `mosquitto_string_to_property_info`.

use std::ffi::{c_char, c_int, CStr};
use std::ptr;

use super::list::*;
use crate::ffi::boundary::{c_str, ffi_boundary};
use crate::ffi::constants::mosq_err_t::*;
use crate::ffi::constants::rc;
use crate::ffi::types::{mosquitto_property, mqtt__string};
use crate::protocol::property::{Identifier, PropertyType};

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
pub(super) unsafe fn copy_node(src: &mosquitto_property) -> Result<*mut mosquitto_property, c_int> {
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

/// The NUL-terminated name of an identifier.
pub(super) fn c_name(id: Identifier) -> &'static CStr {
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
