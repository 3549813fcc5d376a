//! go-plugin's start-up contract: the environment Terraform sets before starting a plugin, and
//! the one line the plugin answers with on stdout.

use std::fmt;

/// The cookie every go-plugin client for Terraform sets; its only job is to tell a plugin it was
/// started by Terraform and not by a person.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// go-plugin's own protocol version, the first field of the handshake line.
pub const CORE_PROTOCOL_VERSION: u32 = 1;

/// The one application protocol this plugin speaks: tfplugin6.
pub const APP_PROTOCOL_VERSION: u32 = 6;

/// Shown, on stderr, to a person who runs the binary by hand.
pub const NOT_FOR_HUMANS: &str = "This binary is a plugin for Terraform (terraform-provider-okta-msp). \
It is not meant to be run directly: Terraform starts it when a configuration uses the provider \
\"zerotek/okta-msp\". To debug it, run it with -debug and follow the instructions it prints.";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HandshakeError {
    #[error("{NOT_FOR_HUMANS}")]
    MissingMagicCookie,
    #[error(
        "this plugin speaks Terraform plugin protocol {APP_PROTOCOL_VERSION}, and the client offers only {offered:?}: use Terraform 1.3 or later"
    )]
    NoCommonProtocol { offered: String },
    #[error("PLUGIN_MIN_PORT and PLUGIN_MAX_PORT must be port numbers with min <= max, got {0}")]
    BadPortRange(String),
}

/// What Terraform told the plugin through its environment.
#[derive(Clone, Debug, Default)]
pub struct ClientEnvironment {
    /// PEM of Terraform's client certificate when AutoMTLS is on (Terraform's default).
    pub client_certificate_pem: Option<String>,
    /// Ports to use when the plugin has to listen on TCP.
    pub port_range: (u16, u16),
    /// Directory for the unix socket, when the client asks for one.
    pub unix_socket_dir: Option<std::path::PathBuf>,
}

impl ClientEnvironment {
    /// Reads and checks the environment through `get` (a parameter so tests need not mutate the
    /// process environment).
    pub fn from_lookup(
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<ClientEnvironment, HandshakeError> {
        if get(MAGIC_COOKIE_KEY).as_deref() != Some(MAGIC_COOKIE_VALUE) {
            return Err(HandshakeError::MissingMagicCookie);
        }
        negotiate_protocol(get("PLUGIN_PROTOCOL_VERSIONS").as_deref())?;
        let port_range = parse_port_range(
            get("PLUGIN_MIN_PORT").as_deref(),
            get("PLUGIN_MAX_PORT").as_deref(),
        )?;
        Ok(ClientEnvironment {
            client_certificate_pem: get("PLUGIN_CLIENT_CERT").filter(|pem| !pem.trim().is_empty()),
            port_range,
            unix_socket_dir: get("PLUGIN_UNIX_SOCKET_DIR")
                .filter(|dir| !dir.is_empty())
                .map(Into::into),
        })
    }
}

/// Picks the protocol version from the client's comma-separated offer. go-plugin clients that
/// predate version negotiation send nothing, which means "the client's default", and Terraform
/// only starts protocol-6 plugins that way when they are registered as such.
pub fn negotiate_protocol(offered: Option<&str>) -> Result<u32, HandshakeError> {
    let Some(offered) = offered.filter(|text| !text.trim().is_empty()) else {
        return Ok(APP_PROTOCOL_VERSION);
    };
    let speaks_ours = offered
        .split(',')
        .filter_map(|version| version.trim().parse::<u32>().ok())
        .any(|version| version == APP_PROTOCOL_VERSION);
    if speaks_ours {
        Ok(APP_PROTOCOL_VERSION)
    } else {
        Err(HandshakeError::NoCommonProtocol {
            offered: offered.to_owned(),
        })
    }
}

fn parse_port_range(min: Option<&str>, max: Option<&str>) -> Result<(u16, u16), HandshakeError> {
    // go-plugin's defaults.
    let min_port = min.unwrap_or("10000");
    let max_port = max.unwrap_or("25000");
    match (
        min_port.trim().parse::<u16>(),
        max_port.trim().parse::<u16>(),
    ) {
        (Ok(low), Ok(high)) if low > 0 && low <= high => Ok((low, high)),
        _ => Err(HandshakeError::BadPortRange(format!(
            "{min_port}..{max_port}"
        ))),
    }
}

/// Where the plugin listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListenAddress {
    Unix(std::path::PathBuf),
    Tcp(std::net::SocketAddr),
}

impl ListenAddress {
    pub fn network(&self) -> &'static str {
        match self {
            ListenAddress::Unix(_) => "unix",
            ListenAddress::Tcp(_) => "tcp",
        }
    }

    pub fn address(&self) -> String {
        match self {
            ListenAddress::Unix(path) => path.display().to_string(),
            ListenAddress::Tcp(address) => address.to_string(),
        }
    }
}

/// The line go-plugin clients wait for on stdout:
/// `CORE|APP|NETWORK|ADDRESS|grpc|CERT`, where CERT is empty without AutoMTLS.
pub struct HandshakeLine<'a> {
    pub address: &'a ListenAddress,
    pub server_certificate: Option<String>,
}

impl fmt::Display for HandshakeLine<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{CORE_PROTOCOL_VERSION}|{APP_PROTOCOL_VERSION}|{}|{}|grpc|{}",
            self.address.network(),
            self.address.address(),
            self.server_certificate.as_deref().unwrap_or("")
        )
    }
}

/// The `TF_REATTACH_PROVIDERS` value for a plugin started in debug mode.
pub fn reattach_config(provider_address: &str, pid: u32, address: &ListenAddress) -> String {
    serde_json::json!({
        provider_address: {
            "Protocol": "grpc",
            "ProtocolVersion": APP_PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": address.network(), "String": address.address() },
        }
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn environment(pairs: &[(&str, &str)]) -> Result<ClientEnvironment, HandshakeError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        ClientEnvironment::from_lookup(|key| map.get(key).cloned())
    }

    #[test]
    fn refuses_to_start_without_the_magic_cookie() {
        assert_eq!(
            environment(&[]).unwrap_err(),
            HandshakeError::MissingMagicCookie
        );
        assert_eq!(
            environment(&[(MAGIC_COOKIE_KEY, "wrong")]).unwrap_err(),
            HandshakeError::MissingMagicCookie
        );
    }

    #[test]
    fn negotiates_protocol_six_in_any_order_of_the_offer() {
        assert_eq!(negotiate_protocol(Some("5,6")), Ok(6));
        assert_eq!(negotiate_protocol(Some("6,5")), Ok(6));
        assert_eq!(negotiate_protocol(Some(" 6 ")), Ok(6));
        assert_eq!(negotiate_protocol(None), Ok(6));
        assert!(matches!(
            negotiate_protocol(Some("4,5")),
            Err(HandshakeError::NoCommonProtocol { .. })
        ));
    }

    #[test]
    fn reads_port_range_and_certificate() {
        let env = environment(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "5,6"),
            ("PLUGIN_MIN_PORT", "20000"),
            ("PLUGIN_MAX_PORT", "20010"),
            ("PLUGIN_CLIENT_CERT", "-----BEGIN CERTIFICATE-----"),
        ])
        .unwrap();
        assert_eq!(env.port_range, (20000, 20010));
        assert!(env.client_certificate_pem.is_some());
        assert!(matches!(
            environment(&[
                (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
                ("PLUGIN_MIN_PORT", "9"),
                ("PLUGIN_MAX_PORT", "8"),
            ]),
            Err(HandshakeError::BadPortRange(_))
        ));
    }

    #[test]
    fn handshake_line_has_go_plugins_six_fields() {
        let address = ListenAddress::Unix("/tmp/plugin1/plugin.sock".into());
        let line = HandshakeLine {
            address: &address,
            server_certificate: Some("MIIB".into()),
        }
        .to_string();
        assert_eq!(line, "1|6|unix|/tmp/plugin1/plugin.sock|grpc|MIIB");
        let tcp = ListenAddress::Tcp("127.0.0.1:10001".parse().unwrap());
        let line = HandshakeLine {
            address: &tcp,
            server_certificate: None,
        }
        .to_string();
        assert_eq!(line, "1|6|tcp|127.0.0.1:10001|grpc|");
    }

    #[test]
    fn reattach_config_is_what_terraform_parses() {
        let address = ListenAddress::Unix("/tmp/x/plugin.sock".into());
        let value: serde_json::Value = serde_json::from_str(&reattach_config(
            "registry.terraform.io/zerotek/okta-msp",
            42,
            &address,
        ))
        .unwrap();
        let entry = &value["registry.terraform.io/zerotek/okta-msp"];
        assert_eq!(entry["ProtocolVersion"], 6);
        assert_eq!(entry["Pid"], 42);
        assert_eq!(entry["Addr"]["Network"], "unix");
        assert_eq!(entry["Addr"]["String"], "/tmp/x/plugin.sock");
    }
}
