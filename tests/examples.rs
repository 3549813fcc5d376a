//! Every example under `examples/` is valid Terraform for this provider: `terraform validate`
//! passes on each, with the provider installed from the local mirror.

use std::path::{Path, PathBuf};

use crate::support::terraform::{Cli, Workspace, terraform_115_available, terraform_available};

fn examples_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "tf"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn subdirectories(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

#[track_caller]
fn validate(workspace: &Workspace, what: &str) {
    workspace.init();
    workspace
        .run(&["validate", "-no-color"])
        .assert_success(&format!("terraform validate of {what}"));
}

/// The registry examples are fragments: the provider block, then each resource's and data
/// source's examples, validated together so that cross-references resolve. On Terraform 1.11,
/// imports by identity (Terraform >= 1.12, `import-by-identity.tf`) are left out; the 1.15 tier
/// validates everything.
fn validate_registry_examples(cli: Cli) {
    let root = examples_root();
    let workspace = Workspace::on(cli);
    let mut count = 0;
    for file in tf_files(&root.join("provider")) {
        workspace.write("provider.tf", &std::fs::read_to_string(&file).unwrap());
        count += 1;
    }
    for kind in [
        "resources",
        "data-sources",
        "functions",
        "ephemeral-resources",
        "actions",
    ] {
        // Action blocks need Terraform >= 1.14.
        if cli == Cli::Installed && kind == "actions" {
            continue;
        }
        for dir in subdirectories(&root.join(kind)) {
            for file in tf_files(&dir) {
                let file_name = file.file_name().unwrap().to_string_lossy();
                if cli == Cli::Installed && file_name == "import-by-identity.tf" {
                    continue;
                }
                let name = format!("{}_{file_name}", dir.file_name().unwrap().to_string_lossy());
                workspace.write(&name, &std::fs::read_to_string(&file).unwrap());
                count += 1;
            }
        }
    }
    assert!(
        count >= 4,
        "expected the provider and resource examples, found {count} files"
    );
    validate(&workspace, "the registry examples");
    if cli == Cli::Libterraform115 {
        // List resources (Terraform >= 1.14): `validate -query` reads the .tfquery.hcl files.
        for dir in subdirectories(&root.join("list-resources")) {
            let example = dir.join("list-resource.tfquery.hcl");
            let name = format!("{}.tfquery.hcl", dir.file_name().unwrap().to_string_lossy());
            workspace.write(&name, &std::fs::read_to_string(&example).unwrap());
        }
        workspace
            .run(&["validate", "-query", "-no-color"])
            .assert_success("terraform validate -query of the list resource examples");
    }
}

#[test]
fn registry_examples_validate() {
    if !terraform_available() {
        return;
    }
    validate_registry_examples(Cli::Installed);
}

#[test]
fn registry_examples_validate_on_terraform_1_15_with_imports_by_identity() {
    if !terraform_115_available() {
        return;
    }
    validate_registry_examples(Cli::Libterraform115);
}

#[test]
fn import_scripts_name_declared_resource_types() {
    for dir in subdirectories(&examples_root().join("resources")) {
        let type_name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if let Ok(script) = std::fs::read_to_string(dir.join("import.sh")) {
            let command = script
                .lines()
                .find(|l| l.starts_with("terraform import"))
                .unwrap_or_else(|| panic!("{type_name}/import.sh has no terraform import line"));
            assert!(
                command.contains(&format!(" {type_name}.")),
                "{type_name}/import.sh imports into another type: {command}"
            );
        }
    }
}

#[test]
fn quickstart_validates() {
    if !terraform_available() {
        return;
    }
    let workspace = Workspace::new();
    for file in tf_files(&examples_root().join("quickstart")) {
        workspace.write(
            &file.file_name().unwrap().to_string_lossy(),
            &std::fs::read_to_string(&file).unwrap(),
        );
    }
    validate(&workspace, "examples/quickstart");
}
