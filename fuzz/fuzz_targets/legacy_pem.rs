//! libFuzzer entry point for [`mosquitto_fuzz::legacy_pem`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mosquitto_fuzz::legacy_pem(data));
