//! `Link` header parsing (RFC 8288), just enough for Okta's cursor pagination:
//! `Link: <https://acme.okta.com/api/v1/users?after=00u…&limit=200>; rel="next"`.

use reqwest::header::{HeaderMap, LINK};

/// The target of the `rel="next"` link among all `Link` headers, if any.
pub fn next_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(LINK)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| find_rel(value, "next"))
}

/// The target of the link with relation `wanted` in one `Link` header value, which may hold
/// several comma-separated links.
pub fn find_rel(header: &str, wanted: &str) -> Option<String> {
    let mut rest = header;
    loop {
        let start = rest.find('<')?;
        let end = start + rest[start..].find('>')?;
        let target = &rest[start + 1..end];
        // The parameters run to the next link, which starts with `<`.
        let after = &rest[end + 1..];
        let parameters_end = after.find('<').unwrap_or(after.len());
        let parameters = &after[..parameters_end];
        let matches = parameters.split(';').any(|parameter| {
            let Some((name, value)) = parameter.split_once('=') else {
                return false;
            };
            if !name.trim().eq_ignore_ascii_case("rel") {
                return false;
            }
            let value = value.trim().trim_end_matches(',').trim().trim_matches('"');
            value
                .split_ascii_whitespace()
                .any(|relation| relation.eq_ignore_ascii_case(wanted))
        });
        if matches {
            return Some(target.trim().to_owned());
        }
        rest = &after[parameters_end..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_link_is_found_among_several() {
        let header = r#"<https://acme.okta.com/api/v1/users?limit=2>; rel="self", <https://acme.okta.com/api/v1/users?after=00u2&limit=2>; rel="next""#;
        assert_eq!(
            find_rel(header, "next").as_deref(),
            Some("https://acme.okta.com/api/v1/users?after=00u2&limit=2")
        );
        assert_eq!(
            find_rel(header, "self").as_deref(),
            Some("https://acme.okta.com/api/v1/users?limit=2")
        );
    }

    #[test]
    fn unquoted_spaced_and_multi_valued_relations_are_understood() {
        assert_eq!(find_rel("<a>;rel=next", "next").as_deref(), Some("a"));
        assert_eq!(
            find_rel("<a> ; REL = \"prev next\"", "next").as_deref(),
            Some("a")
        );
        assert_eq!(
            find_rel("<a>; title=\"x\"; rel=\"next\"", "next").as_deref(),
            Some("a")
        );
    }

    #[test]
    fn absent_or_malformed_links_give_none() {
        for header in [
            "",
            "<a>; rel=\"self\"",
            "https://x; rel=\"next\"",
            "<unterminated; rel=\"next\"",
            "<a>; rel=\"nextpage\"",
            "<a>; notrel=\"next\"",
        ] {
            assert_eq!(find_rel(header, "next"), None, "{header:?}");
        }
    }

    #[test]
    fn next_links_are_found_across_header_lines() {
        let mut headers = HeaderMap::new();
        headers.append(LINK, "<https://x/self>; rel=\"self\"".parse().unwrap());
        headers.append(LINK, "<https://x/next>; rel=\"next\"".parse().unwrap());
        assert_eq!(next_link(&headers).as_deref(), Some("https://x/next"));
        assert_eq!(next_link(&HeaderMap::new()), None);
    }
}
