//! Network zones (IP zones for the sign-on policy's network condition).

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::client::{Call, Client, segment};
use super::error::OktaError;

/// A network zone. Fields the provider does not model are kept in `other`, so a zone read and
/// written back with `update_zone` (a full replacement) loses nothing.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkZone {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `IP` or `DYNAMIC`.
    #[serde(default, rename = "type")]
    pub zone_type: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `POLICY` or `BLOCKLIST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateways: Option<Vec<ZoneAddress>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxies: Option<Vec<ZoneAddress>>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneAddress {
    /// `CIDR` (`10.0.0.0/8`) or `RANGE` (`10.0.0.1-10.0.0.9`).
    #[serde(rename = "type")]
    pub address_type: String,
    pub value: String,
}

impl ZoneAddress {
    pub fn cidr(value: impl Into<String>) -> ZoneAddress {
        ZoneAddress {
            address_type: "CIDR".to_owned(),
            value: value.into(),
        }
    }
}

impl NetworkZone {
    /// The CIDR gateways of the zone, as written.
    pub fn cidrs(&self) -> Vec<&str> {
        self.gateways
            .iter()
            .flatten()
            .filter(|address| address.address_type == "CIDR")
            .map(|address| address.value.as_str())
            .collect()
    }
}

impl Client {
    pub async fn list_zones(&self) -> Result<Vec<NetworkZone>, OktaError> {
        let call = Call::get("/api/v1/zones", "/api/v1/zones".to_owned());
        self.fetch_all(call, "list of network zones").await
    }

    /// Creates an active `IP` policy zone whose gateways are `cidrs`. Not retried once sent;
    /// look the name up before creating again.
    pub async fn create_ip_zone(
        &self,
        name: &str,
        cidrs: &[String],
    ) -> Result<NetworkZone, OktaError> {
        let zone = NetworkZone {
            zone_type: "IP".to_owned(),
            name: name.to_owned(),
            gateways: Some(cidrs.iter().map(ZoneAddress::cidr).collect()),
            ..NetworkZone::default()
        };
        let call =
            Call::new(Method::POST, "/api/v1/zones", "/api/v1/zones".to_owned()).json(&zone)?;
        self.fetch(call, "network zone").await
    }

    /// `PUT /api/v1/zones/{id}`: replaces the zone with `zone` (which must carry its id).
    /// `POST /api/v1/zones/{id}/lifecycle/activate`: a zone's status changes only this way.
    pub async fn activate_zone(&self, zone_id: &str) -> Result<(), OktaError> {
        let call = Call::new(
            Method::POST,
            "/api/v1/zones/{zoneId}/lifecycle/activate",
            format!("/api/v1/zones/{}/lifecycle/activate", segment(zone_id)),
        )
        .replay_safe();
        self.execute(call).await
    }

    pub async fn update_zone(&self, zone: &NetworkZone) -> Result<NetworkZone, OktaError> {
        let id = required_id(zone.id.as_deref(), "network zone")?;
        let call = Call::new(
            Method::PUT,
            "/api/v1/zones/{zoneId}",
            format!("/api/v1/zones/{}", segment(id)),
        )
        .json(zone)?;
        self.fetch(call, "network zone").await
    }
}

/// The id an update needs, or a clear error instead of a request to the collection.
pub(crate) fn required_id<'a>(id: Option<&'a str>, what: &str) -> Result<&'a str, OktaError> {
    match id {
        Some(id) if !id.is_empty() => Ok(id),
        _ => Err(OktaError::Decode {
            what: what.to_owned(),
            detail: "an update needs the object's id".to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_round_trip_unknown_fields() {
        let body = serde_json::json!({
            "type": "IP", "id": "nzowb8T5Jh5xuAJ0o0g7", "name": "svc", "status": "ACTIVE",
            "usage": "POLICY", "system": false,
            "gateways": [{"type": "CIDR", "value": "1.2.3.4/24"}, {"type": "RANGE", "value": "1.1.1.1-1.1.1.2"}],
            "proxies": null, "asns": {"include": []},
            "_links": {"self": {"href": "x"}}
        });
        let zone: NetworkZone = serde_json::from_value(body).unwrap();
        assert_eq!(zone.cidrs(), vec!["1.2.3.4/24"]);
        let written = serde_json::to_value(&zone).unwrap();
        assert_eq!(written["asns"], serde_json::json!({"include": []}));
        assert_eq!(written["gateways"][1]["type"], "RANGE");
        assert!(written.get("proxies").is_none());
    }
}
