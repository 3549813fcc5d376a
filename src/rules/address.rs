//! The shape of Okta logins and e-mail addresses.
//!
//! Okta's default user schema requires logins to be e-mail shaped, 5 to 100 characters, and
//! e-mail addresses to be 5 to 100 characters (RFC 5322). We accept the common dot-atom subset of
//! RFC 5322 that every mail system routes, and say exactly what is wrong otherwise.

/// Okta's limits on `profile.login` and `profile.email`, in characters.
pub const ADDRESS_LENGTH: std::ops::RangeInclusive<usize> = 5..=100;
/// RFC 5321's limit on the local part.
const LOCAL_PART_MAX: usize = 64;
/// RFC 1035's limit on one DNS label.
const LABEL_MAX: usize = 63;

/// Why a string is not an e-mail shaped address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressProblem {
    Length,
    NoAt,
    SeveralAts,
    EmptyLocalPart,
    LocalPartTooLong,
    LocalPartCharacter(char),
    LocalPartDots,
    NoDomainDot,
    DomainLabel,
    Whitespace,
    Slash,
}

impl AddressProblem {
    /// What is wrong, in a clause that completes "`login` ...".
    pub fn describe(self) -> String {
        match self {
            AddressProblem::Length => format!(
                "must be {} to {} characters long",
                ADDRESS_LENGTH.start(),
                ADDRESS_LENGTH.end()
            ),
            AddressProblem::NoAt => "has no `@`".to_owned(),
            AddressProblem::SeveralAts => "has more than one `@`".to_owned(),
            AddressProblem::EmptyLocalPart => "has nothing before the `@`".to_owned(),
            AddressProblem::LocalPartTooLong => {
                format!("has more than {LOCAL_PART_MAX} characters before the `@`")
            }
            AddressProblem::LocalPartCharacter(c) => {
                format!("has the character {c:?} before the `@`, which addresses cannot carry unquoted")
            }
            AddressProblem::LocalPartDots => {
                "starts or ends with a dot, or has two dots in a row, before the `@`".to_owned()
            }
            AddressProblem::NoDomainDot => {
                "has no domain with a dot after the `@` (for example `example.com`)".to_owned()
            }
            AddressProblem::DomainLabel => "has a domain that is not a valid host name (letters, digits and hyphens between dots, no label starting or ending with a hyphen)".to_owned(),
            AddressProblem::Whitespace => "contains whitespace".to_owned(),
            AddressProblem::Slash => "contains `/`, which Okta cannot look logins up by and which import IDs use as a separator".to_owned(),
        }
    }
}

/// Checks that `address` is an e-mail shaped Okta login or e-mail address. Logins additionally
/// may not contain `/` (Okta fetches such logins only by id, and import IDs split on it).
pub fn check_address(address: &str, is_login: bool) -> Result<(), AddressProblem> {
    let length = address.chars().count();
    if !ADDRESS_LENGTH.contains(&length) {
        return Err(AddressProblem::Length);
    }
    if address.chars().any(char::is_whitespace) {
        return Err(AddressProblem::Whitespace);
    }
    if is_login && address.contains('/') {
        return Err(AddressProblem::Slash);
    }
    let mut parts = address.split('@');
    let (Some(local), Some(domain)) = (parts.next(), parts.next()) else {
        return Err(AddressProblem::NoAt);
    };
    if parts.next().is_some() {
        return Err(AddressProblem::SeveralAts);
    }
    if local.is_empty() {
        return Err(AddressProblem::EmptyLocalPart);
    }
    if local.chars().count() > LOCAL_PART_MAX {
        return Err(AddressProblem::LocalPartTooLong);
    }
    if let Some(bad) = local.chars().find(|c| !is_atext(*c) && *c != '.') {
        return Err(AddressProblem::LocalPartCharacter(bad));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(AddressProblem::LocalPartDots);
    }
    check_domain(domain)
}

fn check_domain(domain: &str) -> Result<(), AddressProblem> {
    if !domain.contains('.') {
        return Err(AddressProblem::NoDomainDot);
    }
    for label in domain.split('.') {
        let valid = !label.is_empty()
            && label.len() <= LABEL_MAX
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !valid {
            return Err(AddressProblem::DomainLabel);
        }
    }
    // A top-level domain is never all digits; this catches `user@10.0.0.1`.
    if domain
        .rsplit('.')
        .next()
        .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(AddressProblem::DomainLabel);
    }
    Ok(())
}

/// RFC 5322 `atext`: the characters a dot-atom local part may carry, plus any non-ASCII letter
/// (RFC 6531 internationalised mailboxes, which Okta accepts).
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || "!#$%&'*+-/=?^_`{|}~".contains(c)
        || (!c.is_ascii() && c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_addresses() {
        for address in [
            "a@b.co",
            "oktaradius@acme.example",
            "first.last+svc@mail.acme-corp.example",
            "o'brien@example.com",
            "x_y-z@sub.domain.example",
            "jörg@example.de",
        ] {
            assert_eq!(check_address(address, true), Ok(()), "{address}");
            assert_eq!(check_address(address, false), Ok(()), "{address}");
        }
    }

    #[test]
    fn rejected_addresses_say_why() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        let too_long = format!("{}@{}.com", "a".repeat(50), "b".repeat(50));
        let cases: Vec<(&str, AddressProblem)> = vec![
            ("a@b", AddressProblem::Length),
            ("", AddressProblem::Length),
            (&too_long, AddressProblem::Length),
            ("oktaradius", AddressProblem::NoAt),
            ("a@b@example.com", AddressProblem::SeveralAts),
            ("@example.com", AddressProblem::EmptyLocalPart),
            (&long_local, AddressProblem::LocalPartTooLong),
            ("a(b)@example.com", AddressProblem::LocalPartCharacter('(')),
            ("\"a\"@example.com", AddressProblem::LocalPartCharacter('"')),
            (".ab@example.com", AddressProblem::LocalPartDots),
            ("ab.@example.com", AddressProblem::LocalPartDots),
            ("a..b@example.com", AddressProblem::LocalPartDots),
            ("user@localhost", AddressProblem::NoDomainDot),
            ("user@-acme.com", AddressProblem::DomainLabel),
            ("user@acme-.com", AddressProblem::DomainLabel),
            ("user@acme..com", AddressProblem::DomainLabel),
            ("user@acme_corp.com", AddressProblem::DomainLabel),
            ("user@10.0.0.1", AddressProblem::DomainLabel),
            ("us er@example.com", AddressProblem::Whitespace),
            ("user@example.com ", AddressProblem::Whitespace),
            ("a/b@example.com", AddressProblem::Slash),
        ];
        for (address, problem) in cases {
            assert_eq!(check_address(address, true), Err(problem), "{address:?}");
            let description = problem.describe();
            assert!(!description.is_empty() && !description.ends_with('.'));
        }
    }

    #[test]
    fn slash_is_only_refused_in_logins() {
        assert_eq!(check_address("a/b@example.com", false), Ok(()));
    }

    #[test]
    fn length_bounds_are_inclusive() {
        assert_eq!(check_address("a@b.c", true), Ok(()));
        assert_eq!(check_address("a@bc", true), Err(AddressProblem::Length));
        assert_eq!(check_address("a@b.co", true), Ok(()));
        let exactly_100 = format!("{}@{}.com", "a".repeat(40), "b".repeat(55));
        assert_eq!(exactly_100.len(), 100);
        assert_eq!(check_address(&exactly_100, true), Ok(()));
        let one_more = format!("{}@{}.com", "a".repeat(41), "b".repeat(55));
        assert_eq!(check_address(&one_more, true), Err(AddressProblem::Length));
    }
}
