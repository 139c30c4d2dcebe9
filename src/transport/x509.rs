//! The few fields of an X.509 certificate that the broker's certificate
//! checks read beside webpki's (see [`super::tls_verify`]): names, validity,
//! key usages. A small DER reader: the certificate is one the broker sent,
//! so anything unexpected is a parse failure (`None`), never a panic.

use std::net::IpAddr;

/// DER tags used below.
const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;
const BOOLEAN: u8 = 0x01;
const OCTET_STRING: u8 = 0x04;
const BIT_STRING: u8 = 0x03;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
/// `[0] EXPLICIT` version, `[3] EXPLICIT` extensions.
const VERSION_TAG: u8 = 0xA0;
const EXTENSIONS_TAG: u8 = 0xA3;
/// GeneralName choices: `dNSName [2]`, `iPAddress [7]`.
const SAN_DNS: u8 = 0x82;
const SAN_IP: u8 = 0x87;

/// OID bodies (without tag and length).
const OID_COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
const OID_SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1D, 0x11];
const OID_KEY_USAGE: &[u8] = &[0x55, 0x1D, 0x0F];
const OID_BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1D, 0x13];
const OID_EXT_KEY_USAGE: &[u8] = &[0x55, 0x1D, 0x25];
const OID_NS_CERT_TYPE: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x86, 0xF8, 0x42, 0x01, 0x01];
/// id-kp-serverAuth, and the two "server gated crypto" purposes OpenSSL
/// counts as server ones.
const OID_SERVER_AUTH: &[u8] = &[0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
const OID_MS_SGC: &[u8] = &[0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x0A, 0x03, 0x03];
const OID_NS_SGC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x86, 0xF8, 0x42, 0x04, 0x01];

/// One entry of the subjectAltName extension that a host can match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AltName {
    /// A `dNSName`, as its raw bytes.
    Dns(Vec<u8>),
    /// An `iPAddress`: 4 or 16 bytes.
    Ip(Vec<u8>),
}

/// What the checks need of one certificate.
#[derive(Debug, Clone, Default)]
pub struct CertInfo {
    /// X.509 version (1 for a certificate without the version field).
    pub version: u8,
    /// The DER of the issuer and subject names.
    pub issuer: Vec<u8>,
    /// See `issuer`.
    pub subject: Vec<u8>,
    /// Validity, in seconds since the Unix epoch.
    pub not_before: i64,
    /// See `not_before`.
    pub not_after: i64,
    /// The subject's commonName values, in order.
    pub common_names: Vec<Vec<u8>>,
    /// `None` without a subjectAltName extension.
    pub alt_names: Option<Vec<AltName>>,
    /// basicConstraints' `cA`, if the extension is present.
    pub is_ca: Option<bool>,
    /// The keyUsage bits (first two bytes), if the extension is present.
    pub key_usage: Option<u16>,
    /// Whether an extendedKeyUsage extension is present, and whether it
    /// allows a TLS server (serverAuth or a "server gated crypto" purpose).
    pub ext_key_usage: Option<bool>,
    /// The Netscape certificate type bits, if present.
    pub ns_cert_type: Option<u8>,
    /// The DER of the to-be-signed part, the signature algorithm and the
    /// signature value (for checking a signature by hand).
    pub tbs: Vec<u8>,
    /// See `tbs`: the AlgorithmIdentifier's contents.
    pub signature_algorithm: Vec<u8>,
    /// See `tbs`: the signature bits.
    pub signature: Vec<u8>,
    /// The subjectPublicKeyInfo's algorithm contents and key bits.
    pub key_algorithm: Vec<u8>,
    /// See `key_algorithm`.
    pub public_key: Vec<u8>,
}

/// keyUsage bits as OpenSSL numbers them within the first byte.
pub const KU_DIGITAL_SIGNATURE: u16 = 0x0080;
/// See [`KU_DIGITAL_SIGNATURE`].
pub const KU_KEY_ENCIPHERMENT: u16 = 0x0020;
/// See [`KU_DIGITAL_SIGNATURE`].
pub const KU_KEY_AGREEMENT: u16 = 0x0008;
/// Netscape certificate type: SSL server.
pub const NS_SSL_SERVER: u8 = 0x40;

/// Reads one DER element off the front of `input`: its tag, its contents,
/// and (for callers that need it) its whole encoding.
fn element<'a>(input: &mut &'a [u8]) -> Option<(u8, &'a [u8], &'a [u8])> {
    let whole = *input;
    let (&tag, rest) = whole.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |a, &b| (a << 8) | usize::from(b));
        rest = &rest[n..];
        len
    };
    if rest.len() < len {
        return None;
    }
    let header = whole.len() - rest.len();
    *input = &rest[len..];
    Some((tag, &rest[..len], &whole[..header + len]))
}

/// Reads an element that must have tag `want`; its contents.
fn expect<'a>(input: &mut &'a [u8], want: u8) -> Option<&'a [u8]> {
    match element(input)? {
        (tag, body, _) if tag == want => Some(body),
        _ => None,
    }
}

impl CertInfo {
    /// Parses a DER certificate; `None` if it is not one.
    pub fn parse(der: &[u8]) -> Option<CertInfo> {
        let mut input = der;
        let mut cert = expect(&mut input, SEQUENCE)?;
        let (tag, mut tbs, tbs_whole) = element(&mut cert)?;
        if tag != SEQUENCE {
            return None;
        }
        let mut info = CertInfo {
            tbs: tbs_whole.to_vec(),
            signature_algorithm: expect(&mut cert, SEQUENCE)?.to_vec(),
            signature: bits(expect(&mut cert, BIT_STRING)?)?.to_vec(),
            version: 1,
            ..CertInfo::default()
        };
        if tbs.first() == Some(&VERSION_TAG) {
            let mut v = expect(&mut tbs, VERSION_TAG)?;
            let v = expect(&mut v, 0x02)?;
            info.version = v.last().copied()? + 1;
        }
        expect(&mut tbs, 0x02)?; // serial number
        expect(&mut tbs, SEQUENCE)?; // signature algorithm
        let (_, _, issuer) = element(&mut tbs)?;
        info.issuer = issuer.to_vec();
        let mut validity = expect(&mut tbs, SEQUENCE)?;
        info.not_before = time(&mut validity)?;
        info.not_after = time(&mut validity)?;
        let (_, subject, subject_whole) = element(&mut tbs)?;
        info.subject = subject_whole.to_vec();
        info.common_names = common_names(subject)?;
        let mut spki = expect(&mut tbs, SEQUENCE)?;
        info.key_algorithm = expect(&mut spki, SEQUENCE)?.to_vec();
        info.public_key = bits(expect(&mut spki, BIT_STRING)?)?.to_vec();
        while let Some((tag, body, _)) = element(&mut tbs) {
            if tag == EXTENSIONS_TAG {
                info.read_extensions(body)?;
            }
        }
        Some(info)
    }

    fn read_extensions(&mut self, body: &[u8]) -> Option<()> {
        let mut body = body;
        let mut list = expect(&mut body, SEQUENCE)?;
        while !list.is_empty() {
            let mut ext = expect(&mut list, SEQUENCE)?;
            let oid = expect(&mut ext, OID)?;
            if ext.first() == Some(&BOOLEAN) {
                expect(&mut ext, BOOLEAN)?;
            }
            let mut value = expect(&mut ext, OCTET_STRING)?;
            match oid {
                OID_SUBJECT_ALT_NAME => {
                    let mut names = expect(&mut value, SEQUENCE)?;
                    let mut found = Vec::new();
                    while !names.is_empty() {
                        match element(&mut names)? {
                            (SAN_DNS, name, _) => found.push(AltName::Dns(name.to_vec())),
                            (SAN_IP, addr, _) => found.push(AltName::Ip(addr.to_vec())),
                            _ => {}
                        }
                    }
                    self.alt_names = Some(found);
                }
                OID_BASIC_CONSTRAINTS => {
                    let fields = expect(&mut value, SEQUENCE)?;
                    let ca = fields.starts_with(&[BOOLEAN, 0x01]) && fields.get(2) != Some(&0);
                    self.is_ca = Some(ca);
                }
                OID_KEY_USAGE => {
                    let b = bits(expect(&mut value, BIT_STRING)?)?;
                    let first = u16::from(b.first().copied().unwrap_or(0));
                    let second = u16::from(b.get(1).copied().unwrap_or(0));
                    self.key_usage = Some(first | (second << 8));
                }
                OID_EXT_KEY_USAGE => {
                    let mut oids = expect(&mut value, SEQUENCE)?;
                    let mut server = false;
                    while !oids.is_empty() {
                        let oid = expect(&mut oids, OID)?;
                        server |= [OID_SERVER_AUTH, OID_MS_SGC, OID_NS_SGC].contains(&oid);
                    }
                    self.ext_key_usage = Some(server);
                }
                OID_NS_CERT_TYPE => {
                    let b = bits(expect(&mut value, BIT_STRING)?)?;
                    self.ns_cert_type = Some(b.first().copied().unwrap_or(0));
                }
                _ => {}
            }
        }
        Some(())
    }

    /// Whether the certificate names itself as its issuer.
    pub fn self_issued(&self) -> bool {
        self.issuer == self.subject
    }

    /// Whether the key usages allow a TLS server, as OpenSSL's "SSL
    /// server" purpose check has it: keyUsage, when present, must allow
    /// digitalSignature, keyEncipherment or keyAgreement; extendedKeyUsage,
    /// when present, serverAuth; a Netscape type, when present, SSL server.
    pub fn allows_tls_server(&self) -> bool {
        let ku = KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT;
        self.key_usage.is_none_or(|k| k & ku != 0)
            && self.ext_key_usage.unwrap_or(true)
            && self.ns_cert_type.is_none_or(|t| t & NS_SSL_SERVER != 0)
    }

    /// Whether `host` is a name of this certificate, as the original's
    /// check has it: a subjectAltName `dNSName` (with its `*.` wildcard
    /// rule) or `iPAddress` (when `host` is an address) matches; if there
    /// is no `dNSName` entry, the first commonName is compared as a
    /// `dNSName` would be. Case does not matter. A name holding a NUL byte
    /// never matches (the original would compare up to the NUL).
    pub fn matches_host(&self, host: &str) -> bool {
        let ip: Option<IpAddr> = host.parse().ok();
        let mut have_dns = false;
        for name in self.alt_names.iter().flatten() {
            match name {
                AltName::Dns(dns) => {
                    if name_matches(dns, host) {
                        return true;
                    }
                    have_dns = true;
                }
                AltName::Ip(addr) => {
                    let same = match ip {
                        Some(IpAddr::V4(v4)) => addr[..] == v4.octets(),
                        Some(IpAddr::V6(v6)) => addr[..] == v6.octets(),
                        None => false,
                    };
                    if same {
                        return true;
                    }
                }
            }
        }
        if have_dns {
            return false;
        }
        self.common_names
            .first()
            .is_some_and(|cn| name_matches(cn, host))
    }
}

/// The original's comparison of a certificate name with the host: a name
/// starting with `*.` matches when the rest equals the host without its
/// first label (a host without a dot is compared whole); otherwise the
/// name must equal the host. ASCII case is ignored.
pub fn name_matches(name: &[u8], host: &str) -> bool {
    if name.contains(&0) {
        return false;
    }
    let host = host.as_bytes();
    match name.strip_prefix(b"*") {
        Some(rest) => {
            let Some(rest) = rest.strip_prefix(b".") else {
                return false;
            };
            // The first dot before the host's last character.
            let end = host.len().saturating_sub(1);
            let tail = match host[..end].iter().position(|&b| b == b'.') {
                Some(dot) => &host[dot + 1..],
                None => host,
            };
            rest.eq_ignore_ascii_case(tail)
        }
        None => name.eq_ignore_ascii_case(host),
    }
}

/// The contents of a BIT STRING with no unused bits beyond whole bytes
/// (the count byte is skipped; key usages ignore it).
fn bits(body: &[u8]) -> Option<&[u8]> {
    body.split_first().map(|(_, rest)| rest)
}

/// Every commonName value of a Name's contents, in order.
fn common_names(mut name: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut found = Vec::new();
    while !name.is_empty() {
        let mut rdn = expect(&mut name, SET)?;
        while !rdn.is_empty() {
            let mut atv = expect(&mut rdn, SEQUENCE)?;
            let oid = expect(&mut atv, OID)?;
            let (_, value, _) = element(&mut atv)?;
            if oid == OID_COMMON_NAME {
                found.push(value.to_vec());
            }
        }
    }
    Some(found)
}

/// A UTCTime or GeneralizedTime (`...Z`), in seconds since the epoch.
fn time(input: &mut &[u8]) -> Option<i64> {
    let (tag, body, _) = element(input)?;
    let text = std::str::from_utf8(body).ok()?.strip_suffix('Z')?;
    let (year, rest) = match tag {
        UTC_TIME => {
            let yy: i64 = text.get(..2)?.parse().ok()?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &text[2..])
        }
        GENERALIZED_TIME => (text.get(..4)?.parse().ok()?, &text[4..]),
        _ => return None,
    };
    if rest.len() != 10 || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |i: usize| -> i64 { rest[i..i + 2].parse().unwrap_or(0) };
    let (month, day, hour, min, sec) = (num(0), num(2), num(4), num(6), num(8));
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + min * 60 + sec)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_as_the_original_compares_them() {
        assert!(name_matches(b"localhost", "localhost"));
        assert!(name_matches(b"LocalHost", "localHOST"));
        assert!(!name_matches(b"localhost", "127.0.0.1"));
        assert!(name_matches(b"127.0.0.1", "127.0.0.1"));
        assert!(name_matches(b"*.example.com", "a.example.com"));
        assert!(name_matches(b"*.EXAMPLE.com", "A.example.COM"));
        assert!(!name_matches(b"*.example.com", "a.b.example.com"));
        assert!(!name_matches(b"*.example.com", "example.com"));
        // Only a leading "*." is a wildcard.
        assert!(!name_matches(b"*example.com", "aexample.com"));
        assert!(!name_matches(b"a*.example.com", "ab.example.com"));
        // A host without a dot is compared whole with the rest.
        assert!(name_matches(b"*.localhost", "localhost"));
        assert!(!name_matches(b"*.localhost", "a.localhost.x"));
        // A name with a NUL never matches.
        assert!(!name_matches(b"good.example\0.evil", "good.example"));
    }

    #[test]
    fn dates_convert_to_unix_time() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        let mut utc: &[u8] = b"\x17\x0d491231235959Z";
        assert_eq!(time(&mut utc), Some(2_524_607_999));
        let mut gen: &[u8] = b"\x18\x0f20500101000000Z";
        assert_eq!(time(&mut gen), Some(2_524_608_000));
        let mut bad: &[u8] = b"\x17\x0d491331235959Z";
        assert_eq!(time(&mut bad), None);
    }

    #[test]
    fn truncated_input_is_refused() {
        assert!(CertInfo::parse(&[]).is_none());
        assert!(CertInfo::parse(&[0x30, 0x82, 0x01]).is_none());
        assert!(CertInfo::parse(&[0x30, 0x03, 0x30, 0x01]).is_none());
    }
}
