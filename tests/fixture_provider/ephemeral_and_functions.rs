//! The fixture's functions and ephemeral resource, to make protocol 6.5 and 6.7 observable:
//! - `repeat(text, times)` returns `text` `times` times as a list, and answers a negative `times`
//!   with an error on that argument;
//! - `join(separator, parts...)` is variadic;
//! - `explode()` panics, to show a panicking function is an error, not a dead plugin;
//! - `fixture_lease` opens a lease named by its configuration: the result holds a value made
//!   from the name and the number of renewals so far, which travel in private data, so a test
//!   sees private data go out with open and come back with renew and close.

use async_trait::async_trait;
use okta_msp::plugin::schema::{Attribute, Schema};
use okta_msp::plugin::{
    CloseRequest, Diagnostic, Diagnostics, EphemeralResource, Function, FunctionError,
    FunctionParameter, FunctionSignature, OpenRequest, OpenResponse, RenewRequest, RenewResponse,
    Type, Value,
};

pub enum FixtureFunction {
    Repeat,
    Join,
    Explode,
}

impl Function for FixtureFunction {
    fn name(&self) -> &'static str {
        match self {
            FixtureFunction::Repeat => "repeat",
            FixtureFunction::Join => "join",
            FixtureFunction::Explode => "explode",
        }
    }

    fn signature(&self) -> FunctionSignature {
        match self {
            FixtureFunction::Repeat => FunctionSignature::new(
                vec![
                    FunctionParameter::new("text", Type::String),
                    FunctionParameter::new("times", Type::Number)
                        .description("How many copies; zero or more."),
                ],
                Type::list(Type::String),
                "Repeats a text",
                "Returns a list of `times` copies of `text`.",
            ),
            FixtureFunction::Join => FunctionSignature {
                variadic: Some(FunctionParameter::new("parts", Type::String)),
                ..FunctionSignature::new(
                    vec![FunctionParameter::new("separator", Type::String)],
                    Type::String,
                    "Joins texts",
                    "Joins any number of texts with a separator.",
                )
            },
            FixtureFunction::Explode => {
                FunctionSignature::new(Vec::new(), Type::String, "Panics", "Always panics.")
            }
        }
    }

    fn call(&self, arguments: Vec<Value>) -> Result<Value, FunctionError> {
        match self {
            FixtureFunction::Repeat => {
                let text = arguments[0].as_str().unwrap_or_default().to_owned();
                let times = arguments[1]
                    .as_i64()
                    .ok_or_else(|| FunctionError::argument(1, "times must be a whole number"))?;
                let times = usize::try_from(times).map_err(|_| {
                    FunctionError::argument(1, format!("times must be zero or more, not {times}"))
                })?;
                Ok(Value::list(vec![Value::string(text); times]))
            }
            FixtureFunction::Join => {
                let separator = arguments[0].as_str().unwrap_or_default();
                let parts: Vec<&str> = arguments[1..]
                    .iter()
                    .map(|part| part.as_str().unwrap_or_default())
                    .collect();
                Ok(Value::string(parts.join(separator)))
            }
            FixtureFunction::Explode => panic!("explode always panics"),
        }
    }
}

pub struct Lease;

fn lease_value(name: &str, renewals: u64) -> String {
    format!("lease-{name}-{renewals}")
}

#[async_trait]
impl EphemeralResource for Lease {
    fn type_name(&self) -> &'static str {
        "fixture_lease"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            "A lease that exists for one run",
            vec![
                Attribute::string("name").required(),
                Attribute::number("renew_after_seconds").optional(),
                Attribute::string("value").computed().sensitive(),
            ],
        )
    }

    async fn validate(
        &self,
        request: okta_msp::plugin::ValidateRequest,
    ) -> Result<Diagnostics, Diagnostics> {
        if request.config.get("name").and_then(Value::as_str) == Some("") {
            return Err(Diagnostic::error("Empty name", "A lease needs a name.").into());
        }
        Ok(Diagnostics::new())
    }

    async fn open(&self, request: OpenRequest) -> Result<OpenResponse, Diagnostics> {
        let name = request
            .config
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let renew_at = request
            .config
            .get("renew_after_seconds")
            .and_then(Value::as_i64)
            .map(|seconds| {
                std::time::SystemTime::now()
                    + std::time::Duration::from_secs(seconds.max(0).unsigned_abs())
            });
        let mut result = request.config.clone();
        if let Some(slot) = result.get_mut("value") {
            *slot = Value::string(lease_value(&name, 0));
        }
        Ok(OpenResponse {
            result,
            private: format!("{name}\n0").into_bytes(),
            renew_at,
            warnings: Diagnostics::new(),
        })
    }

    async fn renew(&self, request: RenewRequest) -> Result<RenewResponse, Diagnostics> {
        let (name, renewals) = parse_private(&request.private)?;
        let renewals = renewals + 1;
        Ok(RenewResponse {
            private: format!("{name}\n{renewals}").into_bytes(),
            renew_at: None,
            warnings: Diagnostic::warning(
                "Lease renewed",
                format!("{} renewed", lease_value(&name, renewals)),
            )
            .into(),
        })
    }

    async fn close(&self, request: CloseRequest) -> Result<Diagnostics, Diagnostics> {
        let (name, renewals) = parse_private(&request.private)?;
        Ok(Diagnostic::warning(
            "Lease closed",
            format!("{} closed", lease_value(&name, renewals)),
        )
        .into())
    }
}

fn parse_private(private: &[u8]) -> Result<(String, u64), Diagnostics> {
    let text = String::from_utf8_lossy(private);
    let (name, renewals) = text.split_once('\n').unwrap_or_default();
    let renewals = renewals.parse().map_err(|_| {
        Diagnostics::from(Diagnostic::error(
            "Lease private data is unreadable",
            format!("Expected a name and a count, got {} bytes", private.len()),
        ))
    })?;
    Ok((name.to_owned(), renewals))
}

/// `fixture_count` counts to `count`, one progress line per step, and fails at the end when
/// `fail` is set, so a test sees progress stream before the outcome.
pub struct Count;

#[async_trait]
impl okta_msp::plugin::Action for Count {
    fn type_name(&self) -> &'static str {
        "fixture_count"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            "Counts, reporting each step",
            vec![
                Attribute::number("count").required(),
                Attribute::bool("fail").optional(),
            ],
        )
    }

    async fn validate(
        &self,
        request: okta_msp::plugin::ValidateRequest,
    ) -> Result<Diagnostics, Diagnostics> {
        match request.config.get("count").and_then(Value::as_i64) {
            Some(count) if count < 0 => {
                Err(Diagnostic::error("Negative count", format!("count is {count}")).into())
            }
            _ => Ok(Diagnostics::new()),
        }
    }

    async fn invoke(
        &self,
        request: okta_msp::plugin::ActionRequest,
        progress: okta_msp::plugin::ActionProgress,
    ) -> Result<Diagnostics, Diagnostics> {
        let count = request
            .config
            .get("count")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        for step in 1..=count {
            progress.send(format!("step {step} of {count}")).await;
        }
        if request.config.get("fail").and_then(Value::as_bool) == Some(true) {
            return Err(Diagnostic::error(
                "Counting failed",
                format!("counted to {count} and failed as asked"),
            )
            .into());
        }
        Ok(Diagnostics::new())
    }
}
