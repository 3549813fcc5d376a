//! Starts the real `okta-emulator` binary on a loopback port and reads its ready line.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

pub fn emulator_binary() -> &'static str {
    env!("CARGO_BIN_EXE_okta-emulator")
}

/// A running emulator, killed on drop.
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

    pub fn start_with(args: &[&str]) -> Emulator {
        let mut child = Command::new(emulator_binary())
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start okta-emulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let ready: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("ready line {line:?}: {e}"));
        let field = |name: &str| ready[name].as_str().unwrap().to_owned();
        Emulator {
            url: field("url"),
            partner_url: field("partner_url"),
            partner_token: field("partner_token"),
            admin_token: field("admin_token"),
            child,
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
