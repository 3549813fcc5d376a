//! The address of one Okta org, validated once so that no request can go out in clear text to a
//! remote host or carry credentials in its URL.

use std::fmt;
use std::net::IpAddr;

use super::error::OktaError;

/// An org's base URL: `https://host[:port][/prefix]`, or `http://` for a loopback host (the
/// emulator, which serves each org under a path prefix such as `http://127.0.0.1:8080/acme`).
/// Stored without a trailing slash, so API paths are appended as `{org_url}/api/v1/users`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgUrl(String);

impl OrgUrl {
    pub fn parse(input: &str) -> Result<OrgUrl, OktaError> {
        let trimmed = input.trim();
        let invalid = |reason: &str| OktaError::InvalidUrl {
            url: displayable(trimmed),
            reason: reason.to_owned(),
        };
        let (scheme, rest) = trimmed
            .split_once("://")
            .ok_or_else(|| invalid("not a URL; write it as https://your-org.okta.com"))?;
        let scheme = scheme.to_ascii_lowercase();
        if rest.contains(['?', '#']) {
            return Err(invalid("an org URL has no query or fragment"));
        }
        if rest
            .chars()
            .any(|character| character.is_whitespace() || character.is_control())
        {
            return Err(invalid(
                "an org URL contains no spaces or control characters",
            ));
        }
        let (authority, path) = match rest.find('/') {
            Some(index) => (&rest[..index], &rest[index..]),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(invalid(
                "the URL carries credentials; pass tokens in their own arguments",
            ));
        }
        let host = host_of(authority).ok_or_else(|| invalid("the URL has no host"))?;
        match scheme.as_str() {
            "https" => {}
            "http" if is_loopback_host(host) => {}
            "http" => {
                return Err(invalid(
                    "plain http is accepted only for loopback hosts (the emulator); use https",
                ));
            }
            _ => return Err(invalid("the scheme must be https")),
        }
        let path = path.trim_end_matches('/');
        if path
            .split('/')
            .skip(1)
            .any(|segment| segment.is_empty() || segment == "." || segment == "..")
        {
            return Err(invalid("the path prefix has empty or relative segments"));
        }
        let normalized = format!("{scheme}://{}{path}", authority.to_ascii_lowercase());
        // The http crate's parser is the final word on what reqwest will accept.
        reqwest::Url::parse(&normalized).map_err(|error| invalid(&error.to_string()))?;
        Ok(OrgUrl(normalized))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `{org_url}{path}`, where `path` starts with `/`.
    pub(crate) fn join(&self, path: &str) -> String {
        debug_assert!(path.starts_with('/'));
        format!("{}{path}", self.0)
    }

    /// Whether `url` lies under this org (same scheme, host, port and path prefix). A `Link`
    /// header that points anywhere else is refused, because following it would send the token
    /// there.
    pub(crate) fn contains(&self, url: &str) -> bool {
        url.strip_prefix(self.0.as_str())
            .is_some_and(|rest| rest.starts_with('/'))
    }

    /// Where to send the request a `Link` header points to: the link itself when it lies under
    /// this org, else its API path and query on this org's URL. Okta may name another host
    /// for the same org (its canonical `*.okta.com` host behind a custom domain, or the
    /// `-admin` host); the token was given for this URL and goes nowhere else. `None` for a
    /// link that is not an Okta API URL.
    pub(crate) fn rebase_api_link(&self, link: &str) -> Option<String> {
        if self.contains(link) {
            return Some(link.to_owned());
        }
        let parsed = reqwest::Url::parse(link).ok()?;
        let path = parsed.path();
        let api = path.find("/api/v1/")?;
        let mut rebased = self.join(&path[api..]);
        if let Some(query) = parsed.query() {
            rebased.push('?');
            rebased.push_str(query);
        }
        Some(rebased)
    }

    pub fn is_loopback(&self) -> bool {
        let rest = self
            .0
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or_default();
        let authority = rest.split('/').next().unwrap_or_default();
        host_of(authority).is_some_and(is_loopback_host)
    }

    /// Where a child org with `subdomain`, made through this (partner) org's Org Creator API,
    /// is expected to live when Okta's answer does not say: beside the partner, with the
    /// subdomain in place of the partner's own (`https://partner.okta.com` gives
    /// `https://acme.okta.com`; an org under a path prefix, as in okta-emulator, gives the
    /// sibling path). `None` when the partner URL has no such shape (an IP address, a custom
    /// domain of one label).
    pub fn child(&self, subdomain: &str) -> Option<OrgUrl> {
        let (scheme, rest) = self.0.split_once("://")?;
        let (authority, path) = match rest.find('/') {
            Some(index) => (&rest[..index], &rest[index..]),
            None => (rest, ""),
        };
        let candidate = match path.rsplit_once('/') {
            Some((parent, _)) if !path.is_empty() => {
                format!("{scheme}://{authority}{parent}/{subdomain}")
            }
            _ => {
                let host = host_of(authority)?;
                if host.parse::<IpAddr>().is_ok() {
                    return None;
                }
                let (_, domain) = authority.split_once('.')?;
                format!("{scheme}://{subdomain}.{domain}")
            }
        };
        OrgUrl::parse(&candidate).ok()
    }

    /// The org URL that `href` (any API URL of an org, such as `_links.administrator.href`)
    /// belongs to: everything before `/api/v1/`.
    pub fn from_api_href(href: &str) -> Result<OrgUrl, OktaError> {
        match href.find("/api/v1/") {
            Some(index) => OrgUrl::parse(&href[..index]),
            None => Err(OktaError::InvalidUrl {
                url: displayable(href),
                reason: "not an Okta API URL (no /api/v1/)".to_owned(),
            }),
        }
    }
}

impl fmt::Display for OrgUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl fmt::Debug for OrgUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "OrgUrl({})", self.0)
    }
}

impl std::str::FromStr for OrgUrl {
    type Err = OktaError;

    fn from_str(input: &str) -> Result<OrgUrl, OktaError> {
        OrgUrl::parse(input)
    }
}

fn host_of(authority: &str) -> Option<&str> {
    let host = if let Some(bracketed) = authority.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    (!host.is_empty()).then_some(host)
}

fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

/// A URL as it may appear in an error message: anything before an `@` in the authority (user
/// information, perhaps a token) is cut, and so is a query (`?token=...`) or fragment.
pub fn displayable(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or_default();
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let rest = match rest[..authority_end].rfind('@') {
        Some(at) => format!("[redacted]@{}", &rest[at + 1..]),
        None => rest.to_owned(),
    };
    match scheme {
        Some(scheme) => format!("{scheme}://{rest}"),
        None => rest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_org_lives_beside_its_partner() {
        let child = |partner: &str| {
            OrgUrl::parse(partner)
                .unwrap()
                .child("acme")
                .map(|url| url.as_str().to_owned())
        };
        assert_eq!(
            child("https://partner.okta.com").as_deref(),
            Some("https://acme.okta.com")
        );
        assert_eq!(
            child("https://msp-partner.oktapreview.com").as_deref(),
            Some("https://acme.oktapreview.com")
        );
        assert_eq!(
            child("http://127.0.0.1:8080/partner").as_deref(),
            Some("http://127.0.0.1:8080/acme")
        );
        assert_eq!(
            child("http://localhost:8080/emu/partner").as_deref(),
            Some("http://localhost:8080/emu/acme")
        );
        assert_eq!(child("http://127.0.0.1:8080"), None);
        assert_eq!(child("https://intranet"), None);
    }

    #[test]
    fn https_urls_are_normalised_without_trailing_slash() {
        let url = OrgUrl::parse(" https://Acme.Okta.com/ ").unwrap();
        assert_eq!(url.as_str(), "https://acme.okta.com");
        assert_eq!(
            url.join("/api/v1/users"),
            "https://acme.okta.com/api/v1/users"
        );
        assert!(!url.is_loopback());
    }

    #[test]
    fn path_prefixes_are_kept() {
        let url = OrgUrl::parse("http://127.0.0.1:8080/acme/").unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:8080/acme");
        assert_eq!(
            url.join("/api/v1/org"),
            "http://127.0.0.1:8080/acme/api/v1/org"
        );
        assert!(url.is_loopback());
    }

    #[test]
    fn plain_http_is_accepted_only_for_loopback_hosts() {
        for accepted in [
            "http://localhost:1234",
            "http://127.0.0.1",
            "http://[::1]:99/x",
        ] {
            assert!(OrgUrl::parse(accepted).is_ok(), "{accepted}");
        }
        for refused in [
            "http://acme.okta.com",
            "http://10.0.0.1",
            "http://127.0.0.1.evil.com",
        ] {
            let error = OrgUrl::parse(refused).unwrap_err();
            assert!(error.to_string().contains("loopback"), "{refused}: {error}");
        }
    }

    #[test]
    fn malformed_urls_are_refused() {
        for refused in [
            "",
            "acme.okta.com",
            "ftp://acme.okta.com",
            "https://",
            "https:///api",
            "https://acme.okta.com/a//b",
            "https://acme.okta.com/../b",
            "https://acme.okta.com?x=1",
            "https://acme.okta.com/#x",
            "https://acme .okta.com",
        ] {
            assert!(OrgUrl::parse(refused).is_err(), "{refused:?} was accepted");
        }
    }

    #[test]
    fn credentials_in_urls_are_refused_and_never_echoed() {
        let error = OrgUrl::parse("https://admin:00secret@acme.okta.com").unwrap_err();
        let message = error.to_string();
        assert!(message.contains("credentials"), "{message}");
        assert!(!message.contains("00secret"), "{message}");
    }

    #[test]
    fn links_outside_the_org_are_not_contained() {
        let url = OrgUrl::parse("http://127.0.0.1:8080/acme").unwrap();
        assert!(url.contains("http://127.0.0.1:8080/acme/api/v1/users?after=x"));
        assert!(!url.contains("http://127.0.0.1:8080/acme2/api/v1/users"));
        assert!(!url.contains("http://127.0.0.1:8080/other/api/v1/users"));
        assert!(!url.contains("https://evil.example/api/v1/users"));
    }

    #[test]
    fn org_urls_are_derived_from_api_links() {
        let url = OrgUrl::from_api_href("https://child.okta.com/api/v1/users/00u1").unwrap();
        assert_eq!(url.as_str(), "https://child.okta.com");
        let url = OrgUrl::from_api_href("http://127.0.0.1:9/child/api/v1/users/00u1").unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:9/child");
        assert!(OrgUrl::from_api_href("https://child.okta.com/users").is_err());
    }
}
