//! The schema of `okta_msp_service_accounts`.

use tfplugin6::Type;
use tfplugin6::schema::{Attribute, Nesting, Schema};

use super::model::{attr, entry_attr};

pub fn schema() -> Schema {
    Schema::new(
        0,
        "Every service account of a customer org: the accounts this provider manages (marked in Okta by their `userType`) and every other member of the service account group. For each: its kind, admin roles, status, and whether it meets its kind's rules and the account-level securing rules. Service accounts consume Okta licenses; `license_count` says how many.\n\nOne read costs one user search, two calls for the service account group and its members, one read of each account the search found outside the group (search is eventually consistent; these are read again by id), one role listing per account, and two lookups of the accounts' e-mail addresses per 25 accounts.",
        vec![
            Attribute::string(attr::ORG_URL).required().description("URL of the customer org, e.g. `https://acme.okta.com` or `okta_msp_org.acme.url`."),
            Attribute::string(attr::ORG_API_TOKEN).optional().sensitive().description("API token for the org. When unset, the org's service app (`org_client_id`), or else the provider's `org_credentials` or `org_tokens` entry for `org_url`, is used."),
            Attribute::string(attr::ORG_CLIENT_ID).optional().description("Client ID of the org's service app that trusts the provider's fleet key (`okta_msp_org`'s `service_app_client_id`): the org is reached through that app. Not a secret."),
            Attribute::nested(attr::ACCOUNTS, Nesting::List, vec![
                Attribute::string(entry_attr::ID).computed().description("Okta user id."),
                Attribute::string(entry_attr::LOGIN).computed().description("Okta login."),
                Attribute::string(entry_attr::EMAIL).computed().description("E-mail address of the account."),
                Attribute::string(entry_attr::KIND).computed().description("`msp_integration`, `deep_link`, `ad_agent`, `radius` or `custom`: from the provider's marker in Okta when present, else inferred from the login and first name."),
                Attribute::bool(entry_attr::MANAGED).computed().description("Whether this provider set the account up (Okta `userType` carries its marker); `false` for other members of the service account group."),
                Attribute::string(entry_attr::STATUS).computed().description("Okta user status, e.g. `ACTIVE`."),
                Attribute::new(entry_attr::ADMIN_ROLES, Type::List(Box::new(Type::String))).computed().description("Okta admin role types the account holds, sorted (`CUSTOM` for custom roles)."),
                Attribute::bool(entry_attr::IN_GROUP).computed().description("Whether the account is a member of the service account group."),
                Attribute::bool(entry_attr::FINALIZED).computed().description("Whether the account is finalized, as recorded in Okta."),
                Attribute::bool(entry_attr::COMPLIANT).computed().description("Whether the account meets its kind's rules: `ACTIVE`, exactly the required roles, in the service account group, no recovery question, a mailbox no other user of the org has. The org-wide policies are not assessed here."),
                Attribute::new(entry_attr::VIOLATIONS, Type::List(Box::new(Type::String))).computed().description("What breaks the rules, one sentence each; empty when `compliant`."),
            ])
            .computed()
            .description("The service accounts, sorted by login."),
            Attribute::number(attr::LICENSE_COUNT).computed().description("Number of Okta licenses the listed accounts consume: one each, except deactivated (`DEPROVISIONED`) accounts, which Okta does not count."),
        ],
    )
}
