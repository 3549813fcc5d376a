//! The schema of `okta_msp_org`.

use tfplugin6::schema::{Attribute, IdentityAttribute, IdentitySchema, Schema};

use super::model::{attr, identity_attr};

pub fn schema() -> Schema {
    Schema::new(
        0,
        "A customer Okta org, created through the partner org's Org Creator API, with its **MSP integration** service account: the org's first super admin, whose API token the MSP platform uses. Once set up the org is *finalized* and protected: destroying or replacing it is refused at plan time (see Protection).",
        vec![
            Attribute::string(attr::NAME).required().description("Display name of the org (1 to 100 characters)."),
            Attribute::string(attr::SUBDOMAIN).required().description("Subdomain of the new org, unique across Okta (letters, digits and hyphens, at most 57 characters)."),
            Attribute::string(attr::WEBSITE).optional().generated_only_when_set().description("Website of the customer."),
            Attribute::string(attr::INTEGRATION_LOGIN).required().description("Login of the MSP integration account, e-mail shaped (for example `msp-integration@acme.example`)."),
            Attribute::string(attr::INTEGRATION_EMAIL).required().description("Dedicated mailbox of the MSP integration account, not shared with any other user of the org."),
            Attribute::bool(attr::FINALIZE).optional().computed().description("Whether to finalize the org's integration account in the apply that sets it up. Default `true`; `false` leaves the org destroyable (forgotten, as Okta offers no API to delete an org), for sandboxes and module tests. Setting it later finalizes an org; a finalized org is never unfinalized."),
            Attribute::string(attr::DELETION_POLICY).optional().generated_only_when_set().description("What a destroy of the org does: `\"PREVENT\"` (the default when unset) refuses to destroy a finalized org (G16); `\"ABANDON\"` makes a destroy, a removed block or a removed `for_each` instance forget the org and change nothing in Okta, with a warning in the plan (G23). Terraform plans a removed object's destroy from its state, so apply `\"ABANDON\"` first, then remove the org. Setting it changes nothing in Okta, on a finalized org too."),
            Attribute::string(attr::ID).computed().description("Okta id of the org."),
            Attribute::string(attr::URL).computed().description("URL of the org, for `org_url` of `okta_msp_service_account`."),
            Attribute::string(attr::STATUS).computed().description("Status of the org as Okta reports it."),
            Attribute::string(attr::API_TOKEN).computed().sensitive().description("API token of the integration account, returned once by the Org Creator API. Sensitive: pass it to `org_api_token` of the org's service accounts. Null for an org on its service app (`service_app`): the token is revoked once the app works, and kept here only while the app is not registered yet (a set-up that stopped before it)."),
            Attribute::bool(attr::SERVICE_APP).optional().computed().description("Whether the org is reached through an OAuth 2.0 service app that trusts the provider's fleet key (`fleet_key_file`) instead of an API token. Unset, a new org gets one when the provider has a fleet key. A create then uses the Org Creator's token, in memory only, to register the app (labelled `okta-msp fleet`) as the first thing in the new org: `private_key_jwt` with the fleet key's public half, DPoP-bound tokens, every scope okta-msp calls, `SUPER_ADMIN`; it proves the app works and revokes the token, so that state holds `service_app_client_id` and no token. Setting it to `true` on an org reached with an API token (its state's `api_token`, or the provider's `org_tokens` entry) moves the org over in the next apply, with that token one last time: the state's token is revoked, an `org_tokens` token is left to you to drop and revoke. An org on its service app stays on it (`false` is then refused). See the table below for how a set-up that stopped resumes."),
            Attribute::string(attr::SERVICE_APP_CLIENT_ID).computed().description("Client ID of the org's okta-msp service app (not a secret): pass it to `org_client_id` of the org's service accounts and data sources, or to an `org_credentials` entry with only `client_id`."),
            Attribute::new(attr::SERVICE_APP_KEY_IDS, tfplugin6::Type::List(Box::new(tfplugin6::Type::String))).computed().description("The `kid`s (RFC 7638 thumbprints) of the fleet keys the org's service app trusts, as the last apply left it. A plan shows a change when the provider's fleet keys (`fleet_key_file`, `fleet_next_key_file`) differ, and the apply adds the missing keys to the app before it removes the others, through the app itself."),
            Attribute::string(attr::INTEGRATION_ACCOUNT_ID).computed().description("Okta user id of the integration account."),
            Attribute::bool(attr::FINALIZED).computed().description("Whether the org and its integration account completed their verified setup. Finalized orgs cannot be destroyed or replaced through Terraform."),
            Attribute::new(attr::DRIFT, tfplugin6::Type::List(Box::new(tfplugin6::Type::String))).computed().description("What the last refresh found changed in Okta on a finalized org, as repairs the next apply makes (a plan shows them as an update, with a warning): today the integration account's finalized mark (`userType`), which every refresh reads (one request), since without it another workspace could take the account for an unmanaged one. Empty when nothing drifted."),
        ],
    )
}

/// The identity: the org's URL, which is also its import id.
pub fn identity_schema() -> IdentitySchema {
    IdentitySchema::new(
        0,
        vec![
            IdentityAttribute::string(identity_attr::URL)
                .description("URL of the org, e.g. `https://acme.okta.com`."),
        ],
    )
}
