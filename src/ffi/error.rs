//! Typed errors to C return values, in one place: a [`ClientError`]
//! becomes its `MOSQ_ERR_*` value and, where the original sets one, an
//! `errno`; a property list the C API cannot read becomes the client error
//! the original reports for it.

use std::ffi::c_int;

use super::boundary::report_errno;
use super::constants::{mosq_err_t::MOSQ_ERR_SUCCESS, rc};
use crate::client::ClientError;
use crate::protocol::property::PropertyError;
use crate::session::SessionError;

/// The return code for `e`, setting `errno` where the original does.
pub(crate) fn error_rc(e: &ClientError) -> c_int {
    if let Some(errno) = e.errno() {
        report_errno(errno);
    }
    e.mosq_err()
}

/// The return code for `r`.
pub(crate) fn result_rc(r: Result<(), ClientError>) -> c_int {
    match r {
        Ok(()) => rc(MOSQ_ERR_SUCCESS),
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
                property_error(e).mosq_err(),
                super::super::property::error_code(e)
            );
        }
    }
}
