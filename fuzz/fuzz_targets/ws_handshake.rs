//! libFuzzer entry point for [`mosquitto_fuzz::ws_handshake`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mosquitto_fuzz::ws_handshake(data));
