//! `ws_frames`: the WebSocket frame decoder on arbitrary broker bytes, fed
//! in pieces and with output room chosen by the input, against the same
//! bytes decoded in one go; and the encoder's frames read back.

use mosquitto::transport::websocket::frame::{
    encode, Decoder, FrameError, Step, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG,
};

/// What a decoder made of a stream: the MQTT data, the control frames
/// (opcode, payload) and the error that stopped it, if any.
#[derive(Debug, PartialEq, Eq)]
struct Decoded {
    data: Vec<u8>,
    controls: Vec<(u8, Vec<u8>)>,
    error: Option<FrameError>,
}

/// The first byte seeds the piece sizes and the room; the rest is what
/// the broker sent. Both decodings must agree, and every step must stay
/// inside the bytes it was shown.
pub fn ws_frames(data: &[u8]) {
    let Some((&seed, stream)) = data.split_first() else {
        return;
    };
    let whole = decode(stream, &mut |_| usize::MAX);
    let mut state = u32::from(seed) | 0x100;
    let mut pieces = |cap: usize| {
        // A small LCG: piece sizes and room from 1 to 16, 0 now and then.
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        ((state >> 16) as usize % 17).min(cap)
    };
    let split = decode(stream, &mut pieces);
    assert_eq!(whole, split, "decoding in pieces differs");
    round_trip(seed, stream);
}

/// Decodes `stream` as the WebSocket reader does: bytes arrive in pieces
/// of `next(remaining)` bytes (all of it for `usize::MAX`), and the caller
/// takes at most `next` data bytes per read.
fn decode(stream: &[u8], next: &mut dyn FnMut(usize) -> usize) -> Decoded {
    let mut decoder = Decoder::default();
    let mut out = Decoded {
        data: Vec::new(),
        controls: Vec::new(),
        error: None,
    };
    let (mut arrived, mut pos) = (0usize, 0usize);
    let mut room = next(usize::MAX).max(1);
    let mut stalls = 0;
    loop {
        let input = &stream[pos..arrived];
        let step = match decoder.next(input, room) {
            Ok(step) => step,
            Err(e) => {
                out.error = Some(e);
                return out;
            }
        };
        match step {
            Step::NeedMore | Step::Full => {
                if matches!(step, Step::Full) {
                    assert_eq!(room, 0, "Full with room left");
                }
                room = next(usize::MAX).max(1);
                if arrived == stream.len() {
                    if matches!(step, Step::NeedMore) {
                        return out;
                    }
                    continue;
                }
                let piece = next(stream.len() - arrived).min(stream.len() - arrived);
                arrived += piece;
                stalls = if piece == 0 { stalls + 1 } else { 0 };
                if stalls > 64 {
                    arrived = stream.len();
                }
            }
            Step::Data(n) => {
                assert!(n > 0 && n <= input.len() && n <= room, "Data({n})");
                out.data.extend_from_slice(&input[..n]);
                pos += n;
                room -= n;
            }
            Step::Header(n) => {
                assert!((2..=10).contains(&n) && n <= input.len(), "Header({n})");
                pos += n;
            }
            Step::Control { opcode, start, len } => {
                assert!(matches!(opcode, OP_PING | OP_PONG | OP_CLOSE));
                assert!(start <= len && len <= input.len() && len - start <= 125);
                out.controls.push((opcode, input[start..len].to_vec()));
                pos += len;
            }
        }
    }
}

/// Encodes `payload` as a client frame, unmasks it as a server would and
/// checks that the decoder reads back the payload exactly.
fn round_trip(seed: u8, payload: &[u8]) {
    let mask = [seed, seed.rotate_left(3), !seed, seed ^ 0x5A];
    let cut = usize::from(seed) % (payload.len() + 1);
    let mut frame = Vec::new();
    encode(
        OP_BINARY,
        &[&payload[..cut], &payload[cut..]],
        mask,
        &mut frame,
    );
    let header = frame.len() - payload.len() - 4;
    assert_eq!(frame[0], 0x80 | OP_BINARY);
    assert_eq!(frame[1] & 0x80, 0x80, "client frames are masked");
    assert_eq!(&frame[header..header + 4], &mask);
    // The server's view: the mask bit cleared, the key removed, the
    // payload unmasked.
    let mut unmasked = frame[..header].to_vec();
    unmasked[1] &= 0x7F;
    unmasked.extend(
        frame[header + 4..]
            .iter()
            .enumerate()
            .map(|(i, b)| b ^ mask[i % 4]),
    );
    let back = decode(&unmasked, &mut |_| usize::MAX);
    assert_eq!(back.error, None);
    assert!(back.controls.is_empty());
    assert_eq!(back.data, payload, "encoded frame does not read back");
}
