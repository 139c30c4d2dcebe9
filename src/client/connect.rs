//! `mosquitto_connect*` and `mosquitto_reconnect*`: opening a connection
//! (TCP or unix socket, then SOCKS5, TLS and WebSocket as configured) and
//! starting the MQTT session on it.

use std::sync::Arc;

use super::error::ClientError;
use super::report::PendingReport;
use super::{now_ms, Client, Intent, Link, OnDemand, State, Target};
use crate::protocol::packet::ProtocolVersion;
use crate::session::OwnedProperties;
use crate::transport::{self, Connecting, Socks5, Stream, TlsSettings, WsSettings};

impl Client {
    /// `mosquitto_connect*`: records where to connect, then connects.
    pub fn connect(
        &self,
        host: &str,
        port: u16,
        keepalive: u16,
        bind_address: Option<&str>,
        properties: Option<OwnedProperties>,
        blocking: bool,
    ) -> Result<(), ClientError> {
        self.with_state(|st| {
            st.target.host = Some(host.to_string());
            st.target.port = port;
            if let Some(b) = bind_address {
                st.target.bind_address = Some(b.to_string());
            }
            let cfg = st.session.config_mut();
            // Only MQTT 3.1 requires a client id: like the original, make
            // one up ("mosq-" and 18 random letters or digits).
            if cfg.client_id.is_none() && cfg.version == ProtocolVersion::V31 {
                cfg.client_id = Some(super::random::client_id());
            }
            cfg.keepalive = keepalive;
            if let Some(p) = properties {
                cfg.connect_properties = p;
            }
        });
        self.reconnect(blocking)
    }

    /// `mosquitto_reconnect*`: a new connection to the recorded broker.
    pub fn reconnect(&self, blocking: bool) -> Result<(), ClientError> {
        self.dial(blocking, false).map(|_| ())
    }

    /// `loop_forever`'s reconnect: none when another thread has connected
    /// (or is connecting) meanwhile, as `mosquitto_reconnect_async` racing
    /// the loop thread does; whether it connected.
    pub(super) fn redial(&self) -> Result<bool, ClientError> {
        self.dial(true, true)
    }

    /// Opens a new connection; with `unless_connected`, only when there is
    /// none and none being opened. Whether it connected.
    pub(super) fn dial(&self, blocking: bool, unless_connected: bool) -> Result<bool, ClientError> {
        if !self.claim_dial(unless_connected)? {
            return Ok(false);
        }
        let _dialing = Dialing(self);
        self.emit_pre_connect();
        let route = self.with_state(|st| Route {
            target: st.target.clone(),
            nodelay: st.tcp_nodelay,
            tls: st.tls.clone(),
            websockets: st.websockets.clone(),
        });
        let Some(host) = route.target.host.clone() else {
            return Err(ClientError::Inval);
        };
        self.with_state(|st| {
            check_connect_properties(st)?;
            // A disconnect from `on_pre_connect` stops the loop's reconnect.
            if unless_connected && st.intent == Intent::Disconnect {
                return Err(ClientError::NoConn);
            }
            st.drop_link();
            st.intent = Intent::Connect;
            Ok::<(), ClientError>(())
        })?;
        let opened = self.open_stream(&route, &host, blocking)?;
        let result = self.install_link(opened);
        if let Err(e) = &result {
            self.log_tls_error(e);
        }
        result.map(|()| true)
    }

    /// Claims the right to open a connection, under the lock, before it is
    /// opened without it, so that `loop_start`'s thread waits for this
    /// connection rather than opening a second one. `false` when
    /// `unless_connected` and another connection exists or is opening.
    fn claim_dial(&self, unless_connected: bool) -> Result<bool, ClientError> {
        self.with_state(|st| {
            check_connect_properties(st)?;
            if unless_connected && (st.dialing > 0 || st.link.is_some()) {
                return Ok(false);
            }
            // The loop thread's reconnect yields to a disconnect the
            // application asked for after the loop last looked.
            if unless_connected && st.intent == Intent::Disconnect {
                return Err(ClientError::NoConn);
            }
            st.dialing += 1;
            st.intent = Intent::Connect;
            Ok(true)
        })
    }

    /// Connects the socket (to the SOCKS5 proxy when there is one) and puts
    /// TLS and WebSocket on it; with a proxy, they wait for its handshake
    /// (see `flush_locked`).
    fn open_stream(
        &self,
        route: &Route,
        host: &str,
        blocking: bool,
    ) -> Result<Opened, ClientError> {
        let target = &route.target;
        let bind = target.bind_address.as_deref();
        let (stream, progress) = match &target.socks5 {
            Some(proxy) => transport::connect(&proxy.host, proxy.port, bind, blocking)?,
            None => transport::connect(host, target.port, bind, blocking)?,
        };
        if route.nodelay {
            let _ = stream.set_nodelay(true);
        }
        let stream = Arc::new(stream);
        if let Some(p) = &target.socks5 {
            let user = p.username.as_deref();
            let socks = Socks5::new(host, target.port, user, p.password.as_deref());
            return Ok(Opened {
                stream,
                progress,
                socks: Some(Box::new(socks)),
            });
        }
        let stream = Client::start_tls(stream, route.tls.get(), host)
            .inspect_err(|e| self.log_tls_error(e))?;
        let stream = Client::start_websocket(stream, route.websockets.get(), host, target.port)?;
        Ok(Opened {
            stream,
            progress,
            socks: None,
        })
    }

    /// Makes `stream` this client's connection and starts the session on
    /// it (at once when nothing is left to negotiate). Without a loop
    /// thread the original writes CONNECT at once, which also reveals a
    /// refused non-blocking connect.
    fn install_link(&self, opened: Opened) -> Result<(), ClientError> {
        let Opened {
            stream,
            progress,
            socks,
        } = opened;
        let mut after = PendingReport::default();
        let result = self.with_state(|st| {
            // `mosquitto_disconnect` came while the socket was opening
            // (without the lock): it wins, the new socket is closed unused.
            if st.intent == Intent::Disconnect {
                return Err(ClientError::NoConn);
            }
            st.generation += 1;
            let connecting = progress == Connecting::InProgress;
            let direct = socks.is_none();
            st.link = Some(Link {
                stream,
                connecting,
                socks,
            });
            if direct && !connecting {
                let started = self.logged(st, &mut after, |st| {
                    st.session.start_connect(now_ms(), st.out.vec())
                });
                if let Err(e) = started {
                    st.abandon_link();
                    return Err(e.into());
                }
            }
            let r = if self.writes_directly() {
                self.flush_locked(st, &mut after)
            } else {
                st.wake();
                Ok(())
            };
            if r.is_err() {
                // As the original: the connection is dropped and the client
                // is back to "new", with nothing reported.
                st.abandon_link();
                st.intent = Intent::New;
            }
            r
        });
        self.report(after);
        result
    }
}

/// What a connection is opened with, copied out of the state.
struct Route {
    target: Target,
    nodelay: bool,
    tls: OnDemand<TlsSettings>,
    websockets: OnDemand<WsSettings>,
}

/// A socket just opened, with what is left to negotiate on it.
struct Opened {
    stream: Arc<Stream>,
    progress: Connecting,
    socks: Option<Box<Socks5>>,
}

/// CONNECT properties need MQTT 5 (`NotSupported` otherwise).
fn check_connect_properties(st: &State) -> Result<(), ClientError> {
    let config = st.session.config();
    if !config.version.is_v5() && !config.connect_properties.is_empty() {
        return Err(ClientError::NotSupported);
    }
    Ok(())
}

/// Marks a connection being opened (see [`Client::dial`]) until dropped.
struct Dialing<'a>(&'a Client);

impl Drop for Dialing<'_> {
    fn drop(&mut self) {
        self.0
            .with_state(|st| st.dialing = st.dialing.saturating_sub(1));
    }
}
