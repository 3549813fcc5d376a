//! okta-emulator for the benches that count its requests: started on a free loopback port with
//! quiet logs, its ready line read for the URL and the control API's token, killed on drop.

use std::ffi::OsStr;
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

pub struct Emulator {
    child: Child,
    pub url: String,
    /// The control API's token; the benches that only plan against the emulator do not read it.
    #[allow(dead_code)]
    pub admin_token: String,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Emulator {
    /// The emulator's resident memory now and at its peak (`VmRSS`, `VmHWM`), in KiB.
    #[allow(dead_code)]
    pub fn memory_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|line| line.starts_with(name))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse().ok())
                .unwrap_or(0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    /// The emulator's CPU time so far (user and system), in seconds.
    #[allow(dead_code)]
    pub fn cpu_seconds(&self) -> f64 {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        // The fields after the command name, which is in parentheses and may hold spaces:
        // utime and stime are the 14th and 15th of the line, in clock ticks.
        let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
        let ticks: u64 = after_name
            .split_whitespace()
            .skip(11)
            .take(2)
            .filter_map(|field| field.parse::<u64>().ok())
            .sum();
        // SAFETY: sysconf reads a constant of the system.
        let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1);
        ticks as f64 / per_second as f64
    }
}

pub fn start_emulator(args: &[impl AsRef<OsStr>]) -> Emulator {
    let mut child = Command::new(emulator_binary())
        .args(["--listen", "127.0.0.1:0", "--log-level", "error"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start okta-emulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    Emulator {
        child,
        url: ready["url"].as_str().unwrap().to_owned(),
        admin_token: ready["admin_token"].as_str().unwrap().to_owned(),
    }
}

/// okta-emulator is a binary of another crate of the workspace, built into the same directory as
/// the provider by `cargo build --release --bins` (which `make bench` runs first).
fn emulator_binary() -> std::path::PathBuf {
    let path = std::path::Path::new(env!("CARGO_BIN_EXE_terraform-provider-okta-msp"))
        .with_file_name("okta-emulator");
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --release --bins` at the repository root first",
        path.display()
    );
    path
}
