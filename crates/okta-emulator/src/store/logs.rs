//! The System Log: who made a request ([`Audit`]), and the event every mutation appends.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Org;
use crate::util::{format_millis, uuid_v4};

/// Who is making a request and from where: the actor of the events a mutation emits.
#[derive(Debug, Clone)]
pub struct Audit {
    pub org: String,
    pub user_id: String,
    /// The service app whose access token made the request; the events' actor when present.
    pub client_id: Option<String>,
    pub token_id: String,
    pub request_id: String,
    pub ip_address: String,
    pub user_agent: String,
    pub now: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub published: i64,
    pub body: Value,
}

impl Org {
    /// Appends a System Log event with the request's actor, client and transaction.
    pub(super) fn emit(
        &mut self,
        audit: &Audit,
        event_type: &str,
        display_message: &str,
        targets: Vec<Value>,
        debug_data: Value,
    ) {
        let app = audit
            .client_id
            .as_ref()
            .map(|client_id| (client_id, self.app_by_client_id(client_id)));
        let actor = match (app, self.users.get(&audit.user_id)) {
            // What Okta records for a call made with a service app's access token: the app, as a
            // `PublicClientApp` whose id and alternate id are its client id and whose display
            // name is its name.
            (Some((client_id, found)), _) => {
                let name = found.map_or("unknown", |app| app.label.as_str());
                json!({
                    "id": client_id,
                    "type": "PublicClientApp",
                    "alternateId": client_id,
                    "displayName": name,
                    "detailEntry": null,
                })
            }
            (None, Some(user)) => json!({
                "id": user.id,
                "type": "User",
                "alternateId": user.login(),
                "displayName": user.display_name(),
                "detailEntry": null,
            }),
            (None, None) => json!({
                "id": audit.user_id,
                "type": "User",
                "alternateId": "unknown",
                "displayName": "unknown",
                "detailEntry": null,
            }),
        };
        let mut debug = json!({ "requestId": audit.request_id });
        if let (Some(debug_map), Value::Object(extra)) = (debug.as_object_mut(), debug_data) {
            debug_map.extend(extra);
        }
        let body = json!({
            "uuid": uuid_v4(),
            "published": format_millis(audit.now),
            "eventType": event_type,
            "version": "0",
            "severity": "INFO",
            "legacyEventType": null,
            "displayMessage": display_message,
            "actor": actor,
            "client": {
                "userAgent": { "rawUserAgent": audit.user_agent, "os": "Unknown", "browser": "UNKNOWN" },
                "zone": "null",
                "device": "Unknown",
                "id": null,
                "ipAddress": audit.ip_address,
                "geographicalContext": null,
            },
            "device": null,
            "authenticationContext": {
                "authenticationProvider": null,
                "credentialProvider": null,
                "credentialType": null,
                "issuer": null,
                "interface": null,
                "authenticationStep": 0,
                "externalSessionId": "trs" ,
            },
            "outcome": { "result": "SUCCESS", "reason": null },
            "securityContext": { "asNumber": null, "asOrg": null, "isp": null, "domain": null, "isProxy": null },
            "debugContext": { "debugData": debug },
            "transaction": {
                "type": "WEB",
                "id": audit.request_id,
                "detail": { "requestApiTokenId": audit.token_id },
            },
            "request": { "ipChain": [ { "ip": audit.ip_address, "geographicalContext": null, "version": "V4", "source": null } ] },
            "target": targets,
        });
        let seq = self.next_seq();
        self.events.insert(
            seq,
            Event {
                published: audit.now,
                body,
            },
        );
    }
}
