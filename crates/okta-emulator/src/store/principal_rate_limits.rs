//! Principal rate limits (`/api/v1/principal-rate-limits`): the share of each rate-limit bucket
//! one API token or OAuth 2.0 service app may use. Without an entity a principal gets the
//! default share, 50% in Okta ("each API token or OAuth 2.0 app can use 50% of an org's rate
//! limit by default", developer.okta.com rl2 "API token and OAuth 2.0 app rate limits").

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::table::Row;
use super::{ApiError, Audit, Org, validation};
use crate::util::okta_id;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrincipalType {
    /// An API token (`principalId` is the token's id, `00T…`).
    SswsToken,
    /// An OAuth 2.0 service app (`principalId` is its client id).
    OauthClient,
}

impl PrincipalType {
    pub fn name(self) -> &'static str {
        match self {
            PrincipalType::SswsToken => "SSWS_TOKEN",
            PrincipalType::OauthClient => "OAUTH_CLIENT",
        }
    }

    pub fn parse(name: &str) -> Option<PrincipalType> {
        match name {
            "SSWS_TOKEN" => Some(PrincipalType::SswsToken),
            "OAUTH_CLIENT" => Some(PrincipalType::OauthClient),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PrincipalRateLimit {
    pub id: String,
    pub principal_id: String,
    pub principal_type: PrincipalType,
    pub default_percentage: u32,
    pub default_concurrency_percentage: u32,
    pub created: i64,
    pub created_by: String,
    pub last_updated: i64,
    pub last_updated_by: String,
}

impl Row for PrincipalRateLimit {
    fn id(&self) -> &str {
        &self.id
    }
}

/// What a create or replace asks for; percentages absent keep the default (create) or the
/// current value (replace).
pub struct PrincipalRateLimitRequest {
    pub principal_id: String,
    pub principal_type: String,
    pub default_percentage: Option<i64>,
    pub default_concurrency_percentage: Option<i64>,
}

/// A share is a whole percentage of the bucket, at least 1 (0 would shut the principal out,
/// which the Admin Console's setting does not offer; no evidence that the API accepts it).
fn check_percentage(name: &str, value: Option<i64>, causes: &mut Vec<String>) -> Option<u32> {
    match value {
        None => None,
        Some(value @ 1..=100) => Some(value as u32),
        Some(_) => {
            causes.push(format!("{name}: must be between 1 and 100"));
            None
        }
    }
}

impl Org {
    /// The share of a bucket the principal may use, in percent.
    pub fn rate_limit_share(&self, principal_id: &str, default_percentage: u32) -> u32 {
        self.principal_rate_limits
            .values()
            .find(|entity| entity.principal_id == principal_id)
            .map_or(default_percentage, |entity| entity.default_percentage)
    }

    pub fn find_principal_rate_limit(&self, id: &str) -> Result<&PrincipalRateLimit, ApiError> {
        self.principal_rate_limits
            .found(id, "PrincipalRateLimitEntity")
    }

    fn check_principal(&self, principal_type: PrincipalType, id: &str) -> Result<(), ApiError> {
        let exists = match principal_type {
            PrincipalType::SswsToken => self.tokens.get(id).is_some(),
            PrincipalType::OauthClient => self.app_by_client_id(id).is_some(),
        };
        if exists {
            Ok(())
        } else {
            Err(ApiError::not_found(id, "Principal"))
        }
    }

    /// `POST`: "Okta only allows one principal rate limit entity per org and principal".
    pub fn create_principal_rate_limit(
        &mut self,
        audit: &Audit,
        request: PrincipalRateLimitRequest,
        default_percentage: u32,
    ) -> Result<&PrincipalRateLimit, ApiError> {
        let mut causes = Vec::new();
        let principal_type = PrincipalType::parse(&request.principal_type);
        if principal_type.is_none() {
            causes.push("principalType: must be SSWS_TOKEN or OAUTH_CLIENT".to_string());
        }
        if request.principal_id.is_empty() {
            causes.push("principalId: The field cannot be left blank".to_string());
        }
        let percentage =
            check_percentage("defaultPercentage", request.default_percentage, &mut causes);
        let concurrency = check_percentage(
            "defaultConcurrencyPercentage",
            request.default_concurrency_percentage,
            &mut causes,
        );
        let Some(principal_type) = principal_type.filter(|_| causes.is_empty()) else {
            return Err(validation(causes));
        };
        self.check_principal(principal_type, &request.principal_id)?;
        if self
            .principal_rate_limits
            .values()
            .any(|entity| entity.principal_id == request.principal_id)
        {
            return Err(ApiError::invalid(
                "principalId: A principal rate limit entity already exists for this principal",
            ));
        }
        let entity = PrincipalRateLimit {
            id: okta_id("prl"),
            principal_id: request.principal_id,
            principal_type,
            default_percentage: percentage.unwrap_or(default_percentage),
            default_concurrency_percentage: concurrency.unwrap_or(default_percentage),
            created: audit.now,
            created_by: audit.user_id.clone(),
            last_updated: audit.now,
            last_updated_by: audit.user_id.clone(),
        };
        let id = entity.id.clone();
        self.log_share_change(audit, &entity, default_percentage);
        let seq = self.next_seq();
        self.principal_rate_limits.insert(seq, entity);
        self.find_principal_rate_limit(&id)
    }

    /// `PUT`: the principal stays the entity's; the percentages change.
    pub fn replace_principal_rate_limit(
        &mut self,
        audit: &Audit,
        id: &str,
        request: PrincipalRateLimitRequest,
    ) -> Result<&PrincipalRateLimit, ApiError> {
        let current = self.find_principal_rate_limit(id)?.clone();
        let mut causes = Vec::new();
        if request.principal_id != current.principal_id
            || request.principal_type != current.principal_type.name()
        {
            causes.push(
                "principalId: The principal of a principal rate limit entity cannot change"
                    .to_string(),
            );
        }
        let percentage =
            check_percentage("defaultPercentage", request.default_percentage, &mut causes);
        let concurrency = check_percentage(
            "defaultConcurrencyPercentage",
            request.default_concurrency_percentage,
            &mut causes,
        );
        if !causes.is_empty() {
            return Err(validation(causes));
        }
        let old = current.default_percentage;
        let entity = self
            .principal_rate_limits
            .found_mut(id, "PrincipalRateLimitEntity")?;
        entity.default_percentage = percentage.unwrap_or(entity.default_percentage);
        entity.default_concurrency_percentage =
            concurrency.unwrap_or(entity.default_concurrency_percentage);
        entity.last_updated = audit.now;
        entity.last_updated_by = audit.user_id.clone();
        let entity = entity.clone();
        self.log_share_change(audit, &entity, old);
        self.find_principal_rate_limit(id)
    }

    /// Okta's catalogue: `system.rate_limit.configuration.update` is logged when an admin
    /// changes "rate limit percentage of API token", with `old_`/`new_rate_limit_percentage` and
    /// the concurrency ones in its debug data.
    fn log_share_change(&mut self, audit: &Audit, entity: &PrincipalRateLimit, old: u32) {
        let target = json!({
            "id": entity.principal_id,
            "type": entity.principal_type.name(),
            "alternateId": entity.id,
            "displayName": entity.principal_id,
            "detailEntry": null,
        });
        self.emit(
            audit,
            "system.rate_limit.configuration.update",
            "Rate limit configuration update",
            vec![target],
            json!({
                "oldRateLimitPercentage": old,
                "newRateLimitPercentage": entity.default_percentage,
                "newConcurrencyPercentage": entity.default_concurrency_percentage,
            }),
        );
    }
}
