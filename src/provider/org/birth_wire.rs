//! What the create and the org's birth helper process say to each other, one JSON object per
//! line: the order on the helper's stdin (then, maybe, `"abandon"`), the birth's reports on its
//! stdout. The token Okta returns crosses only this pipe (`created`); the helper's stderr is for
//! logs, which never hold a secret.

use serde::{Deserialize, Serialize};
use std::time::Duration;

use crate::okta::{ChildOrg, NewChildOrg, OktaError, OrgUrl, UserProfile};
use crate::provider::diag;
use crate::secret::Secret;
use tfplugin6::diagnostics::Severity;
use tfplugin6::{Diagnostic, Diagnostics};

use super::birth::{BirthEvent, BirthOrder};

/// The hidden argument that makes the provider binary the org's birth helper.
pub const HELPER_ARGUMENT: &str = "__org-birth";

/// The longest order line the helper reads (a configuration with keys is a few kilobytes).
pub(super) const MAX_ORDER_BYTES: u64 = 1024 * 1024;

/// The first line on the helper's stdin.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WireOrder {
    /// The provider block as Terraform sent it, in Terraform's JSON encoding of the provider
    /// schema's type (the helper reads it as `ConfigureProvider` would).
    pub config: String,
    pub subdomain: String,
    pub name: String,
    pub website: Option<String>,
    pub admin_profile: UserProfile,
    pub admin_password: Option<String>,
    pub expected_url: Option<String>,
    pub wait_seconds: u64,
    /// Register the org's service app (a fleet key); else the helper makes the org and keeps
    /// its token in custody until the create says it returned it (`RETURNED_LINE`).
    #[serde(default = "registers_by_default")]
    pub register: bool,
}

fn registers_by_default() -> bool {
    true
}

impl WireOrder {
    pub(super) fn new(config: String, order: &BirthOrder) -> WireOrder {
        let org = &order.new_org;
        WireOrder {
            config,
            subdomain: org.subdomain.clone(),
            name: org.name.clone(),
            website: org.website.clone(),
            admin_profile: org.admin_profile.clone(),
            admin_password: org
                .admin_password
                .as_ref()
                .map(|password| password.expose().to_owned()),
            expected_url: order.expected_url.clone(),
            wait_seconds: order.wait.as_secs(),
            register: order.register,
        }
    }

    /// The birth it asks for.
    pub(super) fn into_order(self) -> (String, BirthOrder) {
        let order = BirthOrder {
            new_org: NewChildOrg {
                subdomain: self.subdomain,
                name: self.name,
                website: self.website,
                admin_profile: self.admin_profile,
                admin_password: self.admin_password.map(Secret::new),
            },
            expected_url: self.expected_url,
            wait: Duration::from_secs(self.wait_seconds),
            register: self.register,
        };
        (self.config, order)
    }
}

/// The create's later word to the helper: stop before the app's registration.
pub(super) const ABANDON_LINE: &str = "\"abandon\"";

/// The create's last word to a helper that keeps a new org's token (no fleet key): the create
/// returned the org, token included, to Terraform, so the custody ends.
pub(super) const RETURNED_LINE: &str = "\"returned\"";

/// One report of the helper on its stdout: a `BirthEvent` in JSON.
#[derive(Serialize, Deserialize, Debug)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum Report {
    Created {
        id: String,
        status: Option<String>,
        org_url: Option<String>,
        admin_user_id: Option<String>,
        token: String,
    },
    Taken {
        status: u16,
        error_code: String,
        error_summary: String,
        causes: Vec<String>,
        request_id: Option<String>,
        answer_lost: bool,
    },
    Failed {
        diagnostics: Vec<WireDiagnostic>,
    },
    Registering,
    Registered {
        client_id: String,
        key_ids: Vec<String>,
        warnings: Vec<WireDiagnostic>,
    },
    Abandoned,
}

/// A diagnostic on the pipe (an org's birth names no attribute).
#[derive(Serialize, Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(super) struct WireDiagnostic {
    error: bool,
    summary: String,
    detail: String,
}

fn to_wire(diagnostics: &Diagnostics) -> Vec<WireDiagnostic> {
    diagnostics
        .clone()
        .into_iter()
        .map(|d| WireDiagnostic {
            error: d.severity == Severity::Error,
            summary: d.summary,
            detail: d.detail,
        })
        .collect()
}

fn from_wire(diagnostics: Vec<WireDiagnostic>) -> Diagnostics {
    diagnostics
        .into_iter()
        .map(|d| diag::relayed(d.error, d.summary, d.detail))
        .collect::<Vec<Diagnostic>>()
        .into()
}

impl Report {
    pub(super) fn of(event: &BirthEvent) -> Report {
        match event {
            BirthEvent::Created(org) => Report::Created {
                id: org.id.clone(),
                status: org.status.clone(),
                org_url: org.org_url.as_ref().map(|url| url.as_str().to_owned()),
                admin_user_id: org.admin_user_id.clone(),
                token: org.token.expose().to_owned(),
            },
            BirthEvent::Taken { error, answer_lost } => match error {
                OktaError::Api {
                    status,
                    error_code,
                    error_summary,
                    causes,
                    request_id,
                } => Report::Taken {
                    status: *status,
                    error_code: error_code.clone(),
                    error_summary: error_summary.clone(),
                    causes: causes.clone(),
                    request_id: request_id.clone(),
                    answer_lost: *answer_lost,
                },
                // Only Okta's error envelope says a subdomain is taken.
                other => Report::Failed {
                    diagnostics: to_wire(&diag::okta("creating the org", other).into()),
                },
            },
            BirthEvent::Failed(diagnostics) => Report::Failed {
                diagnostics: to_wire(diagnostics),
            },
            BirthEvent::Registering => Report::Registering,
            BirthEvent::Registered {
                client_id,
                key_ids,
                warnings,
            } => Report::Registered {
                client_id: client_id.clone(),
                key_ids: key_ids.clone(),
                warnings: to_wire(warnings),
            },
            BirthEvent::Abandoned => Report::Abandoned,
        }
    }

    pub(super) fn into_event(self) -> BirthEvent {
        match self {
            Report::Created {
                id,
                status,
                org_url,
                admin_user_id,
                token,
            } => BirthEvent::Created(ChildOrg {
                id,
                subdomain: None,
                name: None,
                website: None,
                status,
                token: Secret::new(token),
                token_type: None,
                org_url: org_url.and_then(|url| OrgUrl::parse(&url).ok()),
                admin_user_id,
            }),
            Report::Taken {
                status,
                error_code,
                error_summary,
                causes,
                request_id,
                answer_lost,
            } => BirthEvent::Taken {
                error: OktaError::Api {
                    status,
                    error_code,
                    error_summary,
                    causes,
                    request_id,
                },
                answer_lost,
            },
            Report::Failed { diagnostics } => BirthEvent::Failed(from_wire(diagnostics)),
            Report::Registering => BirthEvent::Registering,
            Report::Registered {
                client_id,
                key_ids,
                warnings,
            } => BirthEvent::Registered {
                client_id,
                key_ids,
                warnings: from_wire(warnings),
            },
            Report::Abandoned => BirthEvent::Abandoned,
        }
    }
}

/// Why an order line was refused, without echoing any of it (it holds secrets): serde's own
/// messages may quote the offending value.
pub(super) fn order_error(error: &serde_json::Error) -> String {
    let what = match error.classify() {
        serde_json::error::Category::Io => "could not be read",
        serde_json::error::Category::Syntax => "is not JSON",
        serde_json::error::Category::Data => {
            "is JSON, but not an order (a field is missing, unknown or of the wrong type)"
        }
        serde_json::error::Category::Eof => "ends early",
    };
    format!(
        "the order on stdin {what} (line {}, column {})",
        error.line(),
        error.column()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_error_never_quotes_the_order() {
        let line = r#"{"config":"{}","subdomain":"a","name":"n","website":null,"admin_profile":{},"admin_password":"hunter2-secret","expected_url":null,"wait_seconds":"hunter3-secret"}"#;
        let error = serde_json::from_str::<WireOrder>(line).err().unwrap();
        // serde's own message quotes the value: the helper's never does.
        assert!(error.to_string().contains("hunter3-secret"), "{error}");
        let said = order_error(&error);
        assert!(!said.contains("hunter"), "{said}");
        assert!(said.contains("not an order"), "{said}");
    }

    #[test]
    fn a_report_crosses_the_pipe_whole() {
        let created = ChildOrg {
            id: "00o1".to_owned(),
            subdomain: None,
            name: None,
            website: None,
            status: Some("ACTIVE".to_owned()),
            token: Secret::new("00token"),
            token_type: None,
            org_url: OrgUrl::parse("https://acme.okta.com").ok(),
            admin_user_id: Some("00u1".to_owned()),
        };
        let line = serde_json::to_string(&Report::of(&BirthEvent::Created(created))).unwrap();
        let report: Report = serde_json::from_str(&line).unwrap();
        let BirthEvent::Created(back) = report.into_event() else {
            panic!("{line}");
        };
        assert_eq!(back.id, "00o1");
        assert_eq!(back.token.expose(), "00token");
        assert_eq!(back.admin_user_id.as_deref(), Some("00u1"));
        assert_eq!(
            back.org_url.map(|url| url.as_str().to_owned()),
            OrgUrl::parse("https://acme.okta.com")
                .ok()
                .map(|url| url.as_str().to_owned())
        );
        let line = serde_json::to_string(&Report::of(&BirthEvent::Failed(diag::org_birth_lost(
            "acme", None,
        ))))
        .unwrap();
        let report: Report = serde_json::from_str(&line).unwrap();
        let BirthEvent::Failed(diagnostics) = report.into_event() else {
            panic!("{line}");
        };
        assert!(diagnostics.has_errors(), "{line}");
    }
}
