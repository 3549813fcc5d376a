//! What a provider-defined function looks like to Terraform (protocol 6.5, Terraform >= 1.8):
//! its parameters, its return type and its documentation, and the error it answers with. The
//! trait a provider implements is [`Function`](super::resource::Function).

use super::proto::tfplugin6 as wire;
use super::value::Type;

/// One parameter. Terraform checks the argument's type and, unless allowed here, refuses a null
/// argument and answers unknown without calling the provider, so a function sees only what its
/// parameters admit.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionParameter {
    pub name: String,
    pub ty: Type,
    pub description: String,
    pub allow_null: bool,
    pub allow_unknown: bool,
}

impl FunctionParameter {
    pub fn new(name: impl Into<String>, ty: Type) -> FunctionParameter {
        FunctionParameter {
            name: name.into(),
            ty,
            description: String::new(),
            allow_null: false,
            allow_unknown: false,
        }
    }

    pub fn description(mut self, markdown: impl Into<String>) -> FunctionParameter {
        self.description = markdown.into();
        self
    }

    fn into_proto(self) -> wire::function::Parameter {
        wire::function::Parameter {
            name: self.name,
            r#type: self.ty.to_json_bytes(),
            allow_null_value: self.allow_null,
            allow_unknown_values: self.allow_unknown,
            description: self.description,
            description_kind: wire::StringKind::Markdown as i32,
        }
    }
}

/// A function's signature and documentation: what `GetFunctions` and `GetProviderSchema` send.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionSignature {
    pub parameters: Vec<FunctionParameter>,
    /// Takes any number of further arguments of this parameter's type.
    pub variadic: Option<FunctionParameter>,
    pub return_type: Type,
    /// One line, shown by editors.
    pub summary: String,
    /// Markdown.
    pub description: String,
}

impl FunctionSignature {
    pub fn new(
        parameters: Vec<FunctionParameter>,
        return_type: Type,
        summary: impl Into<String>,
        description: impl Into<String>,
    ) -> FunctionSignature {
        FunctionSignature {
            parameters,
            variadic: None,
            return_type,
            summary: summary.into(),
            description: description.into(),
        }
    }

    pub fn into_proto(self) -> wire::Function {
        wire::Function {
            parameters: self
                .parameters
                .into_iter()
                .map(FunctionParameter::into_proto)
                .collect(),
            variadic_parameter: self.variadic.map(FunctionParameter::into_proto),
            r#return: Some(wire::function::Return {
                r#type: self.return_type.to_json_bytes(),
            }),
            summary: self.summary,
            description: self.description,
            description_kind: wire::StringKind::Markdown as i32,
            deprecation_message: String::new(),
        }
    }
}

/// Why a call failed. Terraform shows `text` as the error of the expression that called the
/// function, pointing at the argument `argument` (counted from zero) when there is one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text}")]
pub struct FunctionError {
    pub text: String,
    pub argument: Option<usize>,
}

impl FunctionError {
    /// A failure caused by one argument.
    pub fn argument(index: usize, text: impl Into<String>) -> FunctionError {
        FunctionError {
            text: text.into(),
            argument: Some(index),
        }
    }

    /// A failure not tied to one argument.
    pub fn call(text: impl Into<String>) -> FunctionError {
        FunctionError {
            text: text.into(),
            argument: None,
        }
    }

    pub fn into_proto(self) -> wire::FunctionError {
        wire::FunctionError {
            text: self.text,
            function_argument: self
                .argument
                .map(|index| i64::try_from(index).unwrap_or(i64::MAX)),
        }
    }
}
