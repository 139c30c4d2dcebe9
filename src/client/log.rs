//! The debug log lines the original writes for each packet sent and
//! received (what `mosquitto_sub -d` prints), produced only when a log
//! callback is set.

use crate::protocol::packet::{frame, AckKind, Packet, ProtocolVersion};

/// The log lines for every complete packet in `bytes` (packets the client
/// just queued, or one it received), for client `id`.
pub fn describe(
    bytes: &[u8],
    version: ProtocolVersion,
    id: &str,
    sent: bool,
    lines: &mut Vec<String>,
) {
    let mut rest = bytes;
    while let Ok(Some(f)) = frame(rest, 0) {
        let len = f.total_len();
        if len > rest.len() {
            break;
        }
        if let Ok(p) = crate::protocol::packet::decode(&rest[..len], version) {
            match p {
                // A v3 broker's 2-byte refusal of a v5 CONNECT is reported
                // (and logged) as "unsupported protocol version".
                Packet::Connack(c) if version.is_v5() && len == 4 && c.reason_code == 1 => {
                    lines.push(format!("Client {id} received CONNACK (132)"))
                }
                p => line(&p, id, sent, lines),
            }
        }
        rest = &rest[len..];
    }
}

/// The original's wording for one packet.
fn line(p: &Packet<'_>, id: &str, sent: bool, lines: &mut Vec<String>) {
    let dir = if sent { "sending" } else { "received" };
    let text = match p {
        Packet::Connect(_) => format!("Client {id} sending CONNECT"),
        Packet::Connack(c) => format!("Client {id} received CONNACK ({})", c.reason_code),
        Packet::Publish(p) => format!(
            "Client {id} {dir} PUBLISH (d{}, q{}, r{}, m{}, '{}', ... ({} bytes))",
            u8::from(p.dup),
            p.qos,
            u8::from(p.retain),
            p.packet_id,
            String::from_utf8_lossy(p.topic),
            p.payload.len()
        ),
        Packet::Ack(a) => match (a.kind, sent) {
            (AckKind::Puback, true) => format!(
                "Client {id} sending PUBACK (m{}, rc{})",
                a.packet_id, a.reason_code
            ),
            (AckKind::Pubrec, true) => format!(
                "Client {id} sending PUBREC (m{}, rc{})",
                a.packet_id, a.reason_code
            ),
            (AckKind::Pubrel, true) => format!("Client {id} sending PUBREL (m{})", a.packet_id),
            (AckKind::Pubcomp, true) => format!("Client {id} sending PUBCOMP (m{})", a.packet_id),
            (AckKind::Puback, false) => {
                format!(
                    "Client {id} received PUBACK (Mid: {}, RC:{})",
                    a.packet_id, a.reason_code
                )
            }
            (AckKind::Pubrec, false) => {
                format!("Client {id} received PUBREC (Mid: {})", a.packet_id)
            }
            (AckKind::Pubrel, false) => {
                format!("Client {id} received PUBREL (Mid: {})", a.packet_id)
            }
            (AckKind::Pubcomp, false) => {
                format!(
                    "Client {id} received PUBCOMP (Mid: {}, RC:{})",
                    a.packet_id, a.reason_code
                )
            }
        },
        Packet::Subscribe(s) => {
            for sub in s.subscriptions.iter() {
                lines.push(format!(
                    "Client {id} sending SUBSCRIBE (Mid: {}, Topic: {}, QoS: {}, Options: 0x{:02x})",
                    s.packet_id,
                    String::from_utf8_lossy(sub.filter),
                    sub.qos(),
                    sub.options & 0xFC
                ));
            }
            return;
        }
        Packet::Suback(_) => format!("Client {id} received SUBACK"),
        Packet::Unsubscribe(u) => {
            for topic in u.topics.iter() {
                lines.push(format!(
                    "Client {id} sending UNSUBSCRIBE (Mid: {}, Topic: {})",
                    u.packet_id,
                    String::from_utf8_lossy(topic)
                ));
            }
            return;
        }
        Packet::Unsuback(_) => format!("Client {id} received UNSUBACK"),
        Packet::Pingreq => format!("Client {id} sending PINGREQ"),
        Packet::Pingresp => format!("Client {id} received PINGRESP"),
        Packet::Disconnect(d) if sent => format!("Client {id} sending DISCONNECT"),
        Packet::Disconnect(d) => format!("Client {id} received DISCONNECT ({})", d.reason_code),
        Packet::Auth(a) => format!("Client {id} {dir} AUTH ({})", a.reason_code),
    };
    lines.push(text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::packet::{Packet, Properties, Subscribe, Subscription, SubscriptionList};

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
        describe(&out, v, "c", true, &mut lines);
        assert_eq!(
            lines,
            ["Client c sending SUBSCRIBE (Mid: 7, Topic: a/#, QoS: 1, Options: 0x00)"]
        );
    }
}
