//! The MQTT client session state machine: everything libmosquitto does
//! between the API calls and the socket, as pure safe Rust. No sockets,
//! no clocks, no threads: the runtime passes received frames and a
//! monotonic `now` in milliseconds, and sends the bytes appended to its
//! `out` buffer.
//!
//! How a runtime drives it (under its session lock, released before any
//! callback):
//!
//! ```text
//! connect:   session.start_connect(now, &mut out)?; flush out
//! loop:
//!   for each complete frame read:  h = session.handle_packet(frame, now, &mut out)
//!       unlock; deliver h.event; if let Some(e) = h.close { close socket; on_disconnect(e) }
//!       (Event::Disconnected also ends the connection: close, no second report)
//!   session.tick(now, &mut out)  -> Err(Keepalive): close socket, on_disconnect
//!   flush out; sleep in poll until session.next_deadline() or I/O
//!   socket error/EOF: session.connection_lost(); on_disconnect(ConnLost)
//! api calls: publish/subscribe/unsubscribe/disconnect/auth append to out
//! ```
//!
//! Events borrow only from the frame they came from, never from the
//! session, which is what lets the runtime unlock before calling C.
//!
//! `forbid(unsafe_code)`: the compiler keeps the "safe Rust" promise.

#![forbid(unsafe_code)]

mod alias;
mod config;
mod error;
mod events;
mod handle;
mod incoming;
mod keepalive;
mod machine;
mod outgoing;
mod packet_id;
mod queue;

#[cfg(test)]
mod tests;

pub use config::{
    check_properties, inflight_option, Config, OwnedProperties, WillConfig, DEFAULT_INFLIGHT,
};
pub use error::SessionError;
pub use events::{Event, Handled, Message};
pub use machine::{PublishError, Session, State, MAX_PAYLOAD};
pub use outgoing::Stage;
pub use queue::{QueueLimits, QueuePolicy, RC_QUOTA_EXCEEDED};
