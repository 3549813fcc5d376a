//! The guard's rows in the docs' words: what the user does and what happens, per row and per
//! resource type, and the Protection section built from them. Kept beside `guard.rs` so that the
//! decisions stay readable there.

use super::{GuardRow, GuardedResource};

impl GuardRow {
    /// What the user does, and what happens (for the docs' Protection section).
    /// What the row means for an `okta_msp_org`, in the docs' words; `None` for the rows that
    /// only concern service accounts.
    pub fn org_behaviour(self) -> Option<(&'static str, &'static str)> {
        let behaviour = match self {
            GuardRow::G4 => (
                "changes `subdomain` or `integration_login`",
                "plan fails; no replacement is ever proposed",
            ),
            GuardRow::G5 => ("`terraform apply -replace=ADDR`", "plan fails"),
            GuardRow::G6 => ("`replace_triggered_by` fires", "plan fails"),
            GuardRow::G7 => (
                "a forced replace under `create_before_destroy`",
                "plan fails; no second org is created",
            ),
            GuardRow::G8 => (
                "`terraform taint`, then apply",
                "refused, with `terraform untaint` as the way out; the org is untouched and stays in state",
            ),
            GuardRow::G9 => (
                "changes `name`, `website` or `integration_email`",
                "plan fails: a finalized org is immutable",
            ),
            GuardRow::G10 => ("a `moved` block", "allowed; nothing changes in Okta"),
            GuardRow::G11 => (
                "`removed { lifecycle { destroy = false } }`",
                "allowed; Terraform forgets the org, which is untouched (the off-boarding path)",
            ),
            GuardRow::G16 => (
                "`terraform destroy`, a removed block, a renamed `for_each` key or a lowered `count`",
                "plan fails (its integration account is finalized). An org that never finalized (a failed set-up, or `finalize = false`) is forgotten with a warning: Okta offers no API to delete an org",
            ),
            GuardRow::G19 => (
                "the org's set-up failed after Okta created it (an error, a lost answer)",
                "the next apply resumes the same org with the token its state kept; a run killed before Terraform saved the token fails with the steps that bring the org back (sign in as the integration account, a token from its Admin Console, then an `import` block); Ctrl-C instead returns the org with its token. The integration account joins the service account group, whose password rule denies self-service reset, only in the set-up's last two steps, so the sign-in works unless the kill came there",
            ),
            GuardRow::G23 => (
                "sets `deletion_policy = \"ABANDON\"` and applies, then destroys, removes the block or removes the org's `for_each` instance",
                "allowed: Terraform forgets the org and nothing changes in Okta; the plan says so with a warning naming the org. Setting `deletion_policy` on a finalized org is allowed and changes nothing in Okta. The off-boarding path for one `for_each` instance, where `removed` cannot be used",
            ),
            _ => return None,
        };
        Some(behaviour)
    }

    pub fn behaviour(self) -> (&'static str, &'static str) {
        match self {
            GuardRow::G1 => (
                "`terraform destroy`, or `plan -destroy`",
                "plan fails, naming each finalized account; nothing is deleted",
            ),
            GuardRow::G2 => ("removes the resource block", "plan fails"),
            GuardRow::G3 => ("renames a `for_each` key, or lowers `count`", "plan fails"),
            GuardRow::G4 => (
                "changes `org_url`, `kind` or `login`",
                "plan fails; no replacement is ever proposed",
            ),
            GuardRow::G5 => ("`terraform apply -replace=ADDR`", "plan fails"),
            GuardRow::G6 => ("`replace_triggered_by` fires", "plan fails"),
            GuardRow::G7 => (
                "a forced replace under `create_before_destroy`",
                "plan fails; no second account is created",
            ),
            GuardRow::G8 => (
                "`terraform taint`, then apply",
                "refused at plan time (at apply if the plan could not tell), with `terraform untaint` as the way out; the account is untouched and stays in state",
            ),
            GuardRow::G9 => (
                "changes another managed attribute (roles, names, e-mail, `finalize`)",
                "plan fails: finalized accounts are immutable",
            ),
            GuardRow::G10 => ("a `moved` block", "allowed; nothing changes in Okta"),
            GuardRow::G11 => (
                "`removed { lifecycle { destroy = false } }`",
                "allowed; Terraform forgets the account, which is untouched (the off-boarding path)",
            ),
            GuardRow::G12 => (
                "out-of-band drift (role removed or added, through the account, one of its groups or a resource-set binding; suspended; removed from the group; policy changed)",
                "plan shows an in-place repair with a warning; apply restores the finalized setup. A privilege held through another group, or a custom role bound to a group, is not the provider's to take apart: the plan fails instead, naming the group or binding and how to remove it",
            ),
            GuardRow::G13 => (
                "the account was deleted out of band",
                "plan fails, explaining the outage and the way out; it is never re-created silently",
            ),
            GuardRow::G14 => (
                "another configuration declares the same login in the same org",
                "plan fails: adopt the account with `terraform import` instead",
            ),
            GuardRow::G15 => (
                "destroys an account that never finalized",
                "allowed: deactivated, then deleted",
            ),
            GuardRow::G16 => (
                "destroys an `okta_msp_org`",
                "plan fails (its integration account is finalized); off-boarding is G11",
            ),
            GuardRow::G17 => (
                "declares a login that an existing user holds who is not recognisably this kind's service account (a person, another integration)",
                "plan fails naming the user (status, e-mail domain, roles) and the `import` block that adopts it deliberately; nothing is changed",
            ),
            GuardRow::G18 => (
                "imports or adopts an existing account",
                "the plan shows every change the apply will make (names, roles, status, group, securing repairs) with old and new values; unconfigured names keep Okta's values; the kind is never guessed",
            ),
            GuardRow::G19 => (
                "a create or set-up failed after the Okta user or org existed (an error, a lost answer, a killed run)",
                "the next apply resumes the same object (same id; for an org, the same token); nothing is deleted and created again",
            ),
            GuardRow::G20 => (
                "an account finalized in Okta by this same resource, but not recorded so in state (a lost answer, or a run killed after the finalization and before Terraform stored the create)",
                "recognised as its own and converges without a manual step; G14 applies only to other configurations. Without a state record, a configuration knows its own by what Okta records beside the finalized mark: its `baseline_owner`, or for an unnamed configuration a digest of the directory and Terraform workspace it runs from (the same place converges; another place is given the `import` block, G14)",
            ),
            GuardRow::G21 => (
                "corrects a finalized account's e-mail, names or roles on purpose: changes them together with a new `correction_reason`",
                "allowed: the plan shows old and new values and the reason, with a warning; the apply changes only those, verifies the account again and keeps it finalized; the reason stays in state. Without a new reason the change is G9",
            ),
            GuardRow::G22 => (
                "retires a finalized account on purpose: sets `retire_reason`",
                "allowed: the plan shows `status` going to `DEPROVISIONED` and `finalized` to false, with a warning; the apply deactivates the account (it can no longer sign in) and records in Okta that it is no longer finalized; removing the block afterwards deletes it (G15)",
            ),
            GuardRow::G23 => (
                "sets `deletion_policy = \"ABANDON\"` and applies, then destroys, removes the block or removes the account's `for_each` instance",
                "allowed: Terraform forgets the account and nothing changes in Okta; the plan says so with a warning naming the account (login, org). Setting `deletion_policy` on a finalized account is allowed and changes nothing in Okta. The off-boarding path for one `for_each` instance, where `removed` cannot be used",
            ),
        }
    }
}

/// The Protection section of the docs, built from [`GuardRow::behaviour`].
pub fn protection_markdown(resource: GuardedResource) -> String {
    let mut out = String::from("| # | what you do | what happens |\n|---|---|---|\n");
    for row in GuardRow::ALL {
        let behaviour = match resource {
            GuardedResource::ServiceAccount => Some(row.behaviour()),
            GuardedResource::Org => row.org_behaviour(),
        };
        if let Some((action, outcome)) = behaviour {
            out.push_str(&format!("| {row} | {action} | {outcome} |\n"));
        }
    }
    let example = format!("{}.example", resource.type_name());
    out.push_str(&format!(
        "\nTo off-board a customer, stop managing its objects without touching them. For any object, one `for_each` instance included, set `deletion_policy = \"ABANDON\"`, apply, then remove it from the configuration and apply again (G23). For a whole block, a `removed` block does the same (G11):\n\n```hcl\n{}\n```\n",
        removed_block(&example)
    ));
    out
}

pub(super) fn removed_block(address: &str) -> String {
    format!("removed {{\n  from = {address}\n  lifecycle {{\n    destroy = false\n  }}\n}}")
}
