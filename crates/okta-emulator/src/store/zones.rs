//! Network zones (IP zones only): their rows, validation and lifecycle.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::table::Row;
use super::{ApiError, Audit, Org, validation};
use crate::util::okta_id;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Zone {
    pub id: String,
    pub name: String,
    pub status: String,
    pub usage: String,
    pub system: bool,
    pub created: i64,
    pub last_updated: i64,
    pub gateways: Vec<Value>,
    pub proxies: Vec<Value>,
}

impl Row for Zone {
    fn id(&self) -> &str {
        &self.id
    }
}

/// A network zone to create or the full replacement of one, parsed.
#[derive(Debug, Clone)]
pub struct NewZone {
    pub zone_type: String,
    pub name: String,
    pub usage: String,
    pub gateways: Vec<Value>,
    pub proxies: Vec<Value>,
}

impl Org {
    pub fn find_zone(&self, id: &str) -> Result<&Zone, ApiError> {
        self.zones.found(id, "NetworkZone")
    }

    fn validate_zone(&self, zone: &NewZone, except: Option<&str>) -> Result<(), ApiError> {
        if zone.zone_type != "IP" {
            return Err(ApiError::Unsupported {
                what: format!("{} network zones", zone.zone_type),
            });
        }
        let mut causes = Vec::new();
        if zone.name.trim().is_empty() {
            causes.push("name: The field cannot be left blank".to_string());
        } else if zone.name.chars().count() > 128 {
            causes.push("name: The field must be at most 128 characters".to_string());
        } else if self
            .zones
            .values()
            .any(|z| Some(z.id.as_str()) != except && z.name == zone.name)
        {
            causes.push(
                "name: An object with this field already exists in the current organization"
                    .to_string(),
            );
        }
        if !["POLICY", "BLOCKLIST"].contains(&zone.usage.as_str()) {
            causes.push("usage: Must be POLICY or BLOCKLIST".to_string());
        }
        for (field, entries) in [("gateways", &zone.gateways), ("proxies", &zone.proxies)] {
            if entries.len() > 150 {
                causes.push(format!("{field}: At most 150 entries are allowed"));
            }
            for entry in entries.iter() {
                let kind = entry
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let value = entry
                    .get("value")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let valid = match kind {
                    "CIDR" => valid_cidr(value),
                    "RANGE" => valid_range(value),
                    _ => false,
                };
                if !valid {
                    causes.push(format!("{field}: Invalid {kind} value: {value}"));
                }
            }
        }
        if causes.is_empty() {
            Ok(())
        } else {
            Err(validation(causes))
        }
    }

    pub fn create_zone(&mut self, audit: &Audit, zone: NewZone) -> Result<&Zone, ApiError> {
        self.validate_zone(&zone, None)?;
        let now = audit.now;
        let zone = Zone {
            id: okta_id("nzo"),
            name: zone.name,
            status: "ACTIVE".to_string(),
            usage: zone.usage,
            system: false,
            created: now,
            last_updated: now,
            gateways: zone.gateways,
            proxies: zone.proxies,
        };
        let id = zone.id.clone();
        let target = zone_target(&zone);
        let seq = self.next_seq();
        self.zones.insert(seq, zone);
        self.emit(
            audit,
            "zone.create",
            "Network zone create",
            vec![target],
            json!({}),
        );
        self.zones.found(&id, "NetworkZone")
    }

    pub fn update_zone(
        &mut self,
        audit: &Audit,
        id: &str,
        zone: NewZone,
    ) -> Result<&Zone, ApiError> {
        self.find_zone(id)?;
        self.validate_zone(&zone, Some(id))?;
        let stored = self.zones.found_mut(id, "NetworkZone")?;
        stored.name = zone.name;
        stored.usage = zone.usage;
        stored.gateways = zone.gateways;
        stored.proxies = zone.proxies;
        stored.last_updated = audit.now;
        let target = zone_target(stored);
        self.emit(
            audit,
            "zone.update",
            "Network zone update",
            vec![target],
            json!({}),
        );
        self.zones.found(id, "NetworkZone")
    }

    pub fn set_zone_status(
        &mut self,
        audit: &Audit,
        id: &str,
        active: bool,
    ) -> Result<&Zone, ApiError> {
        self.find_zone(id)?;
        let zone = self.zones.found_mut(id, "NetworkZone")?;
        zone.status = if active { "ACTIVE" } else { "INACTIVE" }.to_string();
        zone.last_updated = audit.now;
        let target = zone_target(zone);
        let (event, message) = if active {
            ("zone.activate", "Network zone activate")
        } else {
            ("zone.deactivate", "Network zone deactivate")
        };
        self.emit(audit, event, message, vec![target], json!({}));
        self.zones.found(id, "NetworkZone")
    }

    pub fn delete_zone(&mut self, audit: &Audit, id: &str) -> Result<(), ApiError> {
        let zone = self.find_zone(id)?;
        if zone.system {
            return Err(ApiError::invalid("Cannot delete a system network zone"));
        }
        if zone.status == "ACTIVE" {
            return Err(ApiError::invalid(
                "Cannot delete an active network zone; deactivate it first",
            ));
        }
        let used = self.rules.values().any(|rule| {
            rule.conditions
                .pointer("/network/include")
                .and_then(Value::as_array)
                .is_some_and(|ids| ids.iter().any(|z| z.as_str() == Some(id)))
                || rule
                    .conditions
                    .pointer("/network/exclude")
                    .and_then(Value::as_array)
                    .is_some_and(|ids| ids.iter().any(|z| z.as_str() == Some(id)))
        });
        if used {
            return Err(ApiError::invalid(
                "Cannot delete a network zone that is used by a policy rule",
            ));
        }
        let target = zone_target(zone);
        self.zones.remove(id);
        self.emit(
            audit,
            "zone.delete",
            "Network zone delete",
            vec![target],
            json!({}),
        );
        Ok(())
    }
}

fn valid_ip(text: &str) -> bool {
    text.parse::<std::net::IpAddr>().is_ok()
}

fn valid_cidr(text: &str) -> bool {
    match text.split_once('/') {
        Some((ip, prefix)) => match (ip.parse::<std::net::IpAddr>(), prefix.parse::<u8>()) {
            (Ok(std::net::IpAddr::V4(_)), Ok(bits)) => bits <= 32,
            (Ok(std::net::IpAddr::V6(_)), Ok(bits)) => bits <= 128,
            _ => false,
        },
        None => false,
    }
}

fn valid_range(text: &str) -> bool {
    match text.split_once('-') {
        Some((low, high)) => valid_ip(low) && valid_ip(high),
        None => valid_ip(text),
    }
}

fn zone_target(zone: &Zone) -> Value {
    json!({ "id": zone.id, "type": "NetworkZone", "alternateId": zone.name, "displayName": zone.name, "detailEntry": null })
}
