//! The client's two byte buffers: outgoing packets waiting for the socket,
//! and incoming bytes waiting to form whole packets.
//!
//! Both reuse one allocation for the life of a connection: packets are
//! encoded straight into [`OutBuffer`] and written many at a time; reads fill
//! [`ReadBuffer`] in large chunks and packets are decoded where they lie.

use std::collections::VecDeque;
use std::io;
use std::ops::Range;

use crate::protocol::packet::{frame, DecodeError};
use crate::transport::Stream;

/// How much a read asks the socket for, at least, once reads come in
/// bursts.
const READ_CHUNK: usize = 16 * 1024;

/// What the first read after an idle spell asks for: most reads then are
/// a packet or two (the buffer is released once empty, and made again,
/// zeroed, at the next read).
const FIRST_CHUNK: usize = 2 * 1024;

/// Outgoing bytes, written in order, with the QoS 0 message ids whose
/// PUBLISH ends at a given position (their `on_publish` fires once the
/// socket has taken them, as the original does).
#[derive(Default)]
pub struct OutBuffer {
    buf: Vec<u8>,
    /// Bytes of `buf` already written.
    pos: usize,
    /// Bytes written over the connection's life, for the QoS 0 marks.
    written: u64,
    /// `(stream offset just past the PUBLISH, mid)`, in order.
    marks: VecDeque<(u64, u16)>,
}

impl OutBuffer {
    /// Whether everything queued has been written.
    pub fn is_empty(&self) -> bool {
        self.pos == self.buf.len()
    }

    /// The vector new packets are appended to.
    pub fn vec(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Bytes written to the socket since the connection began.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Records that the QoS 0 PUBLISH `mid` ends at the current end.
    pub fn mark_qos0(&mut self, mid: u16) {
        let end = self.written + (self.buf.len() - self.pos) as u64;
        self.marks.push_back((end, mid));
    }

    /// Records the QoS 0 PUBLISHes the session released into [`Self::vec`]
    /// (an extension: see `Session::release_held`), each ending where the
    /// vector's length was, when their `on_publish` is tracked.
    pub fn mark_released(&mut self, released: Vec<(u16, usize)>, tracked: bool) {
        if !tracked {
            return;
        }
        for (mid, len) in released {
            let end = self.written + (len - self.pos) as u64;
            self.marks.push_back((end, mid));
        }
    }

    /// Writes as much as the socket takes. Returns whether everything was
    /// written; ids of QoS 0 messages now fully written are pushed to
    /// `completed`. `WouldBlock` is not an error.
    pub fn flush(&mut self, stream: &Stream, completed: &mut Vec<u16>) -> io::Result<bool> {
        let result = loop {
            if self.is_empty() {
                break Ok(true);
            }
            match stream.write(&self.buf[self.pos..]) {
                Ok(0) => break Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    self.pos += n;
                    self.written += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => break Err(e),
            }
        };
        while let Some(&(end, mid)) = self.marks.front() {
            if end > self.written {
                break;
            }
            completed.push(mid);
            self.marks.pop_front();
        }
        if self.is_empty() {
            self.buf.clear();
            self.pos = 0;
        } else if self.pos > self.buf.len() / 2 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        result
    }

    /// Forgets everything queued (the connection is gone).
    pub fn clear(&mut self) {
        self.buf.clear();
        self.pos = 0;
        self.written = 0;
        self.marks.clear();
    }
}

/// What one read from the socket gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Filled {
    /// This many new bytes, and whether that emptied the socket: a plain
    /// socket that filled less than the room offered has nothing more
    /// now, so another read would only return `WouldBlock`. (TLS and
    /// WebSocket streams may hold decoded bytes back: never `drained`.)
    Bytes { n: usize, drained: bool },
    /// The peer closed the connection.
    Closed,
    /// Nothing to read now.
    WouldBlock,
}

/// Incoming bytes; whole packets are handed out as ranges of [`Self::bytes`].
///
/// Memory follows the data: the buffer grows as bytes arrive (never to a
/// length the broker merely announces), at most doubling per read, and is
/// released when it empties after holding a large packet, so an idle client
/// keeps nothing but a small buffer.
#[derive(Default)]
pub struct ReadBuffer {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Total length of the incomplete packet at `start`, once known.
    pending: usize,
}

impl ReadBuffer {
    /// Reads once from `stream` into free space (a chunk, or more while a
    /// large packet is being assembled).
    pub fn fill(&mut self, stream: &Stream) -> io::Result<Filled> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        // Room for a chunk; while a big packet arrives, room for up to as
        // much again as is already buffered (doubling), never more than
        // the packet still needs.
        let missing = self.pending.saturating_sub(self.end);
        let chunk = if self.buf.is_empty() {
            FIRST_CHUNK
        } else {
            READ_CHUNK
        };
        let grow = chunk.max(missing.min(self.end));
        if self.buf.len() < self.end + grow {
            self.buf.resize(self.end + grow, 0);
        }
        let room = self.buf.len() - self.end;
        loop {
            return match stream.read(&mut self.buf[self.end..]) {
                Ok(0) => Ok(Filled::Closed),
                Ok(n) => {
                    self.end += n;
                    let drained = n < room && stream.is_plain();
                    Ok(Filled::Bytes { n, drained })
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Filled::WouldBlock),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => Err(e),
            };
        }
    }

    /// The next complete packet, as a range of [`Self::bytes`], consumed
    /// from the buffer. `None` until one is whole.
    pub fn next_packet(
        &mut self,
        max_packet_size: u32,
    ) -> Result<Option<Range<usize>>, DecodeError> {
        let Some(f) = frame(&self.buf[self.start..self.end], max_packet_size)? else {
            return Ok(None);
        };
        let len = f.total_len();
        if self.end - self.start < len {
            self.pending = len;
            return Ok(None);
        }
        self.pending = 0;
        let range = self.start..self.start + len;
        self.start += len;
        Ok(Some(range))
    }

    /// The buffer the ranges of [`Self::next_packet`] index.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Releases the memory when nothing is buffered, so that idle clients
    /// hold no read buffer (one allocation per read burst instead).
    pub fn release_if_empty(&mut self) {
        if self.start == self.end && !self.buf.is_empty() {
            *self = ReadBuffer::default();
        }
    }

    /// Forgets everything buffered (the connection is gone) and releases
    /// the memory.
    pub fn clear(&mut self) {
        *self = ReadBuffer::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::net::UnixStream;

    /// Our end of a connected unix socket pair, and the peer's.
    fn pair() -> (Stream, UnixStream) {
        let (ours, peer) = UnixStream::pair().unwrap();
        ours.set_nonblocking(true).unwrap();
        (Stream::Unix(ours), peer)
    }

    #[test]
    fn a_short_read_from_a_plain_socket_says_drained() {
        let (stream, mut peer) = pair();
        let mut rd = ReadBuffer::default();
        assert_eq!(rd.fill(&stream).unwrap(), Filled::WouldBlock);
        // As loop_read leaves it: released when nothing is buffered.
        rd.release_if_empty();
        // An idle buffer starts small: a big burst fills it, not drained.
        peer.write_all(&[0x30; 5000]).unwrap();
        assert_eq!(
            rd.fill(&stream).unwrap(),
            Filled::Bytes {
                n: FIRST_CHUNK,
                drained: false
            }
        );
        // Then it grows by a full chunk, and the rest is a short read.
        assert_eq!(
            rd.fill(&stream).unwrap(),
            Filled::Bytes {
                n: 5000 - FIRST_CHUNK,
                drained: true
            }
        );
        assert_eq!(rd.fill(&stream).unwrap(), Filled::WouldBlock);
        drop(peer);
        assert_eq!(rd.fill(&stream).unwrap(), Filled::Closed);
    }

    #[test]
    fn whole_packets_come_out_of_split_reads() {
        let (stream, mut peer) = pair();
        let mut rd = ReadBuffer::default();
        // PINGRESP, then a PUBLISH of 3000 bytes in two writes.
        let mut publish = vec![0x30, 0xB8, 0x17, 0x00, 0x01, b't'];
        publish.resize(3 + 3000, b'x');
        peer.write_all(&[0xD0, 0x00]).unwrap();
        peer.write_all(&publish[..1000]).unwrap();
        assert!(matches!(rd.fill(&stream).unwrap(), Filled::Bytes { .. }));
        assert_eq!(rd.next_packet(0).unwrap(), Some(0..2));
        assert_eq!(rd.next_packet(0).unwrap(), None);
        peer.write_all(&publish[1000..]).unwrap();
        while rd.next_packet(0).unwrap().is_none() {
            assert!(matches!(rd.fill(&stream).unwrap(), Filled::Bytes { .. }));
        }
        rd.release_if_empty();
        assert_eq!(rd.fill(&stream).unwrap(), Filled::WouldBlock);
    }
}
