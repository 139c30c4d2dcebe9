//! WebSocket framing (RFC 6455 section 5), client side: encoding masked
//! binary and control frames, and decoding the broker's frames into the
//! MQTT byte stream they carry.
//!
//! The [`Decoder`] works on whatever bytes have arrived: data frame
//! payloads are handed out as they come (an MQTT packet may span frames,
//! or a frame carry several packets), control frames once whole. Anything
//! RFC 6455 forbids a server to send is a [`FrameError`], reported as the
//! original does for a broken WebSocket stream (`MOSQ_ERR_ERRNO` with
//! `errno` `EPROTO`).

use std::fmt;

/// Continues a fragmented message.
pub const OP_CONTINUATION: u8 = 0x0;
/// A text frame (not used by MQTT).
pub const OP_TEXT: u8 = 0x1;
/// A binary frame: MQTT bytes.
pub const OP_BINARY: u8 = 0x2;
/// Closes the connection.
pub const OP_CLOSE: u8 = 0x8;
/// Asks for a pong.
pub const OP_PING: u8 = 0x9;
/// Answers a ping.
pub const OP_PONG: u8 = 0xA;

/// The largest payload a control frame may carry.
const MAX_CONTROL_PAYLOAD: u64 = 125;

/// The largest data frame accepted, as the original: MQTT's largest
/// remaining length (a larger frame means a broken stream).
const MAX_DATA_PAYLOAD: u64 = 268_435_455;

/// The longest frame header: 2 bytes, 8 of length, 4 of mask.
pub const MAX_HEADER: usize = 14;

/// Appends to `out` one final, masked client frame with `opcode` whose
/// payload is `parts` one after the other, masked with `mask`.
pub fn encode(opcode: u8, parts: &[&[u8]], mask: [u8; 4], out: &mut Vec<u8>) {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    out.reserve(MAX_HEADER + len);
    out.push(0x80 | opcode);
    if len < 126 {
        out.push(0x80 | len as u8);
    } else if let Ok(short) = u16::try_from(len) {
        out.push(0x80 | 126);
        out.extend_from_slice(&short.to_be_bytes());
    } else {
        out.push(0x80 | 127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    out.extend_from_slice(&mask);
    let mut i = 0usize;
    for part in parts {
        out.extend(part.iter().map(|b| {
            let m = b ^ mask[i % 4];
            i += 1;
            m
        }));
    }
}

/// Something the broker sent that RFC 6455 does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// Reserved bits set (no extension was agreed).
    Reserved,
    /// An unknown opcode.
    Opcode(u8),
    /// A text frame: MQTT is carried in binary frames only.
    Text,
    /// A masked frame (servers must not mask).
    Masked,
    /// A fragmented control frame, or one longer than 125 bytes.
    BadControl,
    /// A close frame with a one-byte payload.
    BadClose,
    /// A continuation outside a fragmented message, or a new message
    /// inside one.
    Fragmentation,
    /// A frame longer than any MQTT stream needs.
    TooLong,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid WebSocket frame from the broker: {self:?}")
    }
}

impl std::error::Error for FrameError {}

/// What the next bytes of the broker's stream are.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Not enough bytes to go on.
    NeedMore,
    /// The first `n` input bytes are MQTT data: take them (the decoder
    /// counts them as consumed).
    Data(usize),
    /// The output has no room for the data that comes next.
    Full,
    /// A data frame header of this many bytes (consumed).
    Header(usize),
    /// A whole control frame of `len` bytes (consumed) whose payload is
    /// `input[start..len]`.
    Control {
        /// The opcode: [`OP_PING`], [`OP_PONG`] or [`OP_CLOSE`].
        opcode: u8,
        /// Where the payload starts.
        start: usize,
        /// The frame's length.
        len: usize,
    },
}

/// Decodes the broker's frames (see the module documentation).
#[derive(Debug, Default)]
pub struct Decoder {
    /// Payload bytes of the current data frame still to come.
    remaining: u64,
    /// Inside a fragmented message (its last frame not seen yet).
    fragmented: bool,
}

impl Decoder {
    /// Looks at `input` (the bytes not yet consumed); `room` is how many
    /// data bytes the caller can take now.
    pub fn next(&mut self, input: &[u8], room: usize) -> Result<Step, FrameError> {
        if self.remaining > 0 {
            if input.is_empty() {
                return Ok(Step::NeedMore);
            }
            if room == 0 {
                return Ok(Step::Full);
            }
            let n = (self.remaining.min(input.len() as u64) as usize).min(room);
            self.remaining -= n as u64;
            return Ok(Step::Data(n));
        }
        let Some((fin, opcode, header, len)) = parse_header(input)? else {
            return Ok(Step::NeedMore);
        };
        match opcode {
            OP_BINARY | OP_CONTINUATION => {
                if (opcode == OP_BINARY) == self.fragmented {
                    return Err(FrameError::Fragmentation);
                }
                if len > MAX_DATA_PAYLOAD {
                    return Err(FrameError::TooLong);
                }
                self.fragmented = !fin;
                self.remaining = len;
                Ok(Step::Header(header))
            }
            OP_CLOSE | OP_PING | OP_PONG => {
                if !fin || len > MAX_CONTROL_PAYLOAD {
                    return Err(FrameError::BadControl);
                }
                if opcode == OP_CLOSE && len == 1 {
                    return Err(FrameError::BadClose);
                }
                let total = header + len as usize;
                if input.len() < total {
                    return Ok(Step::NeedMore);
                }
                Ok(Step::Control {
                    opcode,
                    start: header,
                    len: total,
                })
            }
            OP_TEXT => Err(FrameError::Text),
            other => Err(FrameError::Opcode(other)),
        }
    }
}

/// The FIN bit, opcode, header length and payload length of the frame
/// starting `input`, once its header is whole.
fn parse_header(input: &[u8]) -> Result<Option<(bool, u8, usize, u64)>, FrameError> {
    let [b0, b1, rest @ ..] = input else {
        return Ok(None);
    };
    if b0 & 0x70 != 0 {
        return Err(FrameError::Reserved);
    }
    let opcode = b0 & 0x0F;
    if !matches!(
        opcode,
        OP_CONTINUATION | OP_TEXT | OP_BINARY | OP_CLOSE | OP_PING | OP_PONG
    ) {
        return Err(FrameError::Opcode(opcode));
    }
    if b1 & 0x80 != 0 {
        return Err(FrameError::Masked);
    }
    let (header, len) = match b1 & 0x7F {
        126 => match rest {
            [a, b, ..] => (4, u64::from(u16::from_be_bytes([*a, *b]))),
            _ => return Ok(None),
        },
        127 => match rest.get(..8) {
            Some(bytes) => {
                let len = u64::from_be_bytes(bytes.try_into().expect("8 bytes"));
                if len >> 63 != 0 {
                    return Err(FrameError::TooLong);
                }
                (10, len)
            }
            None => return Ok(None),
        },
        short => (2, u64::from(short)),
    };
    Ok(Some((b0 & 0x80 != 0, opcode, header, len)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A server frame (unmasked) with `opcode`, FIN as given.
    pub(crate) fn server_frame(opcode: u8, fin: bool, payload: &[u8]) -> Vec<u8> {
        let mut f = vec![if fin { 0x80 } else { 0 } | opcode];
        match payload.len() {
            n if n < 126 => f.push(n as u8),
            n if n <= 0xFFFF => {
                f.push(126);
                f.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                f.push(127);
                f.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        f.extend_from_slice(payload);
        f
    }

    /// Unmasks a client frame: (opcode, payload).
    pub(crate) fn open_client_frame(frame: &[u8]) -> (u8, Vec<u8>, usize) {
        assert_eq!(frame[0] & 0xF0, 0x80, "final, no reserved bits");
        assert_eq!(frame[1] & 0x80, 0x80, "client frames are masked");
        let (len, at) = match frame[1] & 0x7F {
            126 => (u16::from_be_bytes([frame[2], frame[3]]) as usize, 4),
            127 => (
                u64::from_be_bytes(frame[2..10].try_into().unwrap()) as usize,
                10,
            ),
            n => (n as usize, 2),
        };
        let mask = &frame[at..at + 4];
        let payload = frame[at + 4..at + 4 + len]
            .iter()
            .enumerate()
            .map(|(i, b)| b ^ mask[i % 4])
            .collect();
        (frame[0] & 0x0F, payload, at + 4 + len)
    }

    /// The data and the control frames (opcode, payload) of a stream.
    type Decoded = (Vec<u8>, Vec<(u8, Vec<u8>)>);

    /// Decodes everything in `input` with room for `room` bytes at a time:
    /// the data, and the control frames (opcode, payload).
    fn decode_all(input: &[u8], room: usize) -> Result<Decoded, FrameError> {
        let mut d = Decoder::default();
        let (mut data, mut control, mut pos) = (Vec::new(), Vec::new(), 0);
        loop {
            match d.next(&input[pos..], room)? {
                Step::NeedMore => break,
                Step::Full => unreachable!("room is never 0 here"),
                Step::Data(n) => {
                    assert!(n <= room);
                    data.extend_from_slice(&input[pos..pos + n]);
                    pos += n;
                }
                Step::Header(n) => pos += n,
                Step::Control { opcode, start, len } => {
                    control.push((opcode, input[pos + start..pos + len].to_vec()));
                    pos += len;
                }
            }
        }
        assert_eq!(pos, input.len(), "everything consumed");
        Ok((data, control))
    }

    #[test]
    fn client_frames_are_masked_binary_with_the_right_length_form() {
        for (len, header) in [
            (0usize, 2usize),
            (125, 2),
            (126, 4),
            (65535, 4),
            (65536, 10),
        ] {
            let payload: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let mut out = Vec::new();
            encode(OP_BINARY, &[&payload], [1, 2, 3, 4], &mut out);
            assert_eq!(out.len(), header + 4 + len, "length {len}");
            assert_eq!(&out[header..header + 4], &[1, 2, 3, 4]);
            let (op, clear, used) = open_client_frame(&out);
            assert_eq!((op, used), (OP_BINARY, out.len()));
            assert_eq!(clear, payload);
        }
        // Masking really changes the bytes, part boundaries do not matter.
        let mut out = Vec::new();
        encode(
            OP_BINARY,
            &[b"\x10\x0c", b"\x00\x04MQTT"],
            [0xAA, 0x55, 0, 0xFF],
            &mut out,
        );
        assert_eq!(out[0..2], [0x82, 0x88]);
        assert_eq!(out[6..10], [0x10 ^ 0xAA, 0x0c ^ 0x55, 0x00, 0x04 ^ 0xFF]);
        assert_eq!(open_client_frame(&out).1, b"\x10\x0c\x00\x04MQTT");
    }

    #[test]
    fn packets_split_across_frames_and_packed_in_one() {
        let connack = [0x20, 0x02, 0x00, 0x00];
        let suback = [0x90, 0x03, 0x00, 0x01, 0x01];
        // Two packets in one frame, then one packet over three frames.
        let mut input = server_frame(OP_BINARY, true, &connack);
        input.extend(server_frame(
            OP_BINARY,
            true,
            &[&connack[..], &suback[..]].concat(),
        ));
        input.extend(server_frame(OP_BINARY, false, &suback[..1]));
        input.extend(server_frame(OP_CONTINUATION, false, &suback[1..3]));
        input.extend(server_frame(OP_CONTINUATION, true, &suback[3..]));
        let expected = [&connack[..], &connack, &suback, &suback].concat();
        for room in [1, 3, 1000] {
            let (data, control) = decode_all(&input, room).unwrap();
            assert_eq!(data, expected, "room {room}");
            assert!(control.is_empty());
        }
        // Byte by byte arrival gives the same stream.
        let mut d = Decoder::default();
        let (mut buf, mut data) = (Vec::new(), Vec::new());
        for &b in &input {
            buf.push(b);
            loop {
                match d.next(&buf, 100).unwrap() {
                    Step::NeedMore => break,
                    Step::Data(n) => {
                        data.extend(buf.drain(..n));
                    }
                    Step::Header(n) => {
                        buf.drain(..n);
                    }
                    other => panic!("{other:?}"),
                }
            }
        }
        assert_eq!(data, expected);
    }

    #[test]
    fn long_frames_use_16_and_64_bit_lengths() {
        for len in [126usize, 300, 65535, 65536, 70000] {
            let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let frame = server_frame(OP_BINARY, true, &payload);
            let (data, _) = decode_all(&frame, 4096).unwrap();
            assert_eq!(data, payload, "length {len}");
        }
        // A 64-bit length with the top bit set is invalid.
        let mut bad = vec![0x82, 127];
        bad.extend_from_slice(&(1u64 << 63).to_be_bytes());
        assert_eq!(Decoder::default().next(&bad, 10), Err(FrameError::TooLong));
        let mut huge = vec![0x82, 127];
        huge.extend_from_slice(&(MAX_DATA_PAYLOAD + 1).to_be_bytes());
        assert_eq!(Decoder::default().next(&huge, 10), Err(FrameError::TooLong));
    }

    #[test]
    fn control_frames_come_whole_between_fragments() {
        let mut input = server_frame(OP_BINARY, false, b"ab");
        input.extend(server_frame(OP_PING, true, b"hi"));
        input.extend(server_frame(OP_CONTINUATION, true, b"cd"));
        input.extend(server_frame(OP_PONG, true, b""));
        input.extend(server_frame(OP_CLOSE, true, &[0x03, 0xE8]));
        let (data, control) = decode_all(&input, 10).unwrap();
        assert_eq!(data, b"abcd");
        assert_eq!(
            control,
            vec![
                (OP_PING, b"hi".to_vec()),
                (OP_PONG, vec![]),
                (OP_CLOSE, vec![0x03, 0xE8])
            ]
        );
        // A control frame waits until all of it has arrived.
        let ping = server_frame(OP_PING, true, b"hello");
        let mut d = Decoder::default();
        assert_eq!(d.next(&ping[..4], 10), Ok(Step::NeedMore));
        assert_eq!(
            d.next(&ping, 10),
            Ok(Step::Control {
                opcode: OP_PING,
                start: 2,
                len: 7
            })
        );
    }

    #[test]
    fn a_full_output_stops_data_but_not_headers() {
        let frame = server_frame(OP_BINARY, true, b"xyz");
        let mut d = Decoder::default();
        assert_eq!(d.next(&frame, 0), Ok(Step::Header(2)));
        assert_eq!(d.next(&frame[2..], 0), Ok(Step::Full));
        assert_eq!(d.next(&frame[2..], 2), Ok(Step::Data(2)));
        assert_eq!(d.next(&frame[4..], 2), Ok(Step::Data(1)));
        assert_eq!(d.next(&[], 2), Ok(Step::NeedMore));
    }

    #[test]
    fn forbidden_frames_are_errors() {
        let err = |input: Vec<u8>| decode_all(&input, 10).unwrap_err();
        assert_eq!(err(server_frame(OP_TEXT, true, b"{}")), FrameError::Text);
        assert_eq!(err(server_frame(0x3, true, b"")), FrameError::Opcode(3));
        assert_eq!(err(server_frame(0xB, true, b"")), FrameError::Opcode(0xB));
        let mut rsv = server_frame(OP_BINARY, true, b"x");
        rsv[0] |= 0x40;
        assert_eq!(err(rsv), FrameError::Reserved);
        let mut masked = server_frame(OP_BINARY, true, b"");
        masked[1] |= 0x80;
        masked.extend_from_slice(&[0, 0, 0, 0]);
        assert_eq!(err(masked), FrameError::Masked);
        assert_eq!(
            err(server_frame(OP_PING, false, b"")),
            FrameError::BadControl
        );
        assert_eq!(
            err(server_frame(OP_PING, true, &[0; 126])),
            FrameError::BadControl
        );
        assert_eq!(
            err(server_frame(OP_CLOSE, true, &[3])),
            FrameError::BadClose
        );
        assert_eq!(
            err(server_frame(OP_CONTINUATION, true, b"x")),
            FrameError::Fragmentation
        );
        let mut two_starts = server_frame(OP_BINARY, false, b"x");
        two_starts.extend(server_frame(OP_BINARY, true, b"y"));
        assert_eq!(err(two_starts), FrameError::Fragmentation);
    }
}
