//! The emulator's typed errors and the one function that turns them into Okta's error envelope.

use axum::http::StatusCode;
use serde_json::{Value, json};

/// Everything the emulator can refuse, named after Okta's error codes' meaning.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// E0000001: a field failed validation; each cause is one field's message.
    #[error("Api validation failed: {summary}")]
    Validation {
        summary: String,
        causes: Vec<String>,
    },
    /// E0000001: a path parameter whose percent-encoding is malformed or not UTF-8.
    #[error("Api validation failed: {name}")]
    InvalidPathParameter { name: String },
    /// E0000003: the body is not the JSON the endpoint expects.
    #[error("The request body was not well-formed.")]
    MalformedBody,
    /// E0000001 with HTTP 413: the body is larger than the emulator accepts.
    #[error("Api validation failed: request body too large")]
    BodyTooLarge { limit: usize },
    /// E0000001 with HTTP 414: the request target is longer than the emulator reads. Okta's
    /// catalogue has no code for it (its edge answers before the API does); the envelope is the
    /// emulator's choice, so that clients parse it as any Okta error.
    #[error("Api validation failed: request URI too long")]
    UriTooLong { limit: usize },
    /// E0000001 with HTTP 431: more header bytes or fields than the emulator reads (the same
    /// choice as for 414).
    #[error("Api validation failed: request header fields too large")]
    HeadersTooLarge { limit: usize, fields: usize },
    /// E0000003 with HTTP 408: the body did not arrive within the body read timeout. No Okta code
    /// exists for it; the body is what was not received whole, hence the reader's code.
    #[error("The request body was not well-formed.")]
    BodyTimeout { seconds: f64 },
    /// E0000021: a body whose `Content-Type` is not JSON. Okta's catalogue gives this code HTTP
    /// 400 ("HTTP media type not supported exception"), and Okta's SDK users report exactly
    /// `400 E0000021` for a form-encoded body.
    #[error(
        "Bad request.  Accept and/or Content-Type headers likely do not match supported values."
    )]
    UnsupportedMediaType,
    /// E0000006: the token's owner lacks the admin privilege the endpoint needs.
    #[error("You do not have permission to perform the requested action")]
    Forbidden,
    /// E0000007: the object does not exist in this org.
    #[error("Not found: Resource not found: {id} ({kind})")]
    NotFound { id: String, kind: &'static str },
    /// E0000008: no such path.
    #[error("The requested path was not found")]
    PathNotFound,
    /// E0000009: an injected (or genuine) server error.
    #[error("Internal Server Error")]
    Internal,
    /// An injected status with no error of its own here: E0000009 for 5xx (what a gateway in
    /// front of Okta, 502 or 504, answers when the service behind it failed or timed out), and
    /// E0000001 for 4xx. The HTTP status is the injected one.
    #[error("{}", injected_summary(*status))]
    Injected { status: u16 },
    /// E0000010: an injected 503.
    #[error("Service is in read only mode")]
    Unavailable,
    /// E0000011: missing, unknown, revoked or other-org token.
    #[error("Invalid token provided")]
    InvalidToken,
    /// E0000015: the org lacks the feature (the Org Creator API outside the partner org).
    #[error("You do not have permission to access the feature you are requesting")]
    FeatureNotEnabled,
    /// E0000016: activating a user that is already active.
    #[error("Activation failed because the user is already active")]
    AlreadyActive,
    /// E0000022: the path exists but not with this method.
    #[error("The endpoint does not support the provided HTTP method")]
    MethodNotAllowed,
    /// E0000028: a required query parameter is missing.
    #[error("The request is missing a required parameter.")]
    MissingParameter { name: String },
    /// E0000029: an `after` cursor that this list did not make.
    #[error("Invalid paging request.")]
    InvalidPaging,
    /// E0000031: a `filter` or `search` expression the endpoint does not accept.
    #[error("Invalid search criteria.")]
    InvalidSearch { detail: String },
    /// E0000053: a System Log `filter` that is not a valid SCIM filter.
    #[error("Invalid SCIM filter.")]
    InvalidScimFilter { detail: String },
    /// E0000080: a password that the applicable password policy refuses.
    #[error(
        "The password does not meet the complexity requirements of the current password policy."
    )]
    PasswordPolicy { detail: String },
    /// E0000032: unlocking a user that is not locked out.
    #[error("Unlock is not allowed for this user.")]
    UnlockNotAllowed,
    /// E0000014: a credential change Okta refuses (a wrong old password, a password the policy
    /// refuses on the credential endpoints); the cause says which.
    #[error("Update of credentials failed")]
    CredentialsUpdateFailed { cause: String },
    /// E0000087: the recovery answer does not match.
    #[error("The recovery question answer did not match our records.")]
    RecoveryAnswerMismatch,
    /// E0000038: a lifecycle operation the user's current status does not allow.
    #[error("This operation is not allowed in the user's current status.")]
    WrongUserStatus,
    /// E0000047: the rate-limit bucket is empty.
    #[error("API call exceeded rate limit due to too many requests.")]
    RateLimited,
    /// E0000060: an Okta endpoint the emulator does not implement.
    #[error("Unsupported operation.")]
    Unsupported { what: String },
    /// E0000056: deleting an app that is still active (Okta's catalogue: "Delete application
    /// forbidden.", 403; the reference: "Deletes an inactive application").
    #[error("Delete application forbidden.")]
    DeleteActiveApp,
    /// E0000227: an admin role asked for a client that is not a service app (Okta's catalogue:
    /// "Roles can only be granted to service application type", 400).
    #[error("Roles can only be granted to service application type")]
    NotServiceApp,
    /// E0000062: the user is assigned to the app already (Okta's catalogue: "The specified user
    /// is already assigned to the application.", 409).
    #[error("The specified user is already assigned to the application.")]
    DuplicateAppAssignment,
    /// E0000090: the role is already assigned to the user.
    #[error("The role specified is already assigned to the user.")]
    DuplicateRole,
    /// E0000192: a role asked for a group a group rule assigns users to; Okta's catalogue:
    /// "Roles cannot be granted to groups with group membership rules. {0}".
    #[error("Roles cannot be granted to groups with group membership rules. {group}")]
    GroupWithRules { group: String },
    /// E0000211: a role asked for a built-in group (Everyone); Okta's catalogue: "Roles cannot
    /// be granted to built-in groups: {0}".
    #[error("Roles cannot be granted to built-in groups: {group}")]
    BuiltInGroupRole { group: String },
}

impl ApiError {
    /// A validation error with one cause, the common case (`login: An object with this field
    /// already exists in the current organization`).
    pub fn invalid(cause: impl Into<String>) -> Self {
        let cause = cause.into();
        ApiError::Validation {
            summary: cause.clone(),
            causes: vec![cause],
        }
    }

    pub fn not_found(id: impl Into<String>, kind: &'static str) -> Self {
        ApiError::NotFound {
            id: id.into(),
            kind,
        }
    }

    /// The error an injected fault answers with for an HTTP status.
    pub fn for_injected_status(status: u16) -> Self {
        match status {
            400 => ApiError::MalformedBody,
            401 => ApiError::InvalidToken,
            403 => ApiError::Forbidden,
            404 => ApiError::PathNotFound,
            405 => ApiError::MethodNotAllowed,
            429 => ApiError::RateLimited,
            500 => ApiError::Internal,
            503 => ApiError::Unavailable,
            status => ApiError::Injected { status },
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Validation { .. }
            | ApiError::BodyTooLarge { .. }
            | ApiError::UriTooLong { .. }
            | ApiError::HeadersTooLarge { .. }
            | ApiError::InvalidPathParameter { .. } => "E0000001",
            ApiError::MalformedBody | ApiError::BodyTimeout { .. } => "E0000003",
            ApiError::UnsupportedMediaType => "E0000021",
            ApiError::Forbidden => "E0000006",
            ApiError::NotFound { .. } => "E0000007",
            ApiError::PathNotFound => "E0000008",
            ApiError::Internal => "E0000009",
            ApiError::Injected { status } if *status >= 500 => "E0000009",
            ApiError::Injected { .. } => "E0000001",
            ApiError::Unavailable => "E0000010",
            ApiError::InvalidToken => "E0000011",
            ApiError::FeatureNotEnabled => "E0000015",
            ApiError::AlreadyActive => "E0000016",
            ApiError::MethodNotAllowed => "E0000022",
            ApiError::MissingParameter { .. } => "E0000028",
            ApiError::InvalidPaging => "E0000029",
            ApiError::InvalidSearch { .. } => "E0000031",
            ApiError::UnlockNotAllowed => "E0000032",
            ApiError::InvalidScimFilter { .. } => "E0000053",
            ApiError::PasswordPolicy { .. } => "E0000080",
            ApiError::WrongUserStatus => "E0000038",
            ApiError::CredentialsUpdateFailed { .. } => "E0000014",
            ApiError::RecoveryAnswerMismatch => "E0000087",
            ApiError::RateLimited => "E0000047",
            ApiError::Unsupported { .. } => "E0000060",
            ApiError::DuplicateRole => "E0000090",
            ApiError::DeleteActiveApp => "E0000056",
            ApiError::DuplicateAppAssignment => "E0000062",
            ApiError::NotServiceApp => "E0000227",
            ApiError::BuiltInGroupRole { .. } => "E0000211",
            ApiError::GroupWithRules { .. } => "E0000192",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Validation { .. }
            | ApiError::InvalidPathParameter { .. }
            | ApiError::MalformedBody
            | ApiError::UnsupportedMediaType
            | ApiError::MissingParameter { .. }
            | ApiError::InvalidPaging
            | ApiError::InvalidSearch { .. }
            | ApiError::InvalidScimFilter { .. }
            | ApiError::BuiltInGroupRole { .. }
            | ApiError::GroupWithRules { .. }
            | ApiError::NotServiceApp => StatusCode::BAD_REQUEST,
            ApiError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UriTooLong { .. } => StatusCode::URI_TOO_LONG,
            ApiError::HeadersTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::BodyTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            ApiError::InvalidToken | ApiError::FeatureNotEnabled => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden
            | ApiError::DeleteActiveApp
            | ApiError::AlreadyActive
            | ApiError::UnlockNotAllowed
            | ApiError::WrongUserStatus
            | ApiError::PasswordPolicy { .. }
            | ApiError::CredentialsUpdateFailed { .. }
            | ApiError::RecoveryAnswerMismatch => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } | ApiError::PathNotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::DuplicateRole | ApiError::DuplicateAppAssignment => StatusCode::CONFLICT,
            ApiError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Unsupported { .. } => StatusCode::NOT_IMPLEMENTED,
            ApiError::Injected { status } => {
                StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }

    fn causes(&self) -> Vec<String> {
        match self {
            ApiError::Validation { causes, .. } => causes.clone(),
            ApiError::BodyTooLarge { limit } => {
                vec![format!("The request body exceeds {limit} bytes")]
            }
            ApiError::UriTooLong { limit } => {
                vec![format!("The request URI exceeds {limit} bytes")]
            }
            ApiError::HeadersTooLarge { limit, fields } => {
                vec![format!(
                    "The request headers exceed {limit} bytes or {fields} fields"
                )]
            }
            ApiError::BodyTimeout { seconds } => {
                vec![format!(
                    "The request body did not arrive within {seconds} seconds"
                )]
            }
            ApiError::UnsupportedMediaType => {
                vec!["Content-Type: a request body must be application/json".to_string()]
            }
            ApiError::MissingParameter { name } => vec![format!("{name}: is required")],
            ApiError::InvalidPathParameter { name } => {
                vec![format!(
                    "{name}: is not a valid percent-encoded path segment"
                )]
            }
            ApiError::InvalidSearch { detail }
            | ApiError::InvalidScimFilter { detail }
            | ApiError::PasswordPolicy { detail } => vec![detail.clone()],
            ApiError::CredentialsUpdateFailed { cause } => vec![cause.clone()],
            ApiError::Unsupported { what } => {
                vec![format!("okta-emulator does not implement {what}")]
            }
            // Recorded by okta-sdk-python's test_unlock_user against a real org.
            ApiError::UnlockNotAllowed => vec!["The user is not locked out.".to_string()],
            _ => Vec::new(),
        }
    }
}

fn injected_summary(status: u16) -> &'static str {
    if status >= 500 {
        "Internal Server Error"
    } else {
        "Api validation failed: injected fault"
    }
}

/// The one place that builds Okta's error envelope:
/// `{errorCode, errorSummary, errorLink, errorId, errorCauses: [{errorSummary}]}`.
pub fn envelope(error: &ApiError) -> (StatusCode, Value) {
    let causes: Vec<Value> = error
        .causes()
        .into_iter()
        .map(|cause| json!({ "errorSummary": cause }))
        .collect();
    let body = json!({
        "errorCode": error.code(),
        "errorSummary": error.to_string(),
        "errorLink": error.code(),
        "errorId": crate::util::error_id(),
        "errorCauses": causes,
    });
    (error.status(), body)
}

/// A refusal of the OAuth 2.0 layer: the token endpoint's OAuth errors, and what the management
/// API answers for an access token it does not accept. Unlike [`ApiError`] it carries headers
/// (`DPoP-Nonce`, `WWW-Authenticate`), and its body is OAuth's `{error, error_description}`,
/// Okta's envelope, or nothing, depending on where Okta answers from. Descriptions never echo a
/// token, an assertion or a proof.
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthRefusal {
    pub status: StatusCode,
    pub body: Option<Value>,
    pub headers: Vec<(&'static str, String)>,
}

impl OAuthRefusal {
    /// An error of the token endpoint (RFC 6749 section 5.2), as Okta's org authorization server
    /// shapes it: `{"error": "...", "error_description": "..."}`.
    pub fn token_endpoint(status: StatusCode, error: &str, description: &str) -> OAuthRefusal {
        OAuthRefusal {
            status,
            body: Some(json!({ "error": error, "error_description": description })),
            headers: Vec::new(),
        }
    }

    /// A refusal of the management API with Okta's envelope for `error` and a
    /// `WWW-Authenticate` challenge.
    pub fn with_envelope(error: &ApiError, challenge: String) -> OAuthRefusal {
        let (status, body) = envelope(error);
        OAuthRefusal {
            status,
            body: Some(body),
            headers: vec![("www-authenticate", challenge)],
        }
    }

    /// A refusal of the management API that Okta answers with a challenge and no body (a
    /// missing scope, a DPoP proof it does not accept).
    pub fn challenge_only(status: StatusCode, challenge: String) -> OAuthRefusal {
        OAuthRefusal {
            status,
            body: None,
            headers: vec![("www-authenticate", challenge)],
        }
    }

    pub fn header(mut self, name: &'static str, value: String) -> OAuthRefusal {
        self.headers.push((name, value));
        self
    }
}
