//! libFuzzer entry point for [`mosquitto_fuzz::decode_v5`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mosquitto_fuzz::decode_v5(data));
