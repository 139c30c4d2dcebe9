use super::*;
use Identifier as I;

/// Identifiers each `mosquitto_property_check_command` accepted per
/// command in the reference library (probed with Debian's 2.0.11).
const ALLOWED: &[(u32, &[u8])] = &[
    (0x00, &[31, 38]),
    (0x10, &[17, 21, 22, 23, 25, 33, 34, 38, 39]),
    (
        0x20,
        &[
            17, 18, 19, 21, 22, 26, 28, 31, 33, 34, 36, 37, 38, 39, 40, 41, 42,
        ],
    ),
    (0x30, &[1, 2, 3, 8, 9, 11, 35, 38]),
    (0x31, &[31, 38]),
    (0x40, &[31, 38]),
    (0x50, &[31, 38]),
    (0x60, &[31, 38]),
    (0x62, &[31, 38]),
    (0x70, &[31, 38]),
    (0x80, &[11, 38]),
    (0x82, &[31, 38]),
    (0x90, &[31, 38]),
    (0xA0, &[38]),
    (0xB0, &[31, 38]),
    (0xC0, &[31, 38]),
    (0xD0, &[31, 38]),
    (0xE0, &[17, 28, 31, 38]),
    (0xF0, &[21, 22, 31, 38]),
    (0x100, &[1, 2, 3, 8, 9, 24, 31, 38]),
    (0x101, &[31, 38]),
    (0xFFFF_FFFF, &[31, 38]),
];

fn block(props: &[Property<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in props {
        write_property(&mut out, p);
    }
    out
}

fn parse(bytes: &[u8], command: u32) -> Result<Vec<Property<'_>>, PropertyError> {
    parse_properties(bytes, command).map(|it| it.collect())
}

#[test]
fn identifiers_round_trip_through_numbers_and_names() {
    let known: Vec<u8> = (0..=255u8)
        .filter(|n| Identifier::from_u8(*n).is_some())
        .collect();
    assert_eq!(
        known,
        [
            1, 2, 3, 8, 9, 11, 17, 18, 19, 21, 22, 23, 24, 25, 26, 28, 31, 33, 34, 35, 36, 37, 38,
            39, 40, 41, 42
        ]
    );
    for id in Identifier::ALL {
        assert_eq!(Identifier::from_u8(id as u8), Some(id));
        assert_eq!(Identifier::from_name(id.name()), Some(id));
        assert_eq!(Identifier::from_name(&id.name().to_uppercase()), Some(id));
    }
    assert_eq!(Identifier::from_i32(-1), None);
    assert_eq!(Identifier::from_i32(256 + 1), None);
    assert_eq!(
        I::WildcardSubscriptionAvailable.name(),
        "wildcard-subscription-available"
    );
    assert_eq!(Identifier::from_name("Maximum-QoS"), Some(I::MaximumQos));
    for bad in [
        "",
        "content_type",
        "content-type ",
        "wildcard-sub-available",
        "x",
    ] {
        assert_eq!(Identifier::from_name(bad), None, "{bad:?}");
    }
}

#[test]
fn types_match_the_reference_add_functions() {
    let of = |t: PropertyType| -> Vec<u8> {
        Identifier::ALL
            .iter()
            .filter(|i| i.property_type() == t)
            .map(|i| *i as u8)
            .collect()
    };
    assert_eq!(of(PropertyType::Byte), [1, 23, 25, 36, 37, 40, 41, 42]);
    assert_eq!(of(PropertyType::Int16), [19, 33, 34, 35]);
    assert_eq!(of(PropertyType::Int32), [2, 17, 24, 39]);
    assert_eq!(of(PropertyType::VarInt), [11]);
    assert_eq!(of(PropertyType::Binary), [9, 22]);
    assert_eq!(of(PropertyType::String), [3, 8, 18, 21, 26, 28, 31]);
    assert_eq!(of(PropertyType::StringPair), [38]);
}

#[test]
fn allowed_in_matches_the_reference_table() {
    for (command, ids) in ALLOWED {
        let got: Vec<u8> = Identifier::ALL
            .iter()
            .filter(|i| i.allowed_in(*command))
            .map(|i| *i as u8)
            .collect();
        assert_eq!(&got, ids, "command {command:#x}");
    }
}

#[test]
fn varints_encode_minimally_and_decode_strictly() {
    for (value, bytes) in [
        (0u32, &[0x00][..]),
        (127, &[0x7F]),
        (128, &[0x80, 0x01]),
        (16_383, &[0xFF, 0x7F]),
        (16_384, &[0x80, 0x80, 0x01]),
        (2_097_151, &[0xFF, 0xFF, 0x7F]),
        (2_097_152, &[0x80, 0x80, 0x80, 0x01]),
        (VARINT_MAX, &[0xFF, 0xFF, 0xFF, 0x7F]),
    ] {
        let mut out = Vec::new();
        write_varint(&mut out, value);
        assert_eq!(out, bytes);
        assert_eq!(varint_len(value), bytes.len());
        assert_eq!(read_varint(bytes), Ok((value, bytes.len())));
    }
    assert_eq!(varint_len(VARINT_MAX + 1), 5);
    for bad in [
        &[][..],
        &[0x80],
        &[0x80, 0x00],
        &[0xFF, 0x80, 0x00],
        &[0x81, 0x80, 0x80, 0x80, 0x01],
        &[0xFF; 4],
    ] {
        assert_eq!(read_varint(bad), Err(PropertyError::Malformed), "{bad:?}");
    }
}

fn sample() -> Vec<Property<'static>> {
    vec![
        Property {
            id: I::PayloadFormatIndicator,
            value: Value::Byte(1),
        },
        Property {
            id: I::MessageExpiryInterval,
            value: Value::Int32(0xDEAD_BEEF),
        },
        Property {
            id: I::ContentType,
            value: Value::String(b"text/plain"),
        },
        Property {
            id: I::ResponseTopic,
            value: Value::String(b""),
        },
        Property {
            id: I::CorrelationData,
            value: Value::Binary(b"\x00\xFF\x00"),
        },
        Property {
            id: I::SubscriptionIdentifier,
            value: Value::VarInt(VARINT_MAX),
        },
        Property {
            id: I::TopicAlias,
            value: Value::Int16(0x1234),
        },
        Property {
            id: I::UserProperty,
            value: Value::StringPair(b"k", b"v\xC3\xA9"),
        },
        Property {
            id: I::UserProperty,
            value: Value::StringPair(b"", b""),
        },
    ]
}

#[test]
fn blocks_round_trip() {
    let props = sample();
    let mut out = Vec::new();
    write_properties(&mut out, &props);
    let body = block(&props);
    assert_eq!(encoded_len(&props), body.len());
    assert_eq!(encoded_len_with_prefix(&props), out.len());
    let (len, used) = read_varint(&out).unwrap();
    assert_eq!(len as usize, body.len());
    assert_eq!(&out[used..], &body[..]);
    assert_eq!(parse(&body, CMD_PUBLISH).unwrap(), props);
    assert_eq!(parse(&[], CMD_CONNECT).unwrap(), []);
    let mut empty = Vec::new();
    write_properties(&mut empty, &[]);
    assert_eq!(empty, [0]);
}

#[test]
fn exact_wire_bytes() {
    let props = [
        Property {
            id: I::ReceiveMaximum,
            value: Value::Int16(20),
        },
        Property {
            id: I::SessionExpiryInterval,
            value: Value::Int32(60),
        },
        Property {
            id: I::AuthenticationMethod,
            value: Value::String(b"ab"),
        },
        Property {
            id: I::UserProperty,
            value: Value::StringPair(b"n", b"v"),
        },
    ];
    let mut out = Vec::new();
    write_properties(&mut out, &props);
    assert_eq!(
        out,
        [20, 33, 0, 20, 17, 0, 0, 0, 60, 21, 0, 2, b'a', b'b', 38, 0, 1, b'n', 0, 1, b'v']
    );
    // A long block gets a two byte length prefix.
    let big = [0u8; 200];
    let mut out = Vec::new();
    write_properties(
        &mut out,
        &[Property {
            id: I::CorrelationData,
            value: Value::Binary(&big),
        }],
    );
    assert_eq!(&out[..5], &[0xCB, 0x01, 9, 0, 200]);
    assert_eq!(out.len(), 2 + 203);
}

#[test]
fn every_property_round_trips_on_an_allowed_command() {
    for id in Identifier::ALL {
        let value = match id.property_type() {
            PropertyType::Byte => Value::Byte(1),
            PropertyType::Int16 => Value::Int16(7),
            PropertyType::Int32 => Value::Int32(7),
            PropertyType::VarInt => Value::VarInt(300),
            PropertyType::Binary => Value::Binary(b"bin"),
            PropertyType::String => Value::String(b"str"),
            PropertyType::StringPair => Value::StringPair(b"a", b"b"),
        };
        let prop = Property { id, value };
        assert!(prop.is_well_typed());
        let command = [
            CMD_CONNECT,
            CMD_CONNACK,
            CMD_PUBLISH,
            CMD_SUBSCRIBE,
            CMD_WILL,
        ]
        .into_iter()
        .find(|c| id.allowed_in(*c))
        .unwrap();
        let bytes = block(&[prop]);
        assert_eq!(parse(&bytes, command).unwrap(), [prop], "{id:?}");
    }
}

#[test]
fn truncated_values_are_malformed() {
    for prop in sample() {
        let bytes = block(&[prop]);
        for cut in 0..bytes.len() {
            if cut == 0 {
                continue;
            }
            assert_eq!(
                parse(&bytes[..cut], CMD_PUBLISH),
                Err(PropertyError::Malformed),
                "{prop:?} cut {cut}"
            );
        }
    }
}

#[test]
fn encoding_errors_are_malformed() {
    let cases: &[&[u8]] = &[
        &[0],                             // identifier 0
        &[4, 0],                          // unknown identifier
        &[43, 0],                         // unknown identifier
        &[0x81, 0x00, 0],                 // overlong identifier (1)
        &[0x80, 0x01, 0],                 // identifier 128
        &[11, 0x80, 0x00],                // overlong subscription identifier
        &[11, 0xFF, 0xFF, 0xFF, 0xFF, 1], // five byte varint
        &[11, 0x80],                      // varint cut short
        &[3, 0, 5, b'a'],                 // string longer than block
        &[9, 0],                          // binary length cut
    ];
    for bytes in cases {
        assert_eq!(
            parse(bytes, CMD_PUBLISH),
            Err(PropertyError::Malformed),
            "{bytes:?}"
        );
    }
}

#[test]
fn bad_utf8_is_reported_for_strings_and_both_halves_of_pairs() {
    let bad_strings: &[&[u8]] = &[
        b"\xFF",
        b"a\x00b",
        b"\x01",
        b"\x7F",
        b"\xC2\x80",
        b"\xED\xA0\x80",
        b"\xEF\xBF\xBF",
        b"\xEF\xB7\x90",
        b"\xF0\x9F\xBF\xBE",
        b"\xC0\x80",
        b"\xC3",
    ];
    for s in bad_strings {
        for prop in [
            Property {
                id: I::ContentType,
                value: Value::String(s),
            },
            Property {
                id: I::UserProperty,
                value: Value::StringPair(s, b"v"),
            },
            Property {
                id: I::UserProperty,
                value: Value::StringPair(b"n", s),
            },
        ] {
            assert_eq!(
                parse(&block(&[prop]), CMD_PUBLISH),
                Err(PropertyError::MalformedUtf8),
                "{prop:?}"
            );
        }
    }
    // Binary data is not UTF-8 checked.
    let prop = Property {
        id: I::CorrelationData,
        value: Value::Binary(b"\xFF\x00"),
    };
    assert_eq!(parse(&block(&[prop]), CMD_PUBLISH).unwrap(), [prop]);
}

#[test]
fn utf8_rules_match_mosquitto_validate_utf8() {
    let ok: &[&[u8]] = &[
        b"",
        b" ",
        b"\xC3\xA9",
        b"\xC2\xA0",
        b"\xEF\xB7\xB0",
        b"\xEF\xB7\x8F",
        b"\xF0\x9F\x98\x80",
        b"\xF4\x8F\xBF\xBD",
    ];
    for s in ok {
        assert_eq!(validate_utf8(s), Ok(()), "{s:?}");
    }
    let bad: &[&[u8]] = &[
        b"\x1F",
        b"\x7F",
        b"\xC2\x9F",
        b"\xEF\xBF\xBE",
        b"\xEF\xB7\xAF",
        b"\xF0\x9F\xBF\xBF",
        b"\xF4\x8F\xBF\xBF",
        b"\xF4\x90\x80\x80",
        b"\xE0\x80\x80",
        b"\xC1\xBF",
        b"\xE2\x82",
        b"\x80",
        b"\xF8\x88\x80\x80\x80",
    ];
    for s in bad {
        assert_eq!(validate_utf8(s), Err(PropertyError::MalformedUtf8), "{s:?}");
    }
    assert_eq!(validate_utf8(&[b'a'; 65536]), Ok(()));
    assert_eq!(
        validate_utf8(&[b'a'; 65537]),
        Err(PropertyError::MalformedUtf8)
    );
}

#[test]
fn check_all_value_rules_follow_the_reference() {
    let one = |id: Identifier, value: Value<'static>, command: u32| {
        check_all(command, &[Property { id, value }])
    };
    // Byte flags above 1 are protocol errors, except the payload format
    // indicator, which the original does not check.
    for id in [
        I::MaximumQos,
        I::RetainAvailable,
        I::WildcardSubscriptionAvailable,
        I::SubscriptionIdentifierAvailable,
        I::SharedSubscriptionAvailable,
    ] {
        assert_eq!(one(id, Value::Byte(1), CMD_CONNACK), Ok(()));
        assert_eq!(
            one(id, Value::Byte(2), CMD_CONNACK),
            Err(PropertyError::InvalidValue)
        );
    }
    for id in [I::RequestProblemInformation, I::RequestResponseInformation] {
        assert_eq!(one(id, Value::Byte(0), CMD_CONNECT), Ok(()));
        assert_eq!(
            one(id, Value::Byte(2), CMD_CONNECT),
            Err(PropertyError::InvalidValue)
        );
    }
    assert_eq!(
        one(I::PayloadFormatIndicator, Value::Byte(255), CMD_PUBLISH),
        Ok(())
    );
    assert_eq!(
        one(I::ReceiveMaximum, Value::Int16(0), CMD_CONNECT),
        Err(PropertyError::InvalidValue)
    );
    assert_eq!(
        one(I::TopicAlias, Value::Int16(0), CMD_PUBLISH),
        Err(PropertyError::InvalidValue)
    );
    assert_eq!(
        one(I::TopicAliasMaximum, Value::Int16(0), CMD_CONNECT),
        Ok(())
    );
    assert_eq!(
        one(I::ServerKeepAlive, Value::Int16(0), CMD_CONNACK),
        Ok(())
    );
    assert_eq!(
        one(I::MaximumPacketSize, Value::Int32(0), CMD_CONNECT),
        Err(PropertyError::InvalidValue)
    );
    assert_eq!(
        one(I::MessageExpiryInterval, Value::Int32(0), CMD_PUBLISH),
        Ok(())
    );
    assert_eq!(
        one(I::SubscriptionIdentifier, Value::VarInt(0), CMD_SUBSCRIBE),
        Ok(())
    );
    // The value rule is applied before the command rule.
    assert_eq!(
        one(I::MaximumPacketSize, Value::Int32(0), CMD_PUBLISH),
        Err(PropertyError::InvalidValue)
    );
    assert_eq!(
        one(I::PayloadFormatIndicator, Value::Byte(2), CMD_CONNECT),
        Err(PropertyError::NotAllowed)
    );
    assert_eq!(check_all(0x1234, &[]), Ok(()));
}

#[test]
fn check_all_duplicates_and_ordering_follow_the_reference() {
    let p = |id, value| Property { id, value };
    let pfi = p(I::PayloadFormatIndicator, Value::Byte(1));
    let user = p(I::UserProperty, Value::StringPair(b"a", b"b"));
    let sid = p(I::SubscriptionIdentifier, Value::VarInt(1));
    let ct = p(I::ContentType, Value::String(b"a"));
    let recv_max = p(I::ReceiveMaximum, Value::Int16(1));
    let alias0 = p(I::TopicAlias, Value::Int16(0));
    let reason = p(I::ReasonString, Value::String(b"r"));
    assert_eq!(
        check_all(CMD_PUBLISH, &[pfi, pfi]),
        Err(PropertyError::Duplicate)
    );
    assert_eq!(check_all(CMD_PUBLISH, &[user, user, user]), Ok(()));
    // Only user properties may repeat: even subscription identifiers.
    assert_eq!(
        check_all(CMD_PUBLISH, &[sid, sid]),
        Err(PropertyError::Duplicate)
    );
    assert_eq!(
        check_all(CMD_SUBSCRIBE, &[sid, sid]),
        Err(PropertyError::Duplicate)
    );
    // Errors are found entry by entry: the first entry's duplicate wins
    // over a later entry's bad command, and the other way round.
    assert_eq!(
        check_all(CMD_PUBLISH, &[ct, ct, recv_max]),
        Err(PropertyError::Duplicate)
    );
    assert_eq!(
        check_all(CMD_PUBLISH, &[recv_max, ct, ct]),
        Err(PropertyError::NotAllowed)
    );
    assert_eq!(
        check_all(CMD_PUBLISH, &[ct, ct, alias0]),
        Err(PropertyError::Duplicate)
    );
    assert_eq!(
        check_all(CMD_PUBLISH, &[alias0, alias0]),
        Err(PropertyError::InvalidValue)
    );
    assert_eq!(
        check_all(0x40, &[user, reason, reason]),
        Err(PropertyError::Duplicate)
    );
    // Unknown raw identifiers are protocol errors.
    assert_eq!(
        check_raw(CMD_PUBLISH, [(99, 0)].into_iter()),
        Err(PropertyError::NotAllowed)
    );
    assert_eq!(
        check_raw(CMD_PUBLISH, [(1, 1), (99, 0), (1, 1)].into_iter()),
        Err(PropertyError::Duplicate)
    );
}

#[test]
fn parse_applies_check_all_after_the_encoding_checks() {
    let pfi = Property {
        id: I::PayloadFormatIndicator,
        value: Value::Byte(1),
    };
    let twice = block(&[pfi, pfi]);
    assert_eq!(parse(&twice, CMD_PUBLISH), Err(PropertyError::Duplicate));
    assert_eq!(
        parse(&block(&[pfi]), CMD_CONNECT),
        Err(PropertyError::NotAllowed)
    );
    let zero = block(&[Property {
        id: I::ReceiveMaximum,
        value: Value::Int16(0),
    }]);
    assert_eq!(parse(&zero, CMD_CONNACK), Err(PropertyError::InvalidValue));
    // A later encoding error wins over an earlier duplicate.
    let mut bad = twice.clone();
    bad.push(3);
    assert_eq!(parse(&bad, CMD_PUBLISH), Err(PropertyError::Malformed));
    let mut bad_utf8 = twice;
    bad_utf8.extend_from_slice(&[3, 0, 1, 0xFF]);
    assert_eq!(
        parse(&bad_utf8, CMD_PUBLISH),
        Err(PropertyError::MalformedUtf8)
    );
}

#[test]
fn iterator_exposes_the_rest_of_the_block() {
    let props = sample();
    let bytes = block(&props);
    let mut it = parse_properties(&bytes, CMD_PUBLISH).unwrap();
    assert_eq!(it.remaining(), &bytes[..]);
    assert_eq!(it.next(), Some(props[0]));
    assert_eq!(it.remaining(), &bytes[2..]);
    assert_eq!(it.count(), props.len() - 1);
}

#[test]
fn oversized_strings_are_cut_to_the_wire_limit() {
    let long = vec![b'a'; 70_000];
    let prop = Property {
        id: I::ContentType,
        value: Value::String(&long),
    };
    let bytes = block(&[prop]);
    assert_eq!(bytes.len(), 3 + 65535);
    assert_eq!(encoded_len(&[prop]), bytes.len());
    assert_eq!(&bytes[..3], &[3, 0xFF, 0xFF]);
}
