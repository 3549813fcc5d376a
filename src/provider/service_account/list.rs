//! The list resource `okta_msp_service_account` (`terraform query`, Terraform >= 1.14): finds
//! the service accounts of the orgs the provider can reach and streams one identity per account,
//! so that `-generate-config-out` writes their resource and import blocks.
//!
//! What counts as a service account is decided by `rules::discovery` (the mark, or the
//! platform's default login; never admin roles alone). Per org it costs `GET /api/v1/org` (which
//! also proves the token reaches the org it names) and one `GET /api/v1/users` per 200 users,
//! read a page at a time, so that Terraform's `limit` stops the paging.

use std::sync::Arc;

use async_trait::async_trait;
use futures_util::StreamExt as _;

use crate::okta::UserQuery;
use crate::provider::provider_config::ProviderConfig;
use crate::provider::typed_value::input_strings;
use crate::provider::{ProviderContext, diag};
use crate::rules::discovery::{self, Reason, Verdict};
use crate::rules::kind::ServiceAccountKind;
use crate::rules::violation::Input;
use tfplugin6::{
    Diagnostics, ListClosed, ListEvent, ListRequest, ListResource, ListSink, Schema,
    ValidateListRequest,
};

use super::model::{ServiceAccount, list_attr};
use super::schema::list_schema;

/// Okta's largest page of users: the fewest calls per org.
const USERS_PER_PAGE: u32 = 200;

/// Orgs searched at once. Each org has its own rate limits, so this bounds only the provider's
/// own connections and memory, not Okta's load on any one org.
const ORGS_AT_ONCE: usize = 8;

pub struct ServiceAccountList {
    shared: Arc<ProviderContext>,
}

impl ServiceAccountList {
    pub fn new(shared: Arc<ProviderContext>) -> ServiceAccountList {
        ServiceAccountList { shared }
    }
}

/// The list block's `config`.
struct ListConfig {
    /// `None`: every org of the provider's `org_tokens` and `org_credentials`.
    org_urls: Option<Vec<String>>,
    /// `None`: every kind.
    kinds: Option<Vec<ServiceAccountKind>>,
}

fn kinds_of(given: &[String]) -> Result<Vec<ServiceAccountKind>, Diagnostics> {
    let mut problems = Diagnostics::new();
    let mut kinds = Vec::new();
    for (index, kind) in given.iter().enumerate() {
        match kind.parse() {
            Ok(kind) => kinds.push(kind),
            Err(_) => problems.push(diag::unknown_list_kind(index, kind, list_attr::KINDS)),
        }
    }
    if problems.is_empty() {
        Ok(kinds)
    } else {
        Err(problems)
    }
}

fn list_config(config: &tfplugin6::Value) -> Result<ListConfig, Diagnostics> {
    let org_urls = input_strings(config, list_attr::ORG_URLS).known().cloned();
    let mut problems = Diagnostics::new();
    for url in org_urls.iter().flatten() {
        problems.extend(diag::org_url_problems(Some(url), list_attr::ORG_URLS));
    }
    let kinds = match input_strings(config, list_attr::KINDS).known() {
        Some(given) => match kinds_of(given) {
            Ok(kinds) => Some(kinds),
            Err(more) => {
                problems.extend(more);
                None
            }
        },
        None => None,
    };
    if problems.is_empty() {
        Ok(ListConfig { org_urls, kinds })
    } else {
        Err(problems)
    }
}

/// `acme.okta.com` of `https://acme.okta.com`, how people name an org.
fn host_of(org_url: &str) -> &str {
    org_url
        .split_once("://")
        .map_or(org_url, |(_, rest)| rest)
        .trim_end_matches('/')
}

#[async_trait]
impl ListResource for ServiceAccountList {
    fn type_name(&self) -> &'static str {
        super::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        list_schema()
    }

    async fn validate(&self, request: ValidateListRequest) -> Result<Diagnostics, Diagnostics> {
        list_config(&request.config).map(|_| Diagnostics::new())
    }

    async fn list(&self, request: ListRequest, events: ListSink) -> Result<(), Diagnostics> {
        let config = list_config(&request.config)?;
        let provider_config = self.shared.config().map_err(diag::org_access)?;
        let org_urls: Vec<String> = match config.org_urls {
            Some(urls) => urls
                .iter()
                .map(|url| url.trim().trim_end_matches('/').to_owned())
                .collect(),
            // Every org the provider has credentials for: an API token or a service app.
            None => provider_config
                .org_tokens
                .keys()
                .chain(provider_config.org_service_apps.keys())
                .cloned()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect(),
        };
        // The server closes the sink once Terraform has `limit` objects, but events run up to
        // a buffer ahead of it: counting here stops the paging at the limit itself.
        let wanted = Wanted::new(request.limit);
        let searches = futures_util::stream::iter(org_urls.into_iter().map(|org_url| {
            let events = events.clone();
            let kinds = config.kinds.clone();
            let include = request.include_resource_object;
            let wanted = &wanted;
            async move {
                let search = OrgSearch {
                    org_url: &org_url,
                    kinds: kinds.as_deref(),
                    include_resource_object: include,
                };
                self.list_org(provider_config, search, &events, wanted)
                    .await
            }
        }))
        .buffer_unordered(ORGS_AT_ONCE);
        futures_util::pin_mut!(searches);
        while let Some(searched) = searches.next().await {
            if searched.is_err() {
                // Terraform has what it asked for: dropping the stream stops the other orgs'
                // paging too.
                return Ok(());
            }
        }
        Ok(())
    }
}

impl ServiceAccountList {
    /// Searches one org; anything that goes wrong with it is a warning event, never an error.
    async fn list_org(
        &self,
        provider_config: &ProviderConfig,
        search: OrgSearch<'_>,
        events: &ListSink,
        wanted: &Wanted,
    ) -> Result<(), ListClosed> {
        let OrgSearch {
            org_url,
            kinds,
            include_resource_object,
        } = search;
        let host = host_of(org_url);
        let skipped = |why: String| ListEvent::diagnostic(diag::discovery_skipped_org(host, &why));
        let org = match self.shared.org_access.get(provider_config, org_url, None) {
            Ok(org) => org,
            Err(error) => return events.send(skipped(error.to_string())).await,
        };
        let org_id = match org.org_id().await {
            Ok(id) => id,
            Err(error) => return events.send(skipped(error.to_string())).await,
        };
        let query = UserQuery {
            limit: Some(USERS_PER_PAGE),
            ..UserQuery::default()
        };
        let mut pages = org.client.list_users_by_page(&query);
        loop {
            let users = match pages.next().await {
                Ok(Some(users)) => users,
                Ok(None) => return Ok(()),
                Err(error) => {
                    return events
                        .send(skipped(format!("listing its users failed: {error}")))
                        .await;
                }
            };
            for user in users {
                let login = user.profile.login.clone().unwrap_or_default();
                let (kind, reason) =
                    match discovery::judge(&login, user.profile.user_type.as_deref()) {
                        Verdict::Proposed { kind, reason } => (kind, reason),
                        Verdict::Undecidable { user_type } => {
                            events
                                .send(ListEvent::diagnostic(diag::discovery_undecidable(
                                    host, &login, &user_type,
                                )))
                                .await?;
                            continue;
                        }
                        Verdict::Ignored => continue,
                    };
                if kinds.is_some_and(|kinds| !kinds.contains(&kind)) {
                    continue;
                }
                let account = discovered_state(org_url, &org_id, &user, kind, reason);
                let mut event = ListEvent::found(
                    account.identity(),
                    discovery::display_name(host, &login, kind, reason),
                );
                if include_resource_object {
                    event = event.with_resource_object(account.into_value());
                }
                events.send(event).await?;
                wanted.one_sent()?;
            }
        }
    }
}

/// One org to search, and what to send from it.
struct OrgSearch<'a> {
    org_url: &'a str,
    /// `None`: every kind.
    kinds: Option<&'a [ServiceAccountKind]>,
    include_resource_object: bool,
}

/// How many more objects Terraform wants (its `limit`), shared by the orgs searched at once.
struct Wanted {
    /// `None`: no limit.
    remaining: Option<std::sync::atomic::AtomicI64>,
}

impl Wanted {
    fn new(limit: i64) -> Wanted {
        Wanted {
            remaining: (limit > 0).then(|| std::sync::atomic::AtomicI64::new(limit)),
        }
    }

    /// Counts one object sent; `Err` once the limit is reached, to stop as a closed sink does.
    fn one_sent(&self) -> Result<(), ListClosed> {
        match &self.remaining {
            Some(remaining) if remaining.fetch_sub(1, std::sync::atomic::Ordering::SeqCst) <= 1 => {
                Err(ListClosed)
            }
            _ => Ok(()),
        }
    }
}

/// What discovery knows of an account, as a state: enough for its identity and for the
/// configuration `generate_config` writes (the kind as discovery decided it). Roles are not read
/// (that would cost a call per account): the generated configuration leaves them to the kind,
/// except for `custom`, whose roles `generate_config` reads.
fn discovered_state(
    org_url: &str,
    org_id: &str,
    user: &crate::okta::User,
    kind: ServiceAccountKind,
    reason: Reason,
) -> ServiceAccount {
    let text = |value: &Option<String>| match value {
        Some(value) => Input::Known(value.clone()),
        None => Input::Null,
    };
    ServiceAccount {
        org_url: Input::Known(org_url.to_owned()),
        kind: Input::Known(kind.as_str().to_owned()),
        login: text(&user.profile.login),
        email: text(&user.profile.email),
        first_name: text(&user.profile.first_name),
        last_name: text(&user.profile.last_name),
        finalize: Input::Known(true),
        id: Input::Known(user.id.clone()),
        org_id: Input::Known(org_id.to_owned()),
        status: Input::Known(user.status.as_str().to_owned()),
        finalized: Input::Known(matches!(reason, Reason::Marked { finalized: true })),
        ..ServiceAccount::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_stops_after_that_many_objects() {
        let wanted = Wanted::new(2);
        assert_eq!(wanted.one_sent(), Ok(()));
        assert_eq!(wanted.one_sent(), Err(ListClosed));
        let unlimited = Wanted::new(0);
        for _ in 0..1000 {
            assert_eq!(unlimited.one_sent(), Ok(()));
        }
    }

    #[test]
    fn the_config_names_every_bad_kind_and_url_at_once() {
        use tfplugin6::Value;
        let config = Value::object([
            (
                list_attr::ORG_URLS,
                Value::list([Value::string("acme.okta.com")]),
            ),
            (
                list_attr::KINDS,
                Value::list([Value::string("radius"), Value::string("robot")]),
            ),
        ]);
        let Err(problems) = list_config(&config) else {
            panic!("a kind that is none and a URL without scheme are refused");
        };
        assert_eq!(problems.into_proto().len(), 2);
        let fine = Value::object([
            (list_attr::ORG_URLS, Value::Null),
            (
                list_attr::KINDS,
                Value::list([Value::string("custom"), Value::string("ad_agent")]),
            ),
        ]);
        let config = list_config(&fine).unwrap();
        assert_eq!(config.org_urls, None, "absent: every org of org_tokens");
        assert_eq!(
            config.kinds,
            Some(vec![
                ServiceAccountKind::Custom,
                ServiceAccountKind::AdAgent
            ])
        );
    }

    #[test]
    fn hosts_name_orgs_without_scheme_or_slash() {
        assert_eq!(host_of("https://acme.okta.com/"), "acme.okta.com");
        assert_eq!(
            host_of("http://127.0.0.1:8080/orgs/acme"),
            "127.0.0.1:8080/orgs/acme"
        );
    }
}
