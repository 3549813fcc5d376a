//! The org's own settings: its general settings (`/api/v1/org`: company name, website, address,
//! phone numbers, support link), its billing and technical contacts, the End-User Dashboard
//! footer preference, and the privacy settings (Okta communication e-mails, Okta Support
//! access). They are saved with the org's own fields (`delta::Header`), not as table rows.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{ApiError, Audit, Org, validation};

/// How long a grant of Okta Support access lasts, and how much an extension adds (Okta's
/// reference: "temporary access to your org as an administrator for eight hours", extend "by 24
/// hours"; the recordings' expirations are exactly that apart).
const SUPPORT_GRANT_MILLIS: i64 = 8 * 3_600_000;
const SUPPORT_EXTENSION_MILLIS: i64 = 24 * 3_600_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrgSettings {
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub phone_number: Option<String>,
    pub end_user_support_help_url: Option<String>,
    pub support_phone_number: Option<String>,
    pub show_end_user_footer: bool,
    pub opt_out_email_users: bool,
    /// Until when Okta Support may sign in to the org; `None` while access is not granted.
    pub support_access_until: Option<i64>,
    /// The contacts set with `PUT /api/v1/org/contacts/{type}`; `None` is the org's first super
    /// admin, whom Okta makes both contacts when it creates the org.
    pub billing_contact: Option<String>,
    pub technical_contact: Option<String>,
}

impl Default for OrgSettings {
    /// What Okta answered for an org whose settings nobody had set (okta-sdk-python's recorded
    /// org): the phone numbers and support link empty strings, the address fields null, the
    /// footer shown, users opted out of Okta's communication e-mails, Okta Support access off.
    fn default() -> Self {
        OrgSettings {
            address1: None,
            address2: None,
            city: None,
            state: None,
            postal_code: None,
            country: None,
            phone_number: Some(String::new()),
            end_user_support_help_url: Some(String::new()),
            support_phone_number: Some(String::new()),
            show_end_user_footer: true,
            opt_out_email_users: true,
            support_access_until: None,
            billing_contact: None,
            technical_contact: None,
        }
    }
}

/// The writable general settings: their names on the wire. `companyName` and `website` are the
/// org's own `name` and `website`; the rest live in [`OrgSettings`].
pub const WRITABLE_FIELDS: [&str; 11] = [
    "companyName",
    "website",
    "address1",
    "address2",
    "city",
    "state",
    "postalCode",
    "country",
    "phoneNumber",
    "endUserSupportHelpURL",
    "supportPhoneNumber",
];

/// The two contact types Okta has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactType {
    Billing,
    Technical,
}

impl ContactType {
    /// The path's contact type, in either case (Okta lists them with lower-case links and its
    /// SDK asks for them in upper case).
    pub fn parse(text: &str) -> Result<ContactType, ApiError> {
        match text.to_ascii_uppercase().as_str() {
            "BILLING" => Ok(ContactType::Billing),
            "TECHNICAL" => Ok(ContactType::Technical),
            _ => Err(ApiError::not_found(text, "OrgContactType")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ContactType::Billing => "BILLING",
            ContactType::Technical => "TECHNICAL",
        }
    }

    pub const ALL: [ContactType; 2] = [ContactType::Billing, ContactType::Technical];
}

impl Org {
    /// A general setting's current value, by its wire name.
    pub fn setting(&self, field: &str) -> Option<&str> {
        let settings = &self.settings;
        let value = match field {
            "companyName" => return Some(&self.name),
            "website" => &self.website,
            "address1" => &settings.address1,
            "address2" => &settings.address2,
            "city" => &settings.city,
            "state" => &settings.state,
            "postalCode" => &settings.postal_code,
            "country" => &settings.country,
            "phoneNumber" => &settings.phone_number,
            "endUserSupportHelpURL" => &settings.end_user_support_help_url,
            "supportPhoneNumber" => &settings.support_phone_number,
            _ => return None,
        };
        value.as_deref()
    }

    /// `POST /api/v1/org` (`replace` false: only the fields sent change) and `PUT` (`replace`
    /// true: a writable field not sent is cleared). Read-only fields (`id`, `status`,
    /// `created`, `_links`, ...), which clients send back from a read, are ignored. Every
    /// problem is reported at once and nothing changes when there is one.
    pub fn update_settings(
        &mut self,
        audit: &Audit,
        body: &Map<String, Value>,
        replace: bool,
    ) -> Result<(), ApiError> {
        let mut causes = Vec::new();
        let mut changes: Vec<(&str, Option<String>)> = Vec::new();
        for field in WRITABLE_FIELDS {
            let value = match body.get(field) {
                None if !replace => continue,
                None | Some(Value::Null) => None,
                Some(Value::String(text)) => Some(text.clone()),
                Some(_) => {
                    causes.push(format!("{field}: The field must be a string"));
                    continue;
                }
            };
            if field == "companyName" && value.as_deref().is_none_or(|name| name.trim().is_empty())
            {
                causes.push("companyName: The field cannot be left blank".to_string());
                continue;
            }
            if value
                .as_deref()
                .is_some_and(|text| text.chars().count() > 1_000)
            {
                causes.push(format!(
                    "{field}: The field must be at most 1000 characters"
                ));
                continue;
            }
            changes.push((field, value));
        }
        if !causes.is_empty() {
            return Err(validation(causes));
        }
        for (field, value) in changes {
            let settings = &mut self.settings;
            let slot = match field {
                "companyName" => {
                    self.name = value.unwrap_or_default();
                    continue;
                }
                "website" => &mut self.website,
                "address1" => &mut settings.address1,
                "address2" => &mut settings.address2,
                "city" => &mut settings.city,
                "state" => &mut settings.state,
                "postalCode" => &mut settings.postal_code,
                "country" => &mut settings.country,
                "phoneNumber" => &mut settings.phone_number,
                "endUserSupportHelpURL" => &mut settings.end_user_support_help_url,
                _ => &mut settings.support_phone_number,
            };
            *slot = value;
        }
        // Okta's event catalogue has no event for a change of the org's general settings.
        self.last_updated = audit.now;
        Ok(())
    }

    /// The user a contact type names: the one set, else the org's first super admin.
    pub fn contact_user_id(&self, contact: ContactType) -> Result<String, ApiError> {
        let set = match contact {
            ContactType::Billing => &self.settings.billing_contact,
            ContactType::Technical => &self.settings.technical_contact,
        };
        if let Some(user_id) = set {
            return Ok(user_id.clone());
        }
        self.users
            .values()
            .find(|user| {
                user.roles
                    .iter()
                    .any(|role| role.role_type == "SUPER_ADMIN")
            })
            .map(|user| user.id.clone())
            .ok_or_else(|| ApiError::not_found(contact.as_str(), "OrgContactUser"))
    }

    /// `PUT /api/v1/org/contacts/{type}`: the user must exist in the org; returns its id.
    pub fn set_contact(
        &mut self,
        contact: ContactType,
        id_or_login: &str,
    ) -> Result<String, ApiError> {
        if id_or_login.trim().is_empty() {
            return Err(ApiError::invalid("userId: The field cannot be left blank"));
        }
        let user_id = self.user_id_of(id_or_login)?;
        let slot = match contact {
            ContactType::Billing => &mut self.settings.billing_contact,
            ContactType::Technical => &mut self.settings.technical_contact,
        };
        *slot = Some(user_id.clone());
        Ok(user_id)
    }

    /// `hideEndUserFooter` and `showEndUserFooter`; Okta's catalogue has no event for either.
    pub fn set_end_user_footer(&mut self, shown: bool) {
        self.settings.show_end_user_footer = shown;
    }

    /// `optIn` and `optOut` of Okta's communication e-mails; no catalogued event either.
    pub fn set_communication_opt_out(&mut self, opted_out: bool) {
        self.settings.opt_out_email_users = opted_out;
    }

    /// Until when Okta Support may access the org, if it may now.
    pub fn support_access_until(&self, now: i64) -> Option<i64> {
        self.settings
            .support_access_until
            .filter(|until| *until > now)
    }

    /// `grant`: Okta Support may access the org for eight hours from now, logged as Okta logs
    /// the impersonation grant it is.
    pub fn grant_support_access(&mut self, audit: &Audit) -> i64 {
        let until = audit.now + SUPPORT_GRANT_MILLIS;
        self.settings.support_access_until = Some(until);
        self.emit_support_event(
            audit,
            "user.session.impersonation.grant",
            "Enable impersonation grant",
        );
        until
    }

    /// `extend`: 24 more hours on a grant in force; without one there is nothing to extend.
    pub fn extend_support_access(&mut self, audit: &Audit) -> Result<i64, ApiError> {
        let Some(until) = self.support_access_until(audit.now) else {
            return Err(ApiError::invalid(
                "Okta Support access is not granted, so it cannot be extended",
            ));
        };
        let until = until + SUPPORT_EXTENSION_MILLIS;
        self.settings.support_access_until = Some(until);
        self.emit_support_event(
            audit,
            "user.session.impersonation.extend",
            "Extend impersonation session",
        );
        Ok(until)
    }

    /// `revoke`: Okta Support access ends now (revoking when none is granted changes nothing
    /// and logs nothing).
    pub fn revoke_support_access(&mut self, audit: &Audit) {
        if self.settings.support_access_until.take().is_some() {
            self.emit_support_event(
                audit,
                "user.session.impersonation.revoke",
                "Revoke impersonation grant",
            );
        }
    }

    fn emit_support_event(&mut self, audit: &Audit, event_type: &str, message: &str) {
        let target = json!({
            "id": self.id,
            "type": "Org",
            "alternateId": self.subdomain,
            "displayName": self.name,
            "detailEntry": null,
        });
        self.emit(audit, event_type, message, vec![target], json!({}));
    }
}
