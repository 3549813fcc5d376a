//! The schema of `okta_msp_service_account`, with descriptions built from the rules' tables.

use crate::rules::kind::kind_table_markdown;
use crate::rules::role::EFFECTIVE_PRIVILEGES_DOCUMENTATION;
use tfplugin6::Type;
use tfplugin6::schema::{Attribute, IdentityAttribute, IdentitySchema, Schema};

use super::model::{attr, identity_attr, list_attr};

/// What a refresh reads, and when: the drift check an MSP schedules.
const REFRESH_READS: &str = "**What a refresh reads, and when.** A refresh (`terraform plan`, or the scheduled `terraform plan -refresh-only -detailed-exitcode`) reads each org once per run, not each account: the service account group's member listing (every account's status, profile and membership), the token's own identity (`/api/v1/users/me`, which tells the provider's own changes from others') and one System Log query for admin role grants and revokes and for policy, rule and zone changes over the last 89 days. An unchanged org costs those three calls, whatever its number of accounts. An account's admin roles are read directly when the log shows a role change of the account (or of a group) since its last verification; the baseline's policies and zone when the log shows a policy, rule or zone change anywhere in the org since then, or when the baseline settings changed; and both when the last verification is younger than `log_lag_window_seconds` (Okta may list an event late), or when the log's answer gives no verdict: a failed query, more than five pages of events, or an answer not as Okta documents it (a page without its `self` link, a full last page without a `next` link, an event without a `uuid`, an `eventType` or a readable `published` time). The log is compared with Okta's time, taken from the `Date` of Okta's answers, never with this machine's clock. A verification covers what it read from the moment it read it: a change someone else makes while an apply is still setting the account up (between its reads and its end) is reported by the next refresh. Exit code 0 means every account is as verified; 2 means something changed, and the account's `drift` says what.";

/// Which checks a refresh does not repeat.
const SHARED_MAILBOXES: &str = "**Shared mailboxes.** That no other user of the org has the account's `email` is checked only when the account is created, imported or set up by an apply (and by the `okta_msp_service_accounts` data source), not by a refresh, where it would cost calls for every account: another user given the same address later is not reported by a refresh-only plan. Read the data source's `compliant`, or apply, to check it again.";

pub fn schema() -> Schema {
    Schema::new(
        0,
        format!(
            "An Okta service account of a customer org: created (or adopted by import), given exactly the admin roles its kind requires, secured by the provider's baseline, and then *finalized*. A finalized account cannot be destroyed, replaced or modified through Terraform (see Protection); drift back from its finalized setup is repaired.\n\n{}\n\n{}\n\n{REFRESH_READS}\n\n{SHARED_MAILBOXES}",
            kind_table_markdown(),
            EFFECTIVE_PRIVILEGES_DOCUMENTATION
        ),
        vec![
            Attribute::string(attr::ORG_URL).required().description("URL of the customer org, e.g. `https://acme.okta.com` or `okta_msp_org.acme.url`. Cannot change."),
            Attribute::string(attr::ORG_CLIENT_ID).optional().generated_only_when_set().description("Client ID of the org's service app that trusts the provider's fleet key (`fleet_key_file`), for example `okta_msp_org.acme.service_app_client_id`: the org is reached through that app, and no API token is needed. Not a secret. Ignored when `org_api_token` is set. May change without touching the account."),
            Attribute::string(attr::ORG_API_TOKEN).optional().generated_only_when_set().sensitive().description("API token for the org. When unset, the provider's `org_credentials` (service app) or `org_tokens` entry for `org_url` is used. May change (token rotation) without touching the account."),
            Attribute::string(attr::KIND).required().description("What the account is for: `msp_integration`, `deep_link`, `ad_agent`, `radius` or `custom` (see the table above). Cannot change."),
            Attribute::string(attr::LOGIN).required().description("Okta login, e-mail shaped. Cannot change."),
            Attribute::string(attr::EMAIL).required().description("Dedicated mailbox of the account, not shared with any other user of the org."),
            Attribute::string(attr::FIRST_NAME).optional().computed().description("First name; defaults from the kind."),
            Attribute::string(attr::LAST_NAME).optional().computed().description("Last name; defaults from the kind."),
            Attribute::new(attr::ADMIN_ROLES, Type::Set(Box::new(Type::String))).optional().computed().description("Okta admin role types the account holds, exactly; defaults from the kind. `SUPER_ADMIN` for `radius` and `custom` only when listed here."),
            Attribute::string(attr::PASSWORD_WO).optional().generated_only_when_set().write_only().description("Password to set at creation, write-only: never stored in plan or state, never shown (Terraform >= 1.11). When unset the provider generates a strong password that never leaves it. Not marked sensitive, on purpose: a write-only value needs no mark to stay out of plans and state, and a resource with two sensitive attributes makes Terraform 1.11 list their paths in state in a random order, which it then counts as a change, so that an unchanged `terraform plan -refresh-only -detailed-exitcode` exits 2 (Terraform issue 36403). With `org_api_token` as the only sensitive attribute, an unchanged refresh-only plan exits 0."),
            Attribute::bool(attr::FINALIZE).optional().computed().description("Whether to finalize the account in the apply that sets it up. Default `true`; `false` leaves it destroyable, for sandboxes and module tests."),
            Attribute::string(attr::CORRECTION_REASON).optional().generated_only_when_set().description("Why a finalized account's `email`, `first_name`, `last_name` or `admin_roles` are being corrected, for example a ticket number. Such a change is refused (G9) unless this reason changes to a new value in the same plan, which then shows the correction with a warning (G21). Kept in state as the last correction's reason; changing it alone changes nothing in Okta."),
            Attribute::string(attr::RETIRE_REASON).optional().generated_only_when_set().description("Set to retire a finalized account on purpose (for example when its integration is decommissioned), with the reason. The plan shows `status` going to `DEPROVISIONED` and `finalized` to false (G22); the apply deactivates the account and records in Okta that it is no longer finalized. While set, the account stays deactivated; removing its block afterwards deletes it (G15)."),
            Attribute::string(attr::DELETION_POLICY).optional().generated_only_when_set().description("What a destroy of the account does: `\"PREVENT\"` (the default when unset) refuses to destroy a finalized account (G1-G3); `\"ABANDON\"` makes a destroy, a removed block or a removed `for_each` instance forget the account and change nothing in Okta, with a warning in the plan (G23). Terraform plans a removed object's destroy from its state, so apply `\"ABANDON\"` first, then remove the account. Setting it changes nothing in Okta, finalized accounts included."),
            Attribute::string(attr::ID).computed().description("Okta user id."),
            Attribute::string(attr::ORG_ID).computed().description("Okta id of the org the account lives in; the provider checks every answer comes from this org."),
            Attribute::string(attr::STATUS).computed().description("Okta user status, `ACTIVE` once set up."),
            Attribute::bool(attr::FINALIZED).computed().description("Whether the account completed its verified setup."),
            Attribute::string(attr::FINALIZED_AT).computed().description("When the account was finalized (RFC 3339)."),
            Attribute::new(attr::DRIFT, Type::List(Box::new(Type::String))).computed().description("What differed in Okta from the finalized setup at the last refresh (for example a removed role). A plan that shows it going to `[]` repairs it."),
        ],
    )
}

/// The identity: which org, and the Okta user id there. Both are needed to import by identity.
pub fn identity_schema() -> IdentitySchema {
    IdentitySchema::new(
        0,
        vec![
            IdentityAttribute::string(identity_attr::ORG_URL)
                .description("URL of the customer org, as `org_url` has it."),
            IdentityAttribute::string(identity_attr::ID)
                .description("Okta user id of the account."),
        ],
    )
}

/// The `config` block of the list resource `okta_msp_service_account` (`terraform query`).
pub fn list_schema() -> Schema {
    Schema::new(
        0,
        format!(
            "Finds the service accounts of customer orgs, for `terraform query` and `-generate-config-out`. {}",
            crate::rules::discovery::DOCUMENTATION
        ),
        vec![
            Attribute::new(list_attr::ORG_URLS, Type::List(Box::new(Type::String))).optional().description("Org URLs to search. When unset, every org of the provider's `org_tokens` and `org_credentials`. An org that cannot be reached is a warning; the others are still listed."),
            Attribute::new(list_attr::KINDS, Type::List(Box::new(Type::String))).optional().description(format!("Only accounts of these kinds ({}). When unset, every kind.", crate::rules::kind::ServiceAccountKind::list())),
        ],
    )
}
