//! The guides' examples are real configurations: the one in "Using okta-msp beside the official
//! okta/okta provider" initialises and validates with okta-msp and a stand-in for okta/okta
//! (tests/stand_in_okta/main.rs), and the mistake it warns about fails as it says.

use std::path::Path;

use crate::support::scenario::collapse;
use crate::support::terraform::{Workspace, terraform_available};

const MARKER: &str = "<!-- validated example:";

/// The fenced block that follows the guide's validated-example marker.
fn validated_example(guide: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(guide);
    let text = std::fs::read_to_string(&path).expect("read the guide");
    let after_marker = &text[text.find(MARKER).expect("the guide marks its example")..];
    let fence = after_marker
        .find("```")
        .expect("a fenced block after the marker");
    let body_start = fence
        + after_marker[fence..]
            .find('\n')
            .expect("the fence line ends")
        + 1;
    let body_end = body_start
        + after_marker[body_start..]
            .find("```")
            .expect("the fence closes");
    after_marker[body_start..body_end].to_owned()
}

#[test]
fn the_beside_okta_okta_example_validates_and_its_warning_holds() {
    if !terraform_available() {
        return;
    }
    let example = validated_example("docs/guides/beside-okta-okta.md");
    assert!(example.contains("provider = oktamsp"), "{example}");
    let workspace = Workspace::new();
    workspace.install_okta_okta_stand_in();
    workspace.write("main.tf", &example);
    workspace.init();
    workspace
        .run(&["validate", "-no-color"])
        .assert_success("the guide's example");

    // Without `provider = oktamsp`, the okta_msp_ types go to the provider named `okta`.
    let forgotten: String = example
        .lines()
        .filter(|line| line.trim() != "provider = oktamsp")
        .map(|line| format!("{line}\n"))
        .collect();
    workspace.write("main.tf", &forgotten);
    let outcome = workspace.run(&["validate", "-no-color"]);
    outcome.assert_failure("okta_msp_ resources without provider = oktamsp");
    // Terraform wraps the message at the terminal width.
    let output = collapse(&outcome.combined());
    assert!(
        output.contains(
            "The provider okta/okta does not support resource type \"okta_msp_service_account\""
        ),
        "the guide quotes this error:\n{output}"
    );
}
