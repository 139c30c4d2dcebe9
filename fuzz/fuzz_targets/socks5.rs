//! libFuzzer entry point for [`mosquitto_fuzz::socks5`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mosquitto_fuzz::socks5(data));
