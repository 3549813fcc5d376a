"""Drives okta-emulator with Okta's official Python SDK (`okta`, pinned in requirements.txt).

Run by tests/sdk_tier.rs, never by hand in CI. The org URL and the API token come from the
environment (OKTA_SDK_TIER_ORG_URL, OKTA_SDK_TIER_TOKEN); the token is never printed.

Every check prints one JSON line on stdout:
    {"scenario": "users", "check": "get by login", "ok": true, "detail": "..."}
and each scenario ends with {"scenario": ..., "done": true}; the first line names the SDK's
version, {"sdk_version": "3.4.6"}. A scenario that raises records the
exception as a failed check, so the Rust side sees what broke instead of a truncated list.

Nothing here patches or wraps the SDK: every call is the SDK's own public method, as a customer
would write it.
"""

import asyncio
import json
import os
import sys
import time
import traceback

import okta
import okta.models as models
from okta.client import Client
from okta.pagination import PaginationHelper, paginate_all

PASSWORD = "Sdk-tier-Passw0rd-1234!"


class Recorder:
    """Collects checks of one scenario and prints them as JSON lines."""

    def __init__(self, scenario):
        self.scenario = scenario

    def check(self, name, ok, detail=""):
        line = {"scenario": self.scenario, "check": name, "ok": bool(ok), "detail": str(detail)}
        print(json.dumps(line), flush=True)
        return bool(ok)

    def no_error(self, name, err):
        """An SDK call's error slot must be empty."""
        return self.check(name, err is None, "" if err is None else f"SDK error: {err}")

    def refused(self, name, err, code):
        """An SDK call failed with Okta's error `code` (OktaAPIError carries it in its text)."""
        text = "" if err is None else f"{getattr(err, 'error_code', '')} {err}"
        return self.check(name, err is not None and code in text, text or "no error")

    def equal(self, name, actual, expected):
        return self.check(name, actual == expected, f"got {actual!r}, expected {expected!r}")


def client_for(url, token):
    # The SDK refuses plain-HTTP org URLs unless its testing switch is on; it reads that switch
    # only from the environment or a YAML file, not from the config dict.
    os.environ["OKTA_TESTING_TESTINGDISABLEHTTPSCHECK"] = "true"
    return Client(
        {
            "orgUrl": url,
            "token": token,
            "authorizationMode": "SSWS",
            "rateLimit": {"maxRetries": 0},
        }
    )


def new_user_request(login, password=None, first="Sdk", last="Tier"):
    profile = models.UserProfile(firstName=first, lastName=last, email=login, login=login)
    body = {"profile": profile}
    if password is not None:
        body["credentials"] = models.UserCredentialsWritable(
            password=models.PasswordCredential(value=password)
        )
    return models.CreateUserRequest(**body)


async def create(rec, client, login, activate, password=PASSWORD):
    user, _, err = await client.create_user(new_user_request(login, password), activate=activate)
    rec.no_error(f"create {login}", err)
    return user


def error_of(result):
    """The error slot of an SDK call: operations without a body answer (response, error), the
    others (data, response, error)."""
    return result[-1]


def status_of(user):
    # The SDK models statuses as enums; compare their wire values.
    status = user.status
    return getattr(status, "value", status)


async def follow(rec, what, method, first, resp, key=lambda item: item.id, stop_on_empty=False, **query):
    """Pages with the SDK's own cursor helper; returns every item's key and the page count."""
    keys = [key(item) for item in first]
    pages = 1
    cursor = PaginationHelper.extract_next_cursor(resp.headers)
    while cursor and pages < 100:
        page, resp, err = await method(after=cursor, **query)
        if not rec.no_error(f"{what} page {pages + 1}", err):
            break
        if stop_on_empty and not page:
            break
        keys.extend(key(item) for item in page)
        pages += 1
        cursor = PaginationHelper.extract_next_cursor(resp.headers)
    return keys, pages


async def scenario_users(rec, client):
    active = await create(rec, client, "sdk.active@acme.example", activate=True)
    rec.equal("created with password and activate is ACTIVE", status_of(active), "ACTIVE")
    staged = await create(rec, client, "sdk.staged@acme.example", activate=False)
    rec.equal("created with activate=false is STAGED", status_of(staged), "STAGED")
    provisioned = await create(rec, client, "sdk.nopass@acme.example", activate=True, password=None)
    rec.equal("created without password is PROVISIONED", status_of(provisioned), "PROVISIONED")

    by_id, _, err = await client.get_user(active.id)
    rec.no_error("get by id", err)
    rec.equal("get by id finds the user", by_id.id, active.id)
    by_login, _, err = await client.get_user("sdk.active@acme.example")
    rec.no_error("get by login", err)
    rec.equal("get by login finds the same user", by_login.id, active.id)
    rec.equal("profile round-trips", by_login.profile.first_name, "Sdk")

    missing, _, err = await client.get_user("nobody@acme.example")
    rec.check("unknown user is an error, not a user", missing is None, missing)
    rec.refused("unknown user error is E0000007", err, "E0000007")

    # Partial update (POST): only the given attribute changes.
    partial = models.UpdateUserRequest(profile=models.UserProfile(nickName="updated-by-sdk"))
    updated, _, err = await client.update_user(active.id, partial)
    rec.no_error("update (POST) profile", err)
    rec.equal("update keeps untouched attributes", updated.profile.first_name, "Sdk")
    rec.equal("update sets the new attribute", updated.profile.nick_name, "updated-by-sdk")

    # Full replace (PUT): the profile is what was sent.
    replacement = models.UpdateUserRequest(
        profile=models.UserProfile(
            firstName="Replaced",
            lastName="Tier",
            email="sdk.active@acme.example",
            login="sdk.active@acme.example",
        )
    )
    replaced, _, err = await client.replace_user(active.id, replacement)
    rec.no_error("replace (PUT) user", err)
    rec.equal("replace sets firstName", replaced.profile.first_name, "Replaced")
    rec.equal("replace drops attributes not sent", replaced.profile.nick_name, None)

    duplicate, _, err = await client.create_user(
        new_user_request("sdk.active@acme.example", PASSWORD), activate=True
    )
    rec.check("duplicate login gives no user", duplicate is None, duplicate)
    rec.refused("duplicate login is refused with E0000001", err, "E0000001")

    # Pagination with a small limit: every user exactly once, through the SDK's own cursor.
    for index in range(5):
        await create(rec, client, f"sdk.page{index}@acme.example", activate=True)
    users, resp, err = await client.list_users(limit=2)
    rec.no_error("list first page", err)
    rec.equal("first page honours limit", len(users), 2)
    seen, pages = await follow(rec, "users", client.list_users, users, resp, limit=2)
    rec.equal("pages with limit=2", pages, 5)
    rec.equal("no user is listed twice", len(seen), len(set(seen)))
    # The org's super admin plus the eight users created above (one is STAGED, still listed).
    rec.equal("every user is listed", len(seen), 9)

    # The helper the SDK's README recommends pages the same way.
    helper_ids = [user.id async for user in paginate_all(client.list_users, limit=3)]
    rec.equal("paginate_all sees the same users", sorted(helper_ids), sorted(seen))

    filtered, _, err = await client.list_users(filter='status eq "STAGED"')
    rec.no_error("list with filter", err)
    rec.equal("filter status eq STAGED", [user.id for user in filtered], [staged.id])

    found, _, err = await client.list_users(search='profile.login sw "sdk.page"')
    rec.no_error("list with search", err)
    rec.equal("search sw finds the five paged users", len(found), 5)
    found, _, err = await client.list_users(search='profile.firstName eq "replaced"')
    rec.no_error("search ignores case", err)
    rec.equal("search eq is case-insensitive", [user.id for user in found], [active.id])

    quick, _, err = await client.list_users(q="sdk.nopass")
    rec.no_error("list with q", err)
    rec.equal("q finds by email prefix", [user.id for user in quick], [provisioned.id])

    groups, _, err = await client.list_user_groups(active.id)
    rec.no_error("list a user's groups", err)
    rec.check("every user is in Everyone", any(g.profile.actual_instance.name == "Everyone" for g in groups), groups)


async def scenario_lifecycle(rec, client):
    staged = await create(rec, client, "sdk.life@acme.example", activate=False)
    token, _, err = await client.activate_user(staged.id, send_email=False)
    rec.no_error("activate a STAGED user", err)
    rec.check("activate without email returns an activation token", bool(token.activation_token), "")
    user, _, _ = await client.get_user(staged.id)
    rec.equal("activate with a password gives ACTIVE", status_of(user), "ACTIVE")

    err = error_of(await client.activate_user(staged.id, send_email=False))
    rec.refused("activating an ACTIVE user is refused with E0000016", err, "E0000016")

    err = error_of(await client.suspend_user(staged.id))
    rec.no_error("suspend", err)
    user, _, _ = await client.get_user(staged.id)
    rec.equal("suspend gives SUSPENDED", status_of(user), "SUSPENDED")
    err = error_of(await client.unsuspend_user(staged.id))
    rec.no_error("unsuspend", err)
    user, _, _ = await client.get_user(staged.id)
    rec.equal("unsuspend gives ACTIVE", status_of(user), "ACTIVE")

    err = error_of(await client.unlock_user(staged.id))
    rec.refused("unlocking a user that is not locked is refused with E0000032", err, "E0000032")

    provisioned = await create(rec, client, "sdk.prov@acme.example", activate=True, password=None)
    token, _, err = await client.reactivate_user(provisioned.id, send_email=False)
    rec.no_error("reactivate a PROVISIONED user", err)
    rec.check("reactivate returns a new activation token", bool(token.activation_token), "")

    err = error_of(await client.deactivate_user(staged.id, send_email=False))
    rec.no_error("deactivate", err)
    user, _, _ = await client.get_user(staged.id)
    rec.equal("deactivate gives DEPROVISIONED", status_of(user), "DEPROVISIONED")
    listed, _, _ = await client.list_users()
    rec.check("default listing hides DEPROVISIONED", staged.id not in [u.id for u in listed], "")

    err = error_of(await client.delete_user(staged.id, send_email=False))
    rec.no_error("delete a DEPROVISIONED user (answers 204)", err)
    gone, _, err = await client.get_user(staged.id)
    rec.check("deleted user is gone", gone is None, gone)
    rec.refused("a deleted user is not found", err, "E0000007")

    # Delete on an active user only deactivates it first, as Okta documents.
    err = error_of(await client.delete_user(provisioned.id))
    rec.no_error("first delete of a live user (answers 204)", err)
    user, _, _ = await client.get_user(provisioned.id)
    rec.equal("first delete deactivates", status_of(user), "DEPROVISIONED")
    err = error_of(await client.delete_user(provisioned.id))
    rec.no_error("second delete", err)
    gone, _, err = await client.get_user(provisioned.id)
    rec.check("second delete removes the user", gone is None, gone)
    rec.refused("the twice-deleted user is not found", err, "E0000007")


async def scenario_roles(rec, client):
    user = await create(rec, client, "sdk.admin@acme.example", activate=True)
    request = models.AssignRoleToUserRequest(models.StandardRoleAssignmentSchema(type="USER_ADMIN"))
    role, _, err = await client.assign_role_to_user(user.id, request, disable_notifications=True)
    rec.no_error("assign USER_ADMIN", err)
    role = getattr(role, "actual_instance", role)
    rec.equal("assignment has the role type", getattr(role.type, "value", role.type), "USER_ADMIN")
    rec.check("assignment has an id", bool(role.id), "")

    second = models.AssignRoleToUserRequest(models.StandardRoleAssignmentSchema(type="READ_ONLY_ADMIN"))
    err = error_of(await client.assign_role_to_user(user.id, second))
    rec.no_error("assign READ_ONLY_ADMIN", err)

    err = error_of(await client.assign_role_to_user(user.id, request))
    rec.refused("assigning a role twice is refused with E0000090", err, "E0000090")

    roles, _, err = await client.list_assigned_roles_for_user(user.id)
    rec.no_error("list roles", err)
    types = sorted(getattr(getattr(r, "actual_instance", r).type, "value", None) for r in roles)
    rec.equal("both roles are listed", types, ["READ_ONLY_ADMIN", "USER_ADMIN"])

    one, _, err = await client.get_user_assigned_role(user.id, role.id)
    rec.no_error("get one assignment", err)
    one = getattr(one, "actual_instance", one)
    rec.equal("get finds the assignment", one.id, role.id)

    err = error_of(await client.unassign_role_from_user(user.id, role.id))
    rec.no_error("unassign (answers 204)", err)
    roles, _, err = await client.list_assigned_roles_for_user(user.id)
    rec.no_error("list roles after unassign", err)
    types = [getattr(getattr(r, "actual_instance", r).type, "value", None) for r in roles]
    rec.equal("only the other role is left", types, ["READ_ONLY_ADMIN"])
    err = error_of(await client.unassign_role_from_user(user.id, role.id))
    rec.refused("unassigning again is not found", err, "E0000007")


async def scenario_groups(rec, client):
    body = models.AddGroupRequest(
        profile=models.OktaUserGroupProfile(name="SDK Tier Group", description="made by the SDK")
    )
    group, _, err = await client.add_group(body)
    rec.no_error("create group", err)
    rec.equal("group type is OKTA_GROUP", getattr(group.type, "value", group.type), "OKTA_GROUP")
    got, _, err = await client.get_group(group.id)
    rec.no_error("get group", err)
    rec.equal("group name round-trips", got.profile.actual_instance.name, "SDK Tier Group")

    renamed = models.AddGroupRequest(profile=models.OktaUserGroupProfile(name="SDK Tier Renamed"))
    replaced, _, err = await client.replace_group(group.id, renamed)
    rec.no_error("replace group", err)
    rec.equal("replace renames", replaced.profile.actual_instance.name, "SDK Tier Renamed")

    found, _, err = await client.list_groups(q="SDK Tier")
    rec.no_error("list groups with q", err)
    rec.equal("q finds the group", [g.id for g in found], [group.id])

    members = []
    for index in range(3):
        members.append(await create(rec, client, f"sdk.member{index}@acme.example", activate=True))
    for member in members:
        err = error_of(await client.assign_user_to_group(group.id, member.id))
        rec.no_error(f"add member {member.profile.login} (answers 204)", err)
    listed, resp, err = await client.list_group_users(group.id, limit=2)
    rec.no_error("list members, first page", err)
    ids, pages = await follow(
        rec, "members", lambda **kw: client.list_group_users(group.id, **kw), listed, resp, limit=2
    )
    rec.equal("members come in two pages", pages, 2)
    rec.equal("members listed across pages", sorted(ids), sorted(m.id for m in members))

    err = error_of(await client.unassign_user_from_group(group.id, members[0].id))
    rec.no_error("remove member (answers 204)", err)
    listed, _, _ = await client.list_group_users(group.id)
    rec.equal("removed member is gone", sorted(u.id for u in listed), sorted(m.id for m in members[1:]))
    groups, _, _ = await client.list_user_groups(members[1].id)
    rec.check("member sees the group", group.id in [g.id for g in groups], "")

    err = error_of(await client.delete_group(group.id))
    rec.no_error("delete group (answers 204)", err)
    gone, _, err = await client.get_group(group.id)
    rec.check("deleted group is gone", gone is None, gone)
    rec.refused("a deleted group is not found", err, "E0000007")


async def scenario_zones(rec, client):
    zone = models.IPNetworkZone(
        type="IP",
        name="SDK Tier Zone",
        gateways=[models.NetworkZoneAddress(type="CIDR", value="198.51.100.0/24")],
    )
    created, _, err = await client.create_network_zone(zone)
    rec.no_error("create IP zone", err)
    created = getattr(created, "actual_instance", created)
    rec.equal("new zone is ACTIVE", getattr(created.status, "value", created.status), "ACTIVE")
    rec.equal("gateway round-trips", created.gateways[0].value, "198.51.100.0/24")

    got, _, err = await client.get_network_zone(created.id)
    rec.no_error("get zone", err)
    got = getattr(got, "actual_instance", got)
    rec.equal("get finds the zone", got.name, "SDK Tier Zone")

    zone.name = "SDK Tier Zone Renamed"
    zone.gateways = [models.NetworkZoneAddress(type="RANGE", value="203.0.113.1-203.0.113.9")]
    replaced, _, err = await client.replace_network_zone(created.id, zone)
    rec.no_error("replace zone", err)
    replaced = getattr(replaced, "actual_instance", replaced)
    rec.equal("replace renames", replaced.name, "SDK Tier Zone Renamed")

    deactivated, _, err = await client.deactivate_network_zone(created.id)
    rec.no_error("deactivate zone", err)
    deactivated = getattr(deactivated, "actual_instance", deactivated)
    rec.equal("deactivate gives INACTIVE", getattr(deactivated.status, "value", None), "INACTIVE")
    activated, _, err = await client.activate_network_zone(created.id)
    rec.no_error("activate zone", err)
    activated = getattr(activated, "actual_instance", activated)
    rec.equal("activate gives ACTIVE", getattr(activated.status, "value", None), "ACTIVE")

    zones, _, err = await client.list_network_zones()
    rec.no_error("list zones", err)
    ids = [getattr(z, "actual_instance", z).id for z in zones]
    rec.check("list has the zone", created.id in ids, ids)

    err = error_of(await client.delete_network_zone(created.id))
    rec.refused("deleting an active zone is refused with an Okta error", err, "E0000")
    await client.deactivate_network_zone(created.id)
    err = error_of(await client.delete_network_zone(created.id))
    rec.no_error("delete an inactive zone (answers 204)", err)
    gone, _, err = await client.get_network_zone(created.id)
    rec.check("deleted zone is gone", gone is None, gone)
    rec.refused("a deleted zone is not found", err, "E0000007")


async def scenario_policies(rec, client):
    group, _, err = await client.add_group(
        models.AddGroupRequest(profile=models.OktaUserGroupProfile(name="SDK Policy Group"))
    )
    rec.no_error("create the policy's group", err)

    password_policy = models.PasswordPolicy.from_dict(
        {
            "type": "PASSWORD",
            "name": "SDK Tier Password",
            "status": "ACTIVE",
            "conditions": {
                "people": {"groups": {"include": [group.id]}},
                "authProvider": {"provider": "OKTA"},
            },
            "settings": {
                "password": {
                    "complexity": {"minLength": 16, "minLowerCase": 1, "minUpperCase": 1},
                    "age": {"maxAgeDays": 0, "historyCount": 4},
                    "lockout": {"maxAttempts": 10},
                }
            },
        }
    )
    created, _, err = await client.create_policy(password_policy)
    rec.no_error("create PASSWORD policy", err)
    created = getattr(created, "actual_instance", created)
    rec.equal("policy type", getattr(created.type, "value", created.type), "PASSWORD")
    rec.equal(
        "complexity round-trips", created.settings.password.complexity.min_length, 16
    )

    got, _, err = await client.get_policy(created.id)
    rec.no_error("get policy", err)
    got = getattr(got, "actual_instance", got)
    rec.equal("get finds the policy", got.name, "SDK Tier Password")

    listed, _, err = await client.list_policies(type="PASSWORD")
    rec.no_error("list PASSWORD policies", err)
    ids = [getattr(p, "actual_instance", p).id for p in listed]
    rec.check("list has the policy", created.id in ids, ids)

    err = error_of(await client.deactivate_policy(created.id))
    rec.no_error("deactivate policy (answers 204)", err)
    err = error_of(await client.activate_policy(created.id))
    rec.no_error("activate policy (answers 204)", err)

    password_policy.name = "SDK Tier Password Renamed"
    replaced, _, err = await client.replace_policy(created.id, password_policy)
    rec.no_error("replace policy", err)
    replaced = getattr(replaced, "actual_instance", replaced)
    rec.equal("replace renames", replaced.name, "SDK Tier Password Renamed")

    rule = models.PasswordPolicyRule.from_dict(
        {
            "type": "PASSWORD",
            "name": "SDK Tier Password Rule",
            "conditions": {"people": {"users": {"exclude": []}}, "network": {"connection": "ANYWHERE"}},
            "actions": {
                "passwordChange": {"access": "ALLOW"},
                "selfServicePasswordReset": {"access": "DENY"},
                "selfServiceUnlock": {"access": "DENY"},
            },
        }
    )
    made, _, err = await client.create_policy_rule(created.id, rule)
    rec.no_error("create PASSWORD rule", err)
    made = getattr(made, "actual_instance", made)
    rec.equal("rule type", getattr(made.type, "value", made.type), "PASSWORD")
    access = made.actions.self_service_password_reset.access
    rec.equal("rule action round-trips", getattr(access, "value", access), "DENY")

    rules, _, err = await client.list_policy_rules(created.id)
    rec.no_error("list rules", err)
    ids = [getattr(r, "actual_instance", r).id for r in rules]
    rec.check("list has the rule", made.id in ids, ids)

    err = error_of(await client.deactivate_policy_rule(created.id, made.id))
    rec.no_error("deactivate rule (answers 204)", err)
    fetched, _, err = await client.get_policy_rule(created.id, made.id)
    rec.no_error("get rule", err)
    fetched = getattr(fetched, "actual_instance", fetched)
    rec.equal("deactivated rule is INACTIVE", getattr(fetched.status, "value", None), "INACTIVE")
    err = error_of(await client.activate_policy_rule(created.id, made.id))
    rec.no_error("activate rule (answers 204)", err)

    rule.name = "SDK Tier Password Rule Renamed"
    replaced_rule, _, err = await client.replace_policy_rule(created.id, made.id, rule)
    rec.no_error("replace rule", err)
    replaced_rule = getattr(replaced_rule, "actual_instance", replaced_rule)
    rec.equal("replace renames the rule", replaced_rule.name, "SDK Tier Password Rule Renamed")

    # Sign-on policy and a rule that requires the network zone.
    zone, _, err = await client.create_network_zone(
        models.IPNetworkZone(
            type="IP",
            name="SDK Sign-on Zone",
            gateways=[models.NetworkZoneAddress(type="CIDR", value="192.0.2.0/24")],
        )
    )
    rec.no_error("create the rule's zone", err)
    zone = getattr(zone, "actual_instance", zone)
    sign_on = models.OktaSignOnPolicy.from_dict(
        {
            "type": "OKTA_SIGN_ON",
            "name": "SDK Tier Sign-On",
            "status": "ACTIVE",
            "conditions": {"people": {"groups": {"include": [group.id]}}},
        }
    )
    policy, _, err = await client.create_policy(sign_on)
    rec.no_error("create OKTA_SIGN_ON policy", err)
    policy = getattr(policy, "actual_instance", policy)
    rec.equal("sign-on policy type", getattr(policy.type, "value", None), "OKTA_SIGN_ON")
    sign_on_rule = models.OktaSignOnPolicyRule.from_dict(
        {
            "type": "SIGN_ON",
            "name": "SDK Tier Sign-On Rule",
            "conditions": {"network": {"connection": "ZONE", "include": [zone.id]}},
            "actions": {
                "signon": {
                    "access": "ALLOW",
                    "requireFactor": False,
                    "session": {
                        "maxSessionIdleMinutes": 30,
                        "maxSessionLifetimeMinutes": 120,
                        "usePersistentCookie": False,
                    },
                }
            },
        }
    )
    made, _, err = await client.create_policy_rule(policy.id, sign_on_rule)
    rec.no_error("create SIGN_ON rule", err)
    made = getattr(made, "actual_instance", made)
    rec.equal("sign-on rule zone round-trips", made.conditions.network.include, [zone.id])
    rec.equal(
        "sign-on rule session round-trips",
        made.actions.signon.session.max_session_idle_minutes,
        30,
    )

    wrong = models.PasswordPolicyRule.from_dict(
        {"type": "PASSWORD", "name": "wrong type", "actions": {"passwordChange": {"access": "ALLOW"}}}
    )
    err = error_of(await client.create_policy_rule(policy.id, wrong))
    rec.refused("a PASSWORD rule in a sign-on policy is refused", err, "E0000001")

    err = error_of(await client.delete_policy_rule(policy.id, made.id))
    rec.no_error("delete rule (answers 204)", err)
    err = error_of(await client.delete_policy(policy.id))
    rec.no_error("delete policy (answers 204)", err)
    gone, _, err = await client.get_policy(policy.id)
    rec.check("deleted policy is gone", gone is None, gone)
    rec.refused("a deleted policy is not found", err, "E0000007")


async def scenario_api_tokens(rec, client):
    tokens, _, err = await client.list_api_tokens()
    rec.no_error("list API tokens", err)
    rec.equal("the org has its super admin's token", len(tokens), 1)
    token = tokens[0]
    rec.check("metadata only: no secret in the listing", "token" not in token.to_dict(), "")
    rec.check("token has a name and an owner", bool(token.name) and bool(token.user_id), "")

    got, _, err = await client.get_api_token(token.id)
    rec.no_error("get API token", err)
    rec.equal("get finds the token", got.id, token.id)

    missing, _, err = await client.get_api_token("00Tnotatoken0000000")
    rec.check("unknown token id gives no token", missing is None, missing)
    rec.refused("unknown token id is not found", err, "E0000007")


async def scenario_api_token_revoke(rec, client):
    """Revokes the token the client uses, last: every later call must fail with 401."""
    tokens, _, err = await client.list_api_tokens()
    rec.no_error("list before revoke", err)
    err = error_of(await client.revoke_api_token(tokens[0].id))
    rec.no_error("revoke the token (answers 204)", err)
    err = error_of(await client.list_api_tokens())
    rec.refused("a revoked token is refused with E0000011", err, "E0000011")


async def scenario_logs(rec, client):
    since = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 60))
    for index in range(4):
        user = await create(rec, client, f"sdk.log{index}@acme.example", activate=False)
    events, _, err = await client.list_log_events(since=since)
    rec.no_error("list events since a minute ago", err)
    types = [event.event_type for event in events]
    rec.check("user creates are logged", types.count("user.lifecycle.create") >= 4, types)

    filtered, _, err = await client.list_log_events(
        since=since, filter=f'target.id eq "{user.id}"'
    )
    rec.no_error("list with a target filter", err)
    rec.equal(
        "filter by target finds that user's create",
        [event.event_type for event in filtered],
        ["user.lifecycle.create"],
    )
    rec.check(
        "the event's actor is the token's owner",
        all(event.actor.type == "User" for event in filtered),
        "",
    )

    typed, _, err = await client.list_log_events(
        since=since, filter='eventType eq "user.lifecycle.create"'
    )
    rec.no_error("list with an eventType filter", err)
    rec.check("eventType filter", all(e.event_type == "user.lifecycle.create" for e in typed), "")

    ordered, resp, err = await client.list_log_events(since=since, limit=3, sort_order="ASCENDING")
    rec.no_error("first page with limit=3", err)
    rec.equal("page size honours limit", len(ordered), 3)
    rec.check("polling answer links a next page", PaginationHelper.has_next_page(resp.headers), "")
    ids, _ = await follow(
        rec,
        "events",
        client.list_log_events,
        ordered,
        resp,
        since=since,
        limit=3,
        sort_order="ASCENDING",
        key=lambda event: event.uuid,
        stop_on_empty=True,
    )
    rec.equal("every event once across pages", len(ids), len(set(ids)))
    rec.equal("pages hold exactly the events of one big page", sorted(ids), sorted(e.uuid for e in events))

    err = error_of(await client.list_log_events(filter='published gt "2020-01-01T00:00:00Z"'))
    rec.refused("filtering on published is refused with E0000053", err, "E0000053")


async def scenario_org(rec, client):
    settings, _, err = await client.get_org_settings()
    rec.no_error("get org settings", err)
    rec.check("org has an id and a subdomain", bool(settings.id) and bool(settings.subdomain), "")
    rec.equal("the subdomain is the org's", settings.subdomain, "acme")
    rec.equal("a live org is ACTIVE", getattr(settings.status, "value", settings.status), "ACTIVE")


SCENARIOS = {
    "users": scenario_users,
    "lifecycle": scenario_lifecycle,
    "roles": scenario_roles,
    "groups": scenario_groups,
    "zones": scenario_zones,
    "policies": scenario_policies,
    "logs": scenario_logs,
    "org": scenario_org,
    "api_tokens": scenario_api_tokens,
    # Last: it revokes the token every other scenario uses.
    "api_token_revoke": scenario_api_token_revoke,
}


async def main(names):
    print(json.dumps({"sdk_version": okta.__version__}), flush=True)
    client = client_for(os.environ["OKTA_SDK_TIER_ORG_URL"], os.environ["OKTA_SDK_TIER_TOKEN"])
    for name in names:
        rec = Recorder(name)
        try:
            await SCENARIOS[name](rec, client)
        except Exception:  # noqa: BLE001 - reported as a failed check, with the traceback
            rec.check("scenario raised", False, traceback.format_exc(limit=6))
        print(json.dumps({"scenario": name, "done": True}), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:] or list(SCENARIOS)))
