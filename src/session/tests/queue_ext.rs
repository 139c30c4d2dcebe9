//! The extensions: bounded outgoing queue and disconnect flush.

use super::*;

fn limited(max_msgs: u32, max_kib: u32, policy: QueuePolicy) -> Session {
    let mut s = session(V311);
    s.set_queue_limits(QueueLimits {
        max_msgs,
        max_kib,
        policy,
    });
    s
}

fn offline_publish(s: &mut Session, payload: &[u8]) -> Result<u16, SessionError> {
    let mut out = Vec::new();
    match s.publish(b"t", payload, 1, false, &[], 0, &mut out) {
        Ok(mid) => Ok(mid),
        // Queued all the same (the original's offline answer).
        Err(PublishError {
            error: SessionError::NoConn,
            mid: Some(mid),
        }) => Ok(mid),
        Err(e) => Err(e.error),
    }
}

#[test]
fn reject_refuses_past_the_message_limit_and_queues_nothing() {
    let mut s = limited(3, 0, QueuePolicy::Reject);
    for mid in 1..=3 {
        assert_eq!(offline_publish(&mut s, b"x"), Ok(mid));
    }
    assert_eq!(offline_publish(&mut s, b"x"), Err(SessionError::NoMem));
    assert_eq!(s.outgoing_len(), 3);
    assert!(s.take_dropped().is_empty());
    // QoS 0 is not held, so not limited (it fails offline as always).
    let mut out = Vec::new();
    let r = s.publish(b"t", b"x", 0, false, &[], 0, &mut out);
    assert_eq!(r.unwrap_err().error, SessionError::NoConn);
}

#[test]
fn drop_oldest_keeps_the_newest_and_reports_0x97() {
    let mut s = limited(3, 0, QueuePolicy::DropOldest);
    for _ in 0..10 {
        offline_publish(&mut s, b"x").unwrap();
    }
    assert_eq!(s.outgoing_len(), 3);
    let dropped = s.take_dropped();
    let mids: Vec<u16> = dropped.iter().map(|d| d.0).collect();
    assert_eq!(mids, (1..=7).collect::<Vec<u16>>());
    assert!(dropped.iter().all(|d| d.1 == RC_QUOTA_EXCEEDED));
    // Connected: the newest three go out, in order.
    let out = connected(&mut s, &[]);
    assert_eq!(published_mids(&out), [8, 9, 10]);
}

#[test]
fn drop_oldest_never_drops_what_went_out() {
    let mut s = limited(2, 0, QueuePolicy::DropOldest);
    connected(&mut s, &[]);
    let mut out = Vec::new();
    pub1(&mut s, 1, &mut out);
    pub1(&mut s, 1, &mut out);
    // Both are on the wire, awaiting PUBACK: nothing may be dropped.
    let r = s.publish(b"a/b", b"hi", 1, false, &[], 0, &mut out);
    assert_eq!(r.unwrap_err().error, SessionError::NoMem);
    assert!(s.take_dropped().is_empty());
    let f = ack(V311, AckKind::Puback, 1, 0);
    s.handle_packet(&f, 0, &mut out);
    assert_eq!(pub1(&mut s, 1, &mut out), 3);
}

#[test]
fn byte_limit_counts_topic_and_payload() {
    let mut s = limited(0, 1, QueuePolicy::DropOldest);
    // "t" + 511 bytes = 512: two fit in 1 KiB, a third drops the first.
    let p = [0u8; 511];
    offline_publish(&mut s, &p).unwrap();
    offline_publish(&mut s, &p).unwrap();
    assert!(s.take_dropped().is_empty());
    offline_publish(&mut s, &p).unwrap();
    assert_eq!(s.take_dropped(), [(1, RC_QUOTA_EXCEEDED)]);
    // Larger than the whole limit: refused, nothing dropped.
    assert_eq!(
        offline_publish(&mut s, &[0u8; 1024]),
        Err(SessionError::NoMem)
    );
    assert!(s.take_dropped().is_empty());
    assert_eq!(s.outgoing_len(), 2);
}

#[test]
fn dropped_ids_are_free_again() {
    let mut s = limited(1, 0, QueuePolicy::DropOldest);
    offline_publish(&mut s, b"x").unwrap();
    offline_publish(&mut s, b"x").unwrap();
    assert!(!s.ids.in_use(1));
    assert!(s.ids.in_use(2));
}

#[test]
fn flush_holds_disconnect_until_acknowledged() {
    let mut s = session(V311);
    s.set_disconnect_flush_ms(5000);
    connected(&mut s, &[]);
    let mut out = Vec::new();
    let a = pub1(&mut s, 1, &mut out);
    let b = pub1(&mut s, 2, &mut out);
    out.clear();
    s.disconnect(0, &[], 0, &mut out).unwrap();
    assert!(out.is_empty());
    assert!(s.flush_pending());
    assert_eq!(s.next_deadline(), Some(5000));
    s.handle_packet(&ack(V311, AckKind::Puback, a, 0), 1, &mut out);
    assert!(out.is_empty());
    s.handle_packet(&ack(V311, AckKind::Pubrec, b, 0), 2, &mut out);
    out.clear();
    s.handle_packet(&ack(V311, AckKind::Pubcomp, b, 0), 3, &mut out);
    assert_eq!(out, [0xE0, 0]);
    assert_eq!(s.state(), State::Disconnecting);
    assert!(!s.flush_pending());
}

#[test]
fn flush_gives_up_at_its_deadline() {
    let mut s = session(V5);
    s.set_disconnect_flush_ms(100);
    connected(&mut s, &[]);
    let mut out = Vec::new();
    pub1(&mut s, 1, &mut out);
    out.clear();
    s.disconnect(0x04, &[], 10, &mut out).unwrap();
    s.tick(109, &mut out).unwrap();
    assert!(out.is_empty());
    s.tick(110, &mut out).unwrap();
    assert_eq!(out, [0xE0, 1, 0x04]);
    assert_eq!(s.state(), State::Disconnecting);
}

#[test]
fn flush_with_nothing_queued_disconnects_at_once() {
    let mut s = session(V311);
    s.set_disconnect_flush_ms(5000);
    connected(&mut s, &[]);
    let mut out = Vec::new();
    s.disconnect(0, &[], 0, &mut out).unwrap();
    assert_eq!(out, [0xE0, 0]);
    // A lost connection ends a pending flush.
    let mut s = session(V311);
    s.set_disconnect_flush_ms(5000);
    connected(&mut s, &[]);
    pub1(&mut s, 1, &mut out);
    s.disconnect(0, &[], 0, &mut out).unwrap();
    s.connection_lost();
    assert!(!s.flush_pending());
}

#[test]
fn byte_limit_holds_with_mixed_sizes() {
    // 10 B to 100 KiB payloads under a 256 KiB limit, both policies.
    for policy in [QueuePolicy::Reject, QueuePolicy::DropOldest] {
        let mut s = limited(0, 256, policy);
        let mut seed = 0x2545_F491_u64;
        let mut held = 0;
        for _ in 0..2000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = 10 + (seed >> 33) as usize % (100 * 1024 - 9);
            if offline_publish(&mut s, &vec![0u8; len]).is_ok() {
                held += 1;
            }
            assert!(s.outgoing.bytes() <= 256 * 1024, "{policy:?}");
            // Reject may be left unable to take any more: empty it.
            if policy == QueuePolicy::Reject && s.outgoing_len() > 2 {
                s = limited(0, 256, policy);
            }
        }
        assert!(held > 1000, "{policy:?}: {held}");
    }
}
