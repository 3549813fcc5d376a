//! What an answer, or a request that got none, means: Okta's error envelope or another
//! server's page, a conflict that passes by itself, a transient status, a scope the token
//! lacks, a certificate nobody trusts; and reading a body without buffering more than a cap.

use reqwest::StatusCode;

use super::error::{OktaError, parse_error_envelope};
use super::oauth::challenge_parameter;

/// A 409 whose error code names a conflict that resolves by itself.
pub(super) fn is_passing_conflict(body: &[u8]) -> bool {
    super::error::parse_error_envelope(body).is_ok_and(|envelope| {
        [
            super::error::codes::USER_STILL_ACTIVATING,
            super::error::codes::ROLE_CHANGE_IN_PROGRESS,
        ]
        .contains(&envelope.error_code.as_str())
    })
}

/// Statuses that say "try again later" rather than "this request is wrong".
pub(super) fn is_transient(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::INTERNAL_SERVER_ERROR
            | StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
    )
}

pub(super) fn error_from_answer(
    method: &str,
    template: &'static str,
    status: StatusCode,
    body: &[u8],
    request_id: Option<String>,
) -> OktaError {
    match parse_error_envelope(body) {
        Ok(envelope) => OktaError::Api {
            status: status.as_u16(),
            error_code: envelope.error_code,
            error_summary: envelope.error_summary,
            causes: envelope.error_causes,
            request_id,
        },
        Err(_) => OktaError::UnexpectedStatus {
            method: method.to_owned(),
            path: template,
            status: status.as_u16(),
            detail: excerpt(body),
            request_id,
        },
    }
}

/// The scope named by a 403 `insufficient_scope` challenge: `Some(None)` when the challenge
/// names none, `None` when the 403 is not about scopes.
pub(super) fn insufficient_scope(headers: &reqwest::header::HeaderMap) -> Option<Option<String>> {
    headers
        .get_all("WWW-Authenticate")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|challenge| {
            challenge_parameter(challenge, "error").as_deref() == Some("insufficient_scope")
        })
        .map(|challenge| challenge_parameter(challenge, "scope"))
}

/// The start of a non-Okta error body, for the error message.
pub(super) fn excerpt(body: &[u8]) -> String {
    if body.is_empty() {
        return "empty body".to_owned();
    }
    let text = String::from_utf8_lossy(body);
    let mut shortened: String = text
        .chars()
        .take(160)
        .map(|character| {
            if character.is_control() {
                ' '
            } else {
                character
            }
        })
        .collect();
    if text.chars().count() > 160 {
        shortened.push('…');
    }
    format!("body starts {shortened:?}")
}

/// Reads an answer's body, giving up (`None`) once it passes `limit` bytes, declared or read.
pub(super) async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Option<Vec<u8>>, reqwest::Error> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Ok(None);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

/// Whether a transport failure was a TLS certificate the client does not trust (unknown
/// issuer, expired, wrong name), found in the error's chain of causes.
pub(super) fn is_certificate_error(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        // rustls's error travels inside io::Errors (nested), whose `source` skips what they wrap.
        let mut inner: &(dyn std::error::Error + 'static) = cause;
        while let Some(wrapped) = inner
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            inner = wrapped;
        }
        if matches!(
            inner.downcast_ref::<rustls::Error>(),
            Some(rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented)
        ) {
            return true;
        }
        source = cause.source();
    }
    false
}

/// The error chain without the URL (which holds logins and filters, and is in the log anyway).
pub(super) fn describe_transport_error(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut detail = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        detail.push_str(": ");
        detail.push_str(&cause.to_string());
        source = cause.source();
    }
    detail
}
