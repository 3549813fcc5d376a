//! `ensure_baseline` and `observe_baseline` against a scripted in-process server on
//! 127.0.0.1:0: which calls they make, in which order, with which bodies. The emulator exercises
//! them end to end through the provider's tests.

use serde_json::{Value, json};

use super::convert::*;
use super::*;
use crate::okta::scripted_server::{Received, ScriptedServer, ok_json};
use crate::okta::{ClientOptions, Engine, NetworkZone};
use crate::rules::baseline::SecuringBaseline;

/// The shared scripted server, every answer a 200 with the given JSON.
struct Stub(ScriptedServer);

impl Stub {
    async fn start(answers: Vec<Value>) -> Stub {
        Stub(ScriptedServer::start(answers.iter().map(ok_json).collect()).await)
    }

    fn client(&self) -> Client {
        self.0.client(ClientOptions::default())
    }

    fn calls(&self) -> Vec<String> {
        self.0.calls()
    }

    fn received(&self) -> Vec<Received> {
        self.0.received()
    }
}

const GROUP: &str = "00gsvc";

fn baseline() -> SecuringBaseline {
    SecuringBaseline {
        allowed_network_cidrs: vec!["203.0.113.0/24".to_owned()],
        ..SecuringBaseline::default()
    }
}

fn group() -> Value {
    json!({"id": GROUP, "type": "OKTA_GROUP", "profile": {"name": "MSP Service Accounts"}})
}

fn default_policy(policy_type: &str) -> Value {
    json!({"id": format!("00pdefault{policy_type}"), "type": policy_type, "name": "Default Policy",
           "status": "ACTIVE", "priority": 1, "system": true,
           "conditions": {"people": {"groups": {"include": ["00geveryone"]}}}})
}

/// `object` as Okta returns it after a create: with an id, active, and fields the provider does
/// not model.
fn created(object: impl serde::Serialize, id: &str) -> Value {
    let mut value = serde_json::to_value(object).unwrap();
    value["id"] = json!(id);
    value["status"] = json!("ACTIVE");
    value["system"] = json!(false);
    value["_links"] = json!({"self": {"href": format!("https://acme.okta.com/x/{id}")}});
    value
}

/// The objects of a complete baseline, as Okta lists them.
struct Org {
    zone: Value,
    password_policies: Value,
    password_rules: Value,
    sign_on_policies: Value,
    sign_on_rules: Value,
}

fn complete_org() -> Org {
    let baseline = baseline();
    let names = BaselineNames::for_group(&baseline.group_name);
    let zone = NetworkZone {
        zone_type: "IP".to_owned(),
        name: names.zone.clone(),
        usage: Some("POLICY".to_owned()),
        gateways: Some(vec![crate::okta::ZoneAddress::cidr("203.0.113.0/24")]),
        ..NetworkZone::default()
    };
    let mut default_password = default_policy("PASSWORD");
    default_password["priority"] = json!(2);
    let mut default_sign_on = default_policy("OKTA_SIGN_ON");
    default_sign_on["priority"] = json!(2);
    let password = desired_password_policy(None, &[], &baseline, &names, GROUP, Engine::Classic);
    let sign_on = desired_sign_on_policy(None, &[], &names, GROUP);
    Org {
        zone: created(zone, "nzosvc"),
        password_policies: json!([created(password, "00ppw"), default_password]),
        password_rules: json!([created(desired_password_rule(None, &[], &names), "0prpw")]),
        sign_on_policies: json!([created(sign_on, "00pso"), default_sign_on]),
        sign_on_rules: json!([
            created(
                desired_session_rule(None, &[], &baseline, &names, Some("nzosvc")),
                "0prsession"
            ),
            created(desired_deny_rule(None, &[], None, &names), "0prdeny"),
        ]),
    }
}

#[tokio::test]
async fn a_complete_baseline_costs_six_reads_and_no_writes() {
    let org = complete_org();
    let stub = Stub::start(vec![
        json!([group()]),
        json!([org.zone]),
        org.password_policies,
        org.password_rules,
        org.sign_on_policies,
        org.sign_on_rules,
    ])
    .await;
    let objects = ensure_baseline(&stub.client(), &baseline(), Engine::Classic)
        .await
        .unwrap();
    assert_eq!(
        objects,
        BaselineObjects {
            group_id: GROUP.to_owned(),
            password_policy_id: "00ppw".to_owned(),
            sign_on_policy_id: "00pso".to_owned(),
            zone_id: Some("nzosvc".to_owned()),
        }
    );
    assert_eq!(
        stub.calls(),
        [
            "GET /api/v1/groups?q=MSP%20Service%20Accounts",
            "GET /api/v1/zones",
            "GET /api/v1/policies?type=PASSWORD",
            "GET /api/v1/policies/00ppw/rules",
            "GET /api/v1/policies?type=OKTA_SIGN_ON",
            "GET /api/v1/policies/00pso/rules",
        ]
        .map(|call| call.replace("%20", &encoded_space(&stub)))
    );
}

/// The client may encode spaces in a query as `%20` or `+`; take what it sent.
fn encoded_space(stub: &Stub) -> String {
    let first = &stub.received()[0].uri;
    if first.contains('+') { "+" } else { "%20" }.to_owned()
}

#[tokio::test]
async fn a_new_org_gets_every_object_in_thirteen_calls_on_either_engine() {
    for engine in [Engine::IdentityEngine, Engine::Classic] {
        a_new_org_gets_every_object_in_thirteen_calls(engine).await;
    }
}

/// Eleven calls make the objects; after each policy's create, one listing checks that no other
/// run created a policy of the same name at the same moment.
async fn a_new_org_gets_every_object_in_thirteen_calls(engine: Engine) {
    let baseline = baseline();
    let names = BaselineNames::for_group(&baseline.group_name);
    let stub = Stub::start(vec![
        json!([]),
        group(),
        json!([]),
        json!({"id": "nzosvc", "type": "IP", "name": names.zone, "status": "ACTIVE"}),
        json!([default_policy("PASSWORD")]),
        json!({"id": "00ppw", "type": "PASSWORD", "status": "ACTIVE"}),
        json!([default_policy("PASSWORD"),
               {"id": "00ppw", "type": "PASSWORD", "name": names.password_policy,
                "status": "ACTIVE", "created": "2026-12-06T10:00:00.000Z"}]),
        json!({"id": "0prpw", "type": "PASSWORD", "status": "ACTIVE"}),
        json!([default_policy("OKTA_SIGN_ON")]),
        json!({"id": "00pso", "type": "OKTA_SIGN_ON", "status": "ACTIVE"}),
        json!([default_policy("OKTA_SIGN_ON"),
               {"id": "00pso", "type": "OKTA_SIGN_ON", "name": names.sign_on_policy,
                "status": "ACTIVE", "created": "2026-12-06T10:00:01.000Z"}]),
        json!({"id": "0prsession", "type": "SIGN_ON", "status": "ACTIVE"}),
        json!({"id": "0prdeny", "type": "SIGN_ON", "status": "ACTIVE"}),
    ])
    .await;
    let objects = ensure_baseline(&stub.client(), &baseline, engine)
        .await
        .unwrap();
    assert_eq!(objects.zone_id.as_deref(), Some("nzosvc"));
    assert_eq!(objects.password_policy_id, "00ppw");
    assert_eq!(objects.sign_on_policy_id, "00pso");
    // No `activate` parameter on the creates, on either engine: Okta documents it for Classic
    // Engine only, and the body's status already asks for an active policy.
    let calls = stub.calls();
    assert_eq!(
        calls[1..],
        [
            "POST /api/v1/groups",
            "GET /api/v1/zones",
            "POST /api/v1/zones",
            "GET /api/v1/policies?type=PASSWORD",
            "POST /api/v1/policies",
            "GET /api/v1/policies?type=PASSWORD",
            "POST /api/v1/policies/00ppw/rules",
            "GET /api/v1/policies?type=OKTA_SIGN_ON",
            "POST /api/v1/policies",
            "GET /api/v1/policies?type=OKTA_SIGN_ON",
            "POST /api/v1/policies/00pso/rules",
            "POST /api/v1/policies/00pso/rules",
        ]
    );
    let bodies: Vec<Value> = stub.received().into_iter().map(|r| r.json()).collect();
    assert_eq!(bodies[1]["profile"]["name"], "MSP Service Accounts");
    assert_eq!(
        bodies[3],
        json!({"type": "IP", "name": "MSP Service Accounts - network zone",
               "gateways": [{"type": "CIDR", "value": "203.0.113.0/24"}]})
    );
    let password = &bodies[5];
    assert_eq!(password["name"], "MSP Service Accounts - password");
    assert_eq!(password["priority"], 1);
    assert_eq!(
        password["conditions"]["people"]["groups"]["include"],
        json!([GROUP])
    );
    assert_eq!(password["settings"]["password"]["age"]["maxAgeDays"], 0);
    assert_eq!(password["status"], "ACTIVE");
    // Recovery: the policy's factors are turned off on Classic Engine; on Identity Engine the
    // rule governs it and the policy's factors are not written.
    match engine {
        Engine::Classic => {
            let factors = password["settings"]["recovery"]["factors"]
                .as_object()
                .unwrap();
            assert_eq!(factors.len(), 4, "{factors:?}");
            for (name, factor) in factors {
                assert_eq!(factor["status"], "INACTIVE", "{name}");
            }
        }
        Engine::IdentityEngine => {
            assert!(password["settings"].get("recovery").is_none(), "{password}")
        }
    }
    assert_eq!(
        bodies[7]["name"],
        "MSP Service Accounts - no self-service recovery"
    );
    assert_eq!(
        bodies[7]["actions"]["selfServicePasswordReset"],
        json!({"access": "DENY"})
    );
    assert_eq!(
        bodies[7]["actions"]["selfServiceUnlock"],
        json!({"access": "DENY"})
    );
    assert_eq!(bodies[9]["type"], "OKTA_SIGN_ON");
    assert_eq!(
        bodies[9]["conditions"]["people"]["groups"]["include"],
        json!([GROUP])
    );
    assert_eq!(bodies[11]["name"], "MSP Service Accounts - session");
    assert_eq!(bodies[11]["priority"], 1);
    assert_eq!(
        bodies[11]["conditions"]["network"],
        json!({"connection": "ZONE", "include": ["nzosvc"]})
    );
    assert_eq!(
        bodies[12]["name"],
        "MSP Service Accounts - deny outside allowed networks"
    );
    assert_eq!(bodies[12]["priority"], 2);
    assert_eq!(bodies[12]["actions"]["signon"]["access"], "DENY");
}

#[tokio::test]
async fn drift_is_written_back_with_put() {
    let org = complete_org();
    let mut password_policies = org.password_policies.clone();
    password_policies[0]["settings"]["password"]["age"]["maxAgeDays"] = json!(90);
    password_policies[0]["priority"] = json!(3);
    password_policies[0]["name"] = json!("Renamed by an admin");
    password_policies.as_array_mut().unwrap().push(
        json!({"id": "00pother", "type": "PASSWORD", "name": "Everyone", "status": "ACTIVE",
                      "priority": 1, "system": false,
                      "conditions": {"people": {"groups": {"include": ["00geveryone"]}}}}),
    );
    let mut sign_on_rules = org.sign_on_rules.clone();
    sign_on_rules[0]["actions"]["signon"]["session"]["usePersistentCookie"] = json!(true);
    let mut zone = org.zone.clone();
    zone["gateways"] = json!([{"type": "CIDR", "value": "0.0.0.0/0"}]);

    let stub = Stub::start(vec![
        json!([group()]),
        json!([zone]),
        json!({"id": "nzosvc"}),
        password_policies.clone(),
        json!({"id": "00ppw"}),
        org.password_rules,
        org.sign_on_policies,
        sign_on_rules,
        json!({"id": "0prsession"}),
    ])
    .await;
    ensure_baseline(&stub.client(), &baseline(), Engine::Classic)
        .await
        .unwrap();
    assert_eq!(
        stub.calls()[1..],
        [
            "GET /api/v1/zones",
            "PUT /api/v1/zones/nzosvc",
            "GET /api/v1/policies?type=PASSWORD",
            "PUT /api/v1/policies/00ppw",
            "GET /api/v1/policies/00ppw/rules",
            "GET /api/v1/policies?type=OKTA_SIGN_ON",
            "GET /api/v1/policies/00pso/rules",
            "PUT /api/v1/policies/00pso/rules/0prsession",
        ]
    );
    let bodies: Vec<Value> = stub.received().into_iter().map(|r| r.json()).collect();
    assert_eq!(
        bodies[2]["gateways"],
        json!([{"type": "CIDR", "value": "203.0.113.0/24"}])
    );
    let policy = &bodies[4];
    assert_eq!(policy["settings"]["password"]["age"]["maxAgeDays"], 0);
    assert_eq!(policy["priority"], 1);
    assert_eq!(policy["name"], "MSP Service Accounts - password");
    assert_eq!(
        policy["_links"], password_policies[0]["_links"],
        "a full replacement keeps what Okta sent"
    );
    assert_eq!(
        bodies[8]["actions"]["signon"]["session"]["usePersistentCookie"],
        false
    );
}

fn compliant<T>(settings: T) -> ObservedPolicy<T> {
    ObservedPolicy::Present {
        active: true,
        ranked_first: true,
        targets_group_only: true,
        settings,
    }
}

#[tokio::test]
async fn observation_reads_policies_rules_and_the_zone() {
    let org = complete_org();
    let mut zone = org.zone.clone();
    zone["status"] = json!("INACTIVE");
    let stub = Stub::start(vec![
        org.password_policies,
        org.password_rules,
        org.sign_on_policies,
        org.sign_on_rules,
        json!([zone]),
    ])
    .await;
    let baseline = baseline();
    let observed = observe_baseline(&stub.client(), &baseline, GROUP, Engine::Classic)
        .await
        .unwrap();
    assert_eq!(
        observed.password_policy,
        compliant(baseline.password_policy())
    );
    assert_eq!(
        observed.sign_on_policy,
        compliant(baseline.sign_on_policy())
    );
    assert_eq!(observed.network_zone_active, Some(false));
    assert_eq!(
        stub.calls(),
        [
            "GET /api/v1/policies?type=PASSWORD",
            "GET /api/v1/policies/00ppw/rules",
            "GET /api/v1/policies?type=OKTA_SIGN_ON",
            "GET /api/v1/policies/00pso/rules",
            "GET /api/v1/zones",
        ]
    );
}

#[tokio::test]
async fn observation_of_an_org_without_the_baseline() {
    let stub = Stub::start(vec![
        json!([default_policy("PASSWORD")]),
        json!([default_policy("OKTA_SIGN_ON")]),
    ])
    .await;
    let observed = observe_baseline(&stub.client(), &baseline(), GROUP, Engine::Classic)
        .await
        .unwrap();
    assert_eq!(
        observed,
        ObservedBaseline {
            password_policy: ObservedPolicy::Missing,
            sign_on_policy: ObservedPolicy::Missing,
            network_zone_active: None,
        }
    );
    assert_eq!(stub.calls().len(), 2);
}
