//! The schema of `okta_msp_audit_events`.

use tfplugin6::Type;
use tfplugin6::schema::{Attribute, Nesting, Schema};

use super::model::{attr, entry_attr};

pub fn schema() -> Schema {
    Schema::new(
        0,
        "The Okta System Log events of one service account, where it is the actor or one of the targets: to isolate what an integration did, and what was done to it, for audit. Reads every page of the window, oldest first. Okta keeps 90 days of events.",
        vec![
            Attribute::string(attr::ORG_URL).required().description("URL of the customer org, e.g. `https://acme.okta.com` or `okta_msp_org.acme.url`."),
            Attribute::string(attr::ORG_API_TOKEN).optional().sensitive().description("API token for the org. When unset, the org's service app (`org_client_id`), or else the provider's `org_credentials` or `org_tokens` entry for `org_url`, is used."),
            Attribute::string(attr::ORG_CLIENT_ID).optional().description("Client ID of the org's service app that trusts the provider's fleet key (`okta_msp_org`'s `service_app_client_id`): the org is reached through that app. Not a secret."),
            Attribute::string(attr::ACCOUNT_ID).required().description("Okta user id of the account, e.g. `okta_msp_service_account.radius.id`."),
            Attribute::string(attr::SINCE).optional().computed().description("Start of the window, inclusive (RFC 3339, e.g. `2025-03-01T00:00:00Z`). Default: 7 days before `until`. Read back as the start actually used."),
            Attribute::string(attr::UNTIL).optional().computed().description("End of the window, exclusive (RFC 3339). Default: now. Read back as the end actually used."),
            Attribute::new(attr::EVENT_TYPES, Type::List(Box::new(Type::String))).optional().description("Only events of these types, e.g. `[\"user.lifecycle.create\", \"user.account.privilege.grant\"]`. Default: every type."),
            Attribute::nested(attr::EVENTS, Nesting::List, vec![
                Attribute::string(entry_attr::UUID).computed().description("Okta's id of the event."),
                Attribute::string(entry_attr::PUBLISHED).computed().description("When the event happened (RFC 3339)."),
                Attribute::string(entry_attr::EVENT_TYPE).computed().description("Event type, e.g. `user.account.privilege.grant`."),
                Attribute::string(entry_attr::SEVERITY).computed().description("`DEBUG`, `INFO`, `WARN` or `ERROR`."),
                Attribute::string(entry_attr::ACTOR_ID).computed().description("Id of who acted (for API calls, the owner of the token)."),
                Attribute::string(entry_attr::ACTOR_LOGIN).computed().description("Alternate id of the actor, usually its login."),
                Attribute::new(entry_attr::TARGET_IDS, Type::List(Box::new(Type::String))).computed().description("Ids of the objects acted on."),
                Attribute::string(entry_attr::OUTCOME).computed().description("Result: `SUCCESS`, `FAILURE`, `SKIPPED`, `ALLOW`, `DENY`, ..."),
                Attribute::string(entry_attr::OUTCOME_REASON).computed().description("Why, when Okta says."),
                Attribute::string(entry_attr::DISPLAY_MESSAGE).computed().description("Okta's description of the event."),
                Attribute::new(entry_attr::ROLES, Type::List(Box::new(Type::String))).computed().description("For admin privilege events (`user.account.privilege.grant` and `.revoke`), the roles the event granted or removed, by Okta's display name (e.g. `Super Administrator`); empty for other events."),
                Attribute::string(entry_attr::PRIVILEGES_AFTER).computed().description("For admin privilege events, the admin privileges the account holds after the change, as Okta lists them (`debugContext.debugData.privilegeGranted`); null for other events and when Okta does not say."),
            ])
            .computed()
            .description("The events, oldest first."),
        ],
    )
}
