//! Unix-domain socket connection set-up.
//!
//! The original treats `mosquitto_connect(mosq, path, 0, ...)` (port 0) as a
//! unix socket path: an empty path or one longer than `sun_path` can hold
//! (107 bytes on Linux) is `MOSQ_ERR_INVAL`; the socket is made non-blocking
//! before `connect`, and any connect failure (including `EAGAIN`) is
//! reported as an OS error. There is no bind address and no pending state.

use socket2::{Domain, SockAddr, Socket, Type};

use super::error::TransportError;
use super::stream::Stream;
use super::Connecting;

/// The longest path `sockaddr_un` holds with its terminating NUL.
pub const UNIX_PATH_MAX: usize =
    std::mem::size_of::<libc::sockaddr_un>() - std::mem::size_of::<libc::sa_family_t>() - 1;

/// Connects to the unix socket at `path` (see the module doc).
pub fn connect_unix(path: &str) -> Result<(Stream, Connecting), TransportError> {
    if path.is_empty() || path.len() > UNIX_PATH_MAX || path.contains('\0') {
        return Err(TransportError::InvalidArgument("unusable unix socket path"));
    }
    let socket = Socket::new(Domain::UNIX, Type::STREAM, None)?;
    socket.set_nonblocking(true)?;
    socket.connect(&SockAddr::unix(path)?)?;
    let fd = std::os::fd::OwnedFd::from(socket);
    Ok((Stream::Unix(fd.into()), Connecting::Done))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::error::ErrorCode;
    use std::io::{self, Read};
    use std::os::unix::net::UnixListener;

    fn temp_path(tag: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("mosq-rs-{tag}-{}.sock", std::process::id()))
    }

    #[test]
    fn connects_and_is_non_blocking() {
        let path = temp_path("ok");
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path).unwrap();
        let (stream, state) = connect_unix(path.to_str().unwrap()).unwrap();
        assert_eq!(state, Connecting::Done);
        assert!(stream.is_unix());
        let (mut server, _) = listener.accept().unwrap();
        let mut one = [0u8; 1];
        assert_eq!(
            stream.read(&mut one).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        assert_eq!(stream.write(b"abc").unwrap(), 3);
        let mut buf = [0u8; 3];
        server.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"abc");
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn missing_socket_is_an_os_error() {
        let path = temp_path("missing");
        let _ = std::fs::remove_file(&path);
        let err = connect_unix(path.to_str().unwrap()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Errno);
        assert_eq!(err.errno(), Some(libc::ENOENT));
    }

    #[test]
    fn empty_or_long_paths_are_invalid() {
        assert_eq!(UNIX_PATH_MAX, 107);
        assert_eq!(connect_unix("").unwrap_err().code(), ErrorCode::Inval);
        let long = format!("/tmp/{}", "a".repeat(UNIX_PATH_MAX));
        assert_eq!(connect_unix(&long).unwrap_err().code(), ErrorCode::Inval);
        // Exactly the limit is accepted as a path (and then not found).
        let limit = format!("/tmp/{}", "b".repeat(UNIX_PATH_MAX - 5));
        assert_eq!(limit.len(), UNIX_PATH_MAX);
        assert_eq!(
            connect_unix(&limit).unwrap_err().errno(),
            Some(libc::ENOENT)
        );
    }
}
