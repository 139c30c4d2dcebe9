//! libFuzzer entry point for [`mosquitto_fuzz::topic_utf8`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mosquitto_fuzz::topic_utf8(data));
