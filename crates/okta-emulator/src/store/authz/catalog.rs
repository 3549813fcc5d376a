//! An authorization server's scopes and claims: what a new server starts with, and their
//! create, replace and delete.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::super::{ApiError, Audit, Org, validation};
use crate::util::okta_id;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scope {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub display_name: Option<String>,
    /// `IMPLICIT`, `REQUIRED` or `FLEXIBLE`.
    pub consent: String,
    /// `ALL_CLIENTS` or `NO_CLIENTS`.
    pub metadata_publish: String,
    pub default: bool,
    pub optional: bool,
    pub system: bool,
}

/// A scope to create, or the full replacement of one; `None` takes Okta's default.
pub struct NewScope {
    pub name: String,
    pub description: Option<String>,
    pub display_name: Option<String>,
    pub consent: Option<String>,
    pub metadata_publish: Option<String>,
    pub default: Option<bool>,
    pub optional: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claim {
    pub id: String,
    pub name: String,
    /// `ACTIVE` or `INACTIVE`.
    pub status: String,
    /// `RESOURCE` (access token) or `IDENTITY` (ID token).
    pub claim_type: String,
    /// `EXPRESSION`, `GROUPS` or `SYSTEM`.
    pub value_type: String,
    pub value: Option<String>,
    pub scopes: Vec<String>,
    pub always_include_in_token: bool,
    pub group_filter_type: Option<String>,
    pub system: bool,
}

/// A claim to create, or the full replacement of one.
pub struct NewClaim {
    pub name: String,
    pub status: Option<String>,
    pub claim_type: String,
    pub value_type: String,
    pub value: Option<String>,
    pub scopes: Vec<String>,
    pub always_include_in_token: Option<bool>,
    pub group_filter_type: Option<String>,
}

/// The OpenID Connect scopes every new server lists, with the descriptions Okta gives them
/// (recorded in cassette test_list_oauth2_scopes: system, published to all clients).
const SYSTEM_SCOPES: &[(&str, &str)] = &[
    ("openid", "Signals that a request is an OpenID request."),
    (
        "profile",
        "The exact data varies based on what profile information you have provided, such as: name, time zone, picture, or birthday.",
    ),
    ("email", "This allows the app to view your email address."),
    (
        "address",
        "This allows the app to view your address, such as: street address, city, state, and zip code.",
    ),
    ("phone", "This allows the app to view your phone number."),
    (
        "offline_access",
        "This keeps you signed in to the app, even when you are not using it.",
    ),
];

/// The OpenID Connect identity claims every new server lists: (name, scope, always in the ID
/// token), as recorded in cassette test_list_oauth2_claims. `sub` is the one access-token
/// claim, an expression.
const SYSTEM_CLAIMS: &[(&str, &str, bool)] = &[
    ("address", "address", false),
    ("birthdate", "profile", false),
    ("email", "email", true),
    ("email_verified", "email", false),
    ("family_name", "profile", false),
    ("gender", "profile", false),
    ("given_name", "profile", false),
    ("locale", "profile", false),
    ("middle_name", "profile", false),
    ("name", "profile", true),
    ("nickname", "profile", false),
    ("phone_number", "phone", false),
    ("picture", "profile", false),
    ("preferred_username", "profile", true),
    ("profile", "profile", false),
    ("updated_at", "profile", false),
    ("website", "profile", false),
    ("zoneinfo", "profile", false),
];

pub(super) fn system_scopes() -> Vec<Scope> {
    SYSTEM_SCOPES
        .iter()
        .map(|(name, description)| Scope {
            id: okta_id("scp"),
            name: name.to_string(),
            description: Some(description.to_string()),
            display_name: None,
            consent: "IMPLICIT".to_string(),
            metadata_publish: "ALL_CLIENTS".to_string(),
            default: false,
            optional: false,
            system: true,
        })
        .collect()
}

pub(super) fn system_claims() -> Vec<Claim> {
    let sub = Claim {
        id: okta_id("ocl"),
        name: "sub".to_string(),
        status: "ACTIVE".to_string(),
        claim_type: "RESOURCE".to_string(),
        value_type: "EXPRESSION".to_string(),
        value: Some("(appuser != null) ? appuser.userName : app.clientId".to_string()),
        scopes: Vec::new(),
        always_include_in_token: true,
        group_filter_type: None,
        system: true,
    };
    std::iter::once(sub)
        .chain(SYSTEM_CLAIMS.iter().map(|(name, scope, always)| Claim {
            id: okta_id("ocl"),
            name: name.to_string(),
            status: "ACTIVE".to_string(),
            claim_type: "IDENTITY".to_string(),
            value_type: "SYSTEM".to_string(),
            value: None,
            scopes: vec![scope.to_string()],
            always_include_in_token: *always,
            group_filter_type: None,
            system: true,
        }))
        .collect()
}

fn check_scope(scope: &NewScope) -> Result<(), ApiError> {
    let mut causes = Vec::new();
    if scope.name.trim().is_empty() {
        causes.push("name: The field cannot be left blank".to_string());
    } else if scope.name.chars().count() > 1_024 || scope.name.contains(char::is_whitespace) {
        causes.push("name: A scope name must be 1 to 1024 characters without spaces".to_string());
    }
    if let Some(consent) = &scope.consent
        && !["IMPLICIT", "REQUIRED", "FLEXIBLE"].contains(&consent.as_str())
    {
        causes.push("consent: Must be IMPLICIT, REQUIRED or FLEXIBLE".to_string());
    }
    if let Some(publish) = &scope.metadata_publish
        && !["ALL_CLIENTS", "NO_CLIENTS"].contains(&publish.as_str())
    {
        causes.push("metadataPublish: Must be ALL_CLIENTS or NO_CLIENTS".to_string());
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(validation(causes))
    }
}

fn check_claim(claim: &NewClaim) -> Result<(), ApiError> {
    let mut causes = Vec::new();
    if claim.name.trim().is_empty() {
        causes.push("name: The field cannot be left blank".to_string());
    }
    if !["RESOURCE", "IDENTITY"].contains(&claim.claim_type.as_str()) {
        causes.push("claimType: Must be RESOURCE or IDENTITY".to_string());
    }
    if !["EXPRESSION", "GROUPS", "SYSTEM"].contains(&claim.value_type.as_str()) {
        causes.push("valueType: Must be EXPRESSION, GROUPS or SYSTEM".to_string());
    } else if claim.value_type != "SYSTEM"
        && claim.value.as_deref().is_none_or(|v| v.trim().is_empty())
    {
        causes.push("value: The field cannot be left blank".to_string());
    }
    if claim
        .status
        .as_deref()
        .is_some_and(|status| !["ACTIVE", "INACTIVE"].contains(&status))
    {
        causes.push("status: Must be ACTIVE or INACTIVE".to_string());
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(validation(causes))
    }
}

impl Org {
    pub fn find_scope(&self, server_id: &str, scope_id: &str) -> Result<&Scope, ApiError> {
        self.find_auth_server(server_id)?
            .scopes
            .iter()
            .find(|scope| scope.id == scope_id)
            .ok_or_else(|| ApiError::not_found(scope_id, "OAuth2Scope"))
    }

    pub fn find_claim(&self, server_id: &str, claim_id: &str) -> Result<&Claim, ApiError> {
        self.find_auth_server(server_id)?
            .claims
            .iter()
            .find(|claim| claim.id == claim_id)
            .ok_or_else(|| ApiError::not_found(claim_id, "OAuth2Claim"))
    }

    /// Creates a scope; what the request leaves out takes the reference's defaults (consent
    /// `IMPLICIT`, not published, neither default nor optional), and the recordings answer
    /// `metadataPublish` `NO_CLIENTS` for a scope sent with a name only.
    pub fn create_scope(
        &mut self,
        audit: &Audit,
        server_id: &str,
        scope: NewScope,
    ) -> Result<&Scope, ApiError> {
        self.find_auth_server(server_id)?;
        check_scope(&scope)?;
        let row = Scope {
            id: okta_id("scp"),
            name: scope.name,
            description: scope.description,
            display_name: scope.display_name,
            consent: scope.consent.unwrap_or_else(|| "IMPLICIT".to_string()),
            metadata_publish: scope
                .metadata_publish
                .unwrap_or_else(|| "NO_CLIENTS".to_string()),
            default: scope.default.unwrap_or(false),
            optional: scope.optional.unwrap_or(false),
            system: false,
        };
        let id = row.id.clone();
        let server = self.auth_server_mut(server_id)?;
        server.scopes.push(row);
        let target = scope_target(server_id, &id);
        self.emit(
            audit,
            "oauth2.scope.created",
            "OAuth2 scope is created",
            vec![target],
            json!({}),
        );
        self.find_scope(server_id, &id)
    }

    pub fn replace_scope(
        &mut self,
        audit: &Audit,
        server_id: &str,
        scope_id: &str,
        scope: NewScope,
    ) -> Result<&Scope, ApiError> {
        self.find_scope(server_id, scope_id)?;
        check_scope(&scope)?;
        let server = self.auth_server_mut(server_id)?;
        if let Some(row) = server.scopes.iter_mut().find(|row| row.id == scope_id) {
            row.name = scope.name;
            row.description = scope.description;
            row.display_name = scope.display_name;
            row.consent = scope.consent.unwrap_or_else(|| "IMPLICIT".to_string());
            row.metadata_publish = scope
                .metadata_publish
                .unwrap_or_else(|| "NO_CLIENTS".to_string());
            row.default = scope.default.unwrap_or(false);
            row.optional = scope.optional.unwrap_or(false);
        }
        let target = scope_target(server_id, scope_id);
        self.emit(
            audit,
            "oauth2.scope.updated",
            "OAuth2 scope is updated",
            vec![target],
            json!({}),
        );
        self.find_scope(server_id, scope_id)
    }

    pub fn delete_scope(
        &mut self,
        audit: &Audit,
        server_id: &str,
        scope_id: &str,
    ) -> Result<(), ApiError> {
        self.find_scope(server_id, scope_id)?;
        let server = self.auth_server_mut(server_id)?;
        server.scopes.retain(|row| row.id != scope_id);
        let target = scope_target(server_id, scope_id);
        self.emit(
            audit,
            "oauth2.scope.deleted",
            "OAuth2 scope is deleted",
            vec![target],
            json!({}),
        );
        Ok(())
    }

    /// Creates a claim. An access-token claim is always in the token (the reference: "always
    /// `TRUE` for access token Claims"; recorded `true` for one sent without it); an ID-token
    /// claim is too unless the request says otherwise.
    pub fn create_claim(
        &mut self,
        audit: &Audit,
        server_id: &str,
        claim: NewClaim,
    ) -> Result<&Claim, ApiError> {
        self.find_auth_server(server_id)?;
        check_claim(&claim)?;
        let row = Claim {
            id: okta_id("ocl"),
            status: claim.status.unwrap_or_else(|| "ACTIVE".to_string()),
            always_include_in_token: claim.claim_type == "RESOURCE"
                || claim.always_include_in_token.unwrap_or(true),
            name: claim.name,
            claim_type: claim.claim_type,
            value_type: claim.value_type,
            value: claim.value,
            scopes: claim.scopes,
            group_filter_type: claim.group_filter_type,
            system: false,
        };
        let id = row.id.clone();
        let server = self.auth_server_mut(server_id)?;
        server.claims.push(row);
        self.emit(
            audit,
            "oauth2.claim.created",
            "OAuth2 claim is created",
            vec![claim_target(server_id, &id)],
            json!({}),
        );
        self.find_claim(server_id, &id)
    }

    pub fn replace_claim(
        &mut self,
        audit: &Audit,
        server_id: &str,
        claim_id: &str,
        claim: NewClaim,
    ) -> Result<&Claim, ApiError> {
        self.find_claim(server_id, claim_id)?;
        check_claim(&claim)?;
        let server = self.auth_server_mut(server_id)?;
        if let Some(row) = server.claims.iter_mut().find(|row| row.id == claim_id) {
            row.status = claim.status.unwrap_or_else(|| "ACTIVE".to_string());
            row.always_include_in_token =
                claim.claim_type == "RESOURCE" || claim.always_include_in_token.unwrap_or(true);
            row.name = claim.name;
            row.claim_type = claim.claim_type;
            row.value_type = claim.value_type;
            row.value = claim.value;
            row.scopes = claim.scopes;
            row.group_filter_type = claim.group_filter_type;
        }
        self.emit(
            audit,
            "oauth2.claim.updated",
            "OAuth2 claim is updated",
            vec![claim_target(server_id, claim_id)],
            json!({}),
        );
        self.find_claim(server_id, claim_id)
    }

    pub fn delete_claim(
        &mut self,
        audit: &Audit,
        server_id: &str,
        claim_id: &str,
    ) -> Result<(), ApiError> {
        self.find_claim(server_id, claim_id)?;
        let server = self.auth_server_mut(server_id)?;
        server.claims.retain(|row| row.id != claim_id);
        self.emit(
            audit,
            "oauth2.claim.deleted",
            "OAuth2 claim is deleted",
            vec![claim_target(server_id, claim_id)],
            json!({}),
        );
        Ok(())
    }
}

fn scope_target(server_id: &str, scope_id: &str) -> serde_json::Value {
    json!({ "id": scope_id, "type": "OAuth2Scope", "alternateId": server_id, "displayName": scope_id, "detailEntry": null })
}

fn claim_target(server_id: &str, claim_id: &str) -> serde_json::Value {
    json!({ "id": claim_id, "type": "OAuth2Claim", "alternateId": server_id, "displayName": claim_id, "detailEntry": null })
}
