//! The debug log lines the original writes for each packet sent and
//! received (what `mosquitto_sub -d` prints), produced only when a log
//! callback is set.

use super::LogLevel;
use crate::protocol::packet::{decode, frame, Ack, AckKind, Packet, ProtocolVersion};

/// One line for the log callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// How important the line is.
    pub level: LogLevel,
    /// The text, word for word the original's.
    pub text: String,
}

impl Line {
    fn debug(text: String) -> Line {
        Line {
            level: LogLevel::Debug,
            text,
        }
    }
}

/// The log lines for every complete packet in `bytes`, which the client
/// just queued, for client `id`. A QoS 0 PUBLISH carries no message id on
/// the wire: its line shows `qos0_mid` when given, as the original's does.
pub fn describe_sent(
    bytes: &[u8],
    version: ProtocolVersion,
    id: &str,
    qos0_mid: Option<u16>,
    lines: &mut Vec<Line>,
) {
    let mut rest = bytes;
    while let Ok(Some(f)) = frame(rest, 0) {
        let len = f.total_len();
        if len > rest.len() {
            break;
        }
        if let Ok(p) = decode(&rest[..len], version) {
            line(&p, id, true, qos0_mid, lines);
        }
        rest = &rest[len..];
    }
}

/// The log lines for one packet the client received and has handled;
/// `known(mid)` says whether an outgoing message `mid` is still held (an
/// unknown one in a PUBREC draws the original's warning).
pub fn describe_received(
    packet: &[u8],
    version: ProtocolVersion,
    id: &str,
    known: impl Fn(u16) -> bool,
    lines: &mut Vec<Line>,
) {
    let Some(&first) = packet.first() else {
        return;
    };
    let command = first & 0xF0;
    match command {
        // Packets only a client sends, and the reserved type: the original
        // rejects them before reading further (its text ends in a newline).
        0x00 | 0x10 | 0x80 | 0xA0 => {
            lines.push(Line {
                level: LogLevel::Error,
                text: format!("Error: Unrecognised command {command}\n"),
            });
            return;
        }
        // Logged before anything is checked, whatever the protocol.
        0xF0 => {
            lines.push(Line::debug(format!("Client {id} received AUTH")));
            return;
        }
        _ => {}
    }
    match decode(packet, version) {
        // A v3 broker's 2-byte refusal of a v5 CONNECT is reported (and
        // logged) as "unsupported protocol version".
        Ok(Packet::Connack(c)) if version.is_v5() && packet.len() == 4 && c.reason_code == 1 => {
            lines.push(Line::debug(format!("Client {id} received CONNACK (132)")))
        }
        Ok(p) => {
            line(&p, id, false, None, lines);
            if let Packet::Ack(a) = p {
                let failed = version.is_v5() && a.reason_code >= 0x80;
                if a.kind == AckKind::Pubrec && !failed && !known(a.packet_id) {
                    lines.push(Line {
                        level: LogLevel::Warning,
                        text: format!(
                            "Warning: Received PUBREC from {id} for an unknown packet identifier {}.",
                            a.packet_id
                        ),
                    });
                }
            }
        }
        Err(_) => {}
    }
}

/// The original's wording for one packet (`qos0_mid`: the message id a
/// QoS 0 PUBLISH's line shows).
fn line(p: &Packet<'_>, id: &str, sent: bool, qos0_mid: Option<u16>, lines: &mut Vec<Line>) {
    let dir = if sent { "sending" } else { "received" };
    let text = match p {
        Packet::Connect(_) => format!("Client {id} sending CONNECT"),
        Packet::Connack(c) => format!("Client {id} received CONNACK ({})", c.reason_code),
        Packet::Publish(p) => format!(
            "Client {id} {dir} PUBLISH (d{}, q{}, r{}, m{}, '{}', ... ({} bytes))",
            u8::from(p.dup),
            p.qos,
            u8::from(p.retain),
            match qos0_mid {
                Some(mid) if p.qos == 0 => mid,
                _ => p.packet_id,
            },
            String::from_utf8_lossy(p.topic),
            p.payload.len()
        ),
        Packet::Ack(a) => ack_line(a, id, sent),
        Packet::Subscribe(s) => {
            for sub in s.subscriptions.iter() {
                lines.push(Line::debug(format!(
                    "Client {id} sending SUBSCRIBE (Mid: {}, Topic: {}, QoS: {}, Options: 0x{:02x})",
                    s.packet_id,
                    String::from_utf8_lossy(sub.filter),
                    sub.qos(),
                    sub.options & 0xFC
                )));
            }
            return;
        }
        Packet::Suback(_) => format!("Client {id} received SUBACK"),
        Packet::Unsubscribe(u) => {
            for topic in u.topics.iter() {
                lines.push(Line::debug(format!(
                    "Client {id} sending UNSUBSCRIBE (Mid: {}, Topic: {})",
                    u.packet_id,
                    String::from_utf8_lossy(topic)
                )));
            }
            return;
        }
        Packet::Unsuback(_) => format!("Client {id} received UNSUBACK"),
        Packet::Pingreq => format!("Client {id} {dir} PINGREQ"),
        Packet::Pingresp => format!("Client {id} {dir} PINGRESP"),
        Packet::Disconnect(_) if sent => format!("Client {id} sending DISCONNECT"),
        // The one received packet the original logs without the client id.
        Packet::Disconnect(d) => format!("Received DISCONNECT ({})", d.reason_code),
        // The original (2.0) never sends AUTH; 2.1's API does.
        Packet::Auth(a) => format!("Client {id} sending AUTH ({})", a.reason_code),
    };
    lines.push(Line::debug(text));
}

/// The original's wording for a PUBACK, PUBREC, PUBREL or PUBCOMP.
fn ack_line(a: &Ack<'_>, id: &str, sent: bool) -> String {
    let (mid, rc) = (a.packet_id, a.reason_code);
    match (a.kind, sent) {
        (AckKind::Puback, true) => format!("Client {id} sending PUBACK (m{mid}, rc{rc})"),
        (AckKind::Pubrec, true) => format!("Client {id} sending PUBREC (m{mid}, rc{rc})"),
        (AckKind::Pubrel, true) => format!("Client {id} sending PUBREL (m{mid})"),
        (AckKind::Pubcomp, true) => format!("Client {id} sending PUBCOMP (m{mid})"),
        (AckKind::Puback, false) => format!("Client {id} received PUBACK (Mid: {mid}, RC:{rc})"),
        (AckKind::Pubrec, false) => format!("Client {id} received PUBREC (Mid: {mid})"),
        (AckKind::Pubrel, false) => format!("Client {id} received PUBREL (Mid: {mid})"),
        (AckKind::Pubcomp, false) => format!("Client {id} received PUBCOMP (Mid: {mid}, RC:{rc})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::packet::{
        Ack, Disconnect, Packet, Properties, Publish, Subscribe, Subscription, SubscriptionList,
    };

    #[test]
    fn subscribe_and_disconnect_lines() {
        let v = ProtocolVersion::V311;
        let subs = [Subscription {
            filter: b"a/#",
            options: 1,
        }];
        let p = Packet::Subscribe(Subscribe {
            packet_id: 7,
            properties: Properties::EMPTY,
            subscriptions: SubscriptionList::List(&subs),
        });
        let mut out = Vec::new();
        p.write(v, &mut out);
        let mut lines = Vec::new();
        describe_sent(&out, v, "c", None, &mut lines);
        assert_eq!(
            lines,
            [Line::debug(
                "Client c sending SUBSCRIBE (Mid: 7, Topic: a/#, QoS: 1, Options: 0x00)".into()
            )]
        );
    }

    #[test]
    fn a_qos0_publish_line_shows_the_message_id_it_is_given() {
        let v = ProtocolVersion::V311;
        let mut out = Vec::new();
        Publish::write_qos0(v, b"t", b"xy", false, 2 + 1 + 2, &mut out);
        let mut lines = Vec::new();
        describe_sent(&out, v, "c", Some(42), &mut lines);
        describe_sent(&out, v, "c", None, &mut lines);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Client c sending PUBLISH (d0, q0, r0, m42, 't', ... (2 bytes))",
                "Client c sending PUBLISH (d0, q0, r0, m0, 't', ... (2 bytes))",
            ]
        );
    }

    /// The texts `describe_received` gives for `packet`.
    fn received(packet: &Packet<'_>, v: ProtocolVersion, known: bool) -> Vec<(LogLevel, String)> {
        let mut out = Vec::new();
        packet.write(v, &mut out);
        let mut lines = Vec::new();
        describe_received(&out, v, "c", |_| known, &mut lines);
        lines.into_iter().map(|l| (l.level, l.text)).collect()
    }

    #[test]
    fn received_disconnect_has_no_client_id() {
        let p = Packet::Disconnect(Disconnect {
            reason_code: 158,
            properties: Properties::EMPTY,
        });
        assert_eq!(
            received(&p, ProtocolVersion::V5, true),
            [(LogLevel::Debug, "Received DISCONNECT (158)".to_string())]
        );
    }

    #[test]
    fn unknown_pubrec_draws_a_warning_unless_it_failed() {
        let ack = |reason_code| {
            Packet::Ack(Ack {
                kind: AckKind::Pubrec,
                packet_id: 77,
                reason_code,
                properties: Properties::EMPTY,
            })
        };
        let warning = (
            LogLevel::Warning,
            "Warning: Received PUBREC from c for an unknown packet identifier 77.".to_string(),
        );
        let debug = (
            LogLevel::Debug,
            "Client c received PUBREC (Mid: 77)".to_string(),
        );
        assert_eq!(
            received(&ack(0), ProtocolVersion::V311, false),
            [debug.clone(), warning]
        );
        assert_eq!(received(&ack(0), ProtocolVersion::V5, true).len(), 1);
        assert_eq!(received(&ack(0x80), ProtocolVersion::V5, false), [debug]);
    }

    #[test]
    fn packets_only_a_client_sends_are_unrecognised_when_received() {
        let mut lines = Vec::new();
        describe_received(
            &[0x80, 0x00],
            ProtocolVersion::V311,
            "c",
            |_| true,
            &mut lines,
        );
        describe_received(
            &[0xC0, 0x00],
            ProtocolVersion::V311,
            "c",
            |_| true,
            &mut lines,
        );
        describe_received(
            &[0xF0, 0x00],
            ProtocolVersion::V311,
            "c",
            |_| true,
            &mut lines,
        );
        let texts: Vec<(LogLevel, &str)> =
            lines.iter().map(|l| (l.level, l.text.as_str())).collect();
        assert_eq!(
            texts,
            [
                (LogLevel::Error, "Error: Unrecognised command 128\n"),
                (LogLevel::Debug, "Client c received PINGREQ"),
                (LogLevel::Debug, "Client c received AUTH"),
            ]
        );
    }
}
