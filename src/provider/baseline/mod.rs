//! The securing baseline of SPEC section 3 in one Okta org: applying it ([`ensure_baseline`])
//! and observing it ([`observe_baseline`]) for `rules::compliance`.
//!
//! # Objects in Okta
//!
//! Everything hangs off the service account group (`baseline.group_name`, an `OKTA_GROUP`) and
//! is found again by a name derived from it ([`BaselineNames`]):
//!
//! | object | name |
//! |---|---|
//! | `PASSWORD` policy, targeting only the group, first | `{group} - password` |
//! | its rule: a catch-all denying self-service reset and unlock | `{group} - no self-service recovery` |
//! | `OKTA_SIGN_ON` (global session) policy, targeting only the group, first | `{group} - sign-on` |
//! | its `ALLOW` rule: no persistent cookie, bounded lifetime, only from the zone when there is one | `{group} - session` |
//! | its `DENY` catch-all right after it, when there is a zone | `{group} - deny outside allowed networks` |
//! | `IP` policy zone of `allowed_network_cidrs`, when non-empty | `{group} - network zone` |
//!
//! The deny rule is needed because Okta moves on to the next policy (ultimately the default one,
//! which lets anyone in) when none of a policy's rules match; with it, a sign-in from outside
//! the zone matches the deny rule and stops there. When `allowed_network_cidrs` becomes empty
//! the session rule matches from anywhere and, being first, makes the deny rule unreachable;
//! nothing is deleted.
//!
//! A policy is found by its name, else (adoption) as the non-system policy that already targets
//! exactly the group, e.g. one an admin made by hand following Okta's guidance; it is then
//! renamed. Repairs start from the object Okta returned and change only what the baseline owns.
//!
//! # Calls
//!
//! When everything exists and complies, `ensure_baseline` reads and writes nothing else: one
//! group search, the zone list (only with CIDRs), the policies of each type and the rules of
//! each policy: 5 calls, 6 with a zone (more only if a list pages).

mod convert;
mod recovery;

#[cfg(test)]
mod convert_tests;
#[cfg(test)]
mod http_tests;

use convert::{
    BaselineNames, desired_deny_rule, desired_password_policy, desired_password_rule,
    desired_session_rule, desired_sign_on_policy, desired_zone, find_policy, find_rule,
    observe_password_policy, observe_sign_on_policy, referenced_zone_ids,
};

use crate::okta::{self, Client, Engine, GroupProfile, OktaError, Policy, PolicyRule};
use crate::rules::baseline::{PasswordPolicySettings, SecuringBaseline, SignOnPolicySettings};
use crate::rules::compliance::ObservedPolicy;

/// The Okta ids of the baseline's objects in one org.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaselineObjects {
    pub group_id: String,
    pub password_policy_id: String,
    pub sign_on_policy_id: String,
    /// The zone the session rule is restricted to; `None` when `allowed_network_cidrs` is empty.
    pub zone_id: Option<String>,
}

/// The org-level facts `rules::compliance::ObservedAccount` needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedBaseline {
    pub password_policy: ObservedPolicy<PasswordPolicySettings>,
    pub sign_on_policy: ObservedPolicy<SignOnPolicySettings>,
    /// Whether the zones the sign-on rules restrict sign-on to are all active; `None` when they
    /// name no zone (or the policy is missing).
    pub network_zone_active: Option<bool>,
}

impl ObservedBaseline {
    /// The baseline exactly as `baseline` declares it: what a verification that found no drift
    /// observed, and what a refresh takes for the org's baseline while the System Log shows no
    /// change since that verification.
    pub fn as_declared(baseline: &SecuringBaseline) -> ObservedBaseline {
        ObservedBaseline {
            password_policy: ObservedPolicy::Present {
                active: true,
                ranked_first: true,
                targets_group_only: true,
                settings: baseline.password_policy(),
            },
            sign_on_policy: ObservedPolicy::Present {
                active: true,
                ranked_first: true,
                targets_group_only: true,
                settings: baseline.sign_on_policy(),
            },
            network_zone_active: (!baseline.allowed_network_cidrs.is_empty()).then_some(true),
        }
    }

    /// Nothing of the baseline exists (no group to target).
    pub fn missing() -> ObservedBaseline {
        ObservedBaseline {
            password_policy: ObservedPolicy::Missing,
            sign_on_policy: ObservedPolicy::Missing,
            network_zone_active: None,
        }
    }
}

pub const GROUP_DESCRIPTION: &str = "Service accounts managed by okta-msp. Policies named after this group secure them; membership is managed by the provider.";

/// Applies the baseline to the org behind `client`, creating what is missing and repairing what
/// drifted (settings, priority, target, name). Idempotent; see the module documentation for the
/// objects and the number of calls. `engine` is the org's (`Client::get_org_metadata`): it
/// decides where self-service recovery is turned off (see `recovery`).
///
/// Status: Okta changes a policy's, rule's or zone's status only through its lifecycle
/// endpoints, which `okta::Client` does not offer yet; a replacement body says `ACTIVE`, which
/// is all this function can do about an object someone deactivated.
///
/// A transient failure (5xx, a lost answer) starts the whole pass again, a bounded number of
/// times: the client never replays a create whose request may have reached Okta, and the next
/// pass finds by name whatever such a create made, so it is neither made twice nor lost.
///
/// Another run applying the baseline to the same org at the same moment (a second workspace, a
/// second first apply) is met the same way: a create Okta refuses because the name is taken
/// (groups, zones and a policy's rules have unique names) starts the pass again, which finds
/// the other run's object by name and judges it like any other. Policies may share a name, so
/// after creating one the pass lists them again: of the policies with the baseline's name, the
/// one Okta created first is kept by every run, and a run whose own policy is not it deletes
/// its own and starts again ([`settle_policy_race`]). A duplicate found later (left by an
/// earlier run that was interrupted between its create and that check) is deleted the same way.
pub async fn ensure_baseline(
    client: &Client,
    baseline: &SecuringBaseline,
    engine: Engine,
) -> Result<BaselineObjects, OktaError> {
    let mut passes_left = ENSURE_PASSES;
    loop {
        passes_left -= 1;
        match ensure_baseline_once(client, baseline, engine).await {
            Ok(objects) => return Ok(objects),
            Err(PassError::Raced(what)) if passes_left > 0 => {
                tracing::info!(
                    what,
                    "another run made a baseline object at the same moment; using the one Okta made first"
                );
            }
            Err(PassError::Okta(error))
                if passes_left > 0 && (error.is_transient() || error.is_name_taken()) =>
            {
                tracing::debug!(%error, "the baseline pass failed unclearly or met another run's object; checking Okta and trying again");
            }
            Err(PassError::Okta(error)) => return Err(error),
            Err(PassError::Raced(what)) => {
                return Err(OktaError::Decode {
                    what: what.to_owned(),
                    detail: format!(
                        "other runs kept creating it at the same moment ({ENSURE_PASSES} passes); apply again"
                    ),
                });
            }
        }
    }
}

/// Why one pass of [`ensure_baseline`] stopped.
enum PassError {
    Okta(OktaError),
    /// This pass's new object lost a race to another run's: the pass starts again and uses it.
    Raced(&'static str),
}

impl From<OktaError> for PassError {
    fn from(error: OktaError) -> PassError {
        PassError::Okta(error)
    }
}

/// How many passes [`ensure_baseline`] makes when each fails transiently.
const ENSURE_PASSES: u32 = 5;

async fn ensure_baseline_once(
    client: &Client,
    baseline: &SecuringBaseline,
    engine: Engine,
) -> Result<BaselineObjects, PassError> {
    let names = BaselineNames::for_group(&baseline.group_name);
    let group_id = ensure_group(client, baseline).await?;
    let zone_id = ensure_zone(client, baseline, &names).await?;
    let password_policy_id =
        ensure_password_policy(client, baseline, &names, &group_id, engine).await?;
    let sign_on_policy_id =
        ensure_sign_on_policy(client, baseline, &names, &group_id, zone_id.as_deref()).await?;
    Ok(BaselineObjects {
        group_id,
        password_policy_id,
        sign_on_policy_id,
        zone_id,
    })
}

/// Observes the baseline's policies and zone in the org behind `client`, for the group
/// `group_id`. Read-only: the policies of each type, the rules of each policy found, and the
/// zone list only when a rule names a zone (2 to 5 calls).
pub async fn observe_baseline(
    client: &Client,
    baseline: &SecuringBaseline,
    group_id: &str,
    engine: Engine,
) -> Result<ObservedBaseline, OktaError> {
    let names = BaselineNames::for_group(&baseline.group_name);

    let policies = client.list_policies(okta::PASSWORD).await?;
    let ours = find_policy(&policies, &names.password_policy, group_id);
    let rules = rules_of(client, ours).await?;
    let password_policy = observe_password_policy(&policies, ours, &rules, group_id, engine);

    let policies = client.list_policies(okta::OKTA_SIGN_ON).await?;
    let ours = find_policy(&policies, &names.sign_on_policy, group_id);
    let rules = rules_of(client, ours).await?;
    let zones = if referenced_zone_ids(&rules).is_empty() {
        Vec::new()
    } else {
        client.list_zones().await?
    };
    let (sign_on_policy, network_zone_active) =
        observe_sign_on_policy(&policies, ours, &rules, &zones, group_id);

    Ok(ObservedBaseline {
        password_policy,
        sign_on_policy,
        network_zone_active,
    })
}

/// The rules of a policy found; none for a missing policy (or one Okta returned without an id,
/// which then reads as drift).
async fn rules_of(client: &Client, policy: Option<&Policy>) -> Result<Vec<PolicyRule>, OktaError> {
    match policy.and_then(|policy| policy.id.as_deref()) {
        Some(id) => client.list_policy_rules(id).await,
        None => Ok(Vec::new()),
    }
}

fn created_id(id: Option<String>, what: &str) -> Result<String, OktaError> {
    id.filter(|id| !id.is_empty())
        .ok_or_else(|| OktaError::Decode {
            what: what.to_owned(),
            detail: "the answer has no id".to_owned(),
        })
}

async fn ensure_group(client: &Client, baseline: &SecuringBaseline) -> Result<String, OktaError> {
    if let Some(group) = client.find_group_by_name(&baseline.group_name).await? {
        return Ok(group.id);
    }
    let group = client
        .create_group(&GroupProfile {
            name: baseline.group_name.clone(),
            description: Some(GROUP_DESCRIPTION.to_owned()),
        })
        .await?;
    tracing::info!(group_id = %group.id, "created the service account group");
    Ok(group.id)
}

async fn ensure_zone(
    client: &Client,
    baseline: &SecuringBaseline,
    names: &BaselineNames,
) -> Result<Option<String>, OktaError> {
    if baseline.allowed_network_cidrs.is_empty() {
        return Ok(None);
    }
    let zones = client.list_zones().await?;
    let existing = zones
        .iter()
        .find(|zone| zone.name == names.zone && zone.system != Some(true));
    let zone = match existing {
        None => {
            let zone = client
                .create_ip_zone(&names.zone, &baseline.allowed_network_cidrs)
                .await?;
            tracing::info!(zone_id = ?zone.id, "created the service account network zone");
            zone
        }
        Some(existing) => {
            let desired = desired_zone(existing, baseline, names);
            let zone = if desired == *existing {
                desired
            } else {
                tracing::info!(zone_id = ?existing.id, "repairing the service account network zone");
                client.update_zone(&desired).await?
            };
            if existing.status.as_deref() != Some("ACTIVE")
                && let Some(zone_id) = existing.id.as_deref()
            {
                client.activate_zone(zone_id).await?;
            }
            zone
        }
    };
    created_id(zone.id, "network zone").map(Some)
}

/// Creates `desired` when there is no `existing`, replaces `existing` when it differs; returns
/// the policy id.
async fn put_policy(
    client: &Client,
    existing: Option<&Policy>,
    desired: &Policy,
) -> Result<String, PassError> {
    match existing {
        None => {
            let created = client.create_policy(desired).await?;
            tracing::info!(policy_id = ?created.id, name = %desired.name, "created a baseline policy");
            let id = created_id(created.id, "policy")?;
            settle_policy_race(client, &desired.policy_type, &desired.name, &id).await?;
            if created
                .status
                .as_deref()
                .is_some_and(|status| status != "ACTIVE")
            {
                client.activate_policy(&id).await?;
            }
            Ok(id)
        }
        Some(existing) => {
            if desired != existing {
                tracing::info!(policy_id = ?existing.id, name = %desired.name, "repairing a baseline policy");
                client.update_policy(desired).await?;
            }
            let id = created_id(existing.id.clone(), "policy")?;
            if existing.status.as_deref() != Some("ACTIVE") {
                client.activate_policy(&id).await?;
            }
            Ok(id)
        }
    }
}

/// After this run created the policy `own_id`: whether another run created one of the same
/// name at the same moment. Every run keeps the policy Okta created first (its `created` time,
/// then its id, so all runs agree); a run whose own policy is not that one deletes it and
/// starts its pass again.
async fn settle_policy_race(
    client: &Client,
    policy_type: &str,
    name: &str,
    own_id: &str,
) -> Result<(), PassError> {
    let policies = client.list_policies(policy_type).await?;
    let first = first_created(&policies, name);
    match first.and_then(|policy| policy.id.as_deref()) {
        Some(first_id) if first_id != own_id => {
            tracing::info!(
                policy_id = own_id,
                kept = first_id,
                name,
                "another run created the same baseline policy first; deleting this run's"
            );
            client.delete_policy(own_id).await?;
            Err(PassError::Raced("a baseline policy"))
        }
        _ => Ok(()),
    }
}

/// Of the non-system policies named `name`, the one Okta created first.
fn first_created<'a>(policies: &'a [Policy], name: &str) -> Option<&'a Policy> {
    let created = |policy: &&Policy| {
        (
            policy
                .other
                .get("created")
                .and_then(|value| value.as_str())
                .unwrap_or("~")
                .to_owned(),
            policy.id.clone().unwrap_or_default(),
        )
    };
    policies
        .iter()
        .filter(|policy| policy.system != Some(true) && policy.name == name)
        .min_by_key(created)
}

/// `policies` without the duplicates of the baseline policy `name` (policies of that name
/// other than the one created first), which are deleted: the provider's own, left by a run that
/// stopped between its create and its check for a race, or made by a run racing this one.
async fn without_duplicates(
    client: &Client,
    mut policies: Vec<Policy>,
    name: &str,
) -> Result<Vec<Policy>, OktaError> {
    let Some(keep) = first_created(&policies, name).and_then(|policy| policy.id.clone()) else {
        return Ok(policies);
    };
    let duplicates: Vec<String> = policies
        .iter()
        .filter(|policy| policy.system != Some(true) && policy.name == name)
        .filter_map(|policy| policy.id.clone())
        .filter(|id| *id != keep)
        .collect();
    for id in &duplicates {
        tracing::warn!(policy_id = %id, kept = %keep, name, "deleting a duplicate of a baseline policy");
        client.delete_policy(id).await?;
    }
    policies.retain(|policy| policy.id.as_ref().is_none_or(|id| !duplicates.contains(id)));
    Ok(policies)
}

/// Creates or replaces a rule as needed; returns what Okta now holds (or `desired` when nothing
/// was sent).
async fn put_rule(
    client: &Client,
    policy_id: &str,
    existing: Option<&PolicyRule>,
    desired: PolicyRule,
) -> Result<PolicyRule, OktaError> {
    match existing {
        None => {
            tracing::info!(policy_id, name = %desired.name, "creating a baseline policy rule");
            let created = client.create_policy_rule(policy_id, &desired).await?;
            if created
                .status
                .as_deref()
                .is_some_and(|status| status != "ACTIVE")
                && let Some(rule_id) = created.id.as_deref()
            {
                client.activate_policy_rule(policy_id, rule_id).await?;
            }
            Ok(created)
        }
        Some(existing) => {
            let rule = if desired != *existing {
                tracing::info!(policy_id, rule_id = ?existing.id, name = %desired.name, "repairing a baseline policy rule");
                client.update_policy_rule(policy_id, &desired).await?
            } else {
                desired
            };
            if existing.status.as_deref() != Some("ACTIVE")
                && let Some(rule_id) = existing.id.as_deref()
            {
                client.activate_policy_rule(policy_id, rule_id).await?;
            }
            Ok(rule)
        }
    }
}

async fn ensure_password_policy(
    client: &Client,
    baseline: &SecuringBaseline,
    names: &BaselineNames,
    group_id: &str,
    engine: Engine,
) -> Result<String, PassError> {
    let policies = client.list_policies(okta::PASSWORD).await?;
    let policies = without_duplicates(client, policies, &names.password_policy).await?;
    let existing = find_policy(&policies, &names.password_policy, group_id);
    let desired = desired_password_policy(existing, &policies, baseline, names, group_id, engine);
    let policy_id = put_policy(client, existing, &desired).await?;
    // A policy just created has no rules (only default policies have a default rule).
    let rules = match existing {
        Some(_) => client.list_policy_rules(&policy_id).await?,
        None => Vec::new(),
    };
    let ours = find_rule(&rules, &names.password_rule);
    let desired = desired_password_rule(ours, &rules, names);
    put_rule(client, &policy_id, ours, desired).await?;
    Ok(policy_id)
}

async fn ensure_sign_on_policy(
    client: &Client,
    baseline: &SecuringBaseline,
    names: &BaselineNames,
    group_id: &str,
    zone_id: Option<&str>,
) -> Result<String, PassError> {
    let policies = client.list_policies(okta::OKTA_SIGN_ON).await?;
    let policies = without_duplicates(client, policies, &names.sign_on_policy).await?;
    let existing = find_policy(&policies, &names.sign_on_policy, group_id);
    let desired = desired_sign_on_policy(existing, &policies, names, group_id);
    let policy_id = put_policy(client, existing, &desired).await?;
    let rules = match existing {
        Some(_) => client.list_policy_rules(&policy_id).await?,
        None => Vec::new(),
    };

    let session = find_rule(&rules, &names.session_rule);
    let desired = desired_session_rule(session, &rules, baseline, names, zone_id);
    put_rule(client, &policy_id, session, desired).await?;

    if zone_id.is_some() {
        let deny = find_rule(&rules, &names.deny_rule);
        let desired = desired_deny_rule(deny, &rules, session, names);
        put_rule(client, &policy_id, deny, desired).await?;
    }
    Ok(policy_id)
}
