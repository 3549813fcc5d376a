//! Okta's SCIM-style expressions (`filter`, `search`): `profile.login eq "a@b.c" and status eq
//! "ACTIVE"`, parsed once and evaluated against the wire JSON of an object.

use serde_json::Value;

use crate::util::parse_timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Eq,
    Ne,
    Sw,
    Co,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
    Present,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expression {
    Compare {
        attribute: String,
        operator: Operator,
        value: Value,
    },
    And(Box<Expression>, Box<Expression>),
    Or(Box<Expression>, Box<Expression>),
}

impl Expression {
    /// Every comparison in the expression, for checking attributes and operators against what an
    /// endpoint allows.
    pub fn comparisons(&self) -> Vec<(&str, Operator)> {
        match self {
            Expression::Compare {
                attribute,
                operator,
                ..
            } => vec![(attribute.as_str(), *operator)],
            Expression::And(left, right) | Expression::Or(left, right) => {
                let mut all = left.comparisons();
                all.extend(right.comparisons());
                all
            }
        }
    }

    /// Whether the object (its wire JSON) matches, comparing string values without regard to
    /// case (Okta's `search`, and the filters it documents no case rule for).
    pub fn matches(&self, object: &Value) -> bool {
        self.matches_with(object, Case::Insensitive)
    }

    /// Whether the object matches, comparing string values exactly: the users API's `filter`
    /// ("case-sensitive for property names and query values").
    pub fn matches_exact_case(&self, object: &Value) -> bool {
        self.matches_with(object, Case::Sensitive)
    }

    fn matches_with(&self, object: &Value, case: Case) -> bool {
        match self {
            Expression::And(left, right) => {
                left.matches_with(object, case) && right.matches_with(object, case)
            }
            Expression::Or(left, right) => {
                left.matches_with(object, case) || right.matches_with(object, case)
            }
            Expression::Compare {
                attribute,
                operator,
                value,
            } => {
                let mut found = Vec::new();
                collect_path(
                    object,
                    attribute.split('.').collect::<Vec<_>>().as_slice(),
                    &mut found,
                );
                if *operator == Operator::Present {
                    return found.iter().any(|candidate| !candidate.is_null());
                }
                found
                    .iter()
                    .any(|candidate| compare(candidate, *operator, value, case))
            }
        }
    }
}

fn collect_path<'a>(value: &'a Value, path: &[&str], out: &mut Vec<&'a Value>) {
    if let Value::Array(items) = value {
        for item in items {
            collect_path(item, path, out);
        }
        return;
    }
    match path.split_first() {
        None => out.push(value),
        Some((head, rest)) => {
            if let Some(child) = value.get(*head) {
                collect_path(child, rest, out);
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Sensitive,
    Insensitive,
}

fn compare(candidate: &Value, operator: Operator, expected: &Value, case: Case) -> bool {
    match (candidate, expected) {
        (Value::String(have), Value::String(want)) => {
            let fold = |text: &str| match case {
                Case::Sensitive => text.to_owned(),
                Case::Insensitive => text.to_lowercase(),
            };
            let have_lower = fold(have);
            let want_lower = fold(want);
            match operator {
                Operator::Eq => have_lower == want_lower,
                Operator::Ne => have_lower != want_lower,
                Operator::Sw => have_lower.starts_with(&want_lower),
                Operator::Co => have_lower.contains(&want_lower),
                Operator::Ew => have_lower.ends_with(&want_lower),
                Operator::Gt | Operator::Ge | Operator::Lt | Operator::Le => {
                    let ordering = match (parse_timestamp(have), parse_timestamp(want)) {
                        (Some(a), Some(b)) => a.cmp(&b),
                        _ => have.cmp(want),
                    };
                    match operator {
                        Operator::Gt => ordering.is_gt(),
                        Operator::Ge => ordering.is_ge(),
                        Operator::Lt => ordering.is_lt(),
                        _ => ordering.is_le(),
                    }
                }
                Operator::Present => true,
            }
        }
        (have, want) => match operator {
            Operator::Eq => have == want,
            Operator::Ne => have != want,
            _ => false,
        },
    }
}

/// The longest expression accepted, in bytes. Okta documents only that "an overly complex or
/// long search query can result in an error"; the provider's longest (ten e-mail addresses joined
/// by `or`) is under 1 KiB, so 16 KiB leaves room for any real use while bounding the work.
pub const MAX_EXPRESSION_BYTES: usize = 16 * 1024;
/// The deepest nesting of parentheses accepted. The parser and the evaluator recurse once per
/// level, so this bound is what keeps a hostile expression from overflowing the stack.
pub const MAX_NESTING: usize = 32;
/// The most comparisons in one expression. `and`/`or` chains build a tree as deep as they are
/// long, which the evaluator and `Drop` walk recursively, so the length is bounded too.
pub const MAX_COMPARISONS: usize = 256;

/// Parses an expression; the error says what is wrong, for `errorCauses`.
pub fn parse(text: &str) -> Result<Expression, String> {
    if text.len() > MAX_EXPRESSION_BYTES {
        return Err(format!(
            "The expression is longer than {MAX_EXPRESSION_BYTES} bytes"
        ));
    }
    let tokens = tokenize(text)?;
    check_nesting(&tokens)?;
    let mut parser = Parser {
        tokens,
        position: 0,
        comparisons: 0,
    };
    let expression = parser.or_expression()?;
    if parser.position != parser.tokens.len() {
        return Err(format!("Unexpected token in expression: {text}"));
    }
    Ok(expression)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Literal(Value),
    Open,
    Close,
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let characters: Vec<char> = text.chars().collect();
    let mut index = 0;
    while index < characters.len() {
        let character = characters[index];
        if character.is_whitespace() {
            index += 1;
        } else if character == '(' {
            tokens.push(Token::Open);
            index += 1;
        } else if character == ')' {
            tokens.push(Token::Close);
            index += 1;
        } else if character == '"' {
            let mut literal = String::new();
            index += 1;
            loop {
                match characters.get(index) {
                    None => return Err("Unterminated string in expression".to_string()),
                    Some('"') => break,
                    Some('\\') => {
                        if let Some(escaped) = characters.get(index + 1) {
                            literal.push(*escaped);
                        }
                        index += 2;
                        continue;
                    }
                    Some(other) => literal.push(*other),
                }
                index += 1;
            }
            index += 1;
            tokens.push(Token::Literal(Value::String(literal)));
        } else {
            let start = index;
            while index < characters.len()
                && !characters[index].is_whitespace()
                && characters[index] != '('
                && characters[index] != ')'
            {
                index += 1;
            }
            tokens.push(Token::Word(characters[start..index].iter().collect()));
        }
    }
    Ok(tokens)
}

/// Refuses an expression nested deeper than [`MAX_NESTING`] before the recursive parser sees it.
fn check_nesting(tokens: &[Token]) -> Result<(), String> {
    let mut depth = 0usize;
    for token in tokens {
        match token {
            Token::Open => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(format!(
                        "The expression nests parentheses deeper than {MAX_NESTING} levels"
                    ));
                }
            }
            Token::Close => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
    /// Comparisons parsed so far, against [`MAX_COMPARISONS`].
    comparisons: usize,
}

impl Parser {
    fn keyword(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.position), Some(Token::Word(found)) if found.eq_ignore_ascii_case(word))
    }

    fn or_expression(&mut self) -> Result<Expression, String> {
        let mut left = self.and_expression()?;
        while self.keyword("or") {
            self.position += 1;
            let right = self.and_expression()?;
            left = Expression::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expression(&mut self) -> Result<Expression, String> {
        let mut left = self.primary()?;
        while self.keyword("and") {
            self.position += 1;
            let right = self.primary()?;
            left = Expression::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Expression, String> {
        match self.tokens.get(self.position).cloned() {
            Some(Token::Open) => {
                self.position += 1;
                let inner = self.or_expression()?;
                if self.tokens.get(self.position) != Some(&Token::Close) {
                    return Err("Missing closing parenthesis in expression".to_string());
                }
                self.position += 1;
                Ok(inner)
            }
            Some(Token::Word(attribute)) => {
                if attribute.eq_ignore_ascii_case("not") {
                    return Err("The not operator is not supported".to_string());
                }
                self.comparisons += 1;
                if self.comparisons > MAX_COMPARISONS {
                    return Err(format!(
                        "The expression has more than {MAX_COMPARISONS} comparisons"
                    ));
                }
                self.position += 1;
                let operator = match self.tokens.get(self.position) {
                    Some(Token::Word(word)) => match word.to_ascii_lowercase().as_str() {
                        "eq" => Operator::Eq,
                        "ne" => Operator::Ne,
                        "sw" => Operator::Sw,
                        "co" => Operator::Co,
                        "ew" => Operator::Ew,
                        "gt" => Operator::Gt,
                        "ge" => Operator::Ge,
                        "lt" => Operator::Lt,
                        "le" => Operator::Le,
                        "pr" => Operator::Present,
                        other => return Err(format!("Unknown operator: {other}")),
                    },
                    _ => return Err(format!("Missing operator after {attribute}")),
                };
                self.position += 1;
                if operator == Operator::Present {
                    return Ok(Expression::Compare {
                        attribute,
                        operator,
                        value: Value::Null,
                    });
                }
                let value = match self.tokens.get(self.position).cloned() {
                    Some(Token::Literal(value)) => value,
                    Some(Token::Word(word)) => match word.as_str() {
                        "true" => Value::Bool(true),
                        "false" => Value::Bool(false),
                        "null" => Value::Null,
                        number => number
                            .parse::<f64>()
                            .ok()
                            .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number))
                            .ok_or_else(|| format!("Invalid value in expression: {number}"))?,
                    },
                    _ => return Err(format!("Missing value after {attribute}")),
                };
                self.position += 1;
                Ok(Expression::Compare {
                    attribute,
                    operator,
                    value,
                })
            }
            _ => Err("Expected an attribute in expression".to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_and_matches_conjunctions_and_arrays() {
        let expression = parse(
            r#"profile.login eq "A@b.example" and (status eq "ACTIVE" or status eq "STAGED")"#,
        )
        .unwrap();
        assert!(expression.matches(&json!({"status":"STAGED","profile":{"login":"a@b.example"}})));
        assert!(
            !expression.matches(&json!({"status":"SUSPENDED","profile":{"login":"a@b.example"}}))
        );
        let targets = parse(r#"target.id eq "00u2""#).unwrap();
        assert!(targets.matches(&json!({"target":[{"id":"00u1"},{"id":"00u2"}]})));
    }

    #[test]
    fn refuses_not_and_garbage() {
        assert!(parse(r#"not status eq "ACTIVE""#).is_err());
        assert!(parse(r#"status equals "ACTIVE""#).is_err());
        assert!(parse(r#"status eq "ACTIVE"#).is_err());
    }

    #[test]
    fn refuses_deep_long_and_sprawling_expressions_without_recursing() {
        let comparison = r#"status eq "ACTIVE""#;
        let nested =
            |depth: usize| format!("{}{comparison}{}", "(".repeat(depth), ")".repeat(depth));
        assert!(parse(&nested(MAX_NESTING)).is_ok());
        let too_deep = parse(&nested(MAX_NESTING + 1)).unwrap_err();
        assert!(too_deep.contains("deeper"), "{too_deep}");
        // Far deeper than any stack could recurse: refused by counting, not by recursing.
        assert!(parse(&"(".repeat(100_000)).is_err());
        let chain = |terms: usize| vec![comparison; terms].join(" or ");
        assert!(parse(&chain(MAX_COMPARISONS)).is_ok());
        assert!(parse(&chain(MAX_COMPARISONS + 1)).is_err());
        let long = format!(r#"profile.login eq "{}""#, "a".repeat(MAX_EXPRESSION_BYTES));
        assert!(parse(&long).unwrap_err().contains("longer"));
    }
}
