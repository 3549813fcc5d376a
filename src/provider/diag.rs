//! The one place where the provider's errors, rule violations and guard decisions become
//! Terraform diagnostics.

use crate::plugin::{AttributePath, Diagnostic, Diagnostics};
use crate::rules::guard::{Notice, Refusal};
use crate::rules::violation::Violation;

use super::config::ConfigError;

pub fn from_config_errors(errors: Vec<ConfigError>) -> Diagnostics {
    errors
        .into_iter()
        .map(|error| {
            Diagnostic::error(error.summary, error.detail)
                .at(AttributePath::attributes([error.attribute]))
        })
        .collect::<Vec<_>>()
        .into()
}

/// Every violation of the rules, each at its attribute.
pub fn violations(violations: Vec<Violation>) -> Diagnostics {
    violations
        .into_iter()
        .map(|violation| {
            Diagnostic::error(violation.summary, violation.detail)
                .at(AttributePath::attributes(violation.path))
        })
        .collect::<Vec<_>>()
        .into()
}

/// A guard refusal: one error for the object.
pub fn refusal(refusal: Refusal) -> Diagnostics {
    let diagnostic = Diagnostic::error(refusal.summary, refusal.detail);
    if refusal.path.is_empty() {
        diagnostic.into()
    } else {
        diagnostic
            .at(AttributePath::attributes(refusal.path))
            .into()
    }
}

/// A guard notice (a repair of drift): a warning beside the plan.
pub fn notice(notice: Notice) -> Diagnostic {
    Diagnostic::warning(notice.summary, notice.detail)
}

/// Create, update, delete and import of the resources arrive with the next issue; until then they
/// fail loudly instead of pretending.
pub fn not_yet_implemented(type_name: &str, operation: &str) -> Diagnostics {
    Diagnostic::error(
        format!("{type_name}: {operation} is not implemented yet"),
        format!(
            "This build of terraform-provider-okta-msp serves the schema of {type_name} but cannot {operation} it yet. Nothing was changed in Okta. See CHANGELOG.md for the release that adds it."
        ),
    )
    .into()
}
