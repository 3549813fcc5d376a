//! The provider's functions (`provider::okta::NAME(...)`, Terraform >= 1.8): the kind table,
//! read from the same rows the resources enforce, so a module's validations cannot drift from
//! the provider's. Pure: no configuration, no Okta.

use crate::rules::kind::ServiceAccountKind;
use tfplugin6::{Function, FunctionError, FunctionParameter, FunctionSignature, Type, Value};

/// `kind_roles(kind)`: the roles an account of `kind` must hold, sorted, spelled as Okta's API
/// spells them. Module authors reach for it in `validation` blocks and in `check`s that compare
/// what another tool assigned with what the kind requires.
pub struct KindRoles;

impl Function for KindRoles {
    fn name(&self) -> &'static str {
        "kind_roles"
    }

    fn signature(&self) -> FunctionSignature {
        FunctionSignature::new(
            vec![
                FunctionParameter::new("kind", Type::String).description(format!(
                    "A service account kind: one of {}.",
                    ServiceAccountKind::list()
                )),
            ],
            Type::list(Type::String),
            "The admin roles a service account kind requires",
            "Returns the admin roles an `okta_msp_service_account` of the given kind must hold, \
             sorted, spelled as Okta's API spells them (`APP_ADMIN`, `SUPER_ADMIN`, ...): the \
             kind table the resource enforces. `custom` requires none (its roles are the ones \
             its configuration declares), so it returns an empty list. An unknown kind is an \
             error naming the valid kinds.",
        )
    }

    fn call(&self, arguments: Vec<Value>) -> Result<Value, FunctionError> {
        let given = arguments
            .first()
            .and_then(Value::as_str)
            .ok_or_else(|| FunctionError::argument(0, "kind must be a string"))?;
        let kind: ServiceAccountKind =
            given
                .parse()
                .map_err(|error: crate::rules::kind::UnknownKind| {
                    FunctionError::argument(0, error.to_string())
                })?;
        Ok(Value::list(
            required_roles(kind).into_iter().map(Value::string),
        ))
    }
}

/// The kind's required roles in Okta's spelling, sorted by that spelling.
pub fn required_roles(kind: ServiceAccountKind) -> Vec<&'static str> {
    let mut roles: Vec<&'static str> = kind
        .rule()
        .required_roles
        .iter()
        .map(|role| role.as_str())
        .collect();
    roles.sort_unstable();
    roles
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radius_requires_app_admin_and_read_only_admin() {
        let roles = KindRoles.call(vec![Value::string("radius")]).unwrap();
        assert_eq!(
            roles,
            Value::list([Value::string("APP_ADMIN"), Value::string("READ_ONLY_ADMIN")])
        );
    }

    #[test]
    fn every_kind_answers_its_table_row_sorted() {
        for kind in ServiceAccountKind::ALL {
            let roles = required_roles(kind);
            let mut sorted = roles.clone();
            sorted.sort_unstable();
            assert_eq!(roles, sorted);
            assert_eq!(roles.len(), kind.rule().required_roles.len());
        }
    }

    #[test]
    fn an_unknown_kind_names_the_valid_ones_at_the_argument() {
        let error = KindRoles.call(vec![Value::string("radio")]).unwrap_err();
        assert_eq!(error.argument, Some(0));
        assert!(error.text.contains("\"radio\""), "{error}");
        for kind in ServiceAccountKind::ALL {
            assert!(error.text.contains(kind.as_str()), "{error}");
        }
    }
}
