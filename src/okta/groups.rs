//! Groups and their members.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::client::{Call, Client, segment};
use super::error::OktaError;
use super::users::User;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    /// `OKTA_GROUP` for groups made in Okta; `APP_GROUP` and `BUILT_IN` cannot take members
    /// through the API.
    #[serde(default, rename = "type")]
    pub group_type: Option<String>,
    #[serde(default)]
    pub profile: GroupProfile,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub last_updated: Option<String>,
    #[serde(default)]
    pub last_membership_updated: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GroupProfile {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Client {
    /// The `OKTA_GROUP` named exactly `name`, if any. Uses `q` (a name prefix match) and
    /// compares names exactly here, because `search` is eventually consistent and could miss a
    /// group created moments ago.
    pub async fn find_group_by_name(&self, name: &str) -> Result<Option<Group>, OktaError> {
        let call = Call::get("/api/v1/groups", "/api/v1/groups".to_owned()).query("q", name);
        let groups: Vec<Group> = self.fetch_all(call, "list of groups").await?;
        Ok(groups.into_iter().find(|group| {
            group.profile.name == name
                && group.group_type.as_deref().unwrap_or("OKTA_GROUP") == "OKTA_GROUP"
        }))
    }

    /// `GET /api/v1/groups/{id}`.
    pub async fn get_group(&self, group_id: &str) -> Result<Group, OktaError> {
        let call = Call::get(
            "/api/v1/groups/{id}",
            format!("/api/v1/groups/{}", segment(group_id)),
        );
        self.fetch(call, "group").await
    }

    /// `POST /api/v1/groups`. Not retried once sent; look the name up before creating again.
    pub async fn create_group(&self, profile: &GroupProfile) -> Result<Group, OktaError> {
        #[derive(Serialize)]
        struct Body<'a> {
            profile: &'a GroupProfile,
        }
        let call = Call::new(Method::POST, "/api/v1/groups", "/api/v1/groups".to_owned())
            .json(&Body { profile })?;
        self.fetch(call, "group").await
    }

    /// `PUT /api/v1/groups/{id}`: replaces the group's profile (name and description).
    pub async fn update_group(
        &self,
        group_id: &str,
        profile: &GroupProfile,
    ) -> Result<Group, OktaError> {
        #[derive(Serialize)]
        struct Body<'a> {
            profile: &'a GroupProfile,
        }
        let call = Call::new(
            Method::PUT,
            "/api/v1/groups/{groupId}",
            format!("/api/v1/groups/{}", segment(group_id)),
        )
        .json(&Body { profile })?
        .replay_safe();
        self.fetch(call, "group").await
    }

    /// Every member of a group, all pages.
    pub async fn list_group_members(&self, group_id: &str) -> Result<Vec<User>, OktaError> {
        let call = Call::get(
            "/api/v1/groups/{groupId}/users",
            format!("/api/v1/groups/{}/users", segment(group_id)),
        )
        // Okta's maximum page for group members: a group of a few hundred service accounts is
        // one call.
        .query("limit", 1000);
        self.fetch_all(call, "list of group members").await
    }

    /// `PUT /api/v1/groups/{groupId}/users/{userId}` (idempotent).
    pub async fn add_user_to_group(&self, group_id: &str, user_id: &str) -> Result<(), OktaError> {
        let call = Call::new(
            Method::PUT,
            "/api/v1/groups/{groupId}/users/{userId}",
            format!(
                "/api/v1/groups/{}/users/{}",
                segment(group_id),
                segment(user_id)
            ),
        );
        self.execute(call).await
    }

    pub async fn remove_user_from_group(
        &self,
        group_id: &str,
        user_id: &str,
    ) -> Result<(), OktaError> {
        let call = Call::new(
            Method::DELETE,
            "/api/v1/groups/{groupId}/users/{userId}",
            format!(
                "/api/v1/groups/{}/users/{}",
                segment(group_id),
                segment(user_id)
            ),
        );
        self.execute(call).await
    }
}
