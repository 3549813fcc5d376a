//! Starts the real `okta-emulator` binary on a loopback port and reads its ready line.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

pub fn emulator_binary() -> &'static str {
    static PATH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PATH.get_or_init(|| super::plugin_client::workspace_binary("okta-emulator"))
}

/// `--search-lag-ms 0` and `--log-lag-ms 0`, each unless `args` already choose that lag.
pub fn instant_unless_set(args: &[&str]) -> Vec<&'static str> {
    let mut instant = Vec::new();
    for flag in ["--search-lag-ms", "--log-lag-ms"] {
        if !args.contains(&flag) {
            instant.extend([flag, "0"]);
        }
    }
    instant
}

/// A running emulator, killed on drop. This is the one place a test starts `okta-emulator`:
/// the conformance tests' harness (`tests/emulator/support.rs`) wraps it with its HTTP helpers.
pub struct Emulator {
    child: Child,
    pub url: String,
    pub partner_url: String,
    pub partner_token: String,
    pub admin_token: String,
}

impl Emulator {
    pub fn start() -> Emulator {
        Emulator::start_with(&[])
    }

    /// Starts the binary with `args`. Search and the System Log are instantly consistent unless
    /// `args` set a lag: the emulator's default is Okta's lag, and the tests that do not study
    /// it say so here rather than wait for it.
    pub fn start_with(args: &[&str]) -> Emulator {
        Emulator::start_configured(args, |_| {})
    }

    /// As [`Emulator::start_with`], letting `configure` adjust the command before it runs (an
    /// open-file limit, stderr shown instead of discarded, ...). Waits for the ready line.
    pub fn start_configured(args: &[&str], configure: impl FnOnce(&mut Command)) -> Emulator {
        let mut command = Command::new(emulator_binary());
        command.stdin(Stdio::null()).stderr(Stdio::null());
        configure(&mut command);
        let mut child = command
            .args(["--listen", "127.0.0.1:0"])
            .args(instant_unless_set(args))
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start okta-emulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout is piped"))
            .read_line(&mut line)
            .expect("ready line");
        let ready: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("ready line {line:?}: {e}"));
        let field = |name: &str| ready[name].as_str().expect(name).to_owned();
        Emulator {
            url: field("url"),
            partner_url: field("partner_url"),
            partner_token: field("partner_token"),
            admin_token: field("admin_token"),
            child,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and returns the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        // SAFETY: kill(2) only sends a signal to the child's pid, which `child` still owns.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        self.child.wait().expect("wait")
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A customer org made through the emulator's Org Creator API, and its super admin's token.
pub struct CustomerOrg {
    pub url: String,
    pub token: String,
}

impl Emulator {
    /// Creates a customer org the way the MSP platform would, through the partner org.
    pub fn create_org(&self, subdomain: &str) -> CustomerOrg {
        let partner = Api::new(&self.partner_url, &self.partner_token);
        let (status, body) = partner.send(
            "POST",
            "/api/v1/orgs",
            Some(serde_json::json!({
                "subdomain": subdomain,
                "name": format!("{subdomain} Inc"),
                "website": format!("https://{subdomain}.example"),
                "edition": "SKU",
                "admin": {"profile": {
                    "firstName": "MSP", "lastName": "Integration",
                    "email": format!("msp-integration@{subdomain}.example"),
                    "login": format!("msp-integration@{subdomain}.example"),
                }},
            })),
        );
        assert_eq!(status, 201, "org creation: {body}");
        CustomerOrg {
            url: format!("{}/{subdomain}", self.url),
            token: body["token"].as_str().unwrap().to_owned(),
        }
    }
}

/// A small blocking Okta API client for tests to look at the emulator's side of things.
pub struct Api {
    base: String,
    token: String,
    runtime: tokio::runtime::Runtime,
}

impl Api {
    pub fn new(base: &str, token: &str) -> Api {
        // reqwest is built without a default TLS provider; the emulator is plain HTTP, but the
        // client still wants one installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Api {
            base: base.to_owned(),
            token: token.to_owned(),
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
        }
    }

    pub fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        self.runtime.block_on(async {
            let client = reqwest::Client::new();
            let mut request = client
                .request(method.parse().unwrap(), format!("{}{path}", self.base))
                .header("Authorization", format!("SSWS {}", self.token))
                .header("Accept", "application/json");
            if let Some(body) = body {
                request = request.json(&body);
            }
            let response = request.send().await.expect("emulator answers");
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            (
                status,
                serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
            )
        })
    }

    #[track_caller]
    pub fn get(&self, path: &str) -> serde_json::Value {
        let (status, body) = self.send("GET", path, None);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// Creates a user of the org the way an admin would (a person, not a service account) and
    /// returns its id. `activate = false` leaves it `STAGED`.
    #[track_caller]
    pub fn create_person(&self, login: &str, email: &str, activate: bool) -> String {
        let (status, body) = self.send(
            "POST",
            &format!("/api/v1/users?activate={activate}"),
            Some(serde_json::json!({"profile": {
                "login": login, "email": email, "firstName": "Test", "lastName": "Person",
            }})),
        );
        assert_eq!(status, 200, "creating {login}: {body}");
        body["id"].as_str().unwrap().to_owned()
    }

    /// The admin role types a user holds, sorted.
    pub fn role_types(&self, user_id: &str) -> Vec<String> {
        let mut roles: Vec<String> = self
            .get(&format!("/api/v1/users/{user_id}/roles"))
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["type"].as_str().unwrap().to_owned())
            .collect();
        roles.sort();
        roles
    }

    pub fn group_id(&self, name: &str) -> Option<String> {
        self.get("/api/v1/groups")
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["profile"]["name"] == name)
            .map(|g| g["id"].as_str().unwrap().to_owned())
    }

    pub fn group_member_ids(&self, group_id: &str) -> Vec<String> {
        self.get(&format!("/api/v1/groups/{group_id}/users"))
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_owned())
            .collect()
    }
}

impl Emulator {
    /// The control API (`{url}/_emulator/...`), authorised by the admin token.
    pub fn control(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let api = Api::new(&format!("{}/_emulator", self.url), "");
        api.runtime.block_on(async {
            let client = reqwest::Client::new();
            let mut request = client
                .request(
                    method.parse().unwrap(),
                    format!("{}/_emulator{path}", self.url),
                )
                .header("Authorization", format!("Bearer {}", self.admin_token));
            if let Some(body) = body {
                request = request.json(&body);
            }
            let response = request.send().await.expect("control API answers");
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            (
                status,
                serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
            )
        })
    }

    #[track_caller]
    pub fn add_fault(&self, fault: serde_json::Value) {
        let (status, body) = self.control("POST", "/faults", Some(fault));
        assert_eq!(status, 201, "adding a fault: {body}");
    }
}
