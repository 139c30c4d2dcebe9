//! libFuzzer entry point for [`mosquitto_fuzz::properties`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mosquitto_fuzz::properties(data));
