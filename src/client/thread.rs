//! `mosquitto_loop_start`'s one background thread.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::error::ClientError;
use super::{lock, Client, Intent, Threading};

impl Client {
    /// `mosquitto_loop_start`: runs `loop_forever` on a new thread (which
    /// first waits, as the original's does, until a connect is requested).
    pub fn loop_start(self: &Arc<Self>) -> Result<(), ClientError> {
        let mut slot = lock(&self.thread);
        if self.threading() != Threading::None || slot.is_some() {
            return Err(ClientError::Inval);
        }
        self.stop.store(false, Ordering::Release);
        self.with_state(|st| st.ensure_wake());
        self.set_threading(Threading::OwnThread);
        let client = Arc::clone(self);
        let spawned = std::thread::Builder::new()
            .name("mosquitto loop".into())
            .spawn(move || client.thread_main());
        match spawned {
            Ok(handle) => {
                *slot = Some(handle);
                Ok(())
            }
            Err(e) => {
                self.set_threading(Threading::None);
                Err(ClientError::Io(e))
            }
        }
    }

    fn thread_main(&self) {
        // Until a connect is asked for and its connection is open (or has
        // failed): starting earlier would race it with a second one.
        while self.with_state(|st| st.intent == Intent::New || st.dialing > 0) {
            if self.stop_requested() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let keepalive = self.with_state(|st| st.session.config().keepalive);
        let timeout = if keepalive == 0 {
            86_400_000
        } else {
            i32::from(keepalive) * 1000
        };
        let _ = self.loop_forever(timeout);
    }

    /// `mosquitto_loop_stop`: wakes the loop thread and waits for it. With
    /// `force` the thread leaves at its next step; without, it leaves when
    /// `loop_forever` ends (after a disconnect), as in the original.
    pub fn loop_stop(&self, force: bool) -> Result<(), ClientError> {
        if self.threading() != Threading::OwnThread {
            return Err(ClientError::Inval);
        }
        self.stop_thread(force);
        Ok(())
    }

    /// Stops and joins the loop thread, if there is one and it is not the
    /// calling thread.
    pub(super) fn stop_thread(&self, force: bool) {
        let handle = lock(&self.thread).take();
        if let Some(handle) = handle {
            if force {
                self.stop.store(true, Ordering::Release);
            }
            self.with_state(|st| st.wake());
            if handle.thread().id() != std::thread::current().id() {
                let _ = handle.join();
            }
            self.stop.store(false, Ordering::Release);
        }
        if self.threading() == Threading::OwnThread {
            self.set_threading(Threading::None);
        }
    }

    /// `mosquitto_destroy`'s first step: stop a running loop thread.
    pub fn shutdown(&self) {
        self.stop_thread(true);
        self.with_state(|st| {
            if let Some(link) = st.link.take() {
                let _ = link.stream.shutdown();
            }
        });
    }
}
