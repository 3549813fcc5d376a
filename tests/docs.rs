//! The committed registry docs are exactly what the schema renders. `make docs` rewrites them
//! (it runs this test with UPDATE_DOCS=1).

use std::path::Path;

use okta_msp::provider::OktaMspProvider;
use okta_msp::provider::docs::{render_all, render_schema};

#[test]
fn committed_docs_match_the_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let provider = OktaMspProvider::default();
    let files = render_all(&provider, root);
    assert!(files.len() >= 3, "index and one page per resource");
    let update = std::env::var("UPDATE_DOCS").as_deref() == Ok("1");
    let mut stale = Vec::new();
    for file in &files {
        let path = root.join(&file.path);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != file.content {
            if update {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &file.content).unwrap();
            } else {
                stale.push(file.path.clone());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "these docs are stale or missing: {stale:?}; run `make docs` and commit the result"
    );
    // Every page documents every attribute of its schema.
    for file in &files {
        if file.path.starts_with("docs/functions/") {
            assert!(file.content.contains("## Signature"), "{}", file.path);
            assert!(file.content.contains("## Arguments"), "{}", file.path);
        } else {
            assert!(file.content.contains("## Schema"), "{}", file.path);
        }
    }
}

#[test]
fn a_changed_description_would_make_the_committed_page_stale() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let committed =
        std::fs::read_to_string(root.join("docs/resources/msp_service_account.md")).unwrap();
    let schema = okta_msp::provider::service_account::schema();
    assert!(committed.contains(&render_schema(&schema)));
    let mut changed = schema.clone();
    changed.block.attributes[0]
        .description
        .push_str(" (changed)");
    assert!(
        !committed.contains(&render_schema(&changed)),
        "a description edit must show up as a difference"
    );
}

/// README's provider table lists every argument of the provider's schema.
#[test]
fn the_readme_provider_table_lists_every_provider_argument() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let table: Vec<&str> = readme
        .lines()
        .skip_while(|line| !line.starts_with("## Provider configuration"))
        .take_while(|line| !line.starts_with("## Service account kinds"))
        .filter(|line| line.starts_with("| `"))
        .collect();
    for attribute in okta_msp::provider::provider_config::schema()
        .block
        .attributes
    {
        let cell = format!("| `{}`", attribute.name);
        assert!(
            table.iter().any(|line| line.starts_with(&cell)),
            "README's provider table lacks {}",
            attribute.name
        );
    }
}

/// README and the list resource's documentation give discovery the same cost.
#[test]
fn the_readme_and_the_list_resource_agree_on_discoverys_cost() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    let cost = "one call per org (`GET /api/v1/org`) plus one per 200 users (`GET /api/v1/users`)";
    assert!(
        okta_msp::rules::discovery::DOCUMENTATION.contains(cost),
        "the list resource's documentation changed its words: update this test and README"
    );
    assert!(
        readme.contains(cost),
        "README gives another cost than {cost:?}"
    );
}

/// Documentation cites sources a reader can find, never a file of a development machine.
#[test]
fn no_document_cites_a_development_machines_absolute_path() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md"), root.join("ARCHITECTURE.md")];
    let mut folders = vec![root.join("docs")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                pages.push(path);
            }
        }
    }
    for page in pages {
        let text = std::fs::read_to_string(&page).unwrap();
        for prefix in ["/work/", "/home/", "/Users/", "/root/"] {
            assert!(
                !text.contains(prefix),
                "{} cites a path under {prefix}",
                page.display()
            );
        }
    }
}

/// The quickstart warns that its audit trail output is empty after the first apply.
#[test]
fn the_quickstart_says_the_audit_trail_is_empty_on_the_first_apply() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let quickstart = std::fs::read_to_string(root.join("examples/quickstart/main.tf")).unwrap();
    assert!(readme.contains("The `ad_agent_audit_trail` output is empty after the first apply"));
    assert!(quickstart.contains("Empty\n# after the first apply"));
}
