//! libFuzzer entry point for [`mosquitto_fuzz::session`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mosquitto_fuzz::session(data));
