//! The finalized mark of a finalized org's integration account (issue 25): every refresh reads
//! it (one request) and reports it missing as `drift`, and the next apply writes it back. Without
//! the mark, another workspace would take the org's only super admin for an unfinished account
//! and adopt it (G18) instead of refusing it (G14).

use crate::okta::OktaError;
use crate::provider::accounts::converge::mark_finalized;
use crate::provider::org_access::OrgSession;
use crate::provider::{ProviderContext, diag};
use crate::rules::kind::ServiceAccountKind;
use crate::rules::user_type::{parse_user_type, user_type};
use tfplugin6::Diagnostics;

use super::TYPE_NAME;
use super::model::Org;

/// What a finalized org's refresh finds wrong with its integration account's mark: nothing, or
/// the one repair that restores it.
pub(super) async fn drift(org: &OrgSession, account_id: &str) -> Result<Vec<String>, OktaError> {
    let user = org.client.get_user(account_id).await?;
    let now = user.profile.user_type.as_deref();
    Ok(match parse_user_type(now) {
        Some((ServiceAccountKind::MspIntegration, true)) => Vec::new(),
        _ => vec![format!(
            "restore the integration account's finalized mark in userType {:?} (now {})",
            user_type(ServiceAccountKind::MspIntegration, true),
            now.map(|value| format!("{value:?}"))
                .unwrap_or_else(|| "not set".to_owned())
        )],
    })
}

/// Writes the mark back, with this configuration's signature beside it, and nothing else of
/// the account: its password, roles and profile stay as they are.
pub(super) async fn restore(
    shared: &ProviderContext,
    state: &Org,
    token: Option<&str>,
    client_id: Option<&str>,
) -> Result<(), Diagnostics> {
    let (Some(url), Some(account_id)) = (
        state.url.known_str(),
        state.integration_account_id.known_str(),
    ) else {
        return Err(diag::incomplete_configuration(TYPE_NAME));
    };
    let config = shared.config().map_err(diag::org_access)?;
    let org = shared
        .org_access
        .reach(config, url, token, client_id)
        .map_err(diag::org_access)?;
    mark_finalized(&org, account_id, ServiceAccountKind::MspIntegration)
        .await
        .map_err(|error| {
            Diagnostics::from(diag::okta(
                "restoring the integration account's finalized mark",
                &error,
            ))
        })?;
    tracing::info!(
        org = url,
        "restored the integration account's finalized mark"
    );
    Ok(())
}
