//! The one place where typed errors become C return values: an
//! [`ErrorKind`] becomes its `MOSQ_ERR_*` value (and a [`ClientError`] also
//! its `errno`, where the original sets one), an application's return code
//! becomes an error kind, and a property list the C API cannot read becomes
//! the client error the original reports for it.

use std::ffi::c_int;

use super::boundary::report_errno;
use super::constants::mosq_err_t::{self, *};
use crate::client::{ClientError, ErrorKind};
use crate::protocol::property::PropertyError;
use crate::session::SessionError;

/// Every error kind with a constant of its own, with that constant.
const KINDS: [(ErrorKind, mosq_err_t); 25] = [
    (ErrorKind::NoMem, MOSQ_ERR_NOMEM),
    (ErrorKind::Protocol, MOSQ_ERR_PROTOCOL),
    (ErrorKind::Inval, MOSQ_ERR_INVAL),
    (ErrorKind::NoConn, MOSQ_ERR_NO_CONN),
    (ErrorKind::ConnRefused, MOSQ_ERR_CONN_REFUSED),
    (ErrorKind::NotFound, MOSQ_ERR_NOT_FOUND),
    (ErrorKind::ConnLost, MOSQ_ERR_CONN_LOST),
    (ErrorKind::Tls, MOSQ_ERR_TLS),
    (ErrorKind::PayloadSize, MOSQ_ERR_PAYLOAD_SIZE),
    (ErrorKind::NotSupported, MOSQ_ERR_NOT_SUPPORTED),
    (ErrorKind::Auth, MOSQ_ERR_AUTH),
    (ErrorKind::AclDenied, MOSQ_ERR_ACL_DENIED),
    (ErrorKind::Unknown, MOSQ_ERR_UNKNOWN),
    (ErrorKind::Errno, MOSQ_ERR_ERRNO),
    (ErrorKind::Eai, MOSQ_ERR_EAI),
    (ErrorKind::Proxy, MOSQ_ERR_PROXY),
    (ErrorKind::MalformedUtf8, MOSQ_ERR_MALFORMED_UTF8),
    (ErrorKind::Keepalive, MOSQ_ERR_KEEPALIVE),
    (ErrorKind::MalformedPacket, MOSQ_ERR_MALFORMED_PACKET),
    (ErrorKind::DuplicateProperty, MOSQ_ERR_DUPLICATE_PROPERTY),
    (ErrorKind::QosNotSupported, MOSQ_ERR_QOS_NOT_SUPPORTED),
    (ErrorKind::OversizePacket, MOSQ_ERR_OVERSIZE_PACKET),
    (ErrorKind::RetainNotSupported, MOSQ_ERR_RETAIN_NOT_SUPPORTED),
    (ErrorKind::TopicAliasInvalid, MOSQ_ERR_TOPIC_ALIAS_INVALID),
    (ErrorKind::ConnPending, MOSQ_ERR_CONN_PENDING),
];

/// The `MOSQ_ERR_*` value of `kind`.
pub fn kind_rc(kind: ErrorKind) -> c_int {
    if let ErrorKind::Other(rc) = kind {
        return rc;
    }
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(MOSQ_ERR_UNKNOWN as c_int, |&(_, rc)| rc as c_int)
}

/// The error kind of a return code an application gave the library (as
/// its extended authentication callback's result): [`kind_rc`] gives
/// `rc` back.
pub fn rc_kind(rc: c_int) -> ErrorKind {
    KINDS
        .iter()
        .find(|&&(_, code)| code as c_int == rc)
        .map_or(ErrorKind::Other(rc), |&(kind, _)| kind)
}

/// The `MOSQ_ERR_*` value of a session error.
pub fn session_rc(e: SessionError) -> c_int {
    kind_rc(e.into())
}

/// The return code for `e`, setting `errno` where the original does.
pub(crate) fn error_rc(e: &ClientError) -> c_int {
    if let Some(errno) = e.errno() {
        report_errno(errno);
    }
    kind_rc(e.kind())
}

/// The return code for `r`.
pub(crate) fn result_rc(r: Result<(), ClientError>) -> c_int {
    match r {
        Ok(()) => MOSQ_ERR_SUCCESS as c_int,
        Err(e) => error_rc(&e),
    }
}

/// The client error for a C property list that cannot be read, with the
/// code [`super::property::error_code`] gives it.
pub(crate) fn property_error(e: PropertyError) -> ClientError {
    ClientError::Session(match e {
        PropertyError::MalformedUtf8 => SessionError::MalformedUtf8,
        PropertyError::Duplicate => SessionError::DuplicateProperty,
        PropertyError::Malformed
        | PropertyError::NotAllowed
        | PropertyError::InvalidValue
        | PropertyError::ZeroTopicAlias => SessionError::Protocol,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_goes_there_and_back() {
        for rc in -10..=200 {
            assert_eq!(kind_rc(rc_kind(rc)), rc);
        }
        for (kind, code) in KINDS {
            assert_eq!(rc_kind(kind_rc(kind)), kind, "{code:?}");
        }
    }

    /// The failures that end `loop_forever` are the original's list.
    #[test]
    fn fatal_kinds_are_the_originals() {
        let fatal = [
            MOSQ_ERR_NOMEM,
            MOSQ_ERR_PROTOCOL,
            MOSQ_ERR_INVAL,
            MOSQ_ERR_NOT_FOUND,
            MOSQ_ERR_TLS,
            MOSQ_ERR_PAYLOAD_SIZE,
            MOSQ_ERR_NOT_SUPPORTED,
            MOSQ_ERR_AUTH,
            MOSQ_ERR_ACL_DENIED,
            MOSQ_ERR_UNKNOWN,
            MOSQ_ERR_EAI,
            MOSQ_ERR_PROXY,
        ];
        for rc in -10..=200 {
            let expected = fatal.iter().any(|&f| f as c_int == rc);
            assert_eq!(rc_kind(rc).is_fatal(), expected, "rc {rc}");
        }
    }

    #[test]
    fn broker_faults_are_protocol_errors() {
        for e in [
            SessionError::BrokerMalformed,
            SessionError::ReceiveMaximumExceeded,
            SessionError::BrokerTopicAliasInvalid,
        ] {
            assert_eq!(session_rc(e), MOSQ_ERR_PROTOCOL as c_int);
        }
    }

    #[test]
    fn property_errors_keep_their_c_codes() {
        use PropertyError::*;
        for e in [
            Malformed,
            MalformedUtf8,
            Duplicate,
            NotAllowed,
            InvalidValue,
            ZeroTopicAlias,
        ] {
            assert_eq!(
                error_rc(&property_error(e)),
                super::super::property::error_code(e)
            );
        }
    }
}
