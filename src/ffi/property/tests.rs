//! The property list API against the behaviour probed on Debian's 2.0.11:
//! expected values come from probing Debian's libmosquitto 2.0.11 with
//! small C programs (same calls, same node inspection).

use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr;

use super::{add::*, list::*, read::*, whole::*};
use crate::ffi::types::{mosquitto_property, mqtt__string};
use crate::protocol::property::{
    Identifier, Property, PropertyError, PropertyType, Value, VARINT_MAX,
};
use std::ffi::CString;

const ALL_IDS: [c_int; 27] = [
    1, 2, 3, 8, 9, 11, 17, 18, 19, 21, 22, 23, 24, 25, 26, 28, 31, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42,
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
                PropertyType::String => mosquitto_property_add_string(list.at(), id, s.as_ptr()),
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
            mosquitto_string_to_property_info(c"content-type".as_ptr(), ptr::null_mut(), &mut t),
            INVAL
        );
        assert_eq!(
            mosquitto_string_to_property_info(c"content-type".as_ptr(), &mut i, ptr::null_mut()),
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
    let found =
        |read: &dyn Fn(c_int) -> bool| -> Vec<c_int> { (-1..=45).filter(|id| read(*id)).collect() };
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
            found(&|id| !mosquitto_property_read_string(l, id, ptr::null_mut(), false).is_null()),
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
            mosquitto_property_read_string_pair(second, 38, ptr::null_mut(), ptr::null_mut(), true),
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
        assert!(mosquitto_property_read_binary(ptr::null(), 9, &mut v, &mut len, false).is_null());
        assert_eq!(v, sentinel.cast());
        assert!(mosquitto_property_read_binary(l, 9, ptr::null_mut(), &mut len, false).is_null());
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
            mosquitto_property_read_string_pair(ptr::null(), 38, &mut n, &mut v, false).is_null()
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
        let last =
            *src.nodes().last().unwrap() as *const mosquitto_property as *mut mosquitto_property;
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
    let at =
        |id: c_int| n[ALL_IDS.iter().position(|x| *x == id).unwrap()] as *const mosquitto_property;
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
