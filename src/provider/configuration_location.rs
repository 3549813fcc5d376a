//! Where an unnamed configuration runs, as the digest it signs its finalizations with
//! (`rules::user_type::Finalizer`, issue 25).
//!
//! Terraform tells a provider neither the workspace, nor the resource's address, nor the
//! state's lineage. What it does give, by starting the provider in its own working directory
//! (`-chdir` included), is where the configuration lives: the root module's directory, and the
//! Terraform workspace selected there (`TF_WORKSPACE`, or the `environment` file `terraform
//! workspace select` writes in the data directory). A run killed right after a finalization
//! and applied again from the same place is the same configuration; a stranger who copies the
//! configuration runs from another directory, or another workspace, and is refused (G14).
//!
//! The digest hides the path itself (it may name a customer or a person): Okta shows only the
//! first 20 hexadecimal digits of a SHA-256.

use std::path::{Path, PathBuf};

/// Hexadecimal digits kept from the digest: 80 bits, far beyond any chance collision, short
/// enough to read in Okta's admin console.
const DIGITS: usize = 20;

/// Where this process runs, or `None` when its working directory cannot be read (then an
/// unnamed configuration claims nothing and the `import` block remains the way back).
pub fn of_this_process() -> Option<String> {
    let directory = std::env::current_dir().ok()?;
    // A symlinked path and its target are one place.
    let directory = directory.canonicalize().unwrap_or(directory);
    let workspace = workspace_name(&directory, |name| std::env::var(name).ok());
    Some(digest(&directory, &workspace))
}

/// The Terraform workspace selected in `directory`, as Terraform itself decides it:
/// `TF_WORKSPACE` first, then the data directory's `environment` file, else `default`.
fn workspace_name(directory: &Path, env: impl Fn(&str) -> Option<String>) -> String {
    if let Some(name) = env("TF_WORKSPACE").filter(|name| !name.trim().is_empty()) {
        return name.trim().to_owned();
    }
    let data_directory = env("TF_DATA_DIR")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".terraform"));
    std::fs::read_to_string(directory.join(data_directory).join("environment"))
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "default".to_owned())
}

/// The digest of a directory and a workspace name.
fn digest(directory: &Path, workspace: &str) -> String {
    let mut input = b"okta-msp configuration location\0".to_vec();
    input.extend_from_slice(directory.as_os_str().as_encoded_bytes());
    input.push(0);
    input.extend_from_slice(workspace.as_bytes());
    super::digest::sha256_hex(&input, DIGITS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn the_digest_changes_with_the_directory_and_the_workspace_only() {
        let here = digest(Path::new("/ci/acme"), "default");
        assert_eq!(here.len(), DIGITS);
        assert!(here.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(here, digest(Path::new("/ci/acme"), "default"));
        assert_ne!(here, digest(Path::new("/ci/acme-copy"), "default"));
        assert_ne!(here, digest(Path::new("/ci/acme"), "staging"));
        // The separator keeps a path and a workspace from sliding into each other.
        assert_ne!(
            digest(Path::new("/ci/a"), "bc"),
            digest(Path::new("/ci/ab"), "c")
        );
        assert!(!here.contains("acme"));
    }

    #[test]
    fn the_workspace_is_read_as_terraform_reads_it() {
        let directory = tempfile::tempdir().unwrap();
        assert_eq!(workspace_name(directory.path(), no_env), "default");
        std::fs::create_dir(directory.path().join(".terraform")).unwrap();
        std::fs::write(directory.path().join(".terraform/environment"), "staging\n").unwrap();
        assert_eq!(workspace_name(directory.path(), no_env), "staging");
        let from_env = |name: &str| (name == "TF_WORKSPACE").then(|| "prod".to_owned());
        assert_eq!(workspace_name(directory.path(), from_env), "prod");
        std::fs::create_dir(directory.path().join("data")).unwrap();
        std::fs::write(directory.path().join("data/environment"), "blue").unwrap();
        let data_dir = |name: &str| (name == "TF_DATA_DIR").then(|| "data".to_owned());
        assert_eq!(workspace_name(directory.path(), data_dir), "blue");
    }
}
