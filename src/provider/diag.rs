//! The one place where the provider's errors become Terraform diagnostics.

use crate::plugin::{AttributePath, Diagnostic, Diagnostics};

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
