//! The client's one error type, and the parser of Okta's error envelope.

use std::time::Duration;

use serde::Deserialize;

/// Everything that can go wrong talking to Okta. No variant ever holds a token or a password:
/// requests are described by method and path template only.
#[derive(Debug, thiserror::Error)]
pub enum OktaError {
    /// Okta answered with its error envelope.
    #[error("{}", describe_api_error(*status, error_code, error_summary, causes, request_id.as_deref()))]
    Api {
        status: u16,
        error_code: String,
        error_summary: String,
        causes: Vec<String>,
        request_id: Option<String>,
    },
    /// A non-success answer without Okta's error envelope (a proxy's error page, an empty body).
    #[error("{method} {path}: unexpected HTTP {status} without an Okta error body ({detail}){}", request_id_suffix(request_id.as_deref()))]
    UnexpectedStatus {
        method: String,
        path: &'static str,
        status: u16,
        detail: String,
        request_id: Option<String>,
    },
    /// Okta kept answering 429 after every wait the client allows.
    #[error("{method} {path}: still rate limited by Okta after {attempts} attempts (waited {waited:?} in total){}", request_id_suffix(request_id.as_deref()))]
    RateLimited {
        method: String,
        path: &'static str,
        attempts: u32,
        waited: Duration,
        request_id: Option<String>,
    },
    #[error("{method} {path}: no answer from {org} within {timeout:?}")]
    Timeout {
        method: String,
        path: &'static str,
        /// The org's URL, so that a fleet's error says which org is unreachable.
        org: String,
        timeout: Duration,
    },
    #[error("{method} {path}: could not reach {org}: {detail}")]
    Transport {
        method: String,
        path: &'static str,
        org: String,
        detail: String,
    },
    /// An answer that is not the JSON the API documents.
    #[error("could not read {what} from Okta's answer: {detail}")]
    Decode { what: String, detail: String },
    #[error("invalid org URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error(
        "the API token cannot be sent in an HTTP header (it contains characters a token never has)"
    )]
    InvalidToken,
    #[error("{path}: {detail}")]
    Pagination { path: &'static str, detail: String },
    /// An answer longer than any the API sends (a misbehaving proxy or server).
    #[error("{method} {path}: the answer is larger than {limit} bytes; refusing to read it")]
    AnswerTooLarge {
        method: String,
        path: &'static str,
        limit: usize,
    },
    #[error("could not build the HTTP client: {detail}")]
    ClientSetup { detail: String },
    /// The service app's private key cannot be used (never carries key material).
    #[error("the private key of service app {client_id} cannot be used: {detail}")]
    ServiceAppKey { client_id: String, detail: String },
    /// Okta's token endpoint refused the service app (OAuth's `error` and `error_description`).
    #[error("{org} refused an access token to service app {client_id}: {error}{}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default(), oauth_hint(error))]
    TokenRefused {
        org: String,
        client_id: String,
        error: String,
        description: Option<String>,
    },
    /// 403 `insufficient_scope`: the access token lacks a scope the endpoint needs.
    #[error("{method} {path}: the service app's access token for {org} lacks the scope {}; grant it to the app in the Admin Console (Okta API Scopes) and add it to the app's scopes in the provider configuration", scope.as_deref().unwrap_or("this endpoint needs"))]
    InsufficientScope {
        method: String,
        path: &'static str,
        org: String,
        scope: Option<String>,
    },
}

/// What to check for the token endpoint's usual refusals.
fn oauth_hint(error: &str) -> &'static str {
    match error {
        "invalid_client" => {
            ": check the client_id, and that the app's public keys in Okta include the configured private key's (and its key_id, if set)"
        }
        "invalid_scope" => {
            ": every scope requested must be granted to the app in the Admin Console (Okta API Scopes)"
        }
        "unauthorized_client" => {
            ": the app must be an API Services app allowed the client credentials grant"
        }
        _ => "",
    }
}

/// The error codes the provider acts on. Okta says `errorCode` is the only field meant for flow
/// control; summaries change over time.
pub mod codes {
    pub const VALIDATION_FAILED: &str = "E0000001";
    pub const NOT_FOUND: &str = "E0000007";
    pub const INVALID_TOKEN: &str = "E0000011";
    pub const ACCESS_DENIED: &str = "E0000006";
    pub const WRONG_USER_STATUS: &str = "E0000038";
    pub const ALREADY_ACTIVE: &str = "E0000016";
    pub const RATE_LIMITED: &str = "E0000047";
    pub const PASSWORD_REFUSED: &str = "E0000080";
    pub const ROLE_ALREADY_ASSIGNED: &str = "E0000090";
    /// 409: the user is still being activated (an asynchronous activation has not finished).
    pub const USER_STILL_ACTIVATING: &str = "E0000112";
    /// 409: another request is changing the same role assignments.
    pub const ROLE_CHANGE_IN_PROGRESS: &str = "E0000268";
}

impl OktaError {
    /// The HTTP status of an answer, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            OktaError::Api { status, .. } | OktaError::UnexpectedStatus { status, .. } => {
                Some(*status)
            }
            OktaError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    pub fn error_code(&self) -> Option<&str> {
        match self {
            OktaError::Api { error_code, .. } if !error_code.is_empty() => Some(error_code),
            _ => None,
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            OktaError::Api { request_id, .. }
            | OktaError::UnexpectedStatus { request_id, .. }
            | OktaError::RateLimited { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// Okta's `E0000080`: the password does not meet the password policy's requirements.
    pub fn is_password_refused(&self) -> bool {
        self.error_code() == Some(codes::PASSWORD_REFUSED)
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404) || self.error_code() == Some(codes::NOT_FOUND)
    }

    /// 401: the token is invalid, expired or revoked (it dies with the user who owns it).
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }

    /// The same error with `secret` (a credential a server or proxy reflected into its answer,
    /// as it is or in another form) cut out of every text of the answer, so that it never
    /// reaches a diagnostic or a log (`secret::scrub`).
    pub fn redacted(self, secret: &str) -> OktaError {
        if secret.is_empty() {
            return self;
        }
        let cut = |text: String| crate::secret::scrub(&text, secret);
        match self {
            OktaError::Api {
                status,
                error_code,
                error_summary,
                causes,
                request_id,
            } => OktaError::Api {
                status,
                error_code: cut(error_code),
                error_summary: cut(error_summary),
                causes: causes.into_iter().map(cut).collect(),
                request_id,
            },
            OktaError::UnexpectedStatus {
                method,
                path,
                status,
                detail,
                request_id,
            } => OktaError::UnexpectedStatus {
                method,
                path,
                status,
                detail: cut(detail),
                request_id,
            },
            other => other,
        }
    }

    /// A failure of Okta or of the network rather than of the request: 5xx, 429, a timeout or a
    /// broken connection. The request may or may not have taken effect; sending it again is
    /// right only for a caller that first checks what Okta holds (or whose request is
    /// idempotent).
    pub fn is_transient(&self) -> bool {
        match self.status() {
            Some(status) => status >= 500 || status == 429,
            None => matches!(
                self,
                OktaError::Timeout { .. } | OktaError::Transport { .. }
            ),
        }
    }

    /// Okta's `E0000001` naming the login as taken ("login: An object with this field already
    /// exists in the current organization"): a create that made nothing because another user,
    /// in any status, holds the login.
    pub fn is_login_taken(&self) -> bool {
        match self {
            OktaError::Api { causes, .. }
                if self.error_code() == Some(codes::VALIDATION_FAILED) =>
            {
                causes.iter().any(|cause| {
                    cause.trim_start().starts_with("login:") && cause.contains("already exists")
                })
            }
            _ => false,
        }
    }

    /// Okta's `E0000001` naming a `name` as taken: a group, zone or policy rule of that name
    /// exists (another run may have made it a moment ago).
    pub fn is_name_taken(&self) -> bool {
        match self {
            OktaError::Api { causes, .. }
                if self.error_code() == Some(codes::VALIDATION_FAILED) =>
            {
                causes.iter().any(|cause| {
                    cause.trim_start().starts_with("name:") && cause.contains("already exists")
                })
            }
            _ => false,
        }
    }

    /// Okta's `E0000090`: the role is already assigned. Matched on the code, not the status,
    /// because 400 and 409 have both been seen for it.
    pub fn is_role_already_assigned(&self) -> bool {
        self.error_code() == Some(codes::ROLE_ALREADY_ASSIGNED)
    }
}

/// Okta's error envelope, e.g.
/// `{"errorCode":"E0000001","errorSummary":"Api validation failed","errorLink":"E0000001",
///   "errorId":"oae…","errorCauses":[{"errorSummary":"login: …"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorEnvelope {
    pub error_code: String,
    #[serde(default)]
    pub error_summary: String,
    #[serde(default)]
    pub error_id: Option<String>,
    #[serde(default, deserialize_with = "causes")]
    pub error_causes: Vec<String>,
}

/// Parses an error body. Anything that is not an envelope with an `errorCode` is a `Decode`
/// error, so the caller can fall back to reporting the bare status.
pub fn parse_error_envelope(body: &[u8]) -> Result<ErrorEnvelope, OktaError> {
    serde_json::from_slice::<ErrorEnvelope>(body).map_err(|error| OktaError::Decode {
        what: "error envelope".to_owned(),
        detail: error.to_string(),
    })
}

/// `errorCauses` is a list of `{errorSummary}` objects; anything else in it is skipped rather
/// than failing the whole envelope.
fn causes<'de, D>(deserializer: D) -> Result<Vec<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    let Some(serde_json::Value::Array(items)) = value else {
        return Ok(Vec::new());
    };
    Ok(items
        .into_iter()
        .filter_map(|item| match item {
            serde_json::Value::Object(mut fields) => match fields.remove("errorSummary") {
                Some(serde_json::Value::String(summary)) => Some(summary),
                _ => None,
            },
            serde_json::Value::String(summary) => Some(summary),
            _ => None,
        })
        .collect())
}

fn describe_api_error(
    status: u16,
    error_code: &str,
    error_summary: &str,
    causes: &[String],
    request_id: Option<&str>,
) -> String {
    let mut message = format!("Okta error {error_code} (HTTP {status}): {error_summary}");
    if !causes.is_empty() {
        message.push_str(" (");
        message.push_str(&causes.join("; "));
        message.push(')');
    }
    message.push_str(&request_id_suffix(request_id));
    message
}

fn request_id_suffix(request_id: Option<&str>) -> String {
    match request_id {
        Some(id) => format!(" [Okta request id {id}]"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_login_is_told_from_other_validation_failures() {
        let api = |code: &str, cause: &str| OktaError::Api {
            status: 400,
            error_code: code.to_owned(),
            error_summary: "Api validation failed".to_owned(),
            causes: vec![cause.to_owned()],
            request_id: None,
        };
        let taken = "login: An object with this field already exists in the current organization";
        assert!(api("E0000001", taken).is_login_taken());
        assert!(!api("E0000001", "email: Does not match required pattern").is_login_taken());
        assert!(
            !api("E0000001", "name: An object with this field already exists").is_login_taken()
        );
        assert!(!api("E0000038", taken).is_login_taken());
    }

    #[test]
    fn envelopes_are_parsed_with_their_causes() {
        let body = br#"{"errorCode":"E0000001","errorSummary":"Api validation failed",
            "errorLink":"E0000001","errorId":"oaeHfmOAx1iRLa0H10DeMz5fQ",
            "errorCauses":[{"errorSummary":"login: An object with this field already exists"}],
            "somethingNew":true}"#;
        let envelope = parse_error_envelope(body).unwrap();
        assert_eq!(envelope.error_code, "E0000001");
        assert_eq!(envelope.error_summary, "Api validation failed");
        assert_eq!(
            envelope.error_id.as_deref(),
            Some("oaeHfmOAx1iRLa0H10DeMz5fQ")
        );
        assert_eq!(
            envelope.error_causes,
            vec!["login: An object with this field already exists"]
        );
    }

    #[test]
    fn envelopes_with_missing_or_odd_causes_still_parse() {
        let envelope = parse_error_envelope(br#"{"errorCode":"E0000047"}"#).unwrap();
        assert!(envelope.error_causes.is_empty());
        assert_eq!(envelope.error_summary, "");
        let envelope = parse_error_envelope(
            br#"{"errorCode":"E0000001","errorCauses":[1,{"x":2},{"errorSummary":"ok"},"bare"]}"#,
        )
        .unwrap();
        assert_eq!(envelope.error_causes, vec!["ok", "bare"]);
        let envelope =
            parse_error_envelope(br#"{"errorCode":"E0000001","errorCauses":null}"#).unwrap();
        assert!(envelope.error_causes.is_empty());
    }

    #[test]
    fn malformed_error_bodies_are_decode_errors() {
        for body in [
            &b""[..],
            b"<html>502 Bad Gateway</html>",
            b"{\"errorCode\":",
            b"[]",
            b"{\"errorSummary\":\"no code\"}",
            b"{\"errorCode\":42}",
            &[0xff, 0xfe, 0x00],
        ] {
            match parse_error_envelope(body) {
                Err(OktaError::Decode { what, .. }) => assert_eq!(what, "error envelope"),
                other => panic!("{body:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn api_errors_display_code_summary_causes_and_request_id() {
        let error = OktaError::Api {
            status: 400,
            error_code: "E0000001".to_owned(),
            error_summary: "Api validation failed".to_owned(),
            causes: vec!["login: taken".to_owned(), "email: bad".to_owned()],
            request_id: Some("req-1".to_owned()),
        };
        assert_eq!(
            error.to_string(),
            "Okta error E0000001 (HTTP 400): Api validation failed (login: taken; email: bad) [Okta request id req-1]"
        );
        assert_eq!(error.status(), Some(400));
        assert_eq!(error.error_code(), Some("E0000001"));
        assert!(!error.is_not_found());
    }

    #[test]
    fn role_already_assigned_is_recognised_by_code_whatever_the_status() {
        for status in [400, 409] {
            let error = OktaError::Api {
                status,
                error_code: codes::ROLE_ALREADY_ASSIGNED.to_owned(),
                error_summary: String::new(),
                causes: Vec::new(),
                request_id: None,
            };
            assert!(error.is_role_already_assigned());
        }
    }
}
