//! Registry documentation (`docs/`), generated from the schemas and `examples/`, in the layout and
//! shape tfplugindocs produces, so the Terraform Registry renders it. The schema descriptions are
//! the source of truth; `tests/docs.rs` fails when the committed files differ from what this
//! renders, and `make docs` rewrites them.

use std::path::Path;

use tfplugin6::schema::IdentitySchema;
use tfplugin6::schema::{Attribute, AttributeType, Nesting, Schema};
use tfplugin6::{
    Action, DataSource, EphemeralResource, Function, ListResource, Provider, Resource, Type,
};

/// One generated file: its path relative to the repository root, and its content.
pub struct DocFile {
    pub path: String,
    pub content: String,
}

/// Renders every documentation page. `root` is the repository root (for `examples/` and
/// `templates/`).
pub fn render_all(provider: &dyn Provider, root: &Path) -> Vec<DocFile> {
    let mut files = vec![DocFile {
        path: "docs/index.md".into(),
        content: render_index(&provider.schema(), root),
    }];
    for resource in provider.resources() {
        files.push(render_resource(resource.as_ref(), root));
    }
    for data_source in provider.data_sources() {
        files.push(render_data_source(data_source.as_ref(), root));
    }
    for list_resource in provider.list_resources() {
        files.push(render_list_resource(list_resource.as_ref(), root));
    }
    for ephemeral in provider.ephemeral_resources() {
        files.push(render_ephemeral_resource(ephemeral.as_ref(), root));
    }
    for function in provider.functions() {
        files.push(render_function(function.as_ref(), root));
    }
    for action in provider.actions() {
        files.push(render_action(action.as_ref(), root));
    }
    files
}

fn render_action(action: &dyn Action, root: &Path) -> DocFile {
    let type_name = action.type_name();
    let short = short_name(type_name);
    let schema = action.schema();
    let mut page = front_matter(
        &format!("{type_name} Action - okta-msp"),
        &schema.block.description,
    );
    page.push_str(&format!("# {type_name} (Action)\n\n"));
    page.push_str(&schema.block.description);
    page.push_str("\n\n");
    if let Some(example) = read(root, &format!("examples/actions/{type_name}/action.tf")) {
        page.push_str("## Example Usage\n\n```terraform\n");
        page.push_str(example.trim_end());
        page.push_str("\n```\n\n");
    }
    page.push_str(&render_schema(&schema));
    DocFile {
        path: format!("docs/actions/{short}.md"),
        content: page,
    }
}

/// A function's page, shaped as tfplugindocs shapes it: signature, then numbered arguments.
fn render_function(function: &dyn Function, root: &Path) -> DocFile {
    let name = function.name();
    let signature = function.signature();
    let mut page = front_matter(&format!("{name} function - okta-msp"), &signature.summary);
    page.push_str(&format!("# function: {name}\n\n"));
    page.push_str(&signature.description);
    page.push_str("\n\n");
    if let Some(example) = read(root, &format!("examples/functions/{name}/function.tf")) {
        page.push_str("## Example Usage\n\n```terraform\n");
        page.push_str(example.trim_end());
        page.push_str("\n```\n\n");
    }
    let parameters: Vec<String> = signature
        .parameters
        .iter()
        .map(|parameter| format!("{} {}", parameter.name, hcl_type(&parameter.ty)))
        .chain(
            signature
                .variadic
                .iter()
                .map(|parameter| format!("{}... {}", parameter.name, hcl_type(&parameter.ty))),
        )
        .collect();
    page.push_str(&format!(
        "## Signature\n\n```text\n{name}({}) {}\n```\n\n## Arguments\n\n",
        parameters.join(", "),
        hcl_type(&signature.return_type)
    ));
    for (index, parameter) in signature
        .parameters
        .iter()
        .chain(signature.variadic.iter())
        .enumerate()
    {
        page.push_str(&format!(
            "{}. `{}` ({}) {}\n",
            index + 1,
            parameter.name,
            type_name(&parameter.ty),
            parameter.description
        ));
    }
    DocFile {
        path: format!("docs/functions/{name}.md"),
        content: page,
    }
}

/// A type as Terraform's language writes it, for signatures.
fn hcl_type(ty: &Type) -> String {
    match ty {
        Type::Bool => "bool".into(),
        Type::Number => "number".into(),
        Type::String => "string".into(),
        Type::Dynamic => "any".into(),
        Type::List(inner) => format!("list({})", hcl_type(inner)),
        Type::Set(inner) => format!("set({})", hcl_type(inner)),
        Type::Map(inner) => format!("map({})", hcl_type(inner)),
        Type::Tuple(_) => "tuple".into(),
        Type::Object(_) => "object".into(),
    }
}

fn render_ephemeral_resource(ephemeral: &dyn EphemeralResource, root: &Path) -> DocFile {
    let type_name = ephemeral.type_name();
    let short = short_name(type_name);
    let schema = ephemeral.schema();
    let mut page = front_matter(
        &format!("{type_name} Ephemeral Resource - okta-msp"),
        &schema.block.description,
    );
    page.push_str(&format!("# {type_name} (Ephemeral Resource)\n\n"));
    page.push_str(&schema.block.description);
    page.push_str("\n\n");
    if let Some(example) = read(
        root,
        &format!("examples/ephemeral-resources/{type_name}/ephemeral-resource.tf"),
    ) {
        page.push_str("## Example Usage\n\n```terraform\n");
        page.push_str(example.trim_end());
        page.push_str("\n```\n\n");
    }
    page.push_str(&render_schema(&schema));
    DocFile {
        path: format!("docs/ephemeral-resources/{short}.md"),
        content: page,
    }
}

fn short_name(type_name: &str) -> &str {
    type_name.strip_prefix("okta_").unwrap_or(type_name)
}

fn read(root: &Path, relative: &str) -> Option<String> {
    std::fs::read_to_string(root.join(relative)).ok()
}

fn front_matter(title: &str, description: &str) -> String {
    let first_sentence = description.lines().next().unwrap_or_default();
    format!(
        "---\npage_title: \"{title}\"\nsubcategory: \"\"\ndescription: |-\n  {first_sentence}\n---\n\n"
    )
}

fn render_index(schema: &Schema, root: &Path) -> String {
    let mut page = front_matter("okta-msp Provider", &schema.block.description);
    page.push_str("# okta-msp Provider\n\n");
    page.push_str(&schema.block.description);
    page.push_str("\n\n");
    if let Some(extra) = read(root, "templates/index.md") {
        page.push_str(extra.trim_end());
        page.push_str("\n\n");
    }
    if let Some(example) = read(root, "examples/provider/provider.tf") {
        page.push_str("## Example Usage\n\n```terraform\n");
        page.push_str(example.trim_end());
        page.push_str("\n```\n\n");
    }
    page.push_str(&render_schema(schema));
    page
}

fn render_resource(resource: &dyn Resource, root: &Path) -> DocFile {
    let type_name = resource.type_name();
    let short = short_name(type_name);
    let schema = resource.schema();
    let mut page = front_matter(
        &format!("{type_name} Resource - okta-msp"),
        &schema.block.description,
    );
    page.push_str(&format!("# {type_name} (Resource)\n\n"));
    page.push_str(&schema.block.description);
    page.push_str("\n\n");
    let examples = format!("examples/resources/{type_name}");
    if let Some(example) = read(root, &format!("{examples}/resource.tf")) {
        page.push_str("## Example Usage\n\n```terraform\n");
        page.push_str(example.trim_end());
        page.push_str("\n```\n\n");
    }
    page.push_str(&render_schema(&schema));
    page.push_str(&protection_section(type_name));
    if let Some(extra) = read(root, &format!("templates/resources/{short}.md")) {
        page.push('\n');
        page.push_str(extra.trim_end());
        page.push('\n');
    }
    let import_block = read(root, &format!("{examples}/import-by-string-id.tf"));
    let import_cli = read(root, &format!("{examples}/import.sh"));
    let import_by_identity = read(root, &format!("{examples}/import-by-identity.tf"));
    if import_block.is_some() || import_cli.is_some() {
        page.push_str("\n## Import\n\n");
        if let (Some(block), Some(identity)) = (&import_by_identity, resource.identity_schema()) {
            page.push_str(
                "In Terraform 1.12 and later, import by identity (which `terraform query` lists, see the list resource):\n\n```terraform\n",
            );
            page.push_str(block.trim_end());
            page.push_str("\n```\n\n");
            page.push_str(&render_identity(&identity));
        }
        let import_block_shown = import_block.is_some();
        if let Some(block) = import_block {
            page.push_str("In Terraform 1.5 and later, use an `import` block:\n\n```terraform\n");
            page.push_str(block.trim_end());
            page.push_str("\n```\n\n");
        }
        if let Some(cli) = import_cli {
            page.push_str(if import_block_shown {
                "Before Terraform 1.5, with the CLI:\n\n```shell\n"
            } else {
                "With the CLI:\n\n```shell\n"
            });
            page.push_str(cli.trim_end());
            page.push_str("\n```\n");
        }
    }
    DocFile {
        path: format!("docs/resources/{short}.md"),
        content: page,
    }
}

/// The identity's attributes, as the registry lists them.
fn render_identity(identity: &IdentitySchema) -> String {
    let mut out =
        String::from("The identity's attributes, all required to import by identity:\n\n");
    for attribute in &identity.attributes {
        out.push_str(&format!(
            "- `{}` ({}) {}\n",
            attribute.name,
            type_name(&attribute.ty),
            attribute.description
        ));
    }
    out.push('\n');
    out
}

fn render_list_resource(list_resource: &dyn ListResource, root: &Path) -> DocFile {
    let type_name = list_resource.type_name();
    let short = short_name(type_name);
    let schema = list_resource.schema();
    let mut page = front_matter(
        &format!("{type_name} List Resource - okta-msp"),
        &schema.block.description,
    );
    page.push_str(&format!("# {type_name} (List Resource)\n\n"));
    page.push_str(&schema.block.description);
    page.push_str("\n\n");
    if let Some(example) = read(
        root,
        &format!("examples/list-resources/{type_name}/list-resource.tfquery.hcl"),
    ) {
        page.push_str("## Example Usage\n\n```terraform\n");
        page.push_str(example.trim_end());
        page.push_str("\n```\n\n");
    }
    page.push_str(&render_schema(&schema));
    DocFile {
        path: format!("docs/list-resources/{short}.md"),
        content: page,
    }
}

fn render_data_source(data_source: &dyn DataSource, root: &Path) -> DocFile {
    let type_name = data_source.type_name();
    let short = short_name(type_name);
    let schema = data_source.schema();
    let mut page = front_matter(
        &format!("{type_name} Data Source - okta-msp"),
        &schema.block.description,
    );
    page.push_str(&format!("# {type_name} (Data Source)\n\n"));
    page.push_str(&schema.block.description);
    page.push_str("\n\n");
    if let Some(example) = read(
        root,
        &format!("examples/data-sources/{type_name}/data-source.tf"),
    ) {
        page.push_str("## Example Usage\n\n```terraform\n");
        page.push_str(example.trim_end());
        page.push_str("\n```\n\n");
    }
    page.push_str(&render_schema(&schema));
    if let Some(extra) = read(root, &format!("templates/data-sources/{short}.md")) {
        page.push('\n');
        page.push_str(extra.trim_end());
        page.push('\n');
    }
    DocFile {
        path: format!("docs/data-sources/{short}.md"),
        content: page,
    }
}

/// Every resource of this provider is guarded; the table comes from the guard's own rows.
fn protection_section(type_name: &str) -> String {
    let resource = if type_name == crate::rules::guard::GuardedResource::Org.type_name() {
        crate::rules::guard::GuardedResource::Org
    } else {
        crate::rules::guard::GuardedResource::ServiceAccount
    };
    let intro = match resource {
        crate::rules::guard::GuardedResource::Org => {
            "Once its integration account is finalized, an org is immutable through Terraform: it cannot be destroyed, replaced or modified, because the MSP platform's integration depends on it. Refusals happen in the plan (the plan command fails, naming the org and the way out); an apply-time check catches what bypasses the plan. An org that never finalized (a failed set-up, or `finalize = false`) can be destroyed, which forgets it."
        }
        crate::rules::guard::GuardedResource::ServiceAccount => {
            "Once finalized, a service account is immutable through Terraform: it cannot be destroyed, replaced or modified, because the integration that depends on it would break. Refusals happen in the plan (the plan command fails, naming the account and the way out); an apply-time check catches what bypasses the plan. Accounts that never finalized (a failed set-up, or `finalize = false`) can be destroyed."
        }
    };
    format!(
        "\n## Protection\n\n{intro}\n\n{}",
        crate::rules::guard::protection_markdown(resource)
    )
}

/// Picks the attributes of one section of the schema page.
type AttributeFilter = fn(&Attribute) -> bool;

/// The "Schema" section: Required, Optional, Read-Only, then nested objects.
pub fn render_schema(schema: &Schema) -> String {
    let mut out = String::from(
        "<!-- generated from the provider schema: edit the schema descriptions, then run `make docs` -->\n## Schema\n\n",
    );
    let mut nested = Vec::new();
    render_attribute_groups(&schema.block.attributes, "", &mut out, &mut nested);
    while let Some((anchor, attributes)) = nested.pop() {
        out.push_str(&format!(
            "<a id=\"{anchor}\"></a>\n### Nested Schema for `{}`\n\n",
            anchor.trim_start_matches("nestedatt--").replace("--", ".")
        ));
        render_attribute_groups(&attributes, &anchor, &mut out, &mut nested);
    }
    out
}

fn render_attribute_groups(
    attributes: &[Attribute],
    parent_anchor: &str,
    out: &mut String,
    nested: &mut Vec<(String, Vec<Attribute>)>,
) {
    let groups: [(&str, AttributeFilter); 3] = [
        ("Required", |a| a.required),
        ("Optional", |a| a.optional),
        ("Read-Only", |a| a.computed && !a.optional && !a.required),
    ];
    for (title, belongs) in groups {
        let mut members: Vec<&Attribute> = attributes.iter().filter(|a| belongs(a)).collect();
        if members.is_empty() {
            continue;
        }
        members.sort_by(|a, b| a.name.cmp(&b.name));
        out.push_str(&format!("### {title}\n\n"));
        for attribute in members {
            let mut traits = vec![type_label(attribute)];
            if attribute.sensitive {
                traits.push("Sensitive".into());
            }
            if attribute.write_only {
                traits.push("Write-only".into());
            }
            if attribute.deprecated {
                traits.push("Deprecated".into());
            }
            let description = attribute.description.replace('\n', " ");
            let mut line = format!(
                "- `{}` ({}) {}",
                attribute.name,
                traits.join(", "),
                description
            );
            if let AttributeType::Nested {
                attributes: inner, ..
            } = &attribute.kind
            {
                let anchor = if parent_anchor.is_empty() {
                    format!("nestedatt--{}", attribute.name)
                } else {
                    format!("{parent_anchor}--{}", attribute.name)
                };
                line.push_str(&format!(" (see [below for nested schema](#{anchor}))"));
                nested.push((anchor, inner.clone()));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.push('\n');
    }
}

fn type_label(attribute: &Attribute) -> String {
    match &attribute.kind {
        AttributeType::Plain(ty) => type_name(ty),
        AttributeType::Nested { nesting, .. } => match nesting {
            Nesting::Single => "Attributes".into(),
            Nesting::List => "Attributes List".into(),
            Nesting::Set => "Attributes Set".into(),
            Nesting::Map => "Attributes Map".into(),
        },
    }
}

fn type_name(ty: &Type) -> String {
    match ty {
        Type::Bool => "Boolean".into(),
        Type::Number => "Number".into(),
        Type::String => "String".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(inner) => format!("List of {}", type_name(inner)),
        Type::Set(inner) => format!("Set of {}", type_name(inner)),
        Type::Map(inner) => format!("Map of {}", type_name(inner)),
        Type::Tuple(_) => "Tuple".into(),
        Type::Object(_) => "Object".into(),
    }
}
