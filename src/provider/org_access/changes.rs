//! What changed in an org that a refresh verifies, from one System Log query per org and run:
//! admin role grants and revokes (of users, and of groups, whose members inherit them), and the
//! lifecycle and updates of policies, policy rules and network zones (the securing baseline).
//! The accounts' own status, profile and membership need no log: the group's member listing,
//! which every refresh reads, holds them.
//!
//! `role_freshness::decide` turns what this finds into "trust the last verification" or "read
//! directly"; a query that fails, that would page beyond [`MAX_LOG_PAGES`], or whose answer is
//! not understood gives no verdict, and everything is read directly: never "no change" for want
//! of an answer.
//!
//! Only an answer read as Okta documents a bounded query vouches for "no change"
//! (`okta::BoundedLog`): every page a JSON list of well-formed events (a `uuid`, an
//! `eventType`, a `published` time in RFC 3339 inside the window asked for), each page with
//! Okta's `self` link, and the paging ended as Okta's docs describe (no `next` link on the last
//! page, which is not full). An empty list is trusted because it comes with the `self` link
//! Okta sends on every listing (its pagination docs; recorded answers of real orgs carry it
//! even on single pages); a bare `[]`, a full page without `next`, or one unreadable event
//! means "read directly". The window is in Okta's time: `until` is the upper bound of Okta's
//! clock from its answers' `Date` (`okta::OktaTime`, whole seconds), never this machine's
//! clock, so that it covers every event published by the time of the query.

use std::collections::HashMap;
use std::time::Duration;

use crate::okta::{self, BoundedLog, Client, DatedEvent, LogEvent, OktaError};

use super::role_freshness::LogView;

/// How far back the query looks: Okta keeps the System Log 90 days. A verification older than
/// this is not vouched for by the log, and what it verified is read directly.
pub const CHANGE_EVENT_WINDOW: Duration = Duration::from_secs(89 * 24 * 3600);

/// Pages of 1,000 events read at most. An org with more events of these types in the window
/// is read directly instead (see the module documentation).
pub const MAX_LOG_PAGES: u32 = 5;

/// Role grants and revokes. Okta logs a removal that leaves the user other roles as a
/// `privilege.grant` (its privileges changed) and only the removal of the last one as a
/// `privilege.revoke`; both name the user as a `User` target.
const ROLE_EVENTS: [&str; 2] = [
    "user.account.privilege.grant",
    "user.account.privilege.revoke",
];

/// A role granted to or revoked from a group changes the roles of every member. Which managed
/// accounts are members of the group the log does not say (it names the group), and finding
/// out would cost calls: the event counts for every account of the org, which then reads its
/// roles directly.
const GROUP_ROLE_EVENTS: [&str; 2] = ["group.privilege.grant", "group.privilege.revoke"];

/// An account joining or leaving any group gains or loses that group's roles
/// (`assignmentType: GROUP` in its listing), whether an admin or a group rule moved it. Okta's
/// catalogue has `group.user_membership.add` and `.remove` for both (a rule's own events,
/// `group.user_membership.rule.*`, describe the rule, not the user, and are not needed: the
/// membership change it makes is logged as these). Each names the user as a `User` target, so
/// only that account's roles are read.
const MEMBERSHIP_EVENTS: [&str; 2] = ["group.user_membership.add", "group.user_membership.remove"];

/// Custom roles: `iam.resourceset.bindings.add` and `.delete` are Okta's "admin role assignment
/// is created / deleted" for a resource set's bindings, their members users or groups (a custom
/// role assigned to a user directly is a binding member too, and also logged as
/// `user.account.privilege.grant`). An event naming users only, and no group, counts for those
/// accounts; otherwise (a group member, or targets this provider does not recognise) for every
/// account of the org. Not chosen: `iam.role.*` and `iam.resourceset.resources.*`, which change
/// what a custom role permits or covers, not who holds it (an account that holds a custom role
/// at all is already drift), and `user.privileged_account.privilege.*`, beta and always logged
/// beside `user.account.privilege.*`.
const BINDING_EVENTS: [&str; 2] = [
    "iam.resourceset.bindings.add",
    "iam.resourceset.bindings.delete",
];

/// Everything that can change a policy, a rule or a zone of the baseline, or rank another
/// policy above one of them. Counted org-wide: a new policy, or another policy moved to
/// priority 1, shadows the baseline's without any event naming it.
const BASELINE_EVENTS: [&str; 17] = [
    "policy.lifecycle.create",
    "policy.lifecycle.update",
    "policy.lifecycle.overwrite",
    "policy.lifecycle.activate",
    "policy.lifecycle.deactivate",
    "policy.lifecycle.delete",
    "policy.rule.add",
    "policy.rule.update",
    "policy.rule.activate",
    "policy.rule.deactivate",
    "policy.rule.delete",
    "policy.rule.invalidate",
    "zone.create",
    "zone.update",
    "zone.activate",
    "zone.deactivate",
    "zone.delete",
];

/// The latest time (Unix milliseconds) of a kind of change, split by whether this provider's
/// credential made it.
#[derive(Debug, Clone, Default)]
struct Latest {
    by_us: Option<i64>,
    by_others: Option<i64>,
}

impl Latest {
    fn record(&mut self, ours: bool, at: i64) {
        let slot = if ours {
            &mut self.by_us
        } else {
            &mut self.by_others
        };
        *slot = Some(slot.map_or(at, |seen| seen.max(at)));
    }
}

/// What the query of this run found.
#[derive(Debug, Clone, Default)]
pub struct OrgChanges {
    /// When the query ran and the start of its window (Unix milliseconds).
    queried_at: i64,
    since: i64,
    roles_by_user: HashMap<String, Latest>,
    /// Privilege events that could not be tied to accounts without calls (a group's roles, a
    /// binding with a group member, an event naming no user): they count for every account of
    /// the org.
    group_roles: Latest,
    baseline: Latest,
}

/// The query's outcome: what it found, or no verdict.
#[derive(Debug, Clone)]
pub enum ChangeLog {
    Read(OrgChanges),
    Unavailable,
}

impl ChangeLog {
    /// Queries the log once; a failure, or an answer not understood, is logged and read as no
    /// verdict.
    pub async fn fetch(client: &Client) -> ChangeLog {
        match OrgChanges::fetch(client).await {
            Ok(Fetched::Read(changes)) => ChangeLog::Read(changes),
            Ok(Fetched::TooLong) => {
                tracing::info!(
                    "the System Log holds too many role, policy and zone events to read; reading the accounts and the baseline directly"
                );
                ChangeLog::Unavailable
            }
            Ok(Fetched::NoOktaTime) => {
                tracing::warn!(
                    "Okta's answers carry no Date, so the System Log cannot be compared with Okta's time; reading the accounts and the baseline directly"
                );
                ChangeLog::Unavailable
            }
            Ok(Fetched::NotUnderstood(why)) => {
                tracing::warn!(
                    why = why.as_str(),
                    "the System Log's answer is not as Okta documents it; reading the accounts and the baseline directly"
                );
                ChangeLog::Unavailable
            }
            Err(error) => {
                tracing::warn!(%error, "could not read the System Log; reading the accounts and the baseline directly");
                ChangeLog::Unavailable
            }
        }
    }

    /// What the log says about the admin roles of `user_id`; `None`: no verdict.
    pub fn roles_of(&self, user_id: &str) -> Option<LogView> {
        let ChangeLog::Read(changes) = self else {
            return None;
        };
        let own = changes
            .roles_by_user
            .get(user_id)
            .cloned()
            .unwrap_or_default();
        let latest = |a: Option<i64>, b: Option<i64>| a.max(b);
        Some(LogView {
            queried_at: changes.queried_at,
            since: changes.since,
            latest_by_us: latest(own.by_us, changes.group_roles.by_us),
            latest_by_others: latest(own.by_others, changes.group_roles.by_others),
        })
    }

    /// What the log says about the securing baseline's policies, rules and zones; `None`: no
    /// verdict.
    pub fn baseline(&self) -> Option<LogView> {
        let ChangeLog::Read(changes) = self else {
            return None;
        };
        Some(LogView {
            queried_at: changes.queried_at,
            since: changes.since,
            latest_by_us: changes.baseline.by_us,
            latest_by_others: changes.baseline.by_others,
        })
    }
}

/// What one query came to.
enum Fetched {
    Read(OrgChanges),
    TooLong,
    NoOktaTime,
    NotUnderstood(String),
}

impl OrgChanges {
    async fn fetch(client: &Client) -> Result<Fetched, OktaError> {
        let me = client.actor_id().await?;
        // Okta's time, never this machine's: events are dated by Okta's clock, and so are the
        // verifications they are compared with. `until` is its upper bound, so that the query
        // covers every event Okta may have published by now (the lower bound may be a second
        // behind, and a change made in that second would be missed until the next refresh);
        // the lag window is measured from the lower bound, so that it is never cut short.
        let Some(okta_now) = client.okta_time() else {
            return Ok(Fetched::NoOktaTime);
        };
        let until = okta_datetime(okta_now.now_before);
        let since = until - CHANGE_EVENT_WINDOW;
        let filter = ROLE_EVENTS
            .iter()
            .chain(&GROUP_ROLE_EVENTS)
            .chain(&MEMBERSHIP_EVENTS)
            .chain(&BINDING_EVENTS)
            .chain(&BASELINE_EVENTS)
            .map(|event_type| format!("eventType eq \"{event_type}\""))
            .collect::<Vec<_>>()
            .join(" or ");
        let query = okta::LogQuery {
            since: Some(since),
            until: Some(until),
            filter: Some(filter),
            limit: Some(1000),
        };
        let events = match client.read_bounded_log(&query, MAX_LOG_PAGES).await? {
            BoundedLog::Complete(events) => events,
            BoundedLog::TooLong => return Ok(Fetched::TooLong),
            BoundedLog::NotUnderstood(why) => return Ok(Fetched::NotUnderstood(why)),
        };
        let mut changes = OrgChanges {
            queried_at: okta_now.now_at_least,
            since: unix_millis(since),
            ..OrgChanges::default()
        };
        for event in &events {
            changes.record(event, &me);
        }
        Ok(Fetched::Read(changes))
    }

    fn record(&mut self, dated: &DatedEvent, me: &str) {
        let DatedEvent {
            published: at,
            event,
        } = dated;
        let at = *at;
        let ours = event.actor.as_ref().and_then(|actor| actor.id.as_deref()) == Some(me);
        let event_type = event.event_type.as_deref().unwrap_or_default();
        if ROLE_EVENTS.contains(&event_type) || MEMBERSHIP_EVENTS.contains(&event_type) {
            self.record_for_users(event, ours, at, false);
        } else if BINDING_EVENTS.contains(&event_type) {
            self.record_for_users(event, ours, at, true);
        } else if GROUP_ROLE_EVENTS.contains(&event_type) {
            self.group_roles.record(ours, at);
        } else if BASELINE_EVENTS.contains(&event_type) {
            self.baseline.record(ours, at);
        }
    }

    /// Records a privilege event for the users it names; one that names none (or, when
    /// `only_users`, anything but users) counts for every account of the org instead: falling
    /// back to direct reads is always allowed, assuming "no change" never is.
    fn record_for_users(&mut self, event: &LogEvent, ours: bool, at: i64, only_users: bool) {
        let is_user = |target: &&okta::LogEntity| target.entity_type.as_deref() == Some("User");
        let users: Vec<String> = event
            .target
            .iter()
            .filter(is_user)
            .filter_map(|target| target.id.clone())
            .collect();
        let others = event.target.iter().any(|target| !is_user(&target));
        if users.is_empty() || (only_users && others) {
            self.group_roles.record(ours, at);
            return;
        }
        for user_id in users {
            self.roles_by_user
                .entry(user_id)
                .or_default()
                .record(ours, at);
        }
    }
}

fn unix_millis(moment: time::OffsetDateTime) -> i64 {
    (moment.unix_timestamp_nanos() / 1_000_000) as i64
}

fn okta_datetime(millis: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(
        event_type: &str,
        published: &str,
        actor: &str,
        targets: &[(&str, &str)],
    ) -> DatedEvent {
        let event: crate::okta::LogEvent = serde_json::from_value(serde_json::json!({
            "uuid": "u",
            "published": published,
            "eventType": event_type,
            "actor": { "id": actor, "type": "User" },
            "target": targets
                .iter()
                .map(|(id, kind)| serde_json::json!({ "id": id, "type": kind }))
                .collect::<Vec<_>>(),
        }))
        .unwrap();
        let published =
            time::OffsetDateTime::parse(published, &time::format_description::well_known::Rfc3339)
                .unwrap();
        DatedEvent {
            published: unix_millis(published),
            event,
        }
    }

    #[test]
    fn events_are_sorted_into_roles_group_roles_and_baseline() {
        let mut changes = OrgChanges::default();
        let early = "2026-11-30T10:00:00.000Z";
        let late = "2026-11-30T11:00:00.000Z";
        changes.record(
            &event(
                "user.account.privilege.revoke",
                early,
                "admin",
                &[("00u1", "User")],
            ),
            "me",
        );
        changes.record(
            &event(
                "user.account.privilege.grant",
                late,
                "me",
                &[("00u1", "User")],
            ),
            "me",
        );
        changes.record(&event("group.privilege.grant", early, "admin", &[]), "me");
        changes.record(&event("policy.rule.update", late, "admin", &[]), "me");
        changes.record(&event("zone.update", early, "me", &[]), "me");
        let log = ChangeLog::Read(changes);
        let roles = log.roles_of("00u1").unwrap();
        let millis = |text: &str| {
            unix_millis(
                time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                    .unwrap(),
            )
        };
        assert_eq!(roles.latest_by_others, Some(millis(early)));
        assert_eq!(roles.latest_by_us, Some(millis(late)));
        // Another user's roles changed only through the group.
        assert_eq!(
            log.roles_of("00u2").unwrap().latest_by_others,
            Some(millis(early))
        );
        let baseline = log.baseline().unwrap();
        assert_eq!(baseline.latest_by_others, Some(millis(late)));
        assert_eq!(baseline.latest_by_us, Some(millis(early)));
    }

    #[test]
    fn membership_events_name_their_user_and_unattributable_privilege_events_count_for_all() {
        let millis = |text: &str| {
            unix_millis(
                time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                    .unwrap(),
            )
        };
        let joined = "2026-11-30T10:00:00.000Z";
        let bound = "2026-11-30T11:00:00.000Z";
        let mut changes = OrgChanges::default();
        changes.record(
            &event(
                "group.user_membership.add",
                joined,
                "admin",
                &[("00u1", "User"), ("00gadmins", "UserGroup")],
            ),
            "me",
        );
        // A binding whose member is a user, and nothing else named: that user.
        changes.record(
            &event(
                "iam.resourceset.bindings.add",
                joined,
                "admin",
                &[("00u3", "User")],
            ),
            "me",
        );
        let log = ChangeLog::Read(changes.clone());
        assert_eq!(
            log.roles_of("00u1").unwrap().latest_by_others,
            Some(millis(joined))
        );
        assert_eq!(
            log.roles_of("00u3").unwrap().latest_by_others,
            Some(millis(joined))
        );
        assert_eq!(log.roles_of("00u2").unwrap().latest_by_others, None);
        // A binding naming a group (or anything but users): every account reads its roles.
        changes.record(
            &event(
                "iam.resourceset.bindings.add",
                bound,
                "admin",
                &[("00u4", "User"), ("00gauditors", "UserGroup")],
            ),
            "me",
        );
        let log = ChangeLog::Read(changes);
        assert_eq!(
            log.roles_of("00u2").unwrap().latest_by_others,
            Some(millis(bound))
        );
        assert!(log.baseline().unwrap().latest_by_others.is_none());
    }

    #[test]
    fn no_answer_is_no_verdict() {
        assert!(ChangeLog::Unavailable.roles_of("00u1").is_none());
        assert!(ChangeLog::Unavailable.baseline().is_none());
    }

    #[tokio::test]
    async fn the_query_is_bounded_by_okta_s_time_and_an_odd_answer_gives_no_verdict() {
        use crate::okta::scripted_server::{ScriptedServer, answer};
        let server = ScriptedServer::start(Vec::new()).await;
        let org = server.org_url().to_string();
        // Okta's clock, by its answers' Date, is years from this machine's.
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        let me = r#"{"id":"00ume","status":"ACTIVE","profile":{"login":"me@acme.example"}}"#;
        let self_link = format!("<{org}/api/v1/logs>; rel=\"self\"");
        server.script([
            answer(200, me).header("date", date),
            answer(200, "[]")
                .header("date", date)
                .header("link", self_link),
        ]);
        let client = server.client(crate::okta::ClientOptions::default());
        let ChangeLog::Read(changes) = ChangeLog::fetch(&client).await else {
            panic!("an empty list with Okta's self link is an answer");
        };
        let okta_time = time::macros::datetime!(1994-11-06 08:49:37 UTC);
        assert!(
            (unix_millis(okta_time)..unix_millis(okta_time) + 1_000).contains(&changes.queried_at),
            "queried at Okta's time: {}",
            changes.queried_at
        );
        // `until` is the upper bound: the second `Date` names, and a little more.
        let query = &server.received()[1].uri;
        assert!(query.contains("until=1994-11-06T08%3A49%3A38"), "{query}");
        // The same empty list without its self link: no verdict.
        let server = ScriptedServer::start(Vec::new()).await;
        server.script([
            answer(200, me).header("date", date),
            answer(200, "[]").header("date", date),
        ]);
        let client = server.client(crate::okta::ClientOptions::default());
        assert!(matches!(
            ChangeLog::fetch(&client).await,
            ChangeLog::Unavailable
        ));
    }
}
