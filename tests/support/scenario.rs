//! The guard scenarios' harness (SPEC section 4): one emulator, one customer org and one Terraform
//! workspace per scenario, Terraform's diagnostics parsed into blocks, and snapshots of accounts
//! taken through the Okta API so a scenario can prove that nothing changed.

use std::collections::BTreeMap;

use serde_json::Value;

use super::emulator::{Api, CustomerOrg, Emulator};
use super::terraform::{Cli, Outcome, Workspace};

/// The provider configuration and a local `org_url`, around `body`.
pub fn config(org: &CustomerOrg, body: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    okta = {{ source = "zerotek/okta-msp" }}
  }}
}}
provider "okta" {{
  org_tokens = {{ "{url}" = "{token}" }}
}}
locals {{
  org_url = "{url}"
}}
{body}
"#,
        url = org.url,
        token = org.token
    )
}

/// A resource block for one service account; `extra` goes inside the block.
pub fn account(name: &str, kind: &str, login: &str, extra: &str) -> String {
    format!(
        r#"
resource "okta_msp_service_account" "{name}" {{
  org_url = local.org_url
  kind    = "{kind}"
  login   = "{login}"
  email   = "{login}"
{extra}
}}
"#
    )
}

/// Runs `terraform` in `workspace` with colours on, so that diagnostics come in their `╷ … ╵`
/// boxes (plain output has no delimiters), and strips the colour codes.
pub fn run(workspace: &Workspace, args: &[&str]) -> Outcome {
    let outcome = workspace.run(args);
    Outcome {
        stdout: strip_ansi(&outcome.stdout),
        stderr: strip_ansi(&outcome.stderr),
        ..outcome
    }
}

pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters final-byte
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// One `╷ … ╵` block of Terraform's human-readable output.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: String,
    pub summary: String,
    /// Everything in the block after the summary line, with the box drawing removed and all
    /// whitespace collapsed (Terraform wraps details at the terminal width).
    pub body: String,
}

impl Diagnostic {
    pub fn text(&self) -> String {
        format!("{}: {} {}", self.severity, self.summary, self.body)
    }
}

pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The diagnostics in an outcome's stdout and stderr.
pub fn diagnostics(outcome: &Outcome) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for stream in [&outcome.stdout, &outcome.stderr] {
        let mut block: Option<Vec<String>> = None;
        for line in stream.lines() {
            let trimmed = line.trim_start();
            if trimmed.starts_with('╷') {
                block = Some(Vec::new());
            } else if trimmed.starts_with('╵') {
                if let Some(lines) = block.take() {
                    found.extend(parse_block(&lines));
                }
            } else if let Some(lines) = block.as_mut() {
                let content = trimmed.strip_prefix('│').unwrap_or(trimmed);
                lines.push(content.strip_prefix(' ').unwrap_or(content).to_owned());
            }
        }
    }
    found
}

fn parse_block(lines: &[String]) -> Option<Diagnostic> {
    let first = lines.iter().position(|l| !l.trim().is_empty())?;
    let (severity, summary) = lines[first].split_once(": ")?;
    Some(Diagnostic {
        severity: severity.trim().to_owned(),
        summary: summary.trim().to_owned(),
        body: collapse(&lines[first + 1..].join("\n")),
    })
}

pub fn errors(outcome: &Outcome) -> Vec<Diagnostic> {
    diagnostics(outcome)
        .into_iter()
        .filter(|d| d.severity == "Error")
        .collect()
}

pub fn warnings(outcome: &Outcome) -> Vec<Diagnostic> {
    diagnostics(outcome)
        .into_iter()
        .filter(|d| d.severity == "Warning")
        .collect()
}

/// Everything Okta knows about an account that the guard promises to keep: id, status, profile
/// (login, names, e-mail, the finalization marker in `userType`), role assignments and group
/// membership, and `lastUpdated`, which moves on any write to the user.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountSnapshot {
    pub id: String,
    pub status: String,
    pub last_updated: String,
    pub profile: Value,
    /// (role type, assignment id), sorted.
    pub roles: Vec<(String, String)>,
    /// Group ids, sorted.
    pub groups: Vec<String>,
}

impl AccountSnapshot {
    /// The setup alone, without `lastUpdated` and assignment ids: what a repair restores.
    pub fn setup(&self) -> (String, String, Value, Vec<String>, Vec<String>) {
        (
            self.id.clone(),
            self.status.clone(),
            self.profile.clone(),
            self.roles.iter().map(|(t, _)| t.clone()).collect(),
            self.groups.clone(),
        )
    }
}

/// A scenario: a running emulator with one customer org, and a Terraform workspace against it.
pub struct Scenario {
    pub emulator: Emulator,
    pub subdomain: String,
    pub org: CustomerOrg,
    pub api: Api,
    pub workspace: Workspace,
    /// Finalized accounts recorded after the first apply: address and snapshot.
    pub finalized: Vec<(String, AccountSnapshot)>,
}

impl Scenario {
    /// Starts the emulator, creates the org and an initialised workspace with no configuration.
    pub fn empty(subdomain: &str) -> Scenario {
        Scenario::empty_on(subdomain, Cli::Installed)
    }

    /// [`Scenario::empty`] on a given Terraform CLI.
    pub fn empty_on(subdomain: &str, cli: Cli) -> Scenario {
        // The scenarios read Okta's side back through search and the System Log right after
        // each apply (`log_events`, the probes of what was written): instant consistency.
        let emulator = Emulator::start_with(&["--search-lag-ms", "0", "--log-lag-ms", "0"]);
        let org = emulator.create_org(subdomain);
        let api = Api::new(&org.url, &org.token);
        let workspace = Workspace::on(cli);
        let scenario = Scenario {
            emulator,
            subdomain: subdomain.to_owned(),
            org,
            api,
            workspace,
            finalized: Vec::new(),
        };
        scenario.write("");
        scenario.workspace.init();
        scenario
    }

    /// [`Scenario::empty`], then applies `body` and records every account the apply finalized.
    #[track_caller]
    pub fn applied(subdomain: &str, body: &str) -> Scenario {
        Scenario::applied_on(subdomain, body, Cli::Installed)
    }

    /// [`Scenario::applied`] on a given Terraform CLI.
    #[track_caller]
    pub fn applied_on(subdomain: &str, body: &str, cli: Cli) -> Scenario {
        let mut scenario = Scenario::empty_on(subdomain, cli);
        scenario.write(body);
        scenario
            .apply(&[])
            .assert_success("initial terraform apply");
        // The probes the scenarios rely on to show that nothing was written do see writes.
        assert!(scenario.mutations() > 0, "stats count the apply's writes");
        assert!(
            !scenario.log_events().is_empty(),
            "the System Log has the apply's events"
        );
        let state = scenario.state();
        for resource in resources(&state) {
            if resource["type"] != "okta_msp_service_account" {
                continue;
            }
            let address = resource["address"].as_str().unwrap().to_owned();
            let values = &resource["values"];
            if values["finalized"] == true {
                assert_eq!(values["status"], "ACTIVE", "{address}");
                let id = values["id"].as_str().unwrap();
                let snapshot = scenario.snapshot(id);
                assert!(
                    snapshot.profile["userType"]
                        .as_str()
                        .is_some_and(|t| t.ends_with("/finalized")),
                    "{address}: finalization is recorded in Okta: {:?}",
                    snapshot.profile
                );
                scenario.finalized.push((address, snapshot));
            }
        }
        scenario
    }

    pub fn write(&self, body: &str) {
        self.workspace.write("main.tf", &config(&self.org, body));
    }

    pub fn tf(&self, args: &[&str]) -> Outcome {
        run(&self.workspace, args)
    }

    pub fn plan(&self, extra: &[&str]) -> Outcome {
        let mut args = vec!["plan", "-input=false"];
        args.extend_from_slice(extra);
        self.tf(&args)
    }

    pub fn apply(&self, extra: &[&str]) -> Outcome {
        let mut args = vec!["apply", "-auto-approve", "-input=false"];
        args.extend_from_slice(extra);
        self.tf(&args)
    }

    pub fn destroy(&self) -> Outcome {
        self.tf(&["destroy", "-auto-approve", "-input=false"])
    }

    /// `terraform show -json`.
    #[track_caller]
    pub fn state(&self) -> Value {
        show_json(&self.workspace)
    }

    #[track_caller]
    pub fn state_list(&self) -> Vec<String> {
        let list = self.tf(&["state", "list"]);
        list.assert_success("terraform state list");
        list.stdout.lines().map(str::to_owned).collect()
    }

    /// The values of `address` in state.
    #[track_caller]
    pub fn values(&self, address: &str) -> Value {
        let state = self.state();
        resources(&state)
            .into_iter()
            .find(|r| r["address"] == address)
            .unwrap_or_else(|| panic!("{address} is not in state"))["values"]
            .clone()
    }

    /// The snapshot recorded for `address` after the first apply.
    #[track_caller]
    pub fn recorded(&self, address: &str) -> &AccountSnapshot {
        &self
            .finalized
            .iter()
            .find(|(a, _)| a == address)
            .unwrap_or_else(|| panic!("{address} was not finalized by the first apply"))
            .1
    }

    #[track_caller]
    pub fn snapshot(&self, id: &str) -> AccountSnapshot {
        let user = self.api.get(&format!("/api/v1/users/{id}"));
        let mut roles: Vec<(String, String)> = self
            .api
            .get(&format!("/api/v1/users/{id}/roles"))
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["type"].as_str().unwrap().to_owned(),
                    r["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        roles.sort();
        let mut groups: Vec<String> = self
            .api
            .get(&format!("/api/v1/users/{id}/groups"))
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].as_str().unwrap().to_owned())
            .collect();
        groups.sort();
        AccountSnapshot {
            id: user["id"].as_str().unwrap().to_owned(),
            status: user["status"].as_str().unwrap().to_owned(),
            last_updated: user["lastUpdated"].as_str().unwrap_or_default().to_owned(),
            profile: user["profile"].clone(),
            roles,
            groups,
        }
    }

    /// Every finalized account recorded after the first apply still exists in Okta, unchanged:
    /// same id, status, profile, role assignments, group membership and `lastUpdated`.
    #[track_caller]
    pub fn assert_finalized_untouched(&self, after: &str) {
        assert!(
            !self.finalized.is_empty(),
            "the scenario has finalized accounts"
        );
        for (address, before) in &self.finalized {
            let (status, body) =
                self.api
                    .send("GET", &format!("/api/v1/users/{}", before.id), None);
            assert_eq!(
                status, 200,
                "after {after}: finalized {address} ({}) must still exist in Okta: {body}",
                before.id
            );
            let now = self.snapshot(&before.id);
            assert_eq!(
                &now, before,
                "after {after}: finalized {address} must be unchanged in Okta"
            );
        }
    }

    /// Requests to this org that are not reads (from the emulator's control API `stats`).
    pub fn mutations(&self) -> u64 {
        let control = Api::new(
            &format!("{}/_emulator", self.emulator.url),
            &self.emulator.admin_token,
        );
        control.get("/stats")["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["org"] == self.subdomain.as_str() && r["method"] != "GET")
            .map(|r| r["count"].as_u64().unwrap())
            .sum()
    }

    /// Requests to this org by method and route template.
    pub fn requests(&self) -> BTreeMap<String, u64> {
        let control = Api::new(
            &format!("{}/_emulator", self.emulator.url),
            &self.emulator.admin_token,
        );
        control.get("/stats")["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["org"] == self.subdomain.as_str())
            .map(|r| {
                (
                    format!(
                        "{} {}",
                        r["method"].as_str().unwrap(),
                        r["route"].as_str().unwrap()
                    ),
                    r["count"].as_u64().unwrap(),
                )
            })
            .collect()
    }

    /// The org's System Log, oldest first (at most 1000 events: plenty for a scenario).
    pub fn log_events(&self) -> Vec<Value> {
        self.api
            .get("/api/v1/logs?limit=1000&since=2000-01-01T00:00:00.000Z")
            .as_array()
            .unwrap()
            .clone()
    }

    /// Every user of the org, whatever its status (Okta leaves deprovisioned users out of an
    /// unfiltered list).
    pub fn all_users(&self) -> Vec<Value> {
        let mut users = self
            .api
            .get("/api/v1/users?limit=200")
            .as_array()
            .unwrap()
            .clone();
        let deprovisioned = self
            .api
            .get("/api/v1/users?limit=200&filter=status%20eq%20%22DEPROVISIONED%22");
        for user in deprovisioned.as_array().unwrap() {
            if !users.iter().any(|u| u["id"] == user["id"]) {
                users.push(user.clone());
            }
        }
        users
    }

    pub fn users_with_login(&self, login: &str) -> Vec<Value> {
        self.all_users()
            .into_iter()
            .filter(|u| u["profile"]["login"].as_str() == Some(login))
            .collect()
    }
}

pub fn show_json(workspace: &Workspace) -> Value {
    let show = workspace.run(&["show", "-json", "-no-color"]);
    show.assert_success("terraform show -json");
    serde_json::from_str(&show.stdout).unwrap()
}

/// The root module's resources in `terraform show -json` output.
pub fn resources(state: &Value) -> Vec<Value> {
    state["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The private data stored in the workspace's local state, decoded, by resource address.
pub fn stored_private(workspace: &Workspace) -> Vec<(String, String)> {
    use base64::Engine as _;
    let raw = std::fs::read_to_string(workspace.dir().join("terraform.tfstate")).unwrap();
    let state: Value = serde_json::from_str(&raw).unwrap();
    let mut found = Vec::new();
    for resource in state["resources"].as_array().cloned().unwrap_or_default() {
        for instance in resource["instances"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            if let Some(private) = instance["private"].as_str() {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(private)
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                    .unwrap_or_else(|_| private.to_owned());
                found.push((
                    format!(
                        "{}.{}{}",
                        resource["type"].as_str().unwrap_or_default(),
                        resource["name"].as_str().unwrap_or_default(),
                        instance
                            .get("index_key")
                            .map(|k| format!("[{k}]"))
                            .unwrap_or_default()
                    ),
                    decoded,
                ));
            }
        }
    }
    found
}

/// The guard's finalization marker lives in planned private data only, and is stripped before
/// anything is stored (issue 5).
#[track_caller]
pub fn assert_no_marker_stored(workspace: &Workspace, after: &str) {
    for (address, private) in stored_private(workspace) {
        assert!(
            !private.contains("okta_msp_finalized"),
            "after {after}: the finalization marker was stored in state for {address}: {private}"
        );
    }
}

/// Words a user should never read in a diagnostic: placeholders where the real value is known,
/// the project's internal vocabulary, and Rust's own. No placeholder either (`<name>`): Terraform
/// never tells a provider the address of the resource it plans, so a message about an object
/// whose block is gone names its login, org and the `terraform state list -id=` that prints the
/// address, and a message beside a block writes its example for `example` and says so.
const NOT_FOR_USERS: &[&str] = &[
    "ORG_URL",
    "OLD_ADDRESS",
    "NEW_ADDRESS",
    "<id>",
    "<login>",
    "<org>",
    "<address>",
    "<name>",
    "ADDRESS",
    "SPEC",
    "section 3",
    "section 4",
    "..=",
    "Some(",
    "None",
    "unwrap",
    "panicked",
    "tfplugin",
    "PlanResourceChange",
    "ApplyResourceChange",
    "ReadResource",
    "private data",
    "msgpack",
    "TODO",
];

/// The highest row of the docs' protection tables (G23: `deletion_policy = "ABANDON"`).
const LAST_GUARD_ROW: u32 = 23;

/// Articles that read wrong before the provider's nouns ("a org", "an user").
const WRONG_ARTICLES: &[&str] = &[
    " a org",
    " a ad_agent",
    " a okta",
    " a account",
    " a integration",
    " a admin",
    " a import",
    " a e-mail",
    " an user",
    " an service",
    " an deep_link",
    " an radius",
    " an msp",
    " an custom",
];

/// A diagnostic the provider wrote reads as plain English: no placeholder or internal term, no
/// unformatted `{name}`, articles right, the summary a title without a trailing period, and any
/// guard row named as the docs name it (`(G<number>)` with a row that exists).
#[track_caller]
pub fn assert_plain_english(diagnostic: &Diagnostic) {
    let text = format!("{} {}", diagnostic.summary, diagnostic.body);
    for term in NOT_FOR_USERS {
        assert!(
            !text.contains(term),
            "{term:?} in a diagnostic: {}",
            diagnostic.text()
        );
    }
    for wrong in WRONG_ARTICLES {
        assert!(
            !text.to_lowercase().contains(&wrong.to_lowercase()),
            "{wrong:?} in a diagnostic: {}",
            diagnostic.text()
        );
    }
    // A format argument that was never filled in: `{noun}`, `{}`. (HCL in a way out has spaces
    // inside its braces.)
    let mut rest = text.as_str();
    while let Some(at) = rest.find('{') {
        let inside: String = rest[at + 1..].chars().take_while(|c| *c != '}').collect();
        let closed = rest[at + 1 + inside.len()..].starts_with('}');
        let unfilled = closed
            && inside.len() < 30
            && inside.chars().all(|c| c.is_ascii_lowercase() || c == '_');
        assert!(
            !unfilled,
            "unfilled {{{inside}}} in a diagnostic: {}",
            diagnostic.text()
        );
        rest = &rest[at + 1..];
    }
    // A placeholder the user would have to fill in: `<name>`, `<org_url>`.
    let mut rest = text.as_str();
    while let Some(at) = rest.find('<') {
        let inside: String = rest[at + 1..].chars().take_while(|c| *c != '>').collect();
        let placeholder = rest[at + 1 + inside.len()..].starts_with('>')
            && !inside.is_empty()
            && inside.len() < 30
            && inside
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '_' || c == '-');
        assert!(
            !placeholder,
            "placeholder <{inside}> in a diagnostic: {}",
            diagnostic.text()
        );
        rest = &rest[at + 1..];
    }
    assert!(
        !diagnostic.summary.ends_with('.'),
        "a summary is a title: {}",
        diagnostic.summary
    );
    assert!(
        !diagnostic.body.contains("  "),
        "double space in: {}",
        diagnostic.body
    );
    // Every `(Gn)` names a row of the docs' protection tables.
    let mut rest = text.as_str();
    while let Some(at) = rest.find("(G") {
        let digits: String = rest[at + 2..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(row) = digits.parse::<u32>() {
            // One row, `(G4)`, or the rows one protocol door stands for, `(G1-G3)`.
            let after = &rest[at + 2 + digits.len()..];
            let range_end: Option<u32> = after.strip_prefix("-G").and_then(|tail| {
                let end: String = tail.chars().take_while(char::is_ascii_digit).collect();
                let closed = tail[end.len()..].starts_with(')');
                end.parse().ok().filter(|_| closed)
            });
            let well_formed = match range_end {
                Some(end) => row < end && end <= LAST_GUARD_ROW,
                None => after.starts_with(')'),
            };
            assert!(
                (1..=LAST_GUARD_ROW).contains(&row) && well_formed,
                "not a documented guard row: {}",
                diagnostic.text()
            );
        }
        rest = &rest[at + 2..];
    }
}
