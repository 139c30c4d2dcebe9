//! The seeds of the transport parsers' fuzz targets (`ws_frames`,
//! `ws_handshake`, `socks5`, `legacy_pem`): broker frames, upgrade
//! answers, proxy replies and encrypted PEM keys, good and bad, built here
//! so that they are reproducible (see corpus.rs for the others).

use std::collections::BTreeMap;

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockEncryptMut, KeyIvInit};
use mosquitto::transport::legacy_pem::bytes_to_key;
use mosquitto::transport::websocket::handshake::{accept_key, request_key};

/// Seeds of one target, by file name.
type Seeds = BTreeMap<String, Vec<u8>>;

/// The transport targets' seeds, by target.
pub fn seeds() -> Vec<(&'static str, Seeds)> {
    vec![
        ("ws_frames", ws_frames()),
        ("ws_handshake", ws_handshake()),
        ("socks5", socks5()),
        ("legacy_pem", legacy_pem()),
    ]
}

fn named(list: Vec<(&str, Vec<u8>)>) -> Seeds {
    list.into_iter().map(|(n, b)| (n.to_string(), b)).collect()
}

/// An unmasked server frame: FIN as given, 7-bit, 16-bit or (`long`)
/// 64-bit length form.
fn frame(fin: bool, opcode: u8, payload: &[u8], long: bool) -> Vec<u8> {
    let mut f = vec![if fin { 0x80 } else { 0 } | opcode];
    if long {
        f.push(127);
        f.extend_from_slice(&(payload.len() as u64).to_be_bytes());
    } else if payload.len() < 126 {
        f.push(payload.len() as u8);
    } else {
        f.push(126);
        f.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    }
    f.extend_from_slice(payload);
    f
}

/// The seed byte (piece sizes and room), then the frames.
fn ws_frames() -> Seeds {
    const CONNACK: &[u8] = &[0x20, 2, 0, 0];
    let publish: Vec<u8> = [&[0x30, 12, 0, 3][..], b"a/b", b"payload"].concat();
    let big = vec![0x42; 300];
    let with = |seed: u8, frames: Vec<Vec<u8>>| [vec![seed], frames.concat()].concat();
    named(vec![
        ("connack", with(0, vec![frame(true, 2, CONNACK, false)])),
        (
            "packets-in-one-frame",
            with(
                7,
                vec![frame(true, 2, &[CONNACK, &publish].concat(), false)],
            ),
        ),
        (
            "packet-across-frames",
            with(
                42,
                vec![
                    frame(false, 2, &publish[..5], false),
                    frame(false, 0, &publish[5..9], false),
                    frame(true, 0, &publish[9..], false),
                ],
            ),
        ),
        (
            "ping-between-fragments",
            with(
                3,
                vec![
                    frame(false, 2, &publish[..6], false),
                    frame(true, 9, b"hi", false),
                    frame(true, 0, &publish[6..], false),
                    frame(true, 10, b"", false),
                ],
            ),
        ),
        ("length-16", with(200, vec![frame(true, 2, &big, false)])),
        ("length-64", with(99, vec![frame(true, 2, &publish, true)])),
        (
            "close-after-data",
            with(
                1,
                vec![
                    frame(true, 2, CONNACK, false),
                    frame(true, 8, &1000u16.to_be_bytes(), false),
                ],
            ),
        ),
        (
            "bad-masked",
            with(5, vec![vec![0x82, 0x84, 1, 2, 3, 4, 0, 0, 0, 0]]),
        ),
        ("bad-text", with(5, vec![frame(true, 1, b"text", false)])),
        ("bad-reserved", with(5, vec![vec![0xC2, 0]])),
        (
            "bad-continuation",
            with(5, vec![frame(true, 0, CONNACK, false)]),
        ),
        ("bad-close", with(5, vec![frame(true, 8, &[3], false)])),
        (
            "bad-long-ping",
            with(5, vec![frame(true, 9, &[0; 126], false)]),
        ),
    ])
}

/// The broker's answers to the upgrade whose nonce is the fuzz target's.
fn ws_handshake() -> Seeds {
    let accept = accept_key(&request_key(b"the sample nonce"));
    let answer = |lines: &[&str], end: &str| {
        let mut s = lines.join(end);
        s.push_str(end);
        s.push_str(end);
        s.into_bytes()
    };
    let accept_line = format!("Sec-WebSocket-Accept: {accept}");
    let good = vec![
        "HTTP/1.1 101 Switching Protocols",
        "Upgrade: websocket",
        "Connection: Upgrade",
        accept_line.as_str(),
        "Sec-WebSocket-Protocol: mqtt",
    ];
    let with = |i: usize, line: &'static str| {
        let mut l = good.clone();
        l[i] = line;
        answer(&l, "\r\n")
    };
    let plus = |line: &'static str| {
        let mut l = good.clone();
        l.push(line);
        answer(&l, "\r\n")
    };
    let mut and_frame = answer(&good, "\r\n");
    and_frame.extend_from_slice(&frame(true, 2, &[0x20, 2, 0, 0], false));
    named(vec![
        ("good", answer(&good, "\r\n")),
        ("good-lf-only", answer(&good, "\n")),
        ("good-then-frame", and_frame),
        ("version-13", plus("Sec-WebSocket-Version: 13")),
        ("version-8", plus("Sec-WebSocket-Version: 8")),
        (
            "extension",
            plus("Sec-WebSocket-Extensions: permessage-deflate"),
        ),
        ("not-found", with(0, "HTTP/1.1 404 Not Found")),
        ("wrong-accept", with(3, "Sec-WebSocket-Accept: AAAA")),
        (
            "wrong-protocol",
            with(4, "Sec-WebSocket-Protocol: mqttv3.1"),
        ),
        ("no-colon", with(2, "Connection Upgrade")),
    ])
}

/// A config byte (see the target), then the proxy's replies.
fn socks5() -> Seeds {
    const V4: &[u8] = &[5, 0, 0, 1, 127, 0, 0, 1, 0x07, 0x5B];
    let v6: Vec<u8> = [&[5, 0, 0, 4][..], &[0; 15], &[1, 0x07, 0x5B]].concat();
    let domain: Vec<u8> = [&[5, 0, 0, 3, 6][..], b"broker", &[0x07, 0x5B]].concat();
    let seed = |config: u8, parts: &[&[u8]]| [&[config][..], &parts.concat()].concat();
    named(vec![
        ("ipv4-no-auth", seed(0x00, &[&[5, 0], V4])),
        ("ipv6-no-auth-pieces", seed(0x31, &[&[5, 0], &v6])),
        ("domain-reply", seed(0x22, &[&[5, 0], &domain])),
        ("password", seed(0x4E, &[&[5, 2], &[1, 0], V4])),
        ("password-skipped", seed(0x0C, &[&[5, 0], V4])),
        ("password-refused", seed(0x0C, &[&[5, 2], &[1, 1]])),
        ("no-method", seed(0x00, &[&[5, 0xFF]])),
        ("userpass-not-offered", seed(0x00, &[&[5, 2]])),
        (
            "request-failed",
            seed(0x00, &[&[5, 0], &[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]]),
        ),
        ("bad-version", seed(0x00, &[&[4, 0]])),
        (
            "bad-address-type",
            seed(0x00, &[&[5, 0], &[5, 0, 0, 9, 0, 0]]),
        ),
        (
            "trailing-mqtt",
            seed(0x00, &[&[5, 0], V4, &[0x20, 2, 0, 0]]),
        ),
    ])
}

/// `data` encrypted the way OpenSSL writes a traditional PEM key.
fn encrypt(cipher: &str, iv: &[u8], data: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; data.len() + 16];
    let key_len = match cipher {
        "AES-128-CBC" => 16,
        "AES-192-CBC" | "DES-EDE3-CBC" => 24,
        _ => 32,
    };
    let key = bytes_to_key(b"secret", &iv[..8], key_len);
    let out = match cipher {
        "AES-128-CBC" => cbc::Encryptor::<aes::Aes128>::new_from_slices(&key, iv)
            .unwrap()
            .encrypt_padded_b2b_mut::<Pkcs7>(data, &mut buf),
        "AES-192-CBC" => cbc::Encryptor::<aes::Aes192>::new_from_slices(&key, iv)
            .unwrap()
            .encrypt_padded_b2b_mut::<Pkcs7>(data, &mut buf),
        "AES-256-CBC" => cbc::Encryptor::<aes::Aes256>::new_from_slices(&key, iv)
            .unwrap()
            .encrypt_padded_b2b_mut::<Pkcs7>(data, &mut buf),
        _ => cbc::Encryptor::<des::TdesEde3>::new_from_slices(&key, iv)
            .unwrap()
            .encrypt_padded_b2b_mut::<Pkcs7>(data, &mut buf),
    };
    out.unwrap().to_vec()
}

/// Standard base64 in lines of 64 characters, as PEM has it.
fn pem_body(data: &[u8]) -> String {
    use base64ct::{Base64, Encoding};
    let mut text = vec![0u8; data.len().div_ceil(3) * 4];
    let encoded = Base64::encode(data, &mut text).unwrap();
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    lines.join("\n")
}

/// A PEM block with `label` and `DEK-Info: info`, whose body is `data`.
fn pem(label: &str, info: Option<&str>, data: &[u8]) -> Vec<u8> {
    let headers = info
        .map(|i| format!("Proc-Type: 4,ENCRYPTED\nDEK-Info: {i}\n\n"))
        .unwrap_or_default();
    format!(
        "-----BEGIN {label}-----\n{headers}{}\n-----END {label}-----\n",
        pem_body(data)
    )
    .into_bytes()
}

/// Keys encrypted with the target's password by every cipher read, and
/// blocks whose headers are wrong in each way told apart.
fn legacy_pem() -> Seeds {
    // The start of a DER SEQUENCE, as a key would begin.
    let der: Vec<u8> = [&[0x30, 0x2E, 0x02, 0x01, 0x00][..], &[0x5A; 41]].concat();
    let iv16: Vec<u8> = (0..16).collect();
    let iv8: Vec<u8> = (0..8).map(|i| 0xA0 + i).collect();
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02X}")).collect::<String>();
    let mut list = Vec::new();
    for (name, cipher, iv, label) in [
        ("aes-128", "AES-128-CBC", &iv16, "RSA PRIVATE KEY"),
        ("aes-192", "AES-192-CBC", &iv16, "EC PRIVATE KEY"),
        ("aes-256", "AES-256-CBC", &iv16, "PRIVATE KEY"),
        ("des-ede3", "DES-EDE3-CBC", &iv8, "DSA PRIVATE KEY"),
    ] {
        let info = format!("{cipher},{}", hex(iv));
        list.push((name, pem(label, Some(&info), &encrypt(cipher, iv, &der))));
    }
    let mut after_cert = pem("CERTIFICATE", None, b"not a certificate");
    after_cert.extend_from_slice(&list[0].1);
    list.push(("after-certificate", after_cert));
    let crlf = String::from_utf8(list[0].1.clone())
        .unwrap()
        .replace('\n', "\r\n");
    list.push(("crlf", crlf.into_bytes()));
    let info16 = format!("AES-128-CBC,{}", hex(&iv16));
    list.extend([
        ("plain", pem("RSA PRIVATE KEY", None, &der)),
        ("pkcs8-encrypted", pem("ENCRYPTED PRIVATE KEY", None, &der)),
        (
            "des-cbc",
            pem("RSA PRIVATE KEY", Some("DES-CBC,0001020304050607"), &der),
        ),
        (
            "unknown-cipher",
            pem("RSA PRIVATE KEY", Some("FOO-CBC,0001020304050607"), &der),
        ),
        (
            "short-iv",
            pem("RSA PRIVATE KEY", Some("AES-128-CBC,0001"), &der),
        ),
        (
            "not-whole-blocks",
            pem("RSA PRIVATE KEY", Some(&info16), &der[..20]),
        ),
    ]);
    named(list)
}
