//! `okta_msp_service_accounts`: every service account of one org, its kind, its admin roles,
//! whether it meets its kind's rules, and how many Okta licenses the accounts consume.
//!
//! API calls per read: one user search (every account marked by this provider, all pages), one
//! group lookup and one member listing of the service account group (all pages), one read by id
//! of each account the search found outside the group (search is eventually consistent), and one
//! role listing per account, run a few at a time under the org's shared rate limiter.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use futures_util::StreamExt as _;

use crate::okta::{OktaError, User, UserQuery, UserStatus};
use crate::provider::held_roles::held_roles;
use crate::rules::baseline::SecuringBaseline;
use crate::rules::compliance::{self, expectation_for_observed};
use crate::rules::kind::ServiceAccountKind;
use crate::rules::role::HeldRole;
use tfplugin6::schema::Schema;
use tfplugin6::{
    DataSource, Diagnostics, ReadDataRequest, ReadDataResponse, ValidateRequest, Value,
};

use crate::provider::accounts::observe::{self, Observed};
use crate::provider::org_access::OrgSession;
use crate::provider::{ProviderContext, diag};

mod model;
mod schema;

use crate::rules::user_type::{marked_accounts_search, parse_user_type};
pub use model::AccountEntry;
use model::{Config, attr};
pub use schema::schema;

pub const TYPE_NAME: &str = "okta_msp_service_accounts";

/// Role listings in flight at once; the org's rate limiter paces them further.
const ROLE_LISTINGS_IN_FLIGHT: usize = 8;

pub struct ServiceAccountsDataSource {
    shared: Arc<ProviderContext>,
}

impl ServiceAccountsDataSource {
    pub fn new(shared: Arc<ProviderContext>) -> ServiceAccountsDataSource {
        ServiceAccountsDataSource { shared }
    }

    fn baseline(&self) -> SecuringBaseline {
        configured_baseline(&self.shared)
    }
}

/// The baseline's group name and networks as the provider block sets them.
pub fn configured_baseline(shared: &ProviderContext) -> SecuringBaseline {
    let mut baseline = SecuringBaseline::default();
    if let Some(config) = shared.config.get() {
        baseline.group_name = config.service_account_group.clone();
        baseline.allowed_network_cidrs = config.allowed_network_cidrs.clone();
    }
    baseline
}

#[async_trait]
impl DataSource for ServiceAccountsDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, request: ValidateRequest) -> Result<Diagnostics, Diagnostics> {
        let config = Config::from_value(&request.config);
        diag::org_url_problems(config.org_url.known_str(), attr::ORG_URL).into_result()
    }

    async fn read(&self, request: ReadDataRequest) -> Result<ReadDataResponse, Diagnostics> {
        let config = request.config;
        let arguments = Config::from_value(&config);
        let org_url = arguments.org_url.known_str().unwrap_or_default();
        let token = arguments.org_api_token.known_str();
        let provider_config = self
            .shared
            .config()
            .map_err(|e| diag::access(e, attr::ORG_API_TOKEN))?;
        let org = self
            .shared
            .org_access
            .reach(
                provider_config,
                org_url,
                token,
                arguments.org_client_id.known_str(),
            )
            .map_err(|e| diag::access(e, attr::ORG_API_TOKEN))?;
        let baseline = self.baseline();

        let observed = observe_accounts(&org, &baseline).await?;
        let accounts: Vec<Value> = observed
            .iter()
            .map(|account| account_value(account, &baseline))
            .collect();
        // Okta bills every user but deactivated ones.
        let license_count = observed
            .iter()
            .filter(|account| account.user.status != UserStatus::Deprovisioned)
            .count() as i64;

        let mut state = match config {
            Value::Object(attributes) => attributes,
            _ => BTreeMap::new(),
        };
        state.insert(attr::ACCOUNTS.into(), Value::List(accounts));
        state.insert(attr::LICENSE_COUNT.into(), Value::int(license_count));
        Ok(ReadDataResponse {
            state: Value::Object(state),
            warnings: Diagnostics::new(),
        })
    }
}

/// Every service account of the org (the group's members and the users carrying the mark), with
/// roles and mailboxes, sorted by login: what the data source lists and `okta_msp_verify` checks.
pub async fn observe_accounts(
    org: &Arc<OrgSession>,
    baseline: &SecuringBaseline,
) -> Result<Vec<Observed>, Diagnostics> {
    let marked = async {
        org.client
            .list_users(&UserQuery {
                search: Some(marked_accounts_search()),
                limit: Some(200),
                ..UserQuery::default()
            })
            .await
            .map_err(|e| diag::okta("listing the service accounts", &e))
    };
    let members = async {
        match org
            .existing_group_id(&baseline.group_name)
            .await
            .map_err(|e| diag::okta("finding the service account group", &e))?
        {
            Some(group_id) => org
                .client
                .list_group_members(&group_id)
                .await
                .map_err(|e| diag::okta("listing the service account group", &e)),
            None => Ok(Vec::new()),
        }
    };
    let (marked, members) = tokio::join!(marked, members);
    let (marked, members) = (marked?, members?);

    let in_group: std::collections::HashSet<String> =
        members.iter().map(|user| user.id.clone()).collect();
    // The members listing reads the users themselves; search answers from an eventually
    // consistent index, so what it alone found is read again by id, and kept only if it
    // still exists and still carries the mark. (An account marked moments ago outside the
    // group may be missing until the index catches up; the provider keeps its own accounts
    // in the group.)
    let mut users: BTreeMap<String, User> = members
        .into_iter()
        .map(|user| (user.id.clone(), user))
        .collect();
    let outside: Vec<String> = marked
        .into_iter()
        .map(|user| user.id)
        .filter(|id| !users.contains_key(id))
        .collect();
    for id in outside {
        match org.client.get_user(&id).await {
            Ok(user) if parse_user_type(user.profile.user_type.as_deref()).is_some() => {
                users.insert(id, user);
            }
            Ok(_) => {}
            Err(error) if error.is_not_found() => {}
            Err(error) => {
                return Err(diag::okta("reading a marked service account", &error).into());
            }
        }
    }

    // Looked up above (once per run): the roles it grants are told from other groups'.
    let service_group_id = org
        .existing_group_id(&baseline.group_name)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let roles: Vec<Result<(String, Vec<HeldRole>), OktaError>> =
        futures_util::stream::iter(users.keys().cloned())
            .map(|id| {
                let org = org.clone();
                let service_group_id = service_group_id.clone();
                async move {
                    let assignments = org.client.list_user_roles(&id).await?;
                    Ok((id, held_roles(&assignments, &service_group_id)))
                }
            })
            .buffer_unordered(ROLE_LISTINGS_IN_FLIGHT)
            .collect()
            .await;
    let mut roles_by_id = HashMap::new();
    for result in roles {
        let (id, types) = result.map_err(|e| {
            Diagnostics::from(diag::okta("listing the service accounts' admin roles", &e))
        })?;
        roles_by_id.insert(id, types);
    }

    let mut observed: Vec<Observed> = users
        .into_values()
        .map(|user| Observed {
            roles: roles_by_id.remove(&user.id).unwrap_or_default(),
            in_group: in_group.contains(&user.id),
            email_shared: false,
            user,
        })
        .collect();
    let sharing = observe::users_sharing_a_mailbox(
        org,
        &observed.iter().map(|o| &o.user).collect::<Vec<_>>(),
    )
    .await
    .map_err(|e| Diagnostics::from(diag::okta("looking up the accounts' mailboxes", &e)))?;
    for account in &mut observed {
        account.email_shared = sharing.contains(&account.user.id);
    }
    observed.sort_by_cached_key(|o| {
        (
            o.user
                .profile
                .login
                .clone()
                .unwrap_or_default()
                .to_lowercase(),
            o.user.id.clone(),
        )
    });
    Ok(observed)
}

fn account_value(account: &Observed, baseline: &SecuringBaseline) -> Value {
    account_entry(account, baseline).into_value()
}

/// One account as observed, its kind, and what differs from its kind's rules.
pub fn account_entry(account: &Observed, baseline: &SecuringBaseline) -> AccountEntry {
    let facts = account.to_rules();
    let marker = parse_user_type(account.user.profile.user_type.as_deref());
    let (kind, finalized) = marker.unwrap_or_else(|| {
        (
            ServiceAccountKind::infer(&facts.login, &facts.first_name),
            false,
        )
    });
    let expectation = expectation_for_observed(kind, &facts);
    let findings = compliance::assess_account(&expectation, baseline, &facts);
    AccountEntry {
        id: account.user.id.clone(),
        login: facts.login.clone(),
        email: facts.email.clone(),
        kind: kind.as_str().to_owned(),
        managed: marker.is_some(),
        status: facts.status.clone(),
        admin_roles: observe::role_types(&account.roles),
        in_group: account.in_group,
        finalized,
        compliant: findings.is_finalizable(),
        violations: findings
            .violations()
            .map(|violation| violation.summary.clone())
            .collect(),
    }
}
