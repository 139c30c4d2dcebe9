//! The sink's server: a single-threaded tokio runtime with one task per
//! connection, each driving a [`Conn`].

use std::io;
use std::net::{SocketAddr, TcpListener};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::conn::Conn;

/// Binds a listening socket on `addr` with a backlog of 4096: thousands
/// of clients connecting in a burst (the `clients` scenario) would
/// overflow std's 128, and every dropped SYN costs the client a
/// one-second retransmission.
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        None,
    )?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(4096)?;
    Ok(socket.into())
}

/// Raises RLIMIT_NOFILE (to 65536 if allowed, else to the hard limit) so
/// that thousands of clients fit.
pub fn raise_nofile() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into `lim`, a valid rlimit we own; setrlimit
    // only reads the rlimit it is given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 {
            let want = lim.rlim_max.max(65_536);
            let wide = libc::rlimit {
                rlim_cur: want,
                rlim_max: want,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &wide) != 0 {
                lim.rlim_cur = lim.rlim_max;
                libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
            }
        }
    }
}

/// Serves connections on `listener` forever, on the calling thread.
pub fn run(listener: TcpListener) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        loop {
            let (sock, _) = listener.accept().await?;
            tokio::spawn(serve(sock));
        }
    })
}

/// What one wait on a connection brought.
enum Event {
    Read(io::Result<usize>),
    Wrote(io::Result<usize>),
}

/// Drives one connection until the client leaves or breaks the protocol.
async fn serve(mut sock: TcpStream) {
    let _ = sock.set_nodelay(true);
    let (mut rd, mut wr) = sock.split();
    let mut conn = Conn::new();
    loop {
        conn.refill();
        let writing = !conn.output.pending().is_empty();
        let event = tokio::select! {
            r = rd.read(conn.input.space()) => Event::Read(r),
            w = wr.write(conn.output.pending()), if writing => Event::Wrote(w),
        };
        match event {
            Event::Read(Ok(n)) if n > 0 => {
                if !conn.on_read(n) {
                    return;
                }
            }
            Event::Wrote(Ok(n)) if n > 0 => conn.wrote(n),
            Event::Read(Err(e)) | Event::Wrote(Err(e))
                if e.kind() == io::ErrorKind::Interrupted => {}
            _ => return,
        }
    }
}
