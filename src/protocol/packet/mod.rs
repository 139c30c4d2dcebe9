//! The sans-I/O MQTT packet codec for MQTT 3.1, 3.1.1 and 5.0.
//!
//! Decoding borrows every field from the frame (no allocation per packet);
//! encoding computes the remaining length first, reserves once and appends
//! straight into the caller's `Vec<u8>`.
//!
//! Typical read loop: [`frame`] the buffer; once `buf.len() >=
//! frame.total_len()`, [`decode`] that slice and drop it from the buffer.
//! Every packet type has `remaining_len(v)`, `encoded_len(v)` and
//! `write(v, out)` (CONNECT carries its own version, so its methods take
//! none); [`Packet`] dispatches to them.

mod ack;
mod auth;
mod codec;
mod connack;
mod connect;
mod disconnect;
mod error;
mod header;
mod list;
mod properties;
mod publish;
mod reader;
mod suback;
mod subscribe;
mod tail;
mod unsuback;
mod unsubscribe;
mod varint;
mod version;
mod writer;

#[cfg(test)]
mod tests;

pub use ack::{Ack, AckKind};
pub use auth::Auth;
pub use codec::{decode, decode_body, Packet};
pub use connack::Connack;
pub use connect::{Connect, Will};
pub use disconnect::Disconnect;
pub use error::DecodeError;
pub use header::{frame, packet_len, Frame, PacketType, CMD_WILL};
pub use list::{Subscription, SubscriptionIter, SubscriptionList, TopicIter, TopicList};
pub use properties::{PropIter, Properties};
pub use publish::Publish;
pub use suback::Suback;
pub use subscribe::Subscribe;
pub use unsuback::Unsuback;
pub use unsubscribe::Unsubscribe;
pub use varint::{read_varint, varint_len, write_varint, MAX_VARINT};
pub use version::ProtocolVersion;

/// Whether a topic contains the wildcard characters `+` or `#`.
#[inline]
fn has_wildcard(topic: &[u8]) -> bool {
    topic.iter().any(|&b| b == b'+' || b == b'#')
}
