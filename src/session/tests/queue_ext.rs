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
    // QoS 0 is never held offline (it fails as always).
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

/// A QoS 0 publish on a connected session; `busy` stands for bytes the
/// runtime's buffer still holds (the socket did not take them).
fn qos0(s: &mut Session, payload: &[u8], out: &mut Vec<u8>) -> Result<u16, SessionError> {
    s.publish_qos0(b"t", payload, false, out)
        .map_err(|e| e.error)
}

/// The payloads of the PUBLISH packets in `out`, in order.
fn payloads(mut out: &[u8]) -> Vec<Vec<u8>> {
    let mut got = Vec::new();
    while !out.is_empty() {
        let f = crate::protocol::packet::frame(out, 0).unwrap().unwrap();
        let (pkt, rest) = out.split_at(f.total_len());
        if let Ok(Packet::Publish(p)) = decode(pkt, V311) {
            got.push(p.payload.to_vec());
        }
        out = rest;
    }
    got
}

#[test]
fn qos0_waits_within_the_limit_while_the_socket_is_busy() {
    let mut s = limited(3, 0, QueuePolicy::Reject);
    connected(&mut s, &[]);
    // The runtime's buffer is empty: written at once, not counted.
    let mut out = Vec::new();
    qos0(&mut s, b"0", &mut out).unwrap();
    assert_eq!(payloads(&out), [b"0"]);
    assert!(!s.holds_qos0());
    // The socket has not taken it: the next ones wait, counted with a
    // QoS 1 message queued behind them.
    for p in [b"1", b"2"] {
        let mid = qos0(&mut s, p, &mut out).unwrap();
        assert!(s.held_qos0(mid));
    }
    pub1(&mut s, 1, &mut out);
    assert_eq!(qos0(&mut s, b"3", &mut out), Err(SessionError::NoMem));
    assert_eq!(
        s.publish(b"t", b"x", 1, false, &[], 0, &mut out)
            .unwrap_err()
            .error,
        SessionError::NoMem
    );
    assert!(s.take_dropped().is_empty());
    // The buffer emptied: the held ones follow, in order.
    out.clear();
    assert!(s.release_held(&mut out));
    assert_eq!(payloads(&out), [b"1", b"2"]);
    let ends: Vec<usize> = s.take_released_qos0().iter().map(|r| r.1).collect();
    assert_eq!(ends, [out.len() / 2, out.len()]);
    assert!(!s.holds_qos0());
    assert_eq!(qos0(&mut s, b"4", &mut out).map(|_| ()), Ok(()));
}

#[test]
fn drop_oldest_drops_the_oldest_of_qos0_and_qos1_alike() {
    let mut s = limited(4, 0, QueuePolicy::DropOldest);
    connected(&mut s, &[]);
    // A window of one: the first QoS 1 message goes out, the rest wait.
    s.out_max = 1;
    let mut out = Vec::new();
    let first = pub1(&mut s, 1, &mut out);
    let a = qos0(&mut s, b"a", &mut out).unwrap();
    let q = pub1(&mut s, 1, &mut out);
    let b = qos0(&mut s, b"b", &mut out).unwrap();
    assert!(s.take_dropped().is_empty());
    // Full (the first is on the wire, not droppable): the oldest waiting,
    // the QoS 0 message "a", goes; then the QoS 1 one queued after it.
    let c = qos0(&mut s, b"c", &mut out).unwrap();
    assert_eq!(s.take_dropped(), [(a, RC_QUOTA_EXCEEDED)]);
    let d = qos0(&mut s, b"d", &mut out).unwrap();
    assert_eq!(s.take_dropped(), [(q, RC_QUOTA_EXCEEDED)]);
    assert!(!s.ids.in_use(q));
    assert!(s.ids.in_use(first));
    out.clear();
    s.release_held(&mut out);
    assert_eq!(payloads(&out), [b"b", b"c", b"d"]);
    let mids: Vec<u16> = s.take_released_qos0().iter().map(|r| r.0).collect();
    assert_eq!(mids, [b, c, d]);
}

#[test]
fn qos0_held_goes_before_disconnect_or_with_the_connection() {
    let mut s = limited(10, 0, QueuePolicy::Reject);
    connected(&mut s, &[]);
    let mut out = vec![0xC0, 0]; // a PINGREQ the socket has not taken
    qos0(&mut s, b"x", &mut out).unwrap();
    qos0(&mut s, b"y", &mut out).unwrap();
    s.disconnect(0, &[], 0, &mut out).unwrap();
    assert_eq!(payloads(&out), [b"x", b"y"]);
    assert!(out.ends_with(&[0xE0, 0]));
    // A lost connection takes what is held with the write buffer.
    let mut s = limited(10, 0, QueuePolicy::Reject);
    connected(&mut s, &[]);
    let mut out = vec![0xC0, 0];
    qos0(&mut s, b"x", &mut out).unwrap();
    s.connection_lost();
    assert!(!s.holds_qos0());
    assert!(s.take_dropped().is_empty());
}

#[test]
fn qos0_counts_against_the_byte_limit() {
    let mut s = limited(0, 1, QueuePolicy::DropOldest);
    connected(&mut s, &[]);
    let mut out = vec![0xC0, 0];
    let p = [0u8; 511];
    let a = qos0(&mut s, &p, &mut out).unwrap();
    qos0(&mut s, &p, &mut out).unwrap();
    assert!(s.take_dropped().is_empty());
    qos0(&mut s, &p, &mut out).unwrap();
    assert_eq!(s.take_dropped(), [(a, RC_QUOTA_EXCEEDED)]);
}

#[test]
fn without_a_limit_qos0_is_never_held() {
    let mut s = session(V311);
    connected(&mut s, &[]);
    let mut out = vec![0xC0, 0];
    for _ in 0..100 {
        qos0(&mut s, b"x", &mut out).unwrap();
    }
    assert!(!s.holds_qos0());
    assert_eq!(payloads(&out).len(), 100);
}
