//! The `errno` the original leaves after reading or writing the connection.
//!
//! The original clears `errno` before each read and write on the broker
//! connection, so after a call that did any, `errno` holds that I/O's
//! outcome: 0 (data moved, or end of stream), `EAGAIN` (nothing to move) or
//! the failure. Bindings such as ctypes-mosquitto read `errno` after every
//! call. [`Stream`](super::Stream) records the outcome of each of its reads
//! and writes here, per thread; the C boundary hands the value to the
//! caller, and leaves `errno` as the caller had it when no I/O happened.
//!
//! Our reads drain the socket until it would block, where the original
//! reads one packet at a time and mostly stops before that: a read that
//! would block therefore does not hide an earlier transfer's 0.

use std::cell::Cell;
use std::io;

thread_local! {
    /// The value for `errno`, once this thread's current C call has done
    /// I/O (or decided on a value, see [`set`]).
    static OUTCOME: Cell<Option<i32>> = const { Cell::new(None) };
}

/// The outcome so far (`None`: no I/O yet).
pub fn get() -> Option<i32> {
    OUTCOME.with(Cell::get)
}

/// Replaces the outcome (`None` when a C call starts; `Some` for a failure
/// whose `errno` the original sets, or what a callback left).
pub fn set(value: Option<i32>) {
    OUTCOME.with(|c| c.set(value));
}

/// Returns the outcome and forgets it.
pub fn take() -> Option<i32> {
    OUTCOME.with(Cell::take)
}

/// Records a read's result.
pub fn note_read(result: &io::Result<usize>) {
    match result {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
            if get() != Some(0) {
                set(Some(libc::EAGAIN));
            }
        }
        r => set(Some(errno_of(r))),
    }
}

/// Records a write's result.
pub fn note_write(result: &io::Result<usize>) {
    set(Some(errno_of(result)));
}

/// 0 for a success, else the error's OS number (`EAGAIN` for a full socket,
/// `EPROTO` for failures of a layer above the socket, as the original's TLS
/// reports them).
fn errno_of(result: &io::Result<usize>) -> i32 {
    match result {
        Ok(_) => 0,
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => libc::EAGAIN,
        Err(e) => e.raw_os_error().unwrap_or(libc::EPROTO),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn would_block() -> io::Result<usize> {
        Err(io::ErrorKind::WouldBlock.into())
    }

    #[test]
    fn a_read_that_would_block_keeps_an_earlier_transfer() {
        set(None);
        note_read(&would_block());
        assert_eq!(get(), Some(libc::EAGAIN));
        note_read(&Ok(5));
        note_read(&would_block());
        assert_eq!(take(), Some(0));
        assert_eq!(get(), None);
    }

    #[test]
    fn failures_and_full_sockets_are_kept() {
        set(None);
        note_write(&Ok(3));
        note_write(&would_block());
        assert_eq!(get(), Some(libc::EAGAIN));
        note_read(&Err(io::Error::from_raw_os_error(libc::ECONNRESET)));
        assert_eq!(take(), Some(libc::ECONNRESET));
    }
}
