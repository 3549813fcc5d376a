//! The org itself, and child orgs made with the Org Creator API.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::client::{Call, Client};
use super::error::OktaError;
use super::url::OrgUrl;
use super::users::{PasswordCredentials, PasswordValue, UserProfile};
use crate::secret::Secret;

/// `GET /api/v1/org`: the org's general settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgSettings {
    pub id: String,
    #[serde(default)]
    pub subdomain: Option<String>,
    #[serde(default)]
    pub company_name: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A child org to create. Its admin is the org's first super admin, the MSP integration
/// account; without a password, it is asked to set one at first sign-in.
#[derive(Debug, Clone)]
pub struct NewChildOrg {
    /// Unique, no spaces, at most 57 characters.
    pub subdomain: String,
    pub name: String,
    pub website: Option<String>,
    pub admin_profile: UserProfile,
    pub admin_password: Option<Secret>,
}

/// The created child org, with the only copy Okta will ever give of its admin's API token.
#[derive(Debug, Clone)]
pub struct ChildOrg {
    pub id: String,
    pub subdomain: Option<String>,
    pub name: Option<String>,
    pub website: Option<String>,
    pub status: Option<String>,
    pub token: Secret,
    /// `SSWS`.
    pub token_type: Option<String>,
    /// Derived from the answer's `_links` (the administrator's URL); `None` when the answer
    /// has no usable link, in which case the caller derives it from the subdomain.
    pub org_url: Option<OrgUrl>,
    /// The first super admin's user id, from `_links.administrator`.
    pub admin_user_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChildOrgAnswer {
    id: String,
    #[serde(default)]
    subdomain: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    website: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default, deserialize_with = "super::secret_from_string")]
    token: Option<Secret>,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default, rename = "_links")]
    links: Option<ChildOrgLinks>,
}

#[derive(Deserialize)]
struct ChildOrgLinks {
    #[serde(default)]
    administrator: Option<Href>,
    #[serde(default)]
    organization: Option<Href>,
}

#[derive(Deserialize)]
struct Href {
    href: String,
}

impl ChildOrgAnswer {
    fn into_child_org(self) -> Result<ChildOrg, OktaError> {
        let token = self
            .token
            .filter(|token| !token.is_empty())
            .ok_or_else(|| OktaError::Decode {
                what: "created org".to_owned(),
                detail: "the answer has no API token".to_owned(),
            })?;
        let administrator = self
            .links
            .as_ref()
            .and_then(|links| links.administrator.as_ref());
        let organization = self
            .links
            .as_ref()
            .and_then(|links| links.organization.as_ref());
        let org_url = administrator
            .or(organization)
            .and_then(|link| OrgUrl::from_api_href(&link.href).ok());
        let admin_user_id = administrator.and_then(|link| {
            let (_, id) = link.href.split_once("/api/v1/users/")?;
            let id = id.split(['/', '?']).next()?;
            (!id.is_empty()).then(|| id.to_owned())
        });
        Ok(ChildOrg {
            id: self.id,
            subdomain: self.subdomain,
            name: self.name,
            website: self.website,
            status: self.status,
            token,
            token_type: self.token_type,
            org_url,
            admin_user_id,
        })
    }
}

impl Client {
    /// `GET /api/v1/org`.
    pub async fn get_org(&self) -> Result<OrgSettings, OktaError> {
        self.fetch(
            Call::get("/api/v1/org", "/api/v1/org".to_owned()),
            "org settings",
        )
        .await
    }

    /// `POST /api/v1/orgs` on the partner (parent) org. The client never replays it once sent;
    /// `provider::org` sends it again after an unclear failure, where a "subdomain exists"
    /// answer tells it the first attempt made the org (whose token is then lost). Okta asks for
    /// 30 seconds before the new org is used.
    pub async fn create_child_org(&self, org: &NewChildOrg) -> Result<ChildOrg, OktaError> {
        #[derive(Serialize)]
        struct Admin<'a> {
            profile: &'a UserProfile,
            #[serde(skip_serializing_if = "Option::is_none")]
            credentials: Option<PasswordCredentials<'a>>,
        }
        #[derive(Serialize)]
        struct Body<'a> {
            subdomain: &'a str,
            name: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            website: Option<&'a str>,
            edition: &'static str,
            admin: Admin<'a>,
        }
        let body = Body {
            subdomain: &org.subdomain,
            name: &org.name,
            website: org.website.as_deref(),
            // "SKU is the only supported value".
            edition: "SKU",
            admin: Admin {
                profile: &org.admin_profile,
                credentials: org
                    .admin_password
                    .as_ref()
                    .map(|password| PasswordCredentials {
                        password: PasswordValue { value: password },
                    }),
            },
        };
        let call =
            Call::new(Method::POST, "/api/v1/orgs", "/api/v1/orgs".to_owned()).json(&body)?;
        let answer: ChildOrgAnswer = self.fetch(call, "created org").await?;
        answer.into_child_org()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_orgs_keep_the_token_and_find_their_url() {
        let body = r#"{"id":"00o1n8sbwArJ7OQRw406","subdomain":"my-child-org-1","name":"My Child Org 1",
            "website":"http://www.examplecorp.com","status":"ACTIVE","edition":"SKU","expiresAt":null,
            "settings":{"logs":{"level":"INFO"}},"token":"00tokenvalue","tokenType":"SSWS",
            "_links":{"administrator":{"href":"https://my-child-org-1.oktapreview.com/api/v1/users/00u1n8sheI1WBQlDV406"},
                      "organization":{"href":"https://my-child-org-1.oktapreview.com/api/v1/orgs/my-child-org-1"}}}"#;
        let answer: ChildOrgAnswer = serde_json::from_str(body).unwrap();
        let org = answer.into_child_org().unwrap();
        assert_eq!(org.token.expose(), "00tokenvalue");
        assert_eq!(
            org.org_url.unwrap().as_str(),
            "https://my-child-org-1.oktapreview.com"
        );
        assert_eq!(org.admin_user_id.as_deref(), Some("00u1n8sheI1WBQlDV406"));
        assert!(!format!("{:?}", org.token).contains("tokenvalue"));
    }

    #[test]
    fn created_orgs_under_a_path_prefix_find_their_url() {
        let body = r#"{"id":"00o1","token":"t","_links":{"administrator":{"href":"http://127.0.0.1:9/acme/api/v1/users/00u9"}}}"#;
        let org = serde_json::from_str::<ChildOrgAnswer>(body)
            .unwrap()
            .into_child_org()
            .unwrap();
        assert_eq!(org.org_url.unwrap().as_str(), "http://127.0.0.1:9/acme");
    }

    #[test]
    fn a_created_org_without_a_token_is_an_error() {
        let body = r#"{"id":"00o1","token":null}"#;
        let answer: ChildOrgAnswer = serde_json::from_str(body).unwrap();
        assert!(matches!(
            answer.into_child_org(),
            Err(OktaError::Decode { .. })
        ));
    }
}
