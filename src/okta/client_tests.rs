//! Unit tests of `client.rs`, kept beside it so that the module itself stays readable.

use super::*;

#[test]
fn path_segments_are_percent_encoded() {
    assert_eq!(segment("00u1abc"), "00u1abc");
    assert_eq!(segment("svc+radius@acme.com"), "svc%2Bradius@acme.com");
    assert_eq!(segment("a/b c?d#"), "a%2Fb%20c%3Fd%23");
    assert_eq!(segment(".."), "..");
    assert_eq!(segment("é"), "%C3%A9");
}

#[test]
fn filter_literals_escape_quotes() {
    assert_eq!(filter_literal("a@b.com"), "\"a@b.com\"");
    assert_eq!(filter_literal("x\" or id pr \\"), "\"x\\\" or id pr \\\\\"");
}

#[test]
fn non_okta_error_bodies_become_unexpected_status_errors() {
    let error = error_from_answer(
        "GET",
        "/api/v1/org",
        StatusCode::BAD_GATEWAY,
        b"<html>bad gateway</html>",
        Some("r1".to_owned()),
    );
    let message = error.to_string();
    assert!(matches!(
        error,
        OktaError::UnexpectedStatus { status: 502, .. }
    ));
    assert!(
        message.contains("502") && message.contains("bad gateway") && message.contains("r1"),
        "{message}"
    );
    let error = error_from_answer("GET", "/x", StatusCode::NOT_FOUND, b"", None);
    assert!(error.is_not_found());
}

#[test]
fn the_client_debug_form_hides_the_token() {
    let client = Client::new(
        OrgUrl::parse("https://acme.okta.com").unwrap(),
        Secret::new("00SSWS-secret-token"),
        ClientOptions::default(),
    )
    .unwrap();
    let debug = format!("{client:?}");
    assert!(!debug.contains("secret-token"), "{debug}");
}

#[test]
fn tokens_that_cannot_be_headers_are_refused_without_echo() {
    for token in ["", "bad\ntoken"] {
        let error = Client::new(
            OrgUrl::parse("https://acme.okta.com").unwrap(),
            Secret::new(token),
            ClientOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(error, OktaError::InvalidToken));
        assert!(!error.to_string().contains("bad"));
    }
}
