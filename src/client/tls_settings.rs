//! The client's TLS settings as typed setters: `mosquitto_tls_set`,
//! `mosquitto_tls_insecure_set`, `mosquitto_tls_opts_set` and the TLS
//! options, with the original's checks. Files are only checked for being
//! readable here; their contents are read at connect time.

use std::path::{Path, PathBuf};

use super::{Client, ClientError};
use crate::transport::{MinVersion, PasswordSource};

/// What `mosquitto_tls_set` names: a CA file or folder, and optionally a
/// client certificate with its key.
#[derive(Clone, Debug, Default)]
pub struct TlsFiles {
    /// CA certificates in one PEM file.
    pub cafile: Option<PathBuf>,
    /// A folder of CA certificates.
    pub capath: Option<PathBuf>,
    /// The client certificate.
    pub certfile: Option<PathBuf>,
    /// The client certificate's key.
    pub keyfile: Option<PathBuf>,
}

/// Whether `p` can be opened for reading (the original's `fopen` check).
fn readable(p: &Path) -> bool {
    std::fs::File::open(p).is_ok()
}

impl Client {
    /// `mosquitto_tls_set`: `Inval` without a CA file or folder, with a
    /// certificate but no key (or the reverse), or when the CA file,
    /// certificate or key cannot be opened. As the original, the files are
    /// stored one by one, and a failure undoes what it stored before
    /// (except the CA file, which a failing CA file check leaves unset).
    pub fn set_tls(
        &self,
        files: TlsFiles,
        password: Option<PasswordSource>,
    ) -> Result<(), ClientError> {
        let TlsFiles {
            cafile,
            capath,
            certfile,
            keyfile,
        } = files;
        if (cafile.is_none() && capath.is_none()) || certfile.is_some() != keyfile.is_some() {
            return Err(ClientError::Inval);
        }
        self.with_state(|st| {
            let tls = st.tls.get_mut();
            tls.cafile = None;
            if let Some(f) = cafile {
                if !readable(&f) {
                    return Err(ClientError::Inval);
                }
                tls.cafile = Some(f);
            }
            tls.capath = capath;
            tls.certfile = None;
            if let Some(f) = certfile {
                if !readable(&f) {
                    tls.cafile = None;
                    tls.capath = None;
                    return Err(ClientError::Inval);
                }
                tls.certfile = Some(f);
            }
            tls.keyfile = None;
            if let Some(f) = keyfile {
                if !readable(&f) {
                    tls.cafile = None;
                    tls.capath = None;
                    tls.certfile = None;
                    return Err(ClientError::Inval);
                }
                tls.keyfile = Some(f);
            }
            tls.password = password;
            Ok(())
        })
    }

    /// `mosquitto_tls_insecure_set`: skip (true) the check that the
    /// broker's certificate names the host connected to.
    pub fn set_tls_insecure(&self, insecure: bool) -> Result<(), ClientError> {
        self.with_state(|st| st.tls.get_mut().insecure = insecure);
        Ok(())
    }

    /// `mosquitto_tls_opts_set`: peer verification (`cert_reqs`, stored
    /// first, as the original), the lowest TLS version (`None`: TLS 1.2;
    /// an unknown name is `Inval`) and the TLS 1.2 cipher list.
    pub fn set_tls_opts(
        &self,
        cert_reqs: i32,
        version: Option<&str>,
        ciphers: Option<String>,
    ) -> Result<(), ClientError> {
        self.with_state(|st| {
            st.tls.get_mut().cert_reqs = cert_reqs;
            let min = match version {
                None => MinVersion::Tls12,
                Some(v) => MinVersion::parse(v).ok_or(ClientError::Inval)?,
            };
            let tls = st.tls.get_mut();
            tls.min_version = min;
            tls.ciphers = ciphers;
            Ok(())
        })
    }

    /// `MOSQ_OPT_TLS_USE_OS_CERTS`.
    pub fn set_tls_use_os_certs(&self, on: bool) -> Result<(), ClientError> {
        self.with_state(|st| st.tls.get_mut().use_os_certs = on);
        Ok(())
    }

    /// `MOSQ_OPT_TLS_ALPN` (`None`, a NULL string, is `Inval`).
    pub fn set_tls_alpn(&self, alpn: Option<&[u8]>) -> Result<(), ClientError> {
        let alpn = alpn.ok_or(ClientError::Inval)?;
        self.with_state(|st| st.tls.get_mut().alpn = Some(alpn.to_vec()));
        Ok(())
    }

    /// `MOSQ_OPT_TLS_OCSP_REQUIRED`: stapled OCSP checking is not
    /// implemented, so asking for it is `NotSupported` (never pretend).
    pub fn set_tls_ocsp_required(&self, required: bool) -> Result<(), ClientError> {
        if required {
            Err(ClientError::NotSupported)
        } else {
            Ok(())
        }
    }

    /// `MOSQ_OPT_TLS_KEYFORM`: "pem" (any case) is what we read; keys
    /// held by an OpenSSL engine ("engine") are `NotSupported`, anything
    /// else (or none) `Inval`.
    pub fn set_tls_keyform(&self, keyform: Option<&[u8]>) -> Result<(), ClientError> {
        match keyform {
            Some(v) if v.eq_ignore_ascii_case(b"pem") => Ok(()),
            Some(v) if v.eq_ignore_ascii_case(b"engine") => Err(ClientError::NotSupported),
            _ => Err(ClientError::Inval),
        }
    }

    /// `MOSQ_OPT_TLS_ENGINE` and `MOSQ_OPT_TLS_ENGINE_KPASS_SHA1`: OpenSSL
    /// engines do not exist in rustls (`NotSupported`).
    pub fn set_tls_engine(&self) -> Result<(), ClientError> {
        Err(ClientError::NotSupported)
    }

    /// `MOSQ_OPT_SSL_CTX`: no context (the library's own set-up) is what we
    /// always use; an application's OpenSSL context is `NotSupported`.
    pub fn set_ssl_ctx(&self, has_context: bool) -> Result<(), ClientError> {
        if has_context {
            Err(ClientError::NotSupported)
        } else {
            Ok(())
        }
    }

    /// `MOSQ_OPT_SSL_CTX_WITH_DEFAULTS`: accepted and unused (it only
    /// applies to an application's `SSL_CTX`, which cannot be set).
    pub fn set_ssl_ctx_with_defaults(&self, _on: bool) -> Result<(), ClientError> {
        Ok(())
    }
}
