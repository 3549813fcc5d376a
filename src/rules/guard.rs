//! The finalization guard (SPEC section 4): which plans and applies of a finalized object are
//! refused, and what the refusal says.
//!
//! Terraform reaches a provider through few doors, and several user actions share one door:
//!
//! | door | user actions (rows) | decided by |
//! |---|---|---|
//! | plan with a null proposed state | destroy, removed block, lost `for_each` key or `count` (G1-G3, G15, G16; G23 when the state says `deletion_policy = "ABANDON"`) | [`decide_plan`], [`PlanKind::Destroy`] |
//! | plan of an update | changes (G4, G9), moved block (G10), drift repair (G12) | [`decide_plan`], [`PlanKind::Update`] |
//! | plan of a create with prior private data | `-replace`, `replace_triggered_by`, `create_before_destroy`, forced replacement (G5-G7) | [`decide_plan`], [`PlanKind::Create`] and the [marker](super::marker) |
//! | plan of a create over an existing login | another configuration's account (G14), a user that is not this kind's (G17), adoption and resumption (G18-G20) | [`super::adoption::decide`] |
//! | read of a vanished object | deleted out of band (G13) | [`decide_vanished`] |
//! | apply of a delete | taint (G8), and every plan-time check bypassed; G23 again | [`decide_delete`] |
//!
//! `removed { lifecycle { destroy = false } }` (G11) never reaches the provider: Terraform forgets
//! the object by itself, which is why it is the documented way out.

use std::fmt;

use super::deletion_policy::DeletionPolicy;
use super::marker::MarkerPresence;

/// The resource types the guard protects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuardedResource {
    ServiceAccount,
    Org,
}

impl GuardedResource {
    pub fn type_name(self) -> &'static str {
        match self {
            GuardedResource::ServiceAccount => "okta_msp_service_account",
            GuardedResource::Org => "okta_msp_org",
        }
    }

    pub(crate) fn noun(self) -> &'static str {
        match self {
            GuardedResource::ServiceAccount => "service account",
            GuardedResource::Org => "org",
        }
    }

    /// Attributes whose change would need a new object.
    pub fn immutable_attributes(self) -> &'static [&'static str] {
        match self {
            GuardedResource::ServiceAccount => &["org_url", "kind", "login"],
            GuardedResource::Org => &["subdomain", "integration_login"],
        }
    }

    /// Attributes that may change on a finalized object because they configure how the provider
    /// reaches Okta, not the object: rotating a token must stay possible. The reason of a
    /// correction changes nothing in Okta by itself.
    pub fn access_attributes(self) -> &'static [&'static str] {
        match self {
            GuardedResource::ServiceAccount => &[
                "org_api_token",
                "org_client_id",
                "password_wo",
                "correction_reason",
            ],
            GuardedResource::Org => &[],
        }
    }

    /// Managed attributes a deliberate correction (G21) may change on a finalized object: what
    /// an initial setup can get wrong without the object being a different one.
    pub fn correctable_attributes(self) -> &'static [&'static str] {
        match self {
            GuardedResource::ServiceAccount => &["email", "first_name", "last_name", "admin_roles"],
            GuardedResource::Org => &[],
        }
    }

    /// How a changed attribute counts for the guard.
    pub fn classify(self, attribute: &str) -> AttributeClass {
        if self.immutable_attributes().contains(&attribute) {
            AttributeClass::Immutable
        } else if self.access_attributes().contains(&attribute) {
            AttributeClass::Access
        } else {
            AttributeClass::Managed
        }
    }
}

/// See [`GuardedResource::classify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttributeClass {
    Immutable,
    Managed,
    Access,
}

/// The rows of SPEC section 4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GuardRow {
    G1,
    G2,
    G3,
    G4,
    G5,
    G6,
    G7,
    G8,
    G9,
    G10,
    G11,
    G12,
    G13,
    G14,
    G15,
    G16,
    G17,
    G18,
    G19,
    G20,
    G21,
    G22,
    G23,
}

impl GuardRow {
    pub const ALL: [GuardRow; 23] = [
        GuardRow::G1,
        GuardRow::G2,
        GuardRow::G3,
        GuardRow::G4,
        GuardRow::G5,
        GuardRow::G6,
        GuardRow::G7,
        GuardRow::G8,
        GuardRow::G9,
        GuardRow::G10,
        GuardRow::G11,
        GuardRow::G12,
        GuardRow::G13,
        GuardRow::G14,
        GuardRow::G15,
        GuardRow::G16,
        GuardRow::G17,
        GuardRow::G18,
        GuardRow::G19,
        GuardRow::G20,
        GuardRow::G21,
        GuardRow::G22,
        GuardRow::G23,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GuardRow::G1 => "G1",
            GuardRow::G2 => "G2",
            GuardRow::G3 => "G3",
            GuardRow::G4 => "G4",
            GuardRow::G5 => "G5",
            GuardRow::G6 => "G6",
            GuardRow::G7 => "G7",
            GuardRow::G8 => "G8",
            GuardRow::G9 => "G9",
            GuardRow::G10 => "G10",
            GuardRow::G11 => "G11",
            GuardRow::G12 => "G12",
            GuardRow::G13 => "G13",
            GuardRow::G14 => "G14",
            GuardRow::G15 => "G15",
            GuardRow::G16 => "G16",
            GuardRow::G17 => "G17",
            GuardRow::G18 => "G18",
            GuardRow::G19 => "G19",
            GuardRow::G20 => "G20",
            GuardRow::G21 => "G21",
            GuardRow::G22 => "G22",
            GuardRow::G23 => "G23",
        }
    }
}

impl fmt::Display for GuardRow {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// What kind of plan Terraform asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanKind {
    /// Prior state null: a new object, or the second half of a replace.
    Create,
    Update,
    /// Proposed state null.
    Destroy,
}

/// A plan request as the guard sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanCheck {
    pub resource: GuardedResource,
    pub kind: PlanKind,
    /// How messages name the object, e.g. `oktaradius@acme.example (00u1a2b3c4d5e6f7g8h9)`.
    pub subject: String,
    /// The prior state says finalized.
    pub prior_finalized: bool,
    /// The marker in the prior private data.
    pub prior_marker: MarkerPresence,
    /// Changed attributes that cannot change in place (`GuardedResource::classify`).
    pub immutable_changes: Vec<String>,
    /// Changed managed attributes that are not a repair of drift back to the finalized setup.
    pub managed_changes: Vec<String>,
    /// What the update repairs, in words (from `compliance::Repair::describe`).
    pub drift_repairs: Vec<String>,
    /// The new `correction_reason` when this plan changes it to a non-empty value: the user's
    /// deliberate permission to correct the finalized object (G21). An unchanged reason permits
    /// nothing.
    pub correction_reason: Option<String>,
    /// The new `retire_reason` when this plan sets it to a non-empty value on a finalized
    /// object: the user's deliberate decision to retire it (G22).
    pub retire_reason: Option<String>,
    /// The org's baseline owner (this configuration) declares other settings than it applied
    /// (`rules::baseline_owner::Ownership::OwnChange`): differences in the policies are this
    /// configuration's change, not someone else's.
    pub baseline_settings_changed: bool,
    /// The prior state's `deletion_policy`: `ABANDON` makes a destroy forget the object (G23).
    pub deletion_policy: DeletionPolicy,
    /// Where the object lives and what it is, for messages about an object whose block may be
    /// gone (so Terraform shows no address beside them).
    pub whereabouts: Whereabouts,
}

/// What a message needs to lead the user to an object Terraform shows no address for: its org
/// and its id (`terraform state list -id=ID` prints the address).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Whereabouts {
    /// The org's URL.
    pub org: Option<String>,
    /// The id Terraform stores as the object's `id`.
    pub id: Option<String>,
}

impl Whereabouts {
    /// `" in org URL"`, or nothing when the org is unknown.
    fn in_org(&self) -> String {
        match &self.org {
            Some(org) => format!(" in org {org}"),
            None => String::new(),
        }
    }

    /// Where to find the object's address, in parentheses.
    fn find_address_short(&self) -> String {
        match &self.id {
            Some(id) => format!("`terraform state list -id={id}` prints it"),
            None => "`terraform state list` lists the addresses in state".to_owned(),
        }
    }

    /// The sentence that finds the object's address in state.
    fn find_address(&self) -> String {
        match &self.id {
            Some(id) => format!("`terraform state list -id={id}` prints its address"),
            None => "`terraform state list` prints the addresses in state".to_owned(),
        }
    }
}

impl PlanCheck {
    /// A check with no changes, no marker and nothing looked up.
    pub fn new(resource: GuardedResource, kind: PlanKind, subject: impl Into<String>) -> PlanCheck {
        PlanCheck {
            resource,
            kind,
            subject: subject.into(),
            prior_finalized: false,
            prior_marker: MarkerPresence::Absent,
            immutable_changes: Vec::new(),
            managed_changes: Vec::new(),
            drift_repairs: Vec::new(),
            correction_reason: None,
            retire_reason: None,
            baseline_settings_changed: false,
            deletion_policy: DeletionPolicy::Prevent,
            whereabouts: Whereabouts::default(),
        }
    }
}

/// An apply-time delete as the guard sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteCheck {
    pub resource: GuardedResource,
    pub subject: String,
    pub state_finalized: bool,
    pub private_marker: MarkerPresence,
    /// What Okta says, when the provider looked (it should: state can be stale).
    pub remote_finalized: Option<bool>,
    /// The prior state's `deletion_policy` (G23).
    pub deletion_policy: DeletionPolicy,
    pub whereabouts: Whereabouts,
}

/// The guard's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GuardDecision {
    Allow,
    /// Allow the update, and warn: it repairs drift (G12).
    Repair(Notice),
    /// An unfinalized object may be replaced; the provider answers `requires_replace` with these.
    Replace {
        attributes: Vec<String>,
    },
    Refuse(Refusal),
    /// Forget the object and change nothing in Okta, with a warning (`deletion_policy =
    /// "ABANDON"`, G23).
    Forget(Notice),
}

/// A warning that accompanies an allowed plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub row: GuardRow,
    pub summary: String,
    pub detail: String,
}

/// Why the guard refused, and what to do instead. Becomes one error diagnostic per object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub row: GuardRow,
    pub summary: String,
    pub detail: String,
    /// Attribute path the refusal points at, when one attribute is to blame.
    pub path: Vec<String>,
}

/// How messages label the rows a destroy plan stands for. Terraform asks the provider the same
/// way for `terraform destroy`, a removed block and a removed `for_each` key or lowered `count`
/// (a null configuration and prior state, nothing else), so a refusal cannot honestly name one.
pub const DESTROY_ROWS: &str = "G1-G3";

/// The hint for a destroy refused in the cleanup of `terraform test`, which destroys what its
/// runs created: module tests are what `finalize = false` is for.
const TEST_TEARDOWN: &str = "If this is the cleanup of `terraform test`, set finalize = false on the objects the test creates (for example through a variable its `variables` block sets), so that its teardown can destroy them";

/// Decides a plan.
pub fn decide_plan(check: &PlanCheck) -> GuardDecision {
    let noun = check.resource.noun();
    let subject = &check.subject;
    let whereabouts = &check.whereabouts;
    let in_org = whereabouts.in_org();
    if check.kind == PlanKind::Destroy && check.deletion_policy == DeletionPolicy::Abandon {
        return GuardDecision::Forget(forget_notice(check.resource, subject, whereabouts));
    }
    let finalized =
        check.prior_finalized || matches!(check.prior_marker, MarkerPresence::Present(_));
    if let MarkerPresence::Unreadable(error) = &check.prior_marker {
        // Only this provider writes private data; if it cannot read it, it cannot rule out that
        // the object is finalized.
        let (row, label) = match (check.kind, check.resource) {
            (PlanKind::Create, _) => (GuardRow::G5, "G5".to_owned()),
            (PlanKind::Update, _) => (GuardRow::G9, "G9".to_owned()),
            (PlanKind::Destroy, GuardedResource::Org) => (GuardRow::G16, "G16".to_owned()),
            (PlanKind::Destroy, GuardedResource::ServiceAccount) => {
                (GuardRow::G1, DESTROY_ROWS.to_owned())
            }
        };
        return refuse(
            row,
            format!("Cannot tell whether {noun} {subject}{in_org} is finalized ({label})"),
            format!(
                "Its private data in state is unreadable ({error}), so the provider refuses rather than risk deleting or changing a finalized {noun} and disabling its integration; report this to the provider's maintainers. Once you have checked the {noun} in Okta, `terraform state rm` with its address stops managing it; {}",
                whereabouts.find_address()
            ),
        );
    }
    match check.kind {
        PlanKind::Destroy if !finalized => GuardDecision::Allow,
        PlanKind::Destroy => match check.resource {
            GuardedResource::ServiceAccount => refuse(
                GuardRow::G1,
                format!(
                    "Finalized service account {subject}{in_org} cannot be destroyed ({DESTROY_ROWS})"
                ),
                format!(
                    "Deleting a service account after its setup is complete disables the integration that depends on it. This plan destroys it because of `terraform destroy`, a removed resource block, a removed or renamed for_each key or a lowered count. {}. If you renamed a key or moved the block, add a `moved` block from the old address to the new one instead. To stop managing the account without touching it: {}; otherwise restore the configuration that declared the account. {TEST_TEARDOWN}",
                    capitalized(&whereabouts.find_address()),
                    way_out(check.resource)
                ),
            ),
            GuardedResource::Org => refuse(
                GuardRow::G16,
                format!(
                    "Org {subject} cannot be destroyed: its integration account is finalized (G16)"
                ),
                format!(
                    "Deleting the org would delete the MSP integration account and every service account in it, and the MSP platform would lose the customer. {}. To off-board the customer, stop managing the org and its accounts without touching them: {}; do the same for each of its service accounts. {TEST_TEARDOWN}",
                    capitalized(&whereabouts.find_address()),
                    way_out(check.resource)
                ),
            ),
        },
        PlanKind::Create => {
            if let MarkerPresence::Present(marker) = &check.prior_marker {
                return refuse(
                    GuardRow::G5,
                    if subject.contains(&marker.id) {
                        format!("Finalized {noun} {subject} cannot be replaced (G5)")
                    } else {
                        format!(
                            "Finalized {noun} {subject} ({}) cannot be replaced (G5)",
                            marker.id
                        )
                    },
                    format!(
                        "Replacing it deletes the finalized {noun} and creates another one, which disables the integration that depends on it (`-replace`, `replace_triggered_by`, a forced replacement and `create_before_destroy` all end this way). Drop `-replace`, remove the `replace_triggered_by` reference, or revert the change that forces replacement; to manage a different {noun}, declare a new resource"
                    ),
                );
            }
            GuardDecision::Allow
        }
        PlanKind::Update if !finalized => {
            if check.immutable_changes.is_empty() {
                GuardDecision::Allow
            } else {
                GuardDecision::Replace {
                    attributes: check.immutable_changes.clone(),
                }
            }
        }
        PlanKind::Update => {
            if !check.immutable_changes.is_empty() {
                let attributes = check.immutable_changes.join(", ");
                let mut refusal = refusal(
                    GuardRow::G4,
                    format!("Cannot change {attributes} of finalized {noun} {subject} (G4)"),
                    format!(
                        "{attributes} cannot change in place, and replacing the {noun} would delete it and disable the integration that depends on it, so no replacement is proposed. Revert {attributes} to the value in state; to manage a different {noun}, declare a new resource"
                    ),
                );
                refusal.path = vec![check.immutable_changes[0].clone()];
                return GuardDecision::Refuse(refusal);
            }
            if let Some(reason) = &check.retire_reason {
                if !check.managed_changes.is_empty() {
                    let attributes = check.managed_changes.join(", ");
                    return refuse(
                        GuardRow::G9,
                        format!("Cannot retire and modify finalized {noun} {subject} at once (G9)"),
                        format!(
                            "Retiring {} {noun} deactivates it as it is; revert {attributes} to the value in state and retire it in its own plan",
                            crate::rules::kind::article(noun)
                        ),
                    );
                }
                return GuardDecision::Repair(Notice {
                    row: GuardRow::G22,
                    summary: format!("Retiring finalized {noun} {subject} on purpose (G22)"),
                    detail: format!(
                        "retire_reason is now {reason:?}. The apply deactivates the {noun}, so it can no longer sign in and the integration that uses it stops, and records in Okta that it is no longer finalized. Nothing is deleted: removing its block afterwards deletes it (G15); removing retire_reason instead sets it up again"
                    ),
                });
            }
            let correctable = check.resource.correctable_attributes();
            if let Some(reason) = &check.correction_reason
                && !check.managed_changes.is_empty()
                && check
                    .managed_changes
                    .iter()
                    .all(|name| correctable.contains(&name.as_str()))
            {
                let attributes = check.managed_changes.join(", ");
                return GuardDecision::Repair(Notice {
                    row: GuardRow::G21,
                    summary: format!("Correcting finalized {noun} {subject} on purpose (G21)"),
                    detail: format!(
                        "This plan changes {attributes} (old and new values are in the plan above) because correction_reason is now {reason:?}. The apply changes only what the plan shows, verifies the {noun} again and keeps it finalized; Okta's System Log records the change. Make sure the integration that depends on it is ready for the new values"
                    ),
                });
            }
            if !check.managed_changes.is_empty() {
                let attributes = check.managed_changes.join(", ");
                let correction_hint = if check
                    .managed_changes
                    .iter()
                    .all(|name| correctable.contains(&name.as_str()))
                {
                    format!(
                        ". If the {noun}'s setup was wrong from the start, correct it on purpose: change {attributes} together with a new correction_reason (for example a ticket number), and the plan shows the correction (G21)"
                    )
                } else {
                    String::new()
                };
                let mut refusal = refusal(
                    GuardRow::G9,
                    format!("Cannot modify finalized {noun} {subject} (G9)"),
                    format!(
                        "Once its setup is complete {} {noun} is immutable: changing {attributes} can break the integration that depends on it. Revert {attributes} to the value in state. Drift made in Okta is repaired without a change here; an integration that needs a different setup needs a new {noun}{correction_hint}",
                        crate::rules::kind::article(noun)
                    ),
                );
                refusal.path = vec![check.managed_changes[0].clone()];
                return GuardDecision::Refuse(refusal);
            }
            if !check.drift_repairs.is_empty() && check.baseline_settings_changed {
                return GuardDecision::Repair(Notice {
                    row: GuardRow::G12,
                    summary: format!(
                        "The securing baseline of {noun} {subject} changes with this configuration's settings (G12)"
                    ),
                    detail: format!(
                        "This configuration, which owns the org's baseline, now declares other settings than it applied before. Applying this plan will {}. If someone also changed the policies in Okta, the System Log (data source okta_msp_audit_events) shows who",
                        check.drift_repairs.join(", ")
                    ),
                });
            }
            if !check.drift_repairs.is_empty() {
                return GuardDecision::Repair(Notice {
                    row: GuardRow::G12,
                    summary: format!(
                        "Finalized {noun} {subject} drifted; this plan repairs it (G12)"
                    ),
                    detail: format!(
                        "Someone changed it outside Terraform, which can break its integration. Applying this plan will {}. The System Log (data source okta_msp_audit_events) shows who made the change",
                        check.drift_repairs.join(", ")
                    ),
                });
            }
            // No change (a refresh, or a `moved` block: G10).
            GuardDecision::Allow
        }
    }
}

/// An `okta_msp_org` whose configuration declares another integration login than the org's
/// (the login of the account its token belongs to, as an import records it): an org can be
/// neither replaced nor deleted through Okta's API, and its integration account is the org's
/// first super admin, so the plan is refused, finalized or not, naming both values (G4).
pub fn org_integration_login_change(subject: &str, in_okta: &str, configured: &str) -> Refusal {
    Refusal {
        row: GuardRow::G4,
        summary: format!("Cannot change integration_login of org {subject} (G4)"),
        detail: format!(
            "The org's integration account is {in_okta:?}, and the configuration says {configured:?}. An org is never replaced (Okta offers no API to delete one, and a new org would be another customer tenant), and its integration account cannot be swapped for another user. Set integration_login = {in_okta:?}; to manage another account of the org, declare an okta_msp_service_account"
        ),
        path: vec!["integration_login".to_owned()],
    }
}

/// Decides what to do when a read finds the object gone from Okta. `Allow` means: remove it from
/// state, as Terraform expects, so the next plan creates it.
pub fn decide_vanished(
    resource: GuardedResource,
    subject: &str,
    finalized: bool,
    whereabouts: &Whereabouts,
) -> GuardDecision {
    if !finalized {
        return GuardDecision::Allow;
    }
    let noun = resource.noun();
    let in_org = whereabouts.in_org();
    refuse(
        GuardRow::G13,
        format!("Finalized {noun} {subject}{in_org} no longer exists in Okta (G13)"),
        format!(
            "It was deleted outside Terraform, so the integration that depended on it is down. The provider does not re-create it silently: a new {noun} has a new id and none of the old credentials, and the integration must be connected to it deliberately. Find who deleted it in the System Log; then run `terraform state rm` with its address ({}) and apply to create a new {noun}, and re-connect the integration with it",
            whereabouts.find_address_short()
        ),
    )
}

/// Decides an apply-time delete: the last line of defence (G8), which holds even when every
/// plan-time check was bypassed. An object whose state says `deletion_policy = "ABANDON"` is
/// forgotten without a call to Okta (G23), whatever the plan said.
pub fn decide_delete(check: &DeleteCheck) -> GuardDecision {
    if check.deletion_policy == DeletionPolicy::Abandon {
        return GuardDecision::Forget(forget_notice(
            check.resource,
            &check.subject,
            &check.whereabouts,
        ));
    }
    let finalized = check.state_finalized
        || check.remote_finalized == Some(true)
        || !matches!(check.private_marker, MarkerPresence::Absent);
    if !finalized {
        return GuardDecision::Allow;
    }
    let noun = check.resource.noun();
    let in_org = check.whereabouts.in_org();
    refuse(
        GuardRow::G8,
        format!(
            "Finalized {noun} {}{in_org} was not deleted (G8)",
            check.subject
        ),
        format!(
            "Terraform asked to delete it (after `terraform taint`, or from a plan made without the provider's checks). Deleting it would disable the integration that depends on it, so it is untouched and stays in state. If it was tainted, run `terraform untaint` with its address ({}); to stop managing it without touching it: {}",
            check.whereabouts.find_address_short(),
            way_out(check.resource)
        ),
    )
}

/// The warning of a destroy that forgets the object (G23).
fn forget_notice(resource: GuardedResource, subject: &str, whereabouts: &Whereabouts) -> Notice {
    let noun = resource.noun();
    let in_org = whereabouts.in_org();
    let import = match (resource, &whereabouts.org, &whereabouts.id) {
        (GuardedResource::ServiceAccount, Some(org), Some(id)) => format!(
            "an `import` block (id = \"{}/{id}\")",
            org.trim_end_matches('/')
        ),
        (GuardedResource::ServiceAccount, _, _) => {
            "an `import` block (id = the org's URL, a slash and the account's id)".to_owned()
        }
        (GuardedResource::Org, _, _) => "an `import` block (id = the org's URL)".to_owned(),
    };
    Notice {
        row: GuardRow::G23,
        summary: format!(
            "{} {subject}{in_org} is forgotten, not deleted (G23)",
            capitalized(noun)
        ),
        detail: format!(
            "deletion_policy is \"ABANDON\", so Terraform shows a destroy, but the apply only removes the {noun} from this state: nothing changes in Okta, and the integration that depends on it keeps working. To manage it again, adopt it with {import}"
        ),
    }
}

/// How to stop managing an object without touching it, in words: the two supported paths.
fn way_out(resource: GuardedResource) -> String {
    format!(
        "set `deletion_policy = \"ABANDON\"` in its block (restore the block or key if it is gone), apply, then remove it and apply again (G23); for a whole resource block, a `removed` block with that address and `lifecycle {{ destroy = false }}` does the same (G11). For example, for the resource `example`:\n\n{}",
        removed_block(&format!("{}.example", resource.type_name()))
    )
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn refusal(row: GuardRow, summary: String, detail: String) -> Refusal {
    Refusal {
        row,
        summary,
        detail,
        path: Vec::new(),
    }
}

fn refuse(row: GuardRow, summary: String, detail: String) -> GuardDecision {
    GuardDecision::Refuse(refusal(row, summary, detail))
}

#[path = "guard_docs.rs"]
mod docs;
pub use docs::protection_markdown;
use docs::removed_block;

#[cfg(test)]
#[path = "guard_tests.rs"]
mod tests;
