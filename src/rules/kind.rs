//! The service account kinds and their privilege table (SPEC section 2), as data.
//!
//! Validators, compliance checks, schema descriptions and docs all read [`KindRule`], so the
//! documentation cannot drift from what is enforced.

use std::fmt;
use std::str::FromStr;

use super::role::{AdminRole, RoleSet};

/// What a service account is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServiceAccountKind {
    MspIntegration,
    DeepLink,
    AdAgent,
    Radius,
    Custom,
}

/// How an account of a kind comes to exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Created together with its org by `okta_msp_org` (the org's first super admin, whose API
    /// token the MSP platform uses). For an existing org it is adopted by import, never created
    /// by `okta_msp_service_account`.
    CreatedWithOrg,
    /// Created by the MSP platform the first time a technician deep-links into the org; adopted by
    /// import, or pre-provisioned by this provider.
    CreatedByPlatform,
    /// Created by this provider (in the console this is a manual step of an integration).
    CreatedByProvider,
}

/// Whether an account of a kind may hold `SUPER_ADMIN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuperAdmin {
    /// The kind always holds it.
    Required,
    /// Only when the configuration declares it in `admin_roles`; never by default.
    OnExplicitRequest,
}

/// Which roles beyond the required ones a kind may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtraRoles {
    Nothing,
    /// `SUPER_ADMIN`, when declared.
    SuperAdminOnRequest,
    /// Whatever assignable roles the configuration declares (which must be non-empty).
    Declared,
}

/// Default names for an account of a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NamingDefaults {
    /// Local part of the default login (`{local}@{domain}`); `None` when the kind has no
    /// recognisable name (custom accounts must name themselves).
    pub login_local_part: Option<&'static str>,
    pub first_name: &'static str,
    pub last_name: &'static str,
}

/// One row of the kind table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindRule {
    pub kind: ServiceAccountKind,
    /// The name MSPs and the platform's documentation use.
    pub title: &'static str,
    /// Who creates the account, and when.
    pub origin_text: &'static str,
    pub origin: Origin,
    /// Roles the account must hold; empty for `custom`, whose roles are declared.
    pub required_roles: &'static [AdminRole],
    pub extra_roles: ExtraRoles,
    pub super_admin: SuperAdmin,
    /// Why the roles are what they are (shown in errors and docs).
    pub rationale: &'static str,
    pub naming: NamingDefaults,
}

const LAST_NAME: &str = "Service Account";

/// The kind table, in the order the documentation lists it.
pub const KIND_TABLE: [KindRule; 5] = [
    KindRule {
        kind: ServiceAccountKind::MspIntegration,
        title: "MSP-Okta Integration",
        origin_text: "created together with the org by `okta_msp_org` (the org's first super admin, whose API token the MSP platform uses); adopted by import for existing orgs",
        origin: Origin::CreatedWithOrg,
        required_roles: &[AdminRole::SuperAdmin],
        extra_roles: ExtraRoles::Nothing,
        super_admin: SuperAdmin::Required,
        rationale: "the MSP platform's integration acts as Super Administrator through this account's API token",
        naming: NamingDefaults {
            login_local_part: Some("msp-okta-integration"),
            first_name: "MSP-Okta Integration",
            last_name: LAST_NAME,
        },
    },
    KindRule {
        kind: ServiceAccountKind::DeepLink,
        title: "Deep Link",
        origin_text: "created by the MSP platform the first time a technician deep-links into the org's Admin Console; adopted by import, or pre-provisioned",
        origin: Origin::CreatedByPlatform,
        required_roles: &[AdminRole::SuperAdmin],
        extra_roles: ExtraRoles::Nothing,
        super_admin: SuperAdmin::Required,
        rationale: "deep-linked technicians act in the Admin Console as this account, which always has Super Administrator privileges",
        naming: NamingDefaults {
            login_local_part: Some("deep-link"),
            first_name: "Deep Link",
            last_name: LAST_NAME,
        },
    },
    KindRule {
        kind: ServiceAccountKind::AdAgent,
        title: "OktaADAgent",
        origin_text: "created when the org is integrated with on-premises Active Directory",
        origin: Origin::CreatedByProvider,
        required_roles: &[AdminRole::SuperAdmin],
        extra_roles: ExtraRoles::Nothing,
        super_admin: SuperAdmin::Required,
        rationale: "MSP best practice: the AD agent registers with and (up to agent 3.17) runs on this account's Super Administrator token; losing the role disconnects the agent",
        naming: NamingDefaults {
            login_local_part: Some("oktaadagent"),
            first_name: "OktaADAgent",
            last_name: LAST_NAME,
        },
    },
    KindRule {
        kind: ServiceAccountKind::Radius,
        title: "OktaRADIUS",
        origin_text: "created when the org is integrated with RADIUS",
        origin: Origin::CreatedByProvider,
        required_roles: &[AdminRole::ReadOnlyAdmin, AdminRole::AppAdmin],
        extra_roles: ExtraRoles::SuperAdminOnRequest,
        super_admin: SuperAdmin::OnExplicitRequest,
        rationale: "least privilege: the RADIUS agent needs the Read-Only Administrator and Application Administrator roles",
        naming: NamingDefaults {
            login_local_part: Some("oktaradius"),
            first_name: "OktaRADIUS",
            last_name: LAST_NAME,
        },
    },
    KindRule {
        kind: ServiceAccountKind::Custom,
        title: "Custom",
        origin_text: "any other integration",
        origin: Origin::CreatedByProvider,
        required_roles: &[],
        extra_roles: ExtraRoles::Declared,
        super_admin: SuperAdmin::OnExplicitRequest,
        rationale: "only the integration knows what it needs, so the configuration declares it",
        naming: NamingDefaults {
            login_local_part: None,
            first_name: "Integration",
            last_name: LAST_NAME,
        },
    },
];

impl ServiceAccountKind {
    pub const ALL: [ServiceAccountKind; 5] = [
        ServiceAccountKind::MspIntegration,
        ServiceAccountKind::DeepLink,
        ServiceAccountKind::AdAgent,
        ServiceAccountKind::Radius,
        ServiceAccountKind::Custom,
    ];

    /// The name configurations use, e.g. `ad_agent`.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceAccountKind::MspIntegration => "msp_integration",
            ServiceAccountKind::DeepLink => "deep_link",
            ServiceAccountKind::AdAgent => "ad_agent",
            ServiceAccountKind::Radius => "radius",
            ServiceAccountKind::Custom => "custom",
        }
    }

    /// This kind's row of [`KIND_TABLE`].
    pub fn rule(self) -> &'static KindRule {
        // The table is ordered like `ALL`; a test pins that.
        &KIND_TABLE[self as usize]
    }

    /// The roles an account of this kind gets when the configuration declares none.
    pub fn default_roles(self) -> RoleSet {
        self.rule().required_roles.iter().copied().collect()
    }

    /// Whether `okta_msp_service_account` may create an account of this kind (rather than only
    /// adopt it by import).
    pub fn may_be_created_by_service_account_resource(self) -> bool {
        self.rule().origin != Origin::CreatedWithOrg
    }

    /// Whether `role`, declared by a configuration, is allowed for this kind.
    pub fn allows(self, role: AdminRole) -> bool {
        let rule = self.rule();
        if !role.is_assignable() {
            return false;
        }
        if rule.required_roles.contains(&role) {
            return true;
        }
        match rule.extra_roles {
            ExtraRoles::Nothing => false,
            ExtraRoles::SuperAdminOnRequest => role == AdminRole::SuperAdmin,
            ExtraRoles::Declared => true,
        }
    }

    /// The default login of this kind in a mailbox domain, e.g. `oktaradius@example.com`.
    pub fn default_login(self, domain: &str) -> Option<String> {
        self.rule()
            .naming
            .login_local_part
            .map(|local| format!("{local}@{domain}"))
    }

    /// Best guess of the kind of an existing account, from its names, for listings of accounts
    /// that no configuration describes. Accounts without a recognisable default name are
    /// `custom`.
    pub fn infer(login: &str, first_name: &str) -> ServiceAccountKind {
        let local = login.split('@').next().unwrap_or_default();
        ServiceAccountKind::ALL
            .into_iter()
            .filter(|kind| *kind != ServiceAccountKind::Custom)
            .find(|kind| {
                let naming = kind.rule().naming;
                naming.first_name.eq_ignore_ascii_case(first_name)
                    || naming
                        .login_local_part
                        .is_some_and(|default| default.eq_ignore_ascii_case(local))
            })
            .unwrap_or(ServiceAccountKind::Custom)
    }

    /// The kinds as a list for messages and descriptions: `` `msp_integration`, `deep_link`, ...``.
    pub fn list() -> String {
        ServiceAccountKind::ALL
            .iter()
            .map(|kind| format!("`{}`", kind.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl ServiceAccountKind {
    /// The kind after its indefinite article, as messages say it: "an ad_agent", "a radius",
    /// "an msp_integration" (said "an M-S-P").
    pub fn with_article(self) -> String {
        format!("{} {self}", article(self.as_str()))
    }
}

/// The kind after its capitalised article, to start a sentence: "An ad_agent".
impl ServiceAccountKind {
    pub fn with_capital_article(self) -> String {
        let text = self.with_article();
        let mut characters = text.chars();
        match characters.next() {
            Some(first) => first.to_uppercase().chain(characters).collect(),
            None => text,
        }
    }
}

/// "a" or "an" before `word`, by how it is said: vowels, and the initialism MSP.
pub fn article(word: &str) -> &'static str {
    let lower = word.to_ascii_lowercase();
    if lower.starts_with(['a', 'e', 'i', 'o', 'u']) || lower.starts_with("msp") {
        "an"
    } else {
        "a"
    }
}

impl fmt::Display for ServiceAccountKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A kind name that is not one of the five.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown service account kind {given:?}; valid kinds are {}",
    ServiceAccountKind::list()
)]
pub struct UnknownKind {
    pub given: String,
}

impl FromStr for ServiceAccountKind {
    type Err = UnknownKind;

    fn from_str(given: &str) -> Result<ServiceAccountKind, UnknownKind> {
        ServiceAccountKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == given)
            .ok_or_else(|| UnknownKind {
                given: given.to_owned(),
            })
    }
}

fn role_list(roles: &[AdminRole]) -> String {
    roles
        .iter()
        .map(|role| format!("`{role}`"))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The kind table as a Markdown table, for schema descriptions and docs.
pub fn kind_table_markdown() -> String {
    let mut out = String::from(
        "| kind | account | who creates it, when | required admin roles | may also have | default names |\n\
         |---|---|---|---|---|---|\n",
    );
    for rule in &KIND_TABLE {
        let required = if rule.required_roles.is_empty() {
            "what `admin_roles` declares (non-empty)".to_owned()
        } else {
            role_list(rule.required_roles)
        };
        let extra = match rule.extra_roles {
            ExtraRoles::Nothing => "nothing else".to_owned(),
            ExtraRoles::SuperAdminOnRequest | ExtraRoles::Declared => {
                "`SUPER_ADMIN` only when `admin_roles` declares it".to_owned()
            }
        };
        let login = match rule.naming.login_local_part {
            Some(local) => format!("login `{local}@…`, "),
            None => String::new(),
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {}name \"{} {}\" |\n",
            rule.kind.as_str(),
            rule.title,
            rule.origin_text,
            required,
            extra,
            login,
            rule.naming.first_name,
            rule.naming.last_name,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_are_in_the_order_of_all() {
        for (index, kind) in ServiceAccountKind::ALL.into_iter().enumerate() {
            assert_eq!(KIND_TABLE[index].kind, kind);
            assert_eq!(kind.rule().kind, kind);
        }
    }

    #[test]
    fn kind_names_round_trip() {
        let expected = [
            "msp_integration",
            "deep_link",
            "ad_agent",
            "radius",
            "custom",
        ];
        for (kind, name) in ServiceAccountKind::ALL.into_iter().zip(expected) {
            assert_eq!(kind.as_str(), name);
            assert_eq!(name.parse::<ServiceAccountKind>(), Ok(kind));
            assert_eq!(kind.to_string(), name);
        }
    }

    #[test]
    fn unknown_kind_lists_the_valid_ones() {
        for given in ["", "radius_agent", "AD_AGENT", "Custom", "deep-link"] {
            let error = given.parse::<ServiceAccountKind>().unwrap_err();
            let message = error.to_string();
            for kind in ServiceAccountKind::ALL {
                assert!(message.contains(kind.as_str()), "{message}");
            }
            assert!(!message.ends_with('.'));
        }
    }

    #[test]
    fn default_roles_follow_spec_section_2() {
        use AdminRole::*;
        let cases: [(ServiceAccountKind, &[AdminRole]); 5] = [
            (ServiceAccountKind::MspIntegration, &[SuperAdmin]),
            (ServiceAccountKind::DeepLink, &[SuperAdmin]),
            (ServiceAccountKind::AdAgent, &[SuperAdmin]),
            (ServiceAccountKind::Radius, &[ReadOnlyAdmin, AppAdmin]),
            (ServiceAccountKind::Custom, &[]),
        ];
        for (kind, roles) in cases {
            assert_eq!(
                kind.default_roles(),
                roles.iter().copied().collect::<RoleSet>(),
                "{kind}"
            );
        }
    }

    #[test]
    fn super_admin_stance_matches_required_roles() {
        for rule in &KIND_TABLE {
            let required = rule.required_roles.contains(&AdminRole::SuperAdmin);
            assert_eq!(
                rule.super_admin == SuperAdmin::Required,
                required,
                "{}",
                rule.kind
            );
            // Every kind may hold SUPER_ADMIN in some configuration, but only the required
            // kinds hold it by default.
            assert!(rule.kind.allows(AdminRole::SuperAdmin));
            assert_eq!(
                rule.kind.default_roles().contains(&AdminRole::SuperAdmin),
                required
            );
        }
    }

    #[test]
    fn every_kind_and_role_combination_is_allowed_exactly_as_the_table_says() {
        use AdminRole::*;
        for kind in ServiceAccountKind::ALL {
            for role in AdminRole::ALL {
                let expected = match (kind, role) {
                    (_, MobileAdmin) => false,
                    (ServiceAccountKind::Custom, _) => true,
                    (_, SuperAdmin) => true,
                    (ServiceAccountKind::Radius, ReadOnlyAdmin | AppAdmin) => true,
                    _ => false,
                };
                assert_eq!(kind.allows(role), expected, "{kind} x {role}");
            }
        }
    }

    #[test]
    fn only_msp_integration_is_never_created_by_the_service_account_resource() {
        for kind in ServiceAccountKind::ALL {
            assert_eq!(
                kind.may_be_created_by_service_account_resource(),
                kind != ServiceAccountKind::MspIntegration,
                "{kind}"
            );
        }
    }

    #[test]
    fn naming_defaults() {
        assert_eq!(
            ServiceAccountKind::AdAgent
                .default_login("acme.example")
                .as_deref(),
            Some("oktaadagent@acme.example")
        );
        assert_eq!(
            ServiceAccountKind::Radius.rule().naming.first_name,
            "OktaRADIUS"
        );
        assert_eq!(
            ServiceAccountKind::AdAgent.rule().naming.first_name,
            "OktaADAgent"
        );
        assert_eq!(
            ServiceAccountKind::Custom.default_login("acme.example"),
            None
        );
        for rule in &KIND_TABLE {
            // Okta limits names to 1..=50 characters.
            assert!((1..=50).contains(&rule.naming.first_name.chars().count()));
            assert!((1..=50).contains(&rule.naming.last_name.chars().count()));
        }
    }

    #[test]
    fn infer_recognises_default_names_and_falls_back_to_custom() {
        let cases = [
            (
                "oktaradius@acme.example",
                "Someone",
                ServiceAccountKind::Radius,
            ),
            (
                "svc@acme.example",
                "OktaADAgent",
                ServiceAccountKind::AdAgent,
            ),
            ("OktaADAgent@acme.example", "x", ServiceAccountKind::AdAgent),
            ("deep-link@acme.example", "x", ServiceAccountKind::DeepLink),
            (
                "x@acme.example",
                "MSP-Okta Integration",
                ServiceAccountKind::MspIntegration,
            ),
            ("backup@acme.example", "Backup", ServiceAccountKind::Custom),
            ("", "", ServiceAccountKind::Custom),
        ];
        for (login, first_name, expected) in cases {
            assert_eq!(
                ServiceAccountKind::infer(login, first_name),
                expected,
                "{login}"
            );
        }
    }

    #[test]
    fn markdown_table_is_built_from_the_data() {
        let markdown = kind_table_markdown();
        assert_eq!(markdown.lines().count(), 2 + KIND_TABLE.len());
        for rule in &KIND_TABLE {
            let line = markdown
                .lines()
                .find(|line| line.starts_with(&format!("| `{}` |", rule.kind)))
                .unwrap_or_else(|| panic!("no row for {}", rule.kind));
            for role in rule.required_roles {
                assert!(line.contains(&format!("`{role}`")), "{line}");
            }
            assert!(line.contains(rule.naming.first_name), "{line}");
            // Every row has the same number of cells as the header.
            assert_eq!(line.matches(" | ").count(), 5, "{line}");
        }
        assert!(markdown.contains("`READ_ONLY_ADMIN`"));
        assert!(markdown.contains("non-empty"));
    }
}
