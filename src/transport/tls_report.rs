//! The log lines of a failed TLS connection, in the shape the original
//! prints them: its host name line, then OpenSSL's error queue as
//! `OpenSSL Error[0]: error:0A0000XX:SSL routines::<reason>`, with the
//! code and reason OpenSSL 3 gives for the same failure. Never Rust debug
//! text.

use rustls::{AlertDescription, CertificateError, Error, InvalidMessage};

/// The original's own line before a host name mismatch.
pub const HOST_NAME_FAILED: &str = "Error: host name verification failed.";

/// OpenSSL's line for a peer that closed the connection mid-handshake.
pub const UNEXPECTED_EOF: &str =
    "OpenSSL Error[0]: error:0A000126:SSL routines::unexpected eof while reading";

/// One OpenSSL error line for an `SSL routines` reason code.
fn openssl_line(code: u32, reason: &str) -> String {
    format!("OpenSSL Error[0]: error:0A{code:06X}:SSL routines::{reason}")
}

/// The log lines (one or two, joined by `\n`) for a rustls failure.
pub fn describe(e: &Error) -> String {
    let (code, reason) = match e {
        Error::InvalidCertificate(CertificateError::NotValidForName)
        | Error::InvalidCertificate(CertificateError::NotValidForNameContext { .. }) => {
            return format!(
                "{HOST_NAME_FAILED}\n{}",
                openssl_line(0x86, "certificate verify failed")
            );
        }
        Error::InvalidCertificate(_) => (0x86, "certificate verify failed"),
        Error::AlertReceived(alert) => return alert_line(*alert),
        Error::InvalidMessage(InvalidMessage::MessageTooLarge) => (0xC6, "packet length too long"),
        // Not a TLS record at all: a plain MQTT port, say.
        Error::InvalidMessage(_) => (0x10B, "wrong version number"),
        Error::InappropriateMessage { .. } | Error::InappropriateHandshakeMessage { .. } => {
            (0xF4, "unexpected message")
        }
        Error::DecryptError => (0x119, "decryption failed or bad record mac"),
        Error::PeerIncompatible(_) => (0x102, "unsupported protocol"),
        Error::NoApplicationProtocol => (0x460, "tlsv1 alert no application protocol"),
        Error::NoCertificatesPresented => (0x86, "certificate verify failed"),
        Error::PeerMisbehaved(_) => (0x6E, "bad extension"),
        _ => (0xC0103, "internal error"),
    };
    openssl_line(code, reason)
}

/// OpenSSL's line for a fatal alert from the broker: reason 1000 plus the
/// alert's number, named as OpenSSL names it.
pub fn alert_line(alert: AlertDescription) -> String {
    let n = u8::from(alert);
    let name = match n {
        10 => "sslv3 alert unexpected message",
        20 => "sslv3 alert bad record mac",
        21 => "tlsv1 alert decryption failed",
        22 => "tlsv1 alert record overflow",
        30 => "sslv3 alert decompression failure",
        40 => "sslv3 alert handshake failure",
        41 => "sslv3 alert no certificate",
        42 => "sslv3 alert bad certificate",
        43 => "sslv3 alert unsupported certificate",
        44 => "sslv3 alert certificate revoked",
        45 => "sslv3 alert certificate expired",
        46 => "sslv3 alert certificate unknown",
        47 => "sslv3 alert illegal parameter",
        48 => "tlsv1 alert unknown ca",
        49 => "tlsv1 alert access denied",
        50 => "tlsv1 alert decode error",
        51 => "tlsv1 alert decrypt error",
        60 => "tlsv1 alert export restriction",
        70 => "tlsv1 alert protocol version",
        71 => "tlsv1 alert insufficient security",
        80 => "tlsv1 alert internal error",
        86 => "tlsv1 alert inappropriate fallback",
        90 => "tlsv1 alert user cancelled",
        100 => "tlsv1 alert no renegotiation",
        109 => "tlsv13 alert missing extension",
        110 => "tlsv1 unsupported extension",
        111 => "tlsv1 certificate unobtainable",
        112 => "tlsv1 unrecognized name",
        113 => "tlsv1 bad certificate status response",
        114 => "tlsv1 bad certificate hash value",
        115 => "tlsv1 alert unknown psk identity",
        116 => "tlsv13 alert certificate required",
        120 => "tlsv1 alert no application protocol",
        _ => {
            return openssl_line(
                1000 + u32::from(n),
                &format!("reason({})", 1000 + u32::from(n)),
            )
        }
    };
    openssl_line(1000 + u32::from(n), name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `openssl errstr` says of `code`, e.g. "error:0A000086:SSL
    /// routines::certificate verify failed".
    fn errstr(code: &str) -> String {
        let out = std::process::Command::new("openssl")
            .args(["errstr", code])
            .output()
            .expect("run openssl errstr");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// Checks a line against OpenSSL's own text for its code.
    fn assert_openssl_text(line: &str) {
        let body = line.strip_prefix("OpenSSL Error[0]: ").expect(line);
        let code = body["error:".len()..].split(':').next().unwrap();
        assert_eq!(errstr(code), body, "{line}");
    }

    #[test]
    fn every_alert_line_is_openssls_text() {
        for n in 0..=255u8 {
            let line = alert_line(AlertDescription::from(n));
            assert_openssl_text(&line);
        }
    }

    #[test]
    fn failures_read_as_openssl_lines_never_as_debug_text() {
        use rustls::{OtherError, PeerIncompatible, PeerMisbehaved};
        use std::sync::Arc;
        let ca_as_leaf = webpki::Error::CaUsedAsEndEntity;
        let errors = [
            Error::InvalidCertificate(CertificateError::UnknownIssuer),
            Error::InvalidCertificate(CertificateError::Expired),
            Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(ca_as_leaf)))),
            Error::InvalidCertificate(CertificateError::NotValidForName),
            Error::AlertReceived(AlertDescription::HandshakeFailure),
            Error::InvalidMessage(InvalidMessage::InvalidContentType),
            Error::InvalidMessage(InvalidMessage::MessageTooLarge),
            Error::DecryptError,
            Error::PeerIncompatible(PeerIncompatible::Tls12NotOffered),
            Error::PeerMisbehaved(PeerMisbehaved::IllegalHelloRetryRequestWithNoChanges),
            Error::NoApplicationProtocol,
            Error::General("x".into()),
        ];
        for e in &errors {
            let text = describe(e);
            for line in text.lines() {
                if line != HOST_NAME_FAILED {
                    assert_openssl_text(line);
                }
            }
            assert!(!text.contains('('), "{text}");
        }
        assert_eq!(
            describe(&errors[0]),
            "OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed"
        );
        assert_eq!(
            describe(&errors[3]),
            "Error: host name verification failed.\n\
             OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed"
        );
        assert_eq!(
            describe(&errors[5]),
            "OpenSSL Error[0]: error:0A00010B:SSL routines::wrong version number"
        );
        assert_openssl_text(UNEXPECTED_EOF);
    }
}
