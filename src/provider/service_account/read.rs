//! Refresh and import of `okta_msp_service_account`: what Okta holds now, observed and assessed
//! through the shared account pipeline (`provider::accounts`).

use crate::provider::accounts::converge::finalized_by_missing;
use crate::provider::accounts::observe::{self, Observed};
use crate::provider::accounts::{Stage, set_up};
use crate::provider::baseline::ObservedBaseline;
use crate::provider::org_access::OrgSession;
use crate::provider::org_access::{ReadDecision, Verified};
use crate::provider::private::Verification;
use crate::provider::{diag, private};
use crate::rules::account_config::DesiredAccount;
use crate::rules::baseline::SecuringBaseline;
use crate::rules::baseline_owner::fingerprint;
use crate::rules::compliance::{self, expectation_for_observed};
use crate::rules::discovery::{self, Reason, Verdict};
use crate::rules::guard::{self, GuardDecision, GuardedResource};
use crate::rules::kind::ServiceAccountKind;
use crate::rules::role::RolePath;
use crate::rules::user_type::{is_finalized_mark, parse_user_type};
use crate::rules::violation::{Input, RuleId};
use tfplugin6::{Diagnostics, ImportRequest, ImportResponse, ReadRequest, ReadResponse, Value};

use super::ServiceAccountResource;
use super::apply::now_rfc3339;
use super::model::{ServiceAccount, ServiceAccountIdentity, attr, identity_attr};

impl ServiceAccountResource {
    pub(super) async fn refresh(&self, request: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        let prior = ServiceAccount::from_value(&request.current_state);
        let Some(id) = prior.id.known().cloned() else {
            return Ok(ReadResponse {
                new_state: request.current_state,
                private: request.private,
                warnings: Diagnostics::new(),
            });
        };
        self.remember_own(&prior, &id, prior.is_finalized());
        let org = self.org(&prior)?;
        let baseline = self.baseline();
        let before = private::verification(&request.private);
        let group_id = self
            .refresh_group(&org, &prior, &baseline, before.group_id.as_deref())
            .await?;
        let verified_roles: Vec<String> = prior.admin_roles.known().cloned().unwrap_or_default();
        let verified = before.verified();
        let observed = observe::observe_for_refresh(
            &org,
            &id,
            group_id.as_deref().unwrap_or_default(),
            verified.map(|verified| (verified, verified_roles.as_slice())),
        )
        .await
        .map_err(|e| Diagnostics::from(diag::okta("reading the account", &e)))?;
        let Some((observed, roles_read)) = observed else {
            return match guard::decide_vanished(
                GuardedResource::ServiceAccount,
                &prior.subject(),
                prior.is_finalized(),
                &prior.whereabouts(),
            ) {
                GuardDecision::Refuse(refusal) => Err(diag::refusal(refusal)),
                _ => Ok(ReadResponse {
                    new_state: Value::Null,
                    private: Vec::new(),
                    warnings: Diagnostics::new(),
                }),
            };
        };
        // The baseline as verified, while the System Log shows no policy, rule or zone change
        // since and the settings are those it was verified against; else read once per org.
        let settings = fingerprint(&baseline);
        let baseline_read = if group_id.is_some() && before.baseline.as_deref() == Some(&settings) {
            org.baseline_read(verified).await
        } else {
            ReadDecision::Direct
        };
        let facts = match baseline_read {
            ReadDecision::Trust { .. } => {
                observed.with_baseline(&ObservedBaseline::as_declared(&baseline))
            }
            ReadDecision::Direct => {
                observe::facts_with_baseline(&org, &observed, &baseline, group_id.as_deref())
                    .await
                    .map_err(|e| {
                        Diagnostics::from(diag::okta("reading the securing baseline", &e))
                    })?
            }
        };
        let (drift, refusals) = match prior.account_config().resolve().ok() {
            // A retired account (G22) is deactivated on purpose: nothing to repair.
            _ if prior.is_retired() && !prior.is_finalized() => (Vec::new(), Vec::new()),
            Some(desired) => {
                let (mut drift, refusals) = drift_of(&desired, &baseline, &facts);
                let user_type = observed.user.profile.user_type.as_deref();
                // An adopted account not set up yet still lacks the provider's mark; a
                // finalized one must still carry the finalized mark, which a second workspace
                // (G14) and the apply-time delete check (G8) read from Okta. It comes with the
                // member listing: no call of its own.
                if !prior.is_finalized() {
                    drift.extend(mark_missing(user_type));
                    drift.sort();
                } else if !is_finalized_mark(user_type) {
                    drift.push(finalized_mark_missing(user_type));
                    drift.sort();
                } else if let Some(missing) =
                    finalized_by_missing(&observed.user.profile, org.configuration())
                {
                    // The name beside the mark is what lets this configuration know the
                    // account after a killed run (G20); the repair writes it back.
                    drift.push(missing);
                    drift.sort();
                }
                (drift, refusals)
            }
            // An imported account whose kind is not recorded yet: what the import found stands
            // until the configuration's kind is applied.
            None => (
                prior.drift.known().cloned().unwrap_or_default(),
                private::privilege_refusals(&request.private),
            ),
        };
        let new_state = ServiceAccount {
            status: Input::Known(observed.user.status.as_str().to_owned()),
            drift: Input::Known(drift.clone()),
            ..prior
        };
        // The roles as a verification records them (types, each once): a role held two ways,
        // or a required one held through a group, is still the one verified.
        let held = observe::role_types(&observed.roles);
        let mut expected = verified_roles.clone();
        expected.sort();
        expected.dedup();
        let verification = match refreshed_verification(
            held == expected && drift.is_empty(),
            verified,
            before.group_id == group_id && before.baseline.as_deref() == Some(&settings),
            (roles_read, baseline_read),
            org.verification_times(),
        ) {
            Some(verified) => Verification {
                at: Some(verified.read_from),
                own_writes_until: (verified.own_writes_until != verified.read_from)
                    .then_some(verified.own_writes_until),
                group_id,
                baseline: Some(settings),
            },
            None => Verification {
                at: None,
                own_writes_until: None,
                group_id,
                baseline: Some(settings),
            },
        };
        Ok(ReadResponse {
            new_state: new_state.into_value(),
            // What the plan must refuse to repair, for it to name (it reads no Okta itself).
            private: private::with_privilege_refusals(
                &private::with_verification(&request.private, &verification),
                &refusals,
            ),
            warnings: Diagnostics::new(),
        })
    }

    /// The service account group for a refresh: the one the last verification found, while Okta
    /// still lists its members (which the refresh reads anyway; Okta's ids are unique across
    /// orgs, so this also proves the URL still leads to the org in state). Otherwise the org is
    /// checked and the group looked up by name.
    async fn refresh_group(
        &self,
        org: &OrgSession,
        prior: &ServiceAccount,
        baseline: &SecuringBaseline,
        remembered: Option<&str>,
    ) -> Result<Option<String>, Diagnostics> {
        if let Some(group_id) = remembered {
            match org.group_listed(group_id).await {
                Ok(true) => return Ok(Some(group_id.to_owned())),
                Ok(false) => {}
                Err(error) => {
                    return Err(diag::okta("reading the service account group", &error).into());
                }
            }
        }
        self.verified_org_id(org, prior).await?;
        org.existing_group_id(&baseline.group_name)
            .await
            .map_err(|e| Diagnostics::from(diag::okta("finding the service account group", &e)))
    }

    pub(super) async fn import_existing(
        &self,
        request: ImportRequest,
    ) -> Result<ImportResponse, Diagnostics> {
        // `import { identity = {...} }` arrives with an empty id: the identity names the org and
        // the user id, and the import goes on exactly as with `ORG_URL/ID`.
        let by_identity;
        let import_id = if request.id.is_empty() && !request.identity.is_null() {
            let identity = ServiceAccountIdentity::from_value(&request.identity);
            let org_url = identity.org_url.ok_or_else(|| {
                diag::bad_import_identity(super::TYPE_NAME, identity_attr::ORG_URL)
            })?;
            let id = identity
                .id
                .ok_or_else(|| diag::bad_import_identity(super::TYPE_NAME, identity_attr::ID))?;
            by_identity = format!("{}/{id}", org_url.trim_end_matches('/'));
            by_identity.as_str()
        } else {
            request.id.as_str()
        };
        let Some((org_url, id_or_login)) = import_id.trim().rsplit_once('/') else {
            return Err(diag::bad_import_id(
                import_id,
                "there is no '/' between the org URL and the account",
            ));
        };
        if id_or_login.is_empty() || !org_url.contains("://") {
            return Err(diag::bad_import_id(
                import_id,
                "the org URL or the account is missing",
            ));
        }
        let lookup = ServiceAccount {
            org_url: Input::Known(org_url.to_owned()),
            ..ServiceAccount::default()
        };
        let org = self.org(&lookup)?;
        let org_id = self
            .verified_org_id(&org, &ServiceAccount::default())
            .await?;
        let user =
            org.client.get_user(id_or_login).await.map_err(|e| {
                Diagnostics::from(diag::okta(&format!("finding {id_or_login:?}"), &e))
            })?;
        let baseline = self.baseline();
        let group_id = org
            .existing_group_id(&baseline.group_name)
            .await
            .map_err(|e| Diagnostics::from(diag::okta("finding the service account group", &e)))?
            .unwrap_or_default();
        let observed = observe::observe(&org, &user.id, &group_id)
            .await
            .map_err(|e| Diagnostics::from(diag::okta("reading the account", &e)))?
            .ok_or_else(|| diag::disappeared("importing"))?;
        let group = (!group_id.is_empty()).then_some(group_id.as_str());
        let facts = observe::facts_with_baseline(&org, &observed, &baseline, group)
            .await
            .map_err(|e| Diagnostics::from(diag::okta("reading the securing baseline", &e)))?;
        let imported = imported_state(lookup, &org_id, &observed, &facts, &baseline);
        let mut warnings = Diagnostics::new();
        if !imported.findings.is_empty() {
            warnings.push(diag::import_findings(
                &format!("{} ({})", imported.login, user.id),
                imported.findings,
            ));
        }
        Ok(ImportResponse {
            state: imported.state,
            private: Vec::new(),
            warnings,
        })
    }
}

/// An imported account's state and what the import found wrong with it.
struct Imported {
    state: Value,
    login: String,
    findings: Vec<String>,
}

/// The state an import records (G18): what Okta holds, never a guess. The kind is the one the
/// provider's mark in Okta records, or null until the configuration sets it (so no plan shows it
/// "changing"); names, e-mail, status and, unless finalized, the roles are Okta's, so the next
/// plan shows every change the apply makes with its old and new value. Finalized only when Okta
/// records it finalized: a compliant but unmarked account is finalized by the next apply, which
/// the plan shows.
fn imported_state(
    lookup: ServiceAccount,
    org_id: &str,
    observed: &Observed,
    facts: &compliance::ObservedAccount,
    baseline: &SecuringBaseline,
) -> Imported {
    let marked = parse_user_type(observed.user.profile.user_type.as_deref());
    let finalized = matches!(marked, Some((_, true)));
    // The rules need a kind to judge roles and names. The mark records it; an unmarked account
    // with the MSP platform's default login of a kind is that kind, as discovery proposes it
    // (so configuration generated from this state names it). Any other unmarked account's is
    // left to the configuration, and role findings wait for it (the plan's admin_roles diff
    // shows them).
    let platform_kind =
        match discovery::judge(&facts.login, observed.user.profile.user_type.as_deref()) {
            Verdict::Proposed {
                kind,
                reason: Reason::PlatformLogin,
            } => Some(kind),
            _ => None,
        };
    let kind_known = marked.is_some() || platform_kind.is_some();
    let kind = marked
        .map(|(kind, _)| kind)
        .or(platform_kind)
        .unwrap_or_else(|| ServiceAccountKind::infer(&facts.login, &facts.first_name));
    let expectation = expectation_for_observed(kind, facts);
    let stage = if finalized {
        Stage::Finalized
    } else {
        Stage::Setup
    };
    let findings = set_up::assess(stage, &expectation, baseline, facts);
    let about_roles = |violation: &crate::rules::violation::Violation| {
        violation
            .path
            .first()
            .is_some_and(|name| name == attr::ADMIN_ROLES)
    };
    let mut drift: Vec<String> = findings
        .findings
        .iter()
        .filter(|finding| kind_known || !about_roles(&finding.violation))
        .map(|finding| match &finding.repair {
            Some(repair) => repair.describe(),
            None => finding.violation.summary.clone(),
        })
        .collect();
    drift.extend(mark_missing(observed.user.profile.user_type.as_deref()));
    drift.sort();
    drift.dedup();
    let described: Vec<String> = findings
        .violations()
        .filter(|violation| kind_known || !about_roles(violation))
        .map(|v| format!("{}: {}", v.summary, v.detail))
        .collect();
    // A platform account's roles are its kind's, the difference being drift (as for a
    // finalized account), so configuration generated from this state is valid as written.
    let roles: Vec<String> = if finalized || platform_kind.is_some() {
        expectation
            .admin_roles
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect()
    } else {
        // What the account holds of its own (directly or through the service account group):
        // a role through another group is a finding, not a role to record.
        let own: Vec<_> = observed
            .roles
            .iter()
            .filter(|role| !matches!(role.path, RolePath::Group { .. }))
            .cloned()
            .collect();
        observe::role_types(&own)
    };
    let state = ServiceAccount {
        org_api_token: Input::Null,
        kind: if kind_known {
            Input::Known(kind.as_str().to_owned())
        } else {
            Input::Null
        },
        login: Input::Known(facts.login.clone()),
        email: Input::Known(facts.email.clone()),
        first_name: Input::Known(facts.first_name.clone()),
        last_name: Input::Known(facts.last_name.clone()),
        // None held is null, not `[]`: Terraform writes `[]` into generated configuration, and
        // no kind accepts an empty list; null leaves the roles to the kind.
        admin_roles: if roles.is_empty() {
            Input::Null
        } else {
            Input::Known(roles)
        },
        password_wo: Input::Null,
        finalize: Input::Known(true),
        id: Input::Known(observed.user.id.clone()),
        org_id: Input::Known(org_id.to_owned()),
        status: Input::Known(observed.user.status.as_str().to_owned()),
        finalized: Input::Known(finalized),
        finalized_at: if finalized {
            Input::Known(now_rfc3339())
        } else {
            Input::Null
        },
        drift: Input::Known(drift),
        // The org's URL as the import id gave it.
        ..lookup
    };
    Imported {
        state: state.into_value(),
        login: facts.login.clone(),
        findings: described,
    }
}

/// Adoption writes the provider's mark over whatever `userType` held: the plan says so, for an
/// account that carries no mark yet.
fn mark_missing(user_type: Option<&str>) -> Option<String> {
    if parse_user_type(user_type).is_some() {
        return None;
    }
    Some(format!(
        "record the account as a managed service account in Okta's userType (now {})",
        user_type
            .map(|value| format!("{value:?}"))
            .unwrap_or_else(|| "not set".to_owned())
    ))
}

/// A finalized account whose `userType` no longer says so (changed by hand, or left behind by a
/// retirement that failed and was cancelled): the repair writes the mark back.
fn finalized_mark_missing(user_type: Option<&str>) -> String {
    format!(
        "restore the finalized mark in Okta's userType (now {})",
        user_type
            .map(|value| format!("{value:?}"))
            .unwrap_or_else(|| "not set".to_owned())
    )
}

/// What differs from `desired`, in words, for the `drift` attribute; and the privileges among
/// them that the provider may not remove itself, each with how a person does (see
/// `private::privilege_refusals`).
fn drift_of(
    desired: &DesiredAccount,
    baseline: &SecuringBaseline,
    observed: &compliance::ObservedAccount,
) -> (Vec<String>, Vec<String>) {
    let findings = compliance::assess(desired, baseline, observed);
    // A policy repair says what differs, with the values in Okta and the baseline's, so that a
    // plan shows both (e.g. "minimum length is 20 (baseline 24)").
    let mut drift: Vec<String> = findings
        .repairs()
        .iter()
        .map(|repair| {
            let differences: Vec<&str> = findings
                .findings
                .iter()
                .filter(|finding| finding.repair.as_ref() == Some(repair))
                .filter(|finding| {
                    matches!(
                        finding.violation.rule,
                        RuleId::PasswordPolicy | RuleId::SignOnPolicy
                    )
                })
                .filter_map(|finding| finding.violation.detail.split("; the update").next())
                .collect();
            if differences.is_empty() {
                repair.describe()
            } else {
                let text = differences.join("; ");
                let mut chars = text.chars();
                let first = chars.next().map(|c| c.to_lowercase().collect::<String>());
                format!(
                    "{}: {}{}",
                    repair.describe(),
                    first.unwrap_or_default(),
                    chars.as_str()
                )
            }
        })
        .collect();
    drift.extend(findings.needs_a_person().iter().map(|v| v.summary.clone()));
    let refusals = findings
        .privilege_refusals()
        .iter()
        .map(|v| format!("{}: {}", v.summary, v.detail))
        .collect();
    (drift, refusals)
}

/// When a refresh dates the account's verification. Found with drift: not verified (the next
/// refresh reads everything again). Found as verified: the last verification stands, whether
/// the System Log vouched for it or the refresh read directly (a verification still inside the
/// log's lag window, or an event since that changed nothing the provider verifies), so that an
/// unchanged account keeps its private data byte for byte and a refresh-only plan reports no
/// change; moving it forward would also skip an event the log lists late. It is dated anew
/// (`this_run`: from this run's first read, in Okta's time; a refresh writes nothing) only
/// when there is none, or it no longer describes what was found (another group, other baseline
/// settings), or the log no longer reaches back to it; without Okta's time, not at all.
fn refreshed_verification(
    found_as_verified: bool,
    verified: Option<Verified>,
    same_group_and_settings: bool,
    (roles, baseline): (ReadDecision, ReadDecision),
    this_run: Option<Verified>,
) -> Option<Verified> {
    if !found_as_verified {
        return None;
    }
    let anew = this_run.map(|run| Verified {
        read_from: run.read_from,
        own_writes_until: run.read_from,
    });
    let reachable = |at: i64| {
        this_run.is_some_and(|run| {
            run.read_from.saturating_sub(at)
                < crate::provider::org_access::CHANGE_EVENT_WINDOW.as_millis() as i64
        })
    };
    match (roles, baseline, verified) {
        (ReadDecision::Trust { .. }, ReadDecision::Trust { .. }, Some(verified)) => Some(verified),
        (_, _, Some(verified)) if same_group_and_settings && reachable(verified.read_from) => {
            Some(verified)
        }
        _ => anew,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    #[test]
    fn a_refresh_dates_its_verification_only_when_it_must() {
        // Okta's time of this run's first read.
        let now = 1_800_000_000_000;
        let run = Some(Verified {
            read_from: now,
            own_writes_until: now + 5_000,
        });
        let before = Verified {
            read_from: now - HOUR,
            own_writes_until: now - HOUR + 30_000,
        };
        let trust = ReadDecision::Trust {
            verified_at: before.read_from,
        };
        let direct = ReadDecision::Direct;
        // Drift: not verified.
        assert_eq!(
            refreshed_verification(false, Some(before), true, (trust, trust), run),
            None
        );
        // The log vouched for both: the verification stands, its own writes' end too.
        assert_eq!(
            refreshed_verification(true, Some(before), true, (trust, trust), run),
            Some(before)
        );
        // Read directly and found as verified: it stands too (byte-identical private data).
        assert_eq!(
            refreshed_verification(true, Some(before), true, (direct, direct), run),
            Some(before)
        );
        // Never verified, another group or other settings, or beyond the log's reach: from
        // this run's first read, which wrote nothing.
        let anew = Some(Verified {
            read_from: now,
            own_writes_until: now,
        });
        let dated = |verified: Option<Verified>, same: bool| {
            refreshed_verification(true, verified, same, (direct, direct), run)
        };
        assert_eq!(dated(None, true), anew);
        assert_eq!(dated(Some(before), false), anew);
        let beyond =
            now - crate::provider::org_access::CHANGE_EVENT_WINDOW.as_millis() as i64 - HOUR;
        assert_eq!(
            dated(
                Some(Verified {
                    read_from: beyond,
                    own_writes_until: beyond
                }),
                true
            ),
            anew
        );
        // Without Okta's time nothing is dated anew.
        assert_eq!(
            refreshed_verification(true, None, true, (direct, direct), None),
            None
        );
    }
}
