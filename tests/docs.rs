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
