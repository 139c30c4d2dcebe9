//! The API calls that queue packets: publish, subscribe, unsubscribe,
//! disconnect and AUTH. Each works under the state lock, then writes at
//! once or wakes the loop thread, and reports what happened.

use super::error::ClientError;
use super::report::PendingReport;
use super::{now_ms, Client, Intent, State};
use crate::protocol::property::Property;
use crate::session::PublishError;

impl Client {
    /// `mosquitto_disconnect_v5`.
    pub fn disconnect(&self, reason_code: u8, props: &[Property<'_>]) -> Result<(), ClientError> {
        let mut after = PendingReport::default();
        let result = self.with_state(|st| {
            // A DISCONNECT the specification forbids fails before anything
            // changes (the client would otherwise stop reconnecting).
            st.session.check_disconnect(reason_code, props)?;
            st.intent = Intent::Disconnect;
            if st.link.is_none() {
                return Err(ClientError::NoConn);
            }
            let was_empty = st.out.is_empty();
            self.logged(st, &mut after, |st| {
                st.session
                    .disconnect(reason_code, props, now_ms(), st.out.vec())
            })?;
            // A held-back DISCONNECT (an extension) has a deadline the loop
            // thread must learn of.
            let was_empty = was_empty || st.session.flush_pending();
            self.send_or_wake(st, was_empty, &mut after)
        });
        let settled = self.settle(after);
        result.and(settled)
    }

    /// `mosquitto_publish_v5`: returns the message id (also on some
    /// failures, as the original reports it through `*mid`).
    pub fn publish(
        &self,
        topic: &[u8],
        payload: &[u8],
        qos: u8,
        retain: bool,
        props: &[Property<'_>],
    ) -> Result<u16, (ClientError, Option<u16>)> {
        let mut after = PendingReport::default();
        let mut dropped = Vec::new();
        let result = self.with_state(|st| {
            let was_empty = st.out.is_empty();
            let publish = |st: &mut State| {
                if qos == 0 && props.is_empty() {
                    // QoS 0 needs no clock: its write is noted when flushed.
                    return st
                        .session
                        .publish_qos0(topic, payload, retain, st.out.vec());
                }
                let now = if qos == 0 { 0 } else { now_ms() };
                st.session
                    .publish(topic, payload, qos, retain, props, now, st.out.vec())
            };
            let qos0_mid = |r: &Result<u16, PublishError>| match r {
                Ok(mid) if qos == 0 => Some(*mid),
                _ => None,
            };
            let published = self.logged_publish(st, &mut after, publish, qos0_mid);
            dropped = st.session.take_dropped();
            let mid =
                published.map_err(|PublishError { error, mid }| (ClientError::from(error), mid))?;
            if qos == 0 && self.tracks_qos0() && !st.session.held_qos0(mid) {
                st.out.mark_qos0(mid);
            }
            self.send_or_wake(st, was_empty, &mut after)
                .map_err(|e| (e, Some(mid)))?;
            Ok(mid)
        });
        let settled = self.settle(after);
        self.report_dropped(dropped);
        let mid = result?;
        settled.map_err(|e| (e, Some(mid)))?;
        Ok(mid)
    }

    /// `mosquitto_subscribe_multiple` / `_v5`.
    pub fn subscribe(
        &self,
        filters: &[&[u8]],
        qos: u8,
        options: u8,
        props: &[Property<'_>],
    ) -> Result<u16, ClientError> {
        let mut after = PendingReport::default();
        let result: Result<u16, ClientError> = self.with_state(|st| {
            let was_empty = st.out.is_empty();
            let mid = self.logged(st, &mut after, |st| {
                st.session
                    .subscribe(filters, qos, options, props, now_ms(), st.out.vec())
            })?;
            self.send_or_wake(st, was_empty, &mut after)?;
            Ok(mid)
        });
        let settled = self.settle(after);
        let mid = result?;
        settled?;
        Ok(mid)
    }

    /// `mosquitto_unsubscribe_multiple` / `_v5`.
    pub fn unsubscribe(
        &self,
        filters: &[&[u8]],
        props: &[Property<'_>],
    ) -> Result<u16, ClientError> {
        let mut after = PendingReport::default();
        let result: Result<u16, ClientError> = self.with_state(|st| {
            let was_empty = st.out.is_empty();
            let mid = self.logged(st, &mut after, |st| {
                st.session
                    .unsubscribe(filters, props, now_ms(), st.out.vec())
            })?;
            self.send_or_wake(st, was_empty, &mut after)?;
            Ok(mid)
        });
        let settled = self.settle(after);
        let mid = result?;
        settled?;
        Ok(mid)
    }

    /// `mosquitto_ext_auth_continue` (2.1): writes AUTH.
    pub fn auth(&self, reason_code: u8, props: &[Property<'_>]) -> Result<(), ClientError> {
        let mut after = PendingReport::default();
        let result = self.with_state(|st| {
            let was_empty = st.out.is_empty();
            self.logged(st, &mut after, |st| {
                st.session.auth(reason_code, props, now_ms(), st.out.vec())
            })?;
            self.send_or_wake(st, was_empty, &mut after)
        });
        let settled = self.settle(after);
        result.and(settled)
    }
}
