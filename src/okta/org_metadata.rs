//! `GET /.well-known/okta-organization`: which engine an org runs on. The securing baseline is
//! written differently on Identity Engine (recovery governed by the password policy's rule)
//! and on Classic Engine (recovery factors in the policy's settings).

use serde::Deserialize;

use super::client::{Call, Client};
use super::error::OktaError;

/// An org's authentication pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    IdentityEngine,
    Classic,
}

/// The org metadata Okta serves to anyone: its id and its pipeline.
#[derive(Debug, Clone, Deserialize)]
pub struct OrgMetadata {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub pipeline: Option<String>,
}

impl OrgMetadata {
    /// `v1` is Classic Engine and `idx` Identity Engine (the reference's `PipelineType`). An
    /// answer without a pipeline counts as Identity Engine, which every org Okta provisions
    /// today runs on.
    pub fn engine(&self) -> Engine {
        match self.pipeline.as_deref() {
            Some("v1") => Engine::Classic,
            _ => Engine::IdentityEngine,
        }
    }
}

impl Client {
    /// `GET /.well-known/okta-organization`. Okta needs no token for it; sending one is
    /// harmless and keeps every call on the same path through the client.
    pub async fn get_org_metadata(&self) -> Result<OrgMetadata, OktaError> {
        self.fetch(
            Call::get(
                "/.well-known/okta-organization",
                "/.well-known/okta-organization".to_owned(),
            ),
            "org metadata",
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pipeline_names_the_engine() {
        let read = |body: serde_json::Value| {
            serde_json::from_value::<OrgMetadata>(body)
                .unwrap()
                .engine()
        };
        assert_eq!(
            read(serde_json::json!({"id": "00o1", "pipeline": "v1"})),
            Engine::Classic
        );
        assert_eq!(
            read(serde_json::json!({"id": "00o1", "pipeline": "idx"})),
            Engine::IdentityEngine
        );
        assert_eq!(
            read(serde_json::json!({"id": "00o1"})),
            Engine::IdentityEngine
        );
    }
}
