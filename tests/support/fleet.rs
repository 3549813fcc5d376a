//! A small fleet: customer orgs created through the partner org, each with the same service
//! accounts. The configuration, and the check that Okta holds exactly what it declares (one
//! account per resource, created once, finalized with exactly its roles; no org too many), for
//! the tests that apply it under faults and kills.

use std::collections::BTreeMap;

use super::emulator::{Api, Emulator};
use super::scenario::{resources, show_json};
use super::terraform::Workspace;

/// One service account declared in every org: its resource key, kind and the roles Okta must
/// hold once it is finalized.
pub type AccountSpec = (&'static str, &'static str, &'static [&'static str]);

pub struct Fleet {
    pub customers: Vec<&'static str>,
    pub accounts: Vec<AccountSpec>,
}

impl Fleet {
    pub fn login(customer: &str, account: &str) -> String {
        format!("svc-{account}+{customer}@msp.example")
    }

    pub fn org_address(customer: &str) -> String {
        format!("okta_msp_org.customer[\"{customer}\"]")
    }

    pub fn account_address(customer: &str, account: &str) -> String {
        format!("okta_msp_service_account.svc[\"{customer}/{account}\"]")
    }

    /// `main.tf` without the provider block (the caller writes it, e.g. with recovered tokens):
    /// one `okta_msp_org` per customer and every account in each, `for_each` over both.
    pub fn resources(&self) -> String {
        let customers = self
            .customers
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let kinds = self
            .accounts
            .iter()
            .map(|(name, kind, _)| format!("    {name} = \"{kind}\""))
            .collect::<Vec<_>>()
            .join("\n");
        format!(
            r#"terraform {{
  required_providers {{
    okta = {{ source = "zerotek/okta-msp" }}
  }}
}}

locals {{
  customers = toset([{customers}])
  kinds = {{
{kinds}
  }}
  accounts = {{
    for pair in setproduct(local.customers, keys(local.kinds)) :
    "${{pair[0]}}/${{pair[1]}}" => {{ customer = pair[0], name = pair[1], kind = local.kinds[pair[1]] }}
  }}
}}

resource "okta_msp_org" "customer" {{
  for_each = local.customers

  name              = "Customer ${{each.key}}"
  subdomain         = each.key
  integration_login = "msp-integration+${{each.key}}@msp.example"
  integration_email = "msp-integration+${{each.key}}@msp.example"
}}

resource "okta_msp_service_account" "svc" {{
  for_each = local.accounts

  org_url       = okta_msp_org.customer[each.value.customer].url
  org_api_token = okta_msp_org.customer[each.value.customer].api_token
  kind          = each.value.kind
  login         = "svc-${{each.value.name}}+${{each.value.customer}}@msp.example"
  email         = "svc-${{each.value.name}}+${{each.value.customer}}@msp.example"
  admin_roles   = each.value.kind == "custom" ? ["READ_ONLY_ADMIN"] : null
}}
"#
        )
    }

    /// Every account's Okta id as the state records it, by resource address.
    pub fn account_ids(workspace: &Workspace) -> BTreeMap<String, String> {
        resources(&show_json(workspace))
            .into_iter()
            .filter(|r| r["type"] == "okta_msp_service_account")
            .filter_map(|r| {
                let id = r["values"]["id"].as_str()?.to_owned();
                Some((r["address"].as_str()?.to_owned(), id))
            })
            .collect()
    }

    /// Asserts that the configuration converged: a plan without changes (faults must be off),
    /// every org finalized and no org beyond them, every account in state created exactly once
    /// in Okta (System Log), active, finalized and holding exactly its kind's roles. An org
    /// whose state has no token (one imported after its token was lost) is read with
    /// `recovered_tokens[url]`. Returns the accounts' ids by address.
    #[track_caller]
    pub fn assert_converged(
        &self,
        emulator: &Emulator,
        workspace: &Workspace,
        recovered_tokens: &BTreeMap<String, String>,
    ) -> BTreeMap<String, String> {
        workspace.assert_no_changes("once converged");
        let state = show_json(workspace);
        let ids = Fleet::account_ids(workspace);
        assert_eq!(
            ids.len(),
            self.customers.len() * self.accounts.len(),
            "no lost account: {ids:?}"
        );
        for customer in &self.customers {
            let org = resources(&state)
                .into_iter()
                .find(|r| r["address"] == Fleet::org_address(customer))
                .unwrap_or_else(|| panic!("{customer}: the org is in state"));
            assert_eq!(org["values"]["finalized"], true, "{customer}: {org}");
            let url = org["values"]["url"].as_str().unwrap().to_owned();
            let token = org["values"]["api_token"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| recovered_tokens.get(&url).cloned())
                .unwrap_or_else(|| panic!("{customer}: a token for {url}"));
            let api = Api::new(&url, &token);
            let me = api.get("/api/v1/users/me");
            assert_eq!(
                me["profile"]["userType"], "okta-msp-service-account/msp_integration/finalized",
                "{customer}: the integration account is finalized"
            );
            let created = created_ids_by_login(&api);
            for (name, kind, roles) in &self.accounts {
                let login = Fleet::login(customer, name);
                let id = &ids[&Fleet::account_address(customer, name)];
                assert_eq!(
                    created.get(&login),
                    Some(&vec![id.clone()]),
                    "{login}: created exactly once, and it is the account in state"
                );
                let user = api.get(&format!("/api/v1/users/{id}"));
                assert_eq!(user["status"], "ACTIVE", "{login}");
                assert_eq!(
                    user["profile"]["userType"],
                    format!("okta-msp-service-account/{kind}/finalized"),
                    "{login}"
                );
                assert_eq!(
                    api.role_types(id),
                    *roles,
                    "{login}: exactly the kind's roles"
                );
            }
        }
        let (_, health) = emulator.control("GET", "/health", None);
        assert_eq!(
            health["orgs"],
            self.customers.len() + 1,
            "no orphan org: the partner and the customers only"
        );
        ids
    }
}

/// The ids Okta ever created for each login, from the org's System Log.
fn created_ids_by_login(api: &Api) -> BTreeMap<String, Vec<String>> {
    let events = api.get(
        "/api/v1/logs?since=2000-01-01T00:00:00.000Z&limit=1000&filter=eventType%20eq%20%22user.lifecycle.create%22",
    );
    let mut created: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for event in events.as_array().into_iter().flatten() {
        for target in event["target"].as_array().into_iter().flatten() {
            if target["type"] == "User"
                && let (Some(login), Some(id)) =
                    (target["alternateId"].as_str(), target["id"].as_str())
            {
                created
                    .entry(login.to_owned())
                    .or_default()
                    .push(id.to_owned());
            }
        }
    }
    created
}
