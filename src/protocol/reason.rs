//! Human-readable texts for error codes, CONNACK codes and MQTT v5 reason
//! codes, and the packet-name lookup of `mosquitto_string_to_command`.
//!
//! The texts are part of the observable behaviour: programs print them and
//! tests compare them, so each one is byte-for-byte what libmosquitto 2.0.11
//! returns (and, for the codes 2.1 added, what 2.1 returns).

use std::ffi::CStr;

/// What `mosquitto_strerror` returns for a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorText {
    /// A fixed text.
    Fixed(&'static CStr),
    /// The C library's text for the current `errno` (`MOSQ_ERR_ERRNO`).
    FromErrno,
}

/// The text for codes the library does not know (and, as in 2.0.11, for
/// some it does).
pub const UNKNOWN_ERROR: &CStr = c"Unknown error.";

/// The text of `mosquitto_strerror(code)`.
///
/// Every code of 2.0 and 2.1 is described. Codes that 2.0.11 describes read
/// exactly as 2.0.11 has them. 2.0.11 answers "Unknown error." for some codes
/// it defines (17, 19-21, 27-31); those, and the codes 2.1 added (-6, -5,
/// 32-34, and the MQTT v5 range from 128, where 28-30 and 148/152/154 are the
/// same three errors under 2.0's and 2.1's numbers), read as 2.1 has them,
/// without a final full stop, including 2.1's spelling mistake for 131.
pub fn error_text(code: i32) -> ErrorText {
    let text = match code {
        // 2.1 additions below zero.
        -6 => c"Quota exceeded",
        -5 => c"Authentication delayed",
        // 2.0.11.
        -4 => c"Continue with authentication.",
        -3 => c"No subscribers.",
        -2 => c"Subscription already exists.",
        -1 => c"Connection pending.",
        0 => c"No error.",
        1 => c"Out of memory.",
        2 => c"A network protocol error occurred when communicating with the broker.",
        3 => c"Invalid function arguments provided.",
        4 => c"The client is not currently connected.",
        5 => c"The connection was refused.",
        6 => c"Message not found (internal error).",
        7 => c"The connection was lost.",
        8 => c"A TLS error occurred.",
        9 => c"Payload too large.",
        10 => c"This feature is not supported.",
        11 => c"Authorisation failed.",
        12 => c"Access denied by ACL.",
        14 => return ErrorText::FromErrno,
        15 => c"Lookup error.",
        16 => c"Proxy error.",
        18 => c"Malformed UTF-8",
        22 => c"Duplicate property in property list",
        23 => c"TLS handshake failed.",
        24 => c"Requested QoS not supported on server.",
        25 => c"Packet larger than supported by the server.",
        26 => c"OCSP error.",
        // Defined in 2.0, described only from 2.1 on.
        17 => c"Plugin deferring result",
        19 => c"Keepalive exceeded",
        20 => c"DNS Lookup failed",
        21 => c"Malformed packet",
        27 => c"Timeout",
        28 => c"Retain not supported",
        29 => c"Topic alias invalid",
        30 => c"Administrative action",
        31 => c"Entry already exists",
        // 2.1 defines it without a text; ours names it.
        34 => c"Authentication denied",
        // 2.1 additions.
        32 => c"Ignore plugin",
        33 => c"Bad http origin",
        128 => c"Unspecified error",
        131 => c"Implementaion specific error",
        132 => c"Unsupported Protocol Version",
        133 => c"Client identifier not valid",
        134 => c"Bad username or password",
        136 => c"Server unavailable",
        137 => c"Server busy",
        138 => c"Banned",
        139 => c"Server shutting down",
        140 => c"Bad authentication method",
        142 => c"Session taken over",
        143 => c"Topic Filter invalid",
        144 => c"Topic Name invalid",
        145 => c"Packet Identifier in use",
        146 => c"Packet Identifier not found",
        147 => c"Receive maximum exceeded",
        148 => c"Topic alias invalid",
        150 => c"Message rate too high",
        152 => c"Administrative action",
        153 => c"Payload format invalid",
        154 => c"Retain not supported",
        156 => c"Use another server",
        157 => c"Server moved",
        158 => c"Shared Subscriptions not supported",
        159 => c"Connection rate exceeded",
        160 => c"Maximum connect time",
        161 => c"Subscription identifiers not supported",
        162 => c"Wildcard Subscriptions not supported",
        _ => UNKNOWN_ERROR,
    };
    ErrorText::Fixed(text)
}

/// The text of `mosquitto_connack_string(code)` (MQTT 3.1/3.1.1 CONNACK
/// return codes; every other value is "unknown reason").
pub fn connack_text(code: i32) -> &'static CStr {
    match code {
        0 => c"Connection Accepted.",
        1 => c"Connection Refused: unacceptable protocol version.",
        2 => c"Connection Refused: identifier rejected.",
        3 => c"Connection Refused: broker unavailable.",
        4 => c"Connection Refused: bad user name or password.",
        5 => c"Connection Refused: not authorised.",
        _ => c"Connection Refused: unknown reason.",
    }
}

/// The text of `mosquitto_reason_string(code)` for an MQTT v5 reason code.
pub fn reason_text(code: i32) -> &'static CStr {
    match code {
        0 => c"Success",
        1 => c"Granted QoS 1",
        2 => c"Granted QoS 2",
        4 => c"Disconnect with Will Message",
        16 => c"No matching subscribers",
        17 => c"No subscription existed",
        24 => c"Continue authentication",
        25 => c"Re-authenticate",
        128 => c"Unspecified error",
        129 => c"Malformed Packet",
        130 => c"Protocol Error",
        131 => c"Implementation specific error",
        132 => c"Unsupported Protocol Version",
        133 => c"Client Identifier not valid",
        134 => c"Bad User Name or Password",
        135 => c"Not authorized",
        136 => c"Server unavailable",
        137 => c"Server busy",
        138 => c"Banned",
        139 => c"Server shutting down",
        140 => c"Bad authentication method",
        141 => c"Keep Alive timeout",
        142 => c"Session taken over",
        143 => c"Topic Filter invalid",
        144 => c"Topic Name invalid",
        145 => c"Packet Identifier in use",
        146 => c"Packet Identifier not found",
        147 => c"Receive Maximum exceeded",
        148 => c"Topic Alias invalid",
        149 => c"Packet too large",
        150 => c"Message rate too high",
        151 => c"Quota exceeded",
        152 => c"Administrative action",
        153 => c"Payload format invalid",
        154 => c"Retain not supported",
        155 => c"QoS not supported",
        156 => c"Use another server",
        157 => c"Server moved",
        158 => c"Shared Subscriptions not supported",
        159 => c"Connection rate exceeded",
        160 => c"Maximum connect time",
        161 => c"Subscription identifiers not supported",
        162 => c"Wildcard Subscriptions not supported",
        _ => c"Unknown reason",
    }
}

/// The command byte (packet type in the high nibble, or 0x100 for a will)
/// named by `name`, compared without regard to ASCII case, as
/// `mosquitto_string_to_command` does. 2.0.11 knows neither "suback" nor
/// "unsuback" nor the ping packets, and neither does this.
pub fn command_from_name(name: &[u8]) -> Option<i32> {
    const NAMES: [(&[u8], i32); 12] = [
        (b"connect", 0x10),
        (b"connack", 0x20),
        (b"publish", 0x30),
        (b"puback", 0x40),
        (b"pubrec", 0x50),
        (b"pubrel", 0x60),
        (b"pubcomp", 0x70),
        (b"subscribe", 0x80),
        (b"unsubscribe", 0xA0),
        (b"disconnect", 0xE0),
        (b"auth", 0xF0),
        (b"will", 0x100),
    ];
    NAMES
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(name))
        .map(|&(_, cmd)| cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(code: i32) -> &'static str {
        match error_text(code) {
            ErrorText::Fixed(t) => t.to_str().unwrap(),
            ErrorText::FromErrno => panic!("{code} is errno-based"),
        }
    }

    #[test]
    fn error_texts_of_2_0_match_the_reference() {
        // As printed by Debian's libmosquitto 2.0.11.
        assert_eq!(fixed(-4), "Continue with authentication.");
        assert_eq!(fixed(-1), "Connection pending.");
        assert_eq!(fixed(0), "No error.");
        assert_eq!(fixed(3), "Invalid function arguments provided.");
        assert_eq!(fixed(12), "Access denied by ACL.");
        assert_eq!(fixed(18), "Malformed UTF-8");
        assert_eq!(fixed(22), "Duplicate property in property list");
        assert_eq!(fixed(26), "OCSP error.");
    }

    #[test]
    fn codes_2_0_11_left_undescribed_have_texts() {
        assert_eq!(fixed(17), "Plugin deferring result");
        assert_eq!(fixed(19), "Keepalive exceeded");
        assert_eq!(fixed(21), "Malformed packet");
        assert_eq!(fixed(28), fixed(154));
        assert_eq!(fixed(29), fixed(148));
        assert_eq!(fixed(30), fixed(152));
        assert_eq!(fixed(34), "Authentication denied");
    }

    #[test]
    fn unknown_codes_read_unknown() {
        for code in [13, 35, 127, -7, i32::MIN, i32::MAX] {
            assert_eq!(fixed(code), "Unknown error.", "code {code}");
        }
    }

    #[test]
    fn codes_added_in_2_1_have_their_2_1_texts() {
        assert_eq!(fixed(-6), "Quota exceeded");
        assert_eq!(fixed(-5), "Authentication delayed");
        assert_eq!(fixed(33), "Bad http origin");
        assert_eq!(fixed(131), "Implementaion specific error");
        assert_eq!(fixed(148), "Topic alias invalid");
        assert_eq!(fixed(152), "Administrative action");
        assert_eq!(fixed(154), "Retain not supported");
        assert_eq!(fixed(162), "Wildcard Subscriptions not supported");
        // v5 reason codes that are not error codes stay unknown.
        for code in [129, 130, 135, 141, 149, 151, 155, 163] {
            assert_eq!(fixed(code), "Unknown error.", "code {code}");
        }
    }

    #[test]
    fn errno_code_defers_to_errno() {
        assert_eq!(error_text(14), ErrorText::FromErrno);
    }

    #[test]
    fn connack_texts() {
        assert_eq!(connack_text(0).to_bytes(), b"Connection Accepted.");
        assert_eq!(
            connack_text(5).to_bytes(),
            b"Connection Refused: not authorised."
        );
        for code in [-1, 6, 128, 135, 256] {
            assert_eq!(
                connack_text(code).to_bytes(),
                b"Connection Refused: unknown reason."
            );
        }
    }

    #[test]
    fn reason_texts() {
        assert_eq!(reason_text(0).to_bytes(), b"Success");
        assert_eq!(reason_text(25).to_bytes(), b"Re-authenticate");
        assert_eq!(
            reason_text(131).to_bytes(),
            b"Implementation specific error"
        );
        assert_eq!(
            reason_text(162).to_bytes(),
            b"Wildcard Subscriptions not supported"
        );
        for code in [-1, 3, 5, 127, 163, 255, 256] {
            assert_eq!(
                reason_text(code).to_bytes(),
                b"Unknown reason",
                "code {code}"
            );
        }
    }

    #[test]
    fn command_names_as_the_reference_knows_them() {
        assert_eq!(command_from_name(b"connect"), Some(0x10));
        assert_eq!(command_from_name(b"CONNECT"), Some(0x10));
        assert_eq!(command_from_name(b"Connack"), Some(0x20));
        assert_eq!(command_from_name(b"pubcomp"), Some(0x70));
        assert_eq!(command_from_name(b"unsubscribe"), Some(0xA0));
        assert_eq!(command_from_name(b"disconnect"), Some(0xE0));
        assert_eq!(command_from_name(b"auth"), Some(0xF0));
        assert_eq!(command_from_name(b"will"), Some(0x100));
        for unknown in [
            &b"suback"[..],
            b"unsuback",
            b"pingreq",
            b"pingresp",
            b"",
            b"x",
            b"connectx",
        ] {
            assert_eq!(command_from_name(unknown), None);
        }
    }
}
