//! The routes of the org's settings under `/api/v1/org` (`handlers::org_settings`), kept apart
//! from the main table so that families added in parallel do not all edit one list. All of them
//! fall in Okta's `/api/v1` bucket; the scopes are those of Okta's reference.

use super::Route;
use crate::handlers::{Handler::OnOrg, org_settings as settings};

pub static ROUTES: &[Route] = &[
    route!(POST "/api/v1/org" => OnOrg(settings::update), ManageSecurity, ApiV1, "okta.orgs.manage"),
    route!(PUT "/api/v1/org" => OnOrg(settings::replace), ManageSecurity, ApiV1, "okta.orgs.manage"),
    route!(GET "/api/v1/org/contacts" => OnOrg(settings::list_contacts), Read, ApiV1, "okta.orgs.read"),
    route!(GET "/api/v1/org/contacts/{contactType}" => OnOrg(settings::get_contact), Read, ApiV1, "okta.orgs.read"),
    route!(PUT "/api/v1/org/contacts/{contactType}" => OnOrg(settings::replace_contact), ManageSecurity, ApiV1, "okta.orgs.manage"),
    route!(GET "/api/v1/org/preferences" => OnOrg(settings::preferences), Read, ApiV1, "okta.orgs.read"),
    route!(POST "/api/v1/org/preferences/hideEndUserFooter" => OnOrg(settings::hide_footer), ManageSecurity, ApiV1, "okta.orgs.manage"),
    route!(POST "/api/v1/org/preferences/showEndUserFooter" => OnOrg(settings::show_footer), ManageSecurity, ApiV1, "okta.orgs.manage"),
    route!(GET "/api/v1/org/privacy/oktaCommunication" => OnOrg(settings::communication), Read, ApiV1, "okta.orgs.read"),
    route!(POST "/api/v1/org/privacy/oktaCommunication/optIn" => OnOrg(settings::opt_in), ManageSecurity, ApiV1, "okta.orgs.manage"),
    route!(POST "/api/v1/org/privacy/oktaCommunication/optOut" => OnOrg(settings::opt_out), ManageSecurity, ApiV1, "okta.orgs.manage"),
    route!(GET "/api/v1/org/privacy/oktaSupport" => OnOrg(settings::support), Read, ApiV1, "okta.orgs.read"),
    route!(POST "/api/v1/org/privacy/oktaSupport/grant" => OnOrg(settings::grant_support), ManageSecurity, ApiV1, "okta.orgs.manage"),
    route!(POST "/api/v1/org/privacy/oktaSupport/extend" => OnOrg(settings::extend_support), ManageSecurity, ApiV1, "okta.orgs.manage"),
    route!(POST "/api/v1/org/privacy/oktaSupport/revoke" => OnOrg(settings::revoke_support), ManageSecurity, ApiV1, "okta.orgs.manage"),
];
