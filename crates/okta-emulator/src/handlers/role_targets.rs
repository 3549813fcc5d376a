//! Group targets of admin role assignments: `.../roles/{roleAssignmentId}/targets/groups` of a
//! user and of a group. Okta answers 204 to an assign or unassign (recorded in okta-sdk-python
//! v3.4.4 cassettes test_group_target_add and test_group_target_remove) and lists the target
//! groups as groups.

use serde_json::Value;

use super::json_shapes::group_json;
use super::users::user_id_or_me;
use super::{Reply, Request};
use crate::error::ApiError;
use crate::store::{Org, RoleHolder};

pub fn list_user_targets(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let user_id = user_id_or_me(org, request)?;
    list(org, request, RoleHolder::User(&user_id))
}

pub fn assign_user_target(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let user_id = user_id_or_me(org, request)?;
    org.add_role_group_target(
        request.audit.now,
        RoleHolder::User(&user_id),
        request.param(1),
        request.param(2),
    )?;
    Ok(Reply::no_content())
}

pub fn unassign_user_target(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    let user_id = user_id_or_me(org, request)?;
    org.remove_role_group_target(
        request.audit.now,
        RoleHolder::User(&user_id),
        request.param(1),
        request.param(2),
    )?;
    Ok(Reply::no_content())
}

pub fn list_group_targets(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    list(org, request, RoleHolder::Group(request.param(0)))
}

pub fn assign_group_target(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.add_role_group_target(
        request.audit.now,
        RoleHolder::Group(request.param(0)),
        request.param(1),
        request.param(2),
    )?;
    Ok(Reply::no_content())
}

pub fn unassign_group_target(org: &mut Org, request: &Request) -> Result<Reply, ApiError> {
    org.remove_role_group_target(
        request.audit.now,
        RoleHolder::Group(request.param(0)),
        request.param(1),
        request.param(2),
    )?;
    Ok(Reply::no_content())
}

fn list(org: &Org, request: &Request, holder: RoleHolder) -> Result<Reply, ApiError> {
    let org_url = request.org_url();
    let groups: Vec<Value> = org
        .role_group_targets(holder, request.param(1))?
        .into_iter()
        .map(|group| group_json(&org_url, group))
        .collect();
    // One page, with the `Link` header every recorded listing has.
    Ok(Reply::page(
        Value::Array(groups),
        request.links("targets", None),
    ))
}
