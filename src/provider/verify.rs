//! The action `okta_msp_verify` (Terraform >= 1.14): reads every managed service account of the
//! named orgs directly from Okta, now, and judges each against its kind's rules, as the
//! `okta_msp_service_accounts` data source does, and each org's securing baseline (policies and
//! zone) against the provider block's; reports per org as progress, and fails naming every
//! finding. It changes nothing in Okta and nothing in state.

use std::sync::Arc;

use async_trait::async_trait;

use crate::rules::kind::ServiceAccountKind;
use tfplugin6::schema::{Attribute, Schema};
use tfplugin6::{Action, ActionProgress, ActionRequest, Diagnostics, Type, ValidateRequest, Value};

use super::ProviderContext;
use super::accounts::observe::facts_with_baseline;
use super::data_sources::service_accounts::{account_entry, observe_accounts};
use super::diag;

pub const TYPE_NAME: &str = "okta_msp_verify";

pub mod attr {
    pub const ORG_URLS: &str = "org_urls";
    pub const KINDS: &str = "kinds";
}

pub struct Verify {
    shared: Arc<ProviderContext>,
}

impl Verify {
    pub fn new(shared: Arc<ProviderContext>) -> Verify {
        Verify { shared }
    }
}

pub fn schema() -> Schema {
    Schema::new(
        0,
        "Verifies, now, that every service account this provider manages in the named orgs is \
         exactly as its kind requires, and that each org's securing baseline (the password and \
         sign-on policies and the network zone) is as the provider block declares. Each account \
         and each baseline is read from Okta, not trusted to the System Log as a refresh may. \
         Reports each org as progress (`acme: 12 of 12 accounts verified`, `acme: baseline \
         verified`) and fails naming every finding (org, login, kind and what differs, or what \
         differs in the baseline). Changes nothing in Okta or in state. Invoke it with \
         `terraform apply -invoke=action.okta_msp_verify.NAME`, or run it after a change with \
         an `action_trigger` in a resource's `lifecycle`.",
        vec![
            Attribute::new(attr::ORG_URLS, Type::list(Type::String))
                .required()
                .description("The orgs to verify, each reachable through the provider block."),
            Attribute::new(attr::KINDS, Type::list(Type::String))
                .optional()
                .description(format!(
                    "Verify only accounts of these kinds ({}). Default: every kind.",
                    ServiceAccountKind::list()
                )),
        ],
    )
}

fn strings(config: &Value, attribute: &str) -> Vec<String> {
    config
        .get(attribute)
        .and_then(Value::as_elements)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[async_trait]
impl Action for Verify {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, request: ValidateRequest) -> Result<Diagnostics, Diagnostics> {
        let mut problems = Diagnostics::new();
        for (index, kind) in strings(&request.config, attr::KINDS).iter().enumerate() {
            if kind.parse::<ServiceAccountKind>().is_err() {
                problems.push(diag::unknown_list_kind(index, kind, attr::KINDS));
            }
        }
        for url in strings(&request.config, attr::ORG_URLS) {
            problems.extend(diag::org_url_problems(Some(&url), attr::ORG_URLS));
        }
        problems.into_result()
    }

    async fn invoke(
        &self,
        request: ActionRequest,
        progress: ActionProgress,
    ) -> Result<Diagnostics, Diagnostics> {
        let config = self
            .shared
            .config()
            .map_err(|error| diag::access(error, attr::ORG_URLS))?;
        let kinds = strings(&request.config, attr::KINDS);
        let baseline = self.shared.baseline();
        let mut findings = Vec::new();
        let mut baseline_findings = Vec::new();
        let mut failures = Diagnostics::new();
        for org_url in strings(&request.config, attr::ORG_URLS) {
            let org = match self.shared.org_access.get(config, &org_url, None) {
                Ok(org) => org,
                Err(error) => {
                    failures.extend(diag::access(error, attr::ORG_URLS));
                    continue;
                }
            };
            let observed = match observe_accounts(&org, &baseline).await {
                Ok(observed) => observed,
                Err(error) => {
                    failures.extend(error);
                    continue;
                }
            };
            let entries: Vec<_> = observed
                .iter()
                .map(|account| account_entry(account, &baseline))
                .filter(|entry| entry.managed)
                .filter(|entry| kinds.is_empty() || kinds.contains(&entry.kind))
                .collect();
            let verified = entries.iter().filter(|entry| entry.compliant).count();
            progress
                .send(format!(
                    "{org_url}: {verified} of {} accounts verified",
                    entries.len()
                ))
                .await;
            // The baseline is the org's, shared by every account: observed once, through any of
            // them, when there is one.
            if let Some(any) = observed.first() {
                let group_id = org
                    .existing_group_id(&baseline.group_name)
                    .await
                    .map_err(|error| diag::okta("finding the service account group", &error));
                let facts = match group_id {
                    Ok(group_id) => facts_with_baseline(&org, any, &baseline, group_id.as_deref())
                        .await
                        .map_err(|error| diag::okta("reading the baseline", &error)),
                    Err(error) => Err(error),
                };
                match facts {
                    Ok(facts) => {
                        let differences: Vec<String> =
                            crate::rules::compliance::assess_baseline(&baseline, &facts)
                                .violations()
                                .map(|violation| violation.summary.clone())
                                .collect();
                        progress
                            .send(if differences.is_empty() {
                                format!("{org_url}: baseline verified")
                            } else {
                                format!("{org_url}: baseline differs")
                            })
                            .await;
                        if !differences.is_empty() {
                            baseline_findings.push((org_url.clone(), differences));
                        }
                    }
                    Err(error) => failures.push(error),
                }
            }
            for entry in entries.iter().filter(|entry| !entry.compliant) {
                findings.push(diag::VerifyFinding {
                    org_url: org_url.clone(),
                    login: entry.login.clone(),
                    kind: entry.kind.clone(),
                    differences: entry.violations.clone(),
                });
            }
        }
        if !findings.is_empty() {
            failures.extend(diag::verify_findings(findings));
        }
        for (org_url, differences) in baseline_findings {
            failures.push(diag::verify_baseline_findings(&org_url, &differences));
        }
        if failures.is_empty() {
            Ok(Diagnostics::new())
        } else {
            Err(failures)
        }
    }
}
