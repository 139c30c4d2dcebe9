//! libFuzzer entry point for [`mosquitto_fuzz::ws_frames`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mosquitto_fuzz::ws_frames(data));
