//! What a new MSP engineer meets in the first month (issue 27): errors that name the step that
//! failed and the org, with the hint that fits, through the real `terraform` CLI.

use crate::support::emulator::Emulator;
use crate::support::scenario::{assert_plain_english, errors, run};
use crate::support::terraform::{Workspace, terraform_available};

/// One AD agent in the org at `org_url`, reached with `token`.
fn account_in(org_url: &str, token: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    okta = {{ source = "zerotek/okta-msp" }}
  }}
}}
provider "okta" {{
  org_tokens  = {{ "{org_url}" = "{token}" }}
  max_retries = 1
}}
resource "okta_msp_service_account" "ad_agent" {{
  org_url = "{org_url}"
  kind    = "ad_agent"
  login   = "oktaadagent@msp.example"
  email   = "oktaadagent@msp.example"
}}
"#
    )
}

/// The plan's first call to an org fails: the error's title says reaching the org failed, names
/// the org, and its detail says what to check; never "while finding the service account group".
#[test]
fn a_refused_connection_a_401_and_a_404_name_the_org_and_what_to_check() {
    if !terraform_available() {
        return;
    }
    let emulator = Emulator::start_with(&["--org", "acme:acme-token"]);
    let acme = format!("{}/acme", emulator.url);
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/acme", listener.local_addr().unwrap())
    };
    let cases = [
        (
            "a wrong token",
            account_in(&acme, "not-the-token"),
            format!("Okta refused the credentials for org {acme}"),
            "org_tokens or org_credentials entry for",
        ),
        (
            "a wrong token, again: the hint about expiry and service apps",
            account_in(&acme, "not-the-token"),
            format!("Okta refused the credentials for org {acme}"),
            "Okta expires an API token that goes 30 days without use",
        ),
        (
            "an org_url that is not an org",
            account_in(&format!("{}/no-such-org", emulator.url), "acme-token"),
            format!(
                "Okta answered 404 Not Found while finding the service account group in org {}/no-such-org",
                emulator.url
            ),
            "org_url may be wrong",
        ),
        (
            "an org nobody answers for",
            account_in(&closed, "acme-token"),
            format!("Could not reach org {closed}"),
            "retried",
        ),
    ];
    let workspace = Workspace::new();
    workspace.write("main.tf", &cases[0].1);
    workspace.init();
    for (case, config, title, hint) in &cases {
        workspace.write("main.tf", config);
        let plan = run(&workspace, &["plan", "-input=false"]);
        plan.assert_failure(case);
        let found = errors(&plan);
        let error = found
            .iter()
            .find(|error| error.summary.contains(title.as_str()))
            .unwrap_or_else(|| panic!("{case}: no error titled {title:?}: {found:#?}"));
        // Terraform wraps a diagnostic's lines: compare with the line breaks collapsed.
        assert!(
            crate::support::scenario::collapse(&error.body).contains(hint),
            "{case}: {}",
            error.text()
        );
        assert!(
            !plan
                .combined()
                .contains("while finding the service account group")
                || title.contains("404"),
            "{case}: {}",
            plan.combined()
        );
        assert_plain_english(error);
    }
}
