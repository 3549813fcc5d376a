//! The one place where the provider's errors, rule violations and guard decisions become
//! Terraform diagnostics.

use crate::rules::guard::{Notice, Refusal};
use crate::rules::violation::Violation;
use tfplugin6::{AttributePath, Diagnostic, Diagnostics};

use super::org_access::AccessError;
use super::provider_config::{ConfigError, check_org_url};
use crate::okta::OktaError;

pub fn from_config_errors(errors: Vec<ConfigError>) -> Diagnostics {
    errors
        .into_iter()
        .map(|error| {
            Diagnostic::error(error.summary, error.detail)
                .at(AttributePath::attributes([error.attribute]))
        })
        .collect::<Vec<_>>()
        .into()
}

/// Every violation of the rules, each at its attribute.
pub fn violations(violations: Vec<Violation>) -> Diagnostics {
    violations
        .into_iter()
        .map(|violation| {
            Diagnostic::error(violation.summary, violation.detail)
                .at(AttributePath::attributes(violation.path))
        })
        .collect::<Vec<_>>()
        .into()
}

/// A guard refusal: one error for the object.
pub fn refusal(refusal: Refusal) -> Diagnostics {
    let diagnostic = Diagnostic::error(refusal.summary, refusal.detail);
    if refusal.path.is_empty() {
        diagnostic.into()
    } else {
        diagnostic
            .at(AttributePath::attributes(refusal.path))
            .into()
    }
}

/// A guard notice (a repair of drift): a warning beside the plan.
pub fn notice(notice: Notice) -> Diagnostic {
    Diagnostic::warning(notice.summary, notice.detail)
}

/// An Okta API failure during `operation`, with Okta's own code, summary, causes and request id
/// (which Okta support can trace). Never contains a token.
pub fn okta(operation: &str, error: &OktaError) -> Diagnostic {
    // The error's text already carries Okta's request id, when there is one.
    let mut detail = format!("{error}");
    if error.is_unauthorized() {
        detail.push_str("\n\nOkta refused the credentials: check org_api_token, or the provider's org_tokens or org_credentials entry for this org, and that the token's owner (or the service app) is still active.");
    }
    Diagnostic::error(format!("Okta refused or failed while {operation}"), detail)
}

/// An Okta failure of a call that is the first to reach the org at `org_url` (`operation`
/// names the call), titled by what failed: a connection that fails, credentials Okta refuses and
/// a 404 are about reaching the org, not about the operation, and each says what to check.
pub fn okta_reaching(org_url: &str, operation: &str, error: &OktaError) -> Diagnostic {
    let detail = format!("{error}");
    match error {
        OktaError::Transport { .. } | OktaError::Timeout { .. } => Diagnostic::error(
            format!("Could not reach org {org_url}"),
            format!(
                "{detail}\n\nThe provider retried the request with backoff (max_retries times, 5 by default) before giving up. Check org_url and that the org can be reached from here"
            ),
        ),
        error if error.is_unauthorized() => Diagnostic::error(
            format!("Okta refused the credentials for org {org_url}"),
            format!(
                "{detail}\n\nCheck org_api_token, or the provider's org_tokens or org_credentials entry for {org_url}, and that the token's owner (or the service app) is still active. Okta expires an API token that goes 30 days without use, and revokes it when the admin who created it is deactivated; an OAuth 2.0 service app (org_credentials, see the guide \"Connect an org with a service app\") has no such expiry"
            ),
        ),
        error if error.is_not_found() => Diagnostic::error(
            format!("Okta answered 404 Not Found while {operation} in org {org_url}"),
            format!(
                "{detail}\n\nOkta answers 404 to an API path that is not an org's: org_url may be wrong. It is the org's own URL, for example https://acme.okta.com, with no path after it"
            ),
        ),
        _ => okta(operation, error),
    }
}

/// As [`access`], for `okta_msp_org`, which has no `org_api_token`: its token comes from its
/// own state or from the provider's `org_tokens`.
pub fn org_access(error: AccessError) -> Diagnostics {
    match error {
        AccessError::NoToken { org_url } => Diagnostic::error(
            "No API token for the org",
            format!(
                "no API token for {org_url}: add \"{org_url}\" to the provider's org_tokens (or OKTA_MSP_ORG_TOKENS), with a token of the org's integration account"
            ),
        )
        .into(),
        other => unreachable_org(other),
    }
}

/// The org cannot be reached (no token, bad URL, provider not configured). A missing token is
/// reported at `token_attribute`, the resource's own token argument.
pub fn access(error: AccessError, token_attribute: &str) -> Diagnostics {
    match error {
        AccessError::NoToken { .. } => {
            Diagnostic::error("No API token for the org", error.to_string())
                .at(AttributePath::attributes([token_attribute]))
                .into()
        }
        other => unreachable_org(other),
    }
}

/// Why an org cannot be reached, at no attribute.
fn unreachable_org(error: AccessError) -> Diagnostics {
    match error {
        AccessError::Okta(okta_error) => okta("connecting to the org", &okta_error).into(),
        AccessError::NoToken { .. } => {
            Diagnostic::error("No API token for the org", error.to_string()).into()
        }
        AccessError::NoPartner { .. } => {
            Diagnostic::error("No partner org configured", error.to_string()).into()
        }
        AccessError::NotConfigured => {
            Diagnostic::error("Provider not configured", error.to_string()).into()
        }
        AccessError::NoFleetKey { .. } => {
            Diagnostic::error("No fleet key", error.to_string()).into()
        }
    }
}

/// The org answering at the URL is not the org recorded in state: no write goes to the wrong
/// tenant. At `org_url`, the service account's and data sources' argument; `okta_msp_org` has no
/// such attribute (its URL is the computed `url`), and its diagnostic has always carried this
/// path, kept so the message is unchanged.
pub fn wrong_org(org_url: &str, expected: &str, found: &str) -> Diagnostics {
    Diagnostic::error(
        "A different org answers at this URL",
        format!("State records org {expected} at {org_url}, but the org answering there now is {found}. Nothing was changed. Check org_url and the token: the token may belong to another org, or the URL now points elsewhere."),
    )
    .at(AttributePath::attributes(["org_url"]))
    .into()
}

/// The account was set up, but checking it found violations that block finalization.
pub fn not_finalizable(subject: &str, violations: Vec<String>) -> Diagnostic {
    Diagnostic::error(
        format!("Service account {subject} is not finalized: its setup could not be verified"),
        format!(
            "The account exists and stays unfinalized: it can be destroyed, and the next apply sets it up again (when this was its create, Terraform marks it tainted and replaces it; `terraform untaint ADDRESS` keeps this account instead). What failed:\n- {}",
            violations.join("\n- ")
        ),
    )
}

/// A finalized account's repair left something its verified setup does not allow (for example a
/// mailbox someone else now has, which the provider cannot change for them).
pub fn repair_incomplete(subject: &str, violations: Vec<String>) -> Diagnostic {
    Diagnostic::error(
        format!("Service account {subject} could not be brought back to its verified setup"),
        format!(
            "The account stays finalized and protected; what the provider could repair, it did. Still wrong, and to be fixed in Okta before the next apply:\n- {}",
            violations.join("\n- ")
        ),
    )
}

/// A plan refused because the account holds privileges beyond its kind's table that the
/// provider must not remove itself (a role through another group, a custom role through a
/// binding): each says the group or binding and how a person removes it.
pub fn privileges_refused(subject: &str, refusals: &[String], attribute: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Service account {subject} holds admin privileges the provider may not remove"),
        format!(
            "Its effective privileges (roles assigned to it, roles of every group it is a member of, custom roles through resource sets) exceed its kind's table, and what grants the extra ones is not the provider's to take apart. Nothing was changed. Remove them in Okta, then plan again:\n- {}",
            refusals.join("\n- ")
        ),
    )
    .at(AttributePath::attributes([attribute]))
    .into()
}

/// The account vanished in the middle of an operation (someone deleted it meanwhile).
pub fn disappeared(operation: &str) -> Diagnostics {
    Diagnostic::error(
        "The account disappeared",
        format!("The account was deleted in Okta while the provider was {operation}. Nothing else was changed; find who deleted it in the System Log, then run the command again."),
    )
    .into()
}

/// The org's stored token was refused: its owner, the integration account, was probably
/// deactivated (every token of a deactivated user dies with it).
pub fn org_token_refused(url: &str) -> Diagnostics {
    Diagnostic::error(
        format!("The API token of org {url} was refused (G13)"),
        "Okta no longer accepts the integration account's token, which happens when the account is deactivated or deleted, or the token is revoked. The MSP platform's integration is down. Find out what happened in the org's System Log, restore the integration account (reactivate it in the Admin Console), and give the provider a valid token through org_tokens.",
    )
    .into()
}

/// The Org Creator API failed. If the failure was unclear the org may exist without its token.
pub fn org_creation_failed(subdomain: &str, error: &OktaError) -> Diagnostic {
    let mut diagnostic = okta(&format!("creating org {subdomain:?}"), error);
    diagnostic.detail.push_str("\n\nOkta did not create the org, or did and its answer was lost: the next apply finds out (a repeated creation either creates it or is told the subdomain exists, and then says what to do).");
    diagnostic
}

/// What an org whose subdomain already exists is, and the way to bring it under Terraform.
pub struct ExistingOrg<'a> {
    pub subdomain: &'a str,
    /// Where the org is expected to live, derived from the partner org's URL.
    pub url: Option<&'a str>,
    pub integration_login: &'a str,
    pub integration_email: &'a str,
    /// This very apply's first attempt may have made it: its answer was lost.
    pub answer_lost: bool,
    /// Why the fleet key did not reach it through okta-msp's app, when the provider has one.
    pub fleet_key_refused: Option<String>,
    /// No birth helper on this machine kept its token (looked for without a fleet key).
    pub no_helper_kept_token: bool,
}

/// The subdomain is taken: by this configuration's own earlier attempt whose answer (with the
/// org's only API token) was lost, or by someone else. Terraform cannot recover the token, so
/// the steps are spelled out with the real URL and login.
pub fn org_exists(org: &ExistingOrg<'_>, error: &OktaError) -> Diagnostic {
    let url = org.url.unwrap_or("the new org's URL");
    let (summary, cause) = if org.answer_lost {
        (
            format!(
                "Org {:?} was created, but Okta's answer with its API token was lost",
                org.subdomain
            ),
            format!(
                "The first request to create the org failed without an answer; sending it again, Okta answered that the subdomain exists ({error}). Okta returns a new org's API token only once, in the answer that was lost."
            ),
        )
    } else {
        (
            format!("Org {:?} already exists", org.subdomain),
            format!(
                "Okta answered that the subdomain exists ({error}). If an earlier apply created it and was killed or lost Okta's answer, the org's API token (returned only once) was lost with it; if it is not yours, choose another subdomain."
            ),
        )
    };
    let login = org.integration_login;
    let email = org.integration_email;
    let cause = match &org.fleet_key_refused {
        Some(why) => format!(
            "{cause}\n\nThe fleet key does not reach it as okta-msp's either ({why}). An org this configuration created ends so only when its provider process was killed between Okta's answer and the first grants of okta-msp's app there; otherwise the next apply resumes the org through the app."
        ),
        None if org.no_helper_kept_token => format!(
            "{cause}\n\nNo birth helper of an earlier run keeps its token on this machine either. A killed run's helper keeps a new org's token for 30 minutes, for the same user on the machine that ran the create: if the killed run ran elsewhere (another CI runner) and less than 30 minutes ago, run this apply again there instead of the steps below."
        ),
        None => cause,
    };
    Diagnostic::error(
        summary,
        format!(
            "{cause}\n\nTo bring the org under Terraform:\n1. Sign in to {url} as {login} (its password was generated and never kept: use \"Forgot password?\", which mails {email}).\n2. Create an API token in the Admin Console (Security > API > Tokens) while signed in as {login}.\n3. Add it to the provider's org_tokens: \"{url}\" = <the token>.\n4. Add this block beside the resource, with the address Terraform shows above in place of `okta_msp_org.example`, and apply:\n\nimport {{\n  to = okta_msp_org.example\n  id = \"{url}\"\n}}\n\nThe apply resumes the org's set-up with that token (G19). If \"Forgot password?\" is refused, the run ended in the set-up's last two steps, after the integration account joined the service account group, whose password rule denies self-service reset: then only Okta Support can reset the password of the org's super admin"
        ),
    )
}

/// A create found its org made by an interrupted run and reached it through okta-msp's app.
pub fn org_reclaimed(org_url: &str, subdomain: &str) -> Diagnostic {
    Diagnostic::warning(
        format!("Resumed the org {subdomain:?}, which an interrupted run created (G19)"),
        format!(
            "Okta answered that the subdomain exists, and the fleet key reaches {org_url} through okta-msp's own service app (client id okta-msp-fleet-{subdomain}), which trusts that key and carries okta-msp's note signed by it for this org: the org is the one the interrupted run created, and its set-up resumes. If the interrupted run was killed after Okta's answer and before it revoked the API token Okta returned with the org, that token still exists, known to no one: revoke it in the org's Admin Console (Security > API > Tokens)"
        ),
    )
}

/// An org cannot be deleted through the API: forgetting it is all Terraform can do.
pub fn org_forgotten(url: &str) -> Diagnostic {
    Diagnostic::warning(
        "The org was removed from state, not deleted",
        format!(
            "Okta offers no API to delete an org, so {url} still exists. It never finished its setup, so nothing depends on it; delete it from the partner org's Admin Console or with Okta support."
        ),
    )
}

/// An org import ID that is not a URL.
pub fn bad_org_import_id(id: &str, problem: &str) -> Diagnostics {
    Diagnostic::error(
        "Invalid import ID",
        format!("Import okta_msp_org with the org's URL, for example https://acme.okta.com (got {id:?}): {problem}. The org's token must be in the provider's org_tokens."),
    )
    .into()
}

/// Apply received a configuration with values still unknown: a Terraform bug or a bad plan.
pub fn incomplete_configuration(type_name: &str) -> Diagnostics {
    Diagnostic::error(
        format!("{type_name}: the configuration is incomplete at apply time"),
        "Some required values were still unknown when Terraform applied the plan. Run terraform apply again; if it persists, report it with TF_LOG_PROVIDER=debug output.",
    )
    .into()
}

/// The kind cannot be created by this resource; reported at `kind_attribute`.
pub fn not_creatable(kind: &str, kind_attribute: &str, detail: &str) -> Diagnostics {
    Diagnostic::error(
        format!(
            "{} {kind} account is not created by okta_msp_service_account",
            match crate::rules::kind::article(kind) {
                "an" => "An",
                _ => "A",
            }
        ),
        detail.to_owned(),
    )
    .at(AttributePath::attributes([kind_attribute]))
    .into()
}

/// An import ID that does not parse.
pub fn bad_import_id(id: &str, problem: &str) -> Diagnostics {
    Diagnostic::error(
        "Invalid import ID",
        format!("{problem}. Import okta_msp_service_account with ORG_URL/ID_OR_LOGIN, for example https://acme.okta.com/00u1abcd or https://acme.okta.com/oktaradius@msp.example (got {id:?})."),
    )
    .into()
}

/// An `import { identity = {...} }` that leaves out what names the object.
pub fn bad_import_identity(type_name: &str, missing: &str) -> Diagnostics {
    Diagnostic::error(
        "Invalid import identity",
        format!("The identity to import {type_name} by has no {missing}. Set it in the import block's `identity`, or import by `id` instead."),
    )
    .into()
}

/// Import found violations: warnings, the plan shows the repair.
pub fn import_findings(subject: &str, findings: Vec<String>) -> Diagnostic {
    Diagnostic::warning(
        format!("Imported service account {subject} does not meet its kind's rules"),
        format!(
            "The plan of the import shows the repair (after `terraform import`, the next plan does); applying it brings the account to its correct setup and finalizes it:\n- {}",
            findings.join("\n- ")
        ),
    )
}

/// A data source argument that cannot be used as given, at its attribute (or element): what is
/// wrong and how to write it instead.
pub fn invalid_argument(
    path: AttributePath,
    summary: impl Into<String>,
    detail: impl Into<String>,
) -> Diagnostic {
    Diagnostic::error(summary, detail).at(path)
}

/// A create plan that takes over an existing user (G18) or resumes this resource's own (G19,
/// G20): a warning that lists what the apply changes in Okta, old and new.
pub fn adoption(summary: String, changes: Vec<String>) -> Diagnostic {
    let detail = if changes.is_empty() {
        "The apply marks it as a managed service account, verifies its setup and finalizes it; nothing else differs from the configuration".to_owned()
    } else {
        format!(
            "The apply marks it as a managed service account and changes, in Okta:\n- {}\n\nThen it verifies the setup and finalizes it",
            changes.join("\n- ")
        )
    };
    Diagnostic::warning(summary, detail)
}

/// The account a create plan adopted no longer holds the login at apply time.
pub fn adopted_account_gone(login: &str, id: &str) -> Diagnostics {
    Diagnostic::error(
        format!("The account this plan adopts, {login} ({id}), no longer holds the login"),
        "Someone deleted or renamed it between the plan and the apply. Nothing was changed; plan again to see what Okta holds now",
    )
    .into()
}

/// The create plan of an org replaces this resource's own tainted org, whose set-up failed: it
/// resumes it instead of creating another (G19).
pub fn org_resumed(url: &str, id: &str) -> Diagnostic {
    Diagnostic::warning(
        format!("Resuming the set-up of org {url} ({id}) (G19)"),
        "An earlier apply created this org but its set-up did not finish, so Terraform marked it tainted and plans a replacement. The provider resumes the same org with the API token its state kept: nothing is deleted or created again",
    )
}

/// The problems of an org URL attribute, at `attribute`: it must be an HTTPS URL (plain HTTP
/// only for loopback hosts); unknown or unset is fine.
pub fn org_url_problems(org_url: Option<&str>, attribute: &str) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    if let Some(url) = org_url
        && let Err(problem) = check_org_url(url)
    {
        diagnostics.push(invalid_argument(
            AttributePath::attributes([attribute]),
            format!("Invalid {attribute}"),
            format!("{problem}."),
        ));
    }
    diagnostics
}

/// An org the list resource could not search (no token, refused, unreachable): a warning event,
/// so that the other orgs are still listed.
pub fn discovery_skipped_org(org_url: &str, why: &str) -> Diagnostic {
    Diagnostic::warning(
        format!("Org {org_url} was not searched"),
        format!("{why}. The other orgs are listed; query again once the org can be reached."),
    )
}

/// A user carrying the provider's mark with a kind this version cannot read: reported, never
/// proposed, since generating its configuration would mean guessing the kind.
pub fn discovery_undecidable(org_host: &str, login: &str, user_type: &str) -> Diagnostic {
    Diagnostic::warning(
        format!("{org_host} / {login} (kind undecidable) was skipped"),
        format!(
            "Its userType {user_type:?} carries this provider's mark, but not a kind this version knows ({}). It may have been written by a newer version of the provider: adopt it with that version, or with an import block that sets the kind.",
            crate::rules::kind::ServiceAccountKind::list()
        ),
    )
}

/// A `kinds` element of the list resource's config that names no kind.
pub fn unknown_list_kind(index: usize, given: &str, attribute: &str) -> Diagnostic {
    Diagnostic::error(
        "Unknown service account kind",
        format!(
            "{given:?} is not a kind; use one of {}",
            crate::rules::kind::ServiceAccountKind::list()
        ),
    )
    .at(AttributePath::attributes([attribute]).index(index as i64))
}

/// Another configuration owns the org's securing baseline with other settings
/// (`rules::baseline_owner`).
/// Ctrl-C (StopProvider) came before the org's creation was sent: nothing was made.
pub fn cancelled_before_org_create(subdomain: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Creating the org {subdomain:?} was cancelled"),
        "Terraform asked the provider to stop (for example after Ctrl-C) before the org's creation was sent to Okta. Nothing was created; run the apply again to create it".to_owned(),
    )
    .into()
}

/// The birth of an org (the Org Creator's call and its app's registration) went past its
/// bound (`org::birth::max_life`).
pub fn org_birth_timed_out(subdomain: &str, bound: std::time::Duration) -> Diagnostics {
    Diagnostic::error(
        format!("The creation of the org {subdomain:?} did not finish in time"),
        format!(
            "Creating the org and registering its service app took longer than {} minutes, and was given up. Run terraform apply again: it finds out what Okta made and resumes from there",
            bound.as_secs() / 60
        ),
    )
    .into()
}

/// The birth of an org ended without a word (its helper process died, or its task panicked):
/// whether Okta made the org is unknown, or (`url` known) the org's app may be unfinished.
pub fn org_birth_lost(subdomain: &str, url: Option<&str>) -> Diagnostics {
    match url {
        None => Diagnostic::error(
            format!("The creation of the org {subdomain:?} ended without an answer"),
            "The process that sent the org's creation to Okta ended before it said what Okta answered. Run terraform apply again: a repeated creation either creates the org or is told that the subdomain exists, and then reaches the org through its service app".to_owned(),
        ),
        Some(url) => Diagnostic::error(
            format!("The registration of the service app of {url} ended without an answer"),
            "The process that registered the org's service app ended before it said how the registration went. The org and its API token are saved in Terraform's state. Run terraform apply again: it resumes the registration (G19)".to_owned(),
        ),
    }
    .into()
}

/// A state's org token was refused, and okta-msp's service app in the org stands in for it.
pub fn org_reached_through_app_instead_of_token(url: &str) -> Diagnostic {
    Diagnostic::warning(
        format!("The org {url} was reached through its service app: its API token is revoked"),
        "Okta refused the API token Terraform's state held for this org, and okta-msp's service app in it, signed by the fleet key, reaches the same org. That happens when the run that created the org ended after registering the app, which revokes the Org Creator's token, and before it could report the app. The state now records the app instead of the token; the apply finishes the org's set-up (G19).".to_owned(),
    )
}

/// The org's token came from the birth helper of the killed run that made the org.
pub fn org_token_claimed(url: &str) -> Diagnostic {
    Diagnostic::warning(
        format!("Resumed the org {url}, made by an interrupted run (G19)"),
        "The run that created this org ended before Terraform stored it. Its birth helper process kept the org's API token and handed it to this apply, which finishes the org's set-up; Terraform's state now holds the token.".to_owned(),
    )
}

/// A claim found the org's token kept by a run that is still at work.
pub fn org_birth_busy(subdomain: &str) -> Diagnostics {
    Diagnostic::error(
        format!("The org {subdomain:?} is still being created by another run"),
        "Another terraform apply created this org moments ago and is still setting it up. Wait for it to finish, then run the plan again: that run's state holds the org, and this configuration should import it rather than create it a second time.".to_owned(),
    )
    .into()
}

/// A stop came while the create waited for an earlier run's birth of the same org.
pub fn cancelled_waiting_for_earlier_birth(subdomain: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Creating the org {subdomain:?} was cancelled"),
        "Terraform asked the provider to stop (for example after Ctrl-C) while it waited for an earlier run, whose provider was killed, to finish registering the org's service app. Nothing was changed; run the apply again".to_owned(),
    )
    .into()
}

/// A diagnostic as the org's birth helper process reported it (it made it with this module).
pub fn relayed(error: bool, summary: String, detail: String) -> Diagnostic {
    match error {
        true => Diagnostic::error(summary, detail),
        false => Diagnostic::warning(summary, detail),
    }
}

/// Ctrl-C (StopProvider) came after Okta created the org: its state, token included, is saved and
/// the set-up resumes on the next apply (G19).
pub fn interrupted_org_setup(org_url: &str) -> Diagnostics {
    Diagnostic::error(
        format!("The set-up of {org_url} was interrupted"),
        "Terraform asked the provider to stop (for example after Ctrl-C) after Okta had created the org. The org and its API token are saved in Terraform's state, so nothing is lost; the integration account's set-up did not finish. Run terraform apply again: it resumes the same org (G19)".to_owned(),
    )
    .into()
}

/// A configuration without `baseline_owner` would change the baseline's settings through the
/// plan of a new account, which shows only the account.
pub fn unshown_baseline_change(org_url: &str) -> Diagnostics {
    Diagnostic::error(
        format!("The securing baseline of {org_url} was applied with other settings"),
        "A configuration without baseline_owner applied the org's baseline (service_account_group, password_min_length, lockout_attempts, session_lifetime_minutes, allowed_network_cidrs) with other settings than this one declares, and this plan creates an account, whose plan cannot show a change to the org-wide policies. Configurations without baseline_owner cannot be told apart, so this may be another configuration's baseline. Use the settings the org has; or set baseline_owner in every configuration that manages the org (a named owner's change of its own settings is planned and shown); or, if this configuration already manages accounts in the org, apply the settings change first: their plans show it. Nothing was changed".to_owned(),
    )
    .into()
}

/// `differences`: the settings that differ, with both values, when the owner's marker keeps
/// them (one written before it did says only that some differ).
pub fn baseline_owned_elsewhere(
    org_url: &str,
    owner: &str,
    ours: &str,
    differences: Option<Vec<String>>,
) -> Diagnostics {
    let this = if ours.is_empty() {
        "this configuration (which sets no baseline_owner)".to_owned()
    } else {
        format!("this configuration ({ours:?})")
    };
    let which = match differences {
        Some(differences) if !differences.is_empty() => {
            format!(": {}", differences.join("; "))
        }
        _ => " (one or more of password_min_length, lockout_attempts, session_lifetime_minutes, allowed_network_cidrs)".to_owned(),
    };
    Diagnostic::error(
        format!("The securing baseline of {org_url} belongs to {owner}"),
        format!(
            "The baseline's policies are org-wide, and {owner} applied other settings than {this} declares{which}. Applying this plan would undo them, and the other configuration's next apply would undo these. Use the owner's settings here; or, if this configuration should own the baseline from now on, stop managing the org in the other one and set baseline_owner to the owner's name here. Nothing was changed"
        ),
    )
    .into()
}

/// `okta_msp_org_access_token` for an org without a service app in `org_credentials`.
pub fn no_service_app_for_token(org_url: &str, attribute: &str) -> Diagnostics {
    Diagnostic::error(
        "No service app for the org",
        format!(
            "An access token is minted only by a service app, and the provider's org_credentials (or OKTA_MSP_ORG_CREDENTIALS) has no entry for {org_url}. Add one (see the guide \"Connect an org with a service app\"); API tokens in org_tokens are never handed to other providers."
        ),
    )
    .at(AttributePath::attributes([attribute]))
    .into()
}

/// A service app whose tokens are DPoP-bound: useless to okta/okta, so refused.
pub fn dpop_token_refused(org_url: &str, client_id: &str) -> Diagnostics {
    Diagnostic::error(
        "The service app issues DPoP-bound tokens",
        format!(
            "The service app {client_id} of {org_url} gets DPoP-bound access tokens, which work only with proofs signed by this app's private key: another provider such as okta/okta cannot use them. For a bearer token, use a service app whose General settings have \"Require Demonstrating Proof of Possession (DPoP) header in token requests\" turned off, and leave use_dpop unset (or false) in its org_credentials entry."
        ),
    )
    .into()
}

/// An open access token nearing its end, which Terraform cannot replace within the run.
pub fn access_token_expiring(org_url: &str, expires_at: &str) -> Diagnostic {
    Diagnostic::warning(
        "The org access token expires soon",
        format!(
            "The access token of {org_url} expires at {expires_at}, and Terraform cannot give providers a new value of an open ephemeral resource: calls made with it after then fail. Run again (each run mints a fresh token), or split a run that takes longer than the token lives."
        ),
    )
}

/// One account `okta_msp_verify` found not as its kind requires.
pub struct VerifyFinding {
    pub org_url: String,
    pub login: String,
    pub kind: String,
    pub differences: Vec<String>,
}

/// Every finding of `okta_msp_verify`, one error per account, so each is named on its own.
pub fn verify_findings(findings: Vec<VerifyFinding>) -> Diagnostics {
    findings
        .into_iter()
        .map(|finding| {
            Diagnostic::error(
                format!("{} is not as its kind requires", finding.login),
                format!(
                    "In {}, the {} account {}: {}.",
                    finding.org_url,
                    finding.kind,
                    finding.login,
                    finding.differences.join("; ")
                ),
            )
        })
        .collect::<Vec<_>>()
        .into()
}

/// `okta_msp_verify` found an org's securing baseline not as the provider block declares it.
pub fn verify_baseline_findings(org_url: &str, differences: &[String]) -> Diagnostic {
    Diagnostic::error(
        "The org's securing baseline differs",
        format!("In {org_url}: {}.", differences.join("; ")),
    )
}

/// `service_app = false` on an org that is on its service app.
pub fn service_app_kept(org: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Org {org} stays on its service app"),
        "The org is reached through its okta-msp service app (service_app_client_id), and its API token was revoked: the provider cannot move it back to a token. Remove service_app = false, or leave it unset".to_owned(),
    )
    .at(AttributePath::attributes(["service_app"]))
    .into()
}

/// A service app is asked for without a fleet key for it to trust.
pub fn service_app_without_fleet_key(org: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Org {org} cannot get a service app without a fleet key"),
        "service_app = true registers a service app that trusts the provider's fleet key, and the provider has none: set fleet_key_file, or OKTA_MSP_FLEET_KEY (see the guide \"Connect an org with a service app\")".to_owned(),
    )
    .at(AttributePath::attributes(["service_app"]))
    .into()
}

/// A step of the service app's set-up failed. `token_kept`: the org's API token is still in
/// state, so the next apply resumes with it.
pub fn fleet_app_failed(
    org_url: &str,
    failure: &crate::provider::fleet_app::StepFailed,
    token_kept: bool,
) -> Diagnostics {
    let mut diagnostic = okta(failure.step, &failure.error);
    diagnostic.summary = format!("Setting up the service app of {org_url} failed");
    diagnostic.detail = format!(
        "While {}: {}\n\n{}",
        failure.step,
        failure.error,
        if token_kept {
            "The org's API token stays in Terraform's state until its service app works. Run terraform apply again: it finds the app by its label (okta-msp fleet) and resumes where this stopped"
        } else {
            "Run terraform apply again: it resumes where this stopped (G19)"
        }
    );
    diagnostic.into()
}

/// Moving a token org over needs its token one last time.
pub fn no_token_to_move_over(org_url: &str) -> Diagnostics {
    Diagnostic::error(
        format!("No API token to move {org_url} to a service app"),
        format!(
            "service_app = true registers the org's service app with the org's API token one last time, and there is none: the org's state has no api_token and the provider's org_tokens (or OKTA_MSP_ORG_TOKENS) has no entry for \"{org_url}\". Add a super admin's token there for this apply; afterwards it can be dropped and revoked"
        ),
    )
    .at(AttributePath::attributes(["service_app"]))
    .into()
}

/// The Org Creator's token could not be revoked after the app took over: a warning, since the
/// org is reachable and nothing stores the token.
pub fn token_not_revoked(
    org_url: &str,
    failure: &crate::provider::fleet_app::StepFailed,
) -> Diagnostic {
    Diagnostic::warning(
        format!("The API token of {org_url} was not revoked"),
        format!(
            "The org now works through its service app and no state holds the token, but revoking it failed ({}). Okta expires an API token after 30 days without use; revoke it sooner in the Admin Console (Security > API > Tokens) if you can",
            failure.error
        ),
    )
}

/// A finalized org's refresh could not read its integration account's finalized mark: a
/// warning, since the org itself answered and the plan can go on; the next refresh tries again.
pub fn integration_mark_unchecked(
    org_url: &str,
    account_id: &str,
    error: &OktaError,
) -> Diagnostic {
    let why = if error.is_not_found() {
        "Okta has no user with that id: the integration account was deleted, and the integrations that use it are broken".to_owned()
    } else {
        format!("reading it failed: {error}")
    };
    Diagnostic::warning(
        format!("The integration account of {org_url} was not checked"),
        format!("Its finalized mark (userType) could not be verified for {account_id}: {why}"),
    )
}
