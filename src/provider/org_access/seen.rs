//! What this provider instance's refresh found in state, for the plans of the same run.
//!
//! Terraform plans the replacement of a tainted object as a plain create: the prior state is
//! null and the prior private data empty, so the plan cannot tell "my own failed create" from
//! "someone else's account with this login". It does refresh the tainted object first, in the
//! same provider process, and that read sees its state. Reads record here which Okta object each
//! state holds; a create planned later in the run for the same login (or subdomain) looks here
//! before deciding between resuming (G19, G20) and refusing (G14).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::rules::adoption::Own;
use crate::secret::Secret;

use crate::provider::provider_config::normalize_org_url;

/// An org recorded in state that has not finished its setup, with what resuming it needs.
#[derive(Clone, Debug)]
pub struct UnfinishedOrg {
    pub id: String,
    pub url: String,
    /// Okta returns an org's token once; the state of an unfinished org is its only copy.
    pub api_token: Option<Secret>,
    pub integration_account_id: Option<String>,
    /// The org's fleet service app, once registered: the org is reached through it.
    pub service_app_client_id: Option<String>,
    pub service_app_key_ids: Option<Vec<String>>,
}

#[derive(Default)]
pub struct SeenInState {
    /// By (normalized org URL, lower-cased login).
    accounts: Mutex<HashMap<(String, String), Own>>,
    /// By lower-cased subdomain.
    unfinished_orgs: Mutex<HashMap<String, UnfinishedOrg>>,
    /// Lower-cased subdomains of the finalized orgs this run's refresh read from state.
    finalized_orgs: Mutex<std::collections::HashSet<String>>,
}

impl SeenInState {
    pub fn record_account(&self, org_url: &str, login: &str, own: Own) {
        self.accounts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key(org_url, login), own);
    }

    pub fn account(&self, org_url: &str, login: &str) -> Option<Own> {
        self.accounts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key(org_url, login))
            .cloned()
    }

    pub fn record_unfinished_org(&self, subdomain: &str, org: UnfinishedOrg) {
        self.unfinished_orgs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(subdomain.to_lowercase(), org);
    }

    pub fn record_finalized_org(&self, subdomain: &str) {
        self.finalized_orgs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(subdomain.to_lowercase());
    }

    /// Whether state holds a finalized org with this subdomain: a create planned for it is the
    /// second half of a replace (a taint), which the guard refuses, not a new org.
    pub fn is_finalized_org(&self, subdomain: &str) -> bool {
        self.finalized_orgs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&subdomain.to_lowercase())
    }

    pub fn unfinished_org(&self, subdomain: &str) -> Option<UnfinishedOrg> {
        self.unfinished_orgs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&subdomain.to_lowercase())
            .cloned()
    }
}

fn key(org_url: &str, login: &str) -> (String, String) {
    (normalize_org_url(org_url), login.to_lowercase())
}
