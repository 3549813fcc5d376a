//! Logs as Terraform wants them from a plugin: one JSON object per line on stderr, with hclog's
//! `@level`, `@message`, `@module` and `@timestamp` keys. Terraform re-logs each line at its level
//! under `TF_LOG_PROVIDER`. Fields are written with their `Display`/`Debug` forms, and secrets are
//! types whose forms are redacted (okta-msp's `Secret`), so a secret cannot reach a log by accident.

use std::fmt::Write as _;
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::subscriber::Interest;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// Who is logging: the provider's type name as Terraform spells it in `TF_LOG_PROVIDER_<NAME>`
/// (`okta-msp` reads `TF_LOG_PROVIDER_OKTA_MSP`), and the crates whose debug and trace lines are
/// the provider's own. Other crates (h2, hyper, rustls) log only their warnings and errors.
#[derive(Clone, Copy, Debug)]
pub struct LogSource {
    pub provider_type: &'static str,
    pub crates: &'static [&'static str],
}

/// The level to emit, from the same variables Terraform reads (the plugin inherits Terraform's
/// environment): `TF_LOG_PROVIDER_<NAME>`, then `TF_LOG_PROVIDER`, then `TF_LOG`. Without any,
/// only warnings and errors are written, which Terraform discards unless logging is on.
pub fn level_from_environment(
    source: LogSource,
    get: impl Fn(&str) -> Option<String>,
) -> Option<Level> {
    let specific = format!(
        "TF_LOG_PROVIDER_{}",
        source.provider_type.to_ascii_uppercase().replace('-', "_")
    );
    let chosen = [specific.as_str(), "TF_LOG_PROVIDER", "TF_LOG"]
        .iter()
        .find_map(|name| get(name).filter(|value| !value.trim().is_empty()));
    match chosen
        .as_deref()
        .map(str::trim)
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("trace") | Some("json") => Some(Level::TRACE),
        Some("debug") => Some(Level::DEBUG),
        Some("info") => Some(Level::INFO),
        Some("warn") => Some(Level::WARN),
        Some("error") => Some(Level::ERROR),
        Some("off") => None,
        _ => Some(Level::WARN),
    }
}

/// Installs the JSON-lines logger on stderr as the global subscriber.
pub fn init(source: LogSource, max_level: Option<Level>) {
    use tracing_subscriber::layer::SubscriberExt as _;
    let Some(max_level) = max_level else {
        return;
    };
    let subscriber = tracing_subscriber::registry().with(JsonLines {
        max_level,
        own_crates: source.crates,
    });
    let _ = tracing::subscriber::set_global_default(subscriber);
    // Panics inside handlers are caught and reported as diagnostics; their message still belongs
    // in the log, as a JSON line Terraform can attribute, not as raw text.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::error!(%location, panic = %message, "panic");
    }));
}

struct JsonLines {
    max_level: Level,
    own_crates: &'static [&'static str],
}

impl JsonLines {
    /// Libraries (h2, hyper, rustls) log every frame at debug and trace; only their warnings are
    /// worth a provider user's attention. Depends on nothing but the callsite's static metadata.
    fn wants(&self, metadata: &tracing::Metadata<'_>) -> bool {
        let target = metadata.target();
        let ours = target.starts_with("tfplugin6")
            || self.own_crates.iter().any(|own| target.starts_with(own));
        let level = if ours {
            self.max_level
        } else {
            self.max_level.min(Level::WARN)
        };
        *metadata.level() <= level
    }
}

impl<S: Subscriber> Layer<S> for JsonLines {
    /// The decision is made once per callsite and cached by `tracing`: h2 and hyper pass hundreds
    /// of trace callsites per request, which would otherwise each ask [`Self::enabled`] again.
    fn register_callsite(&self, metadata: &'static tracing::Metadata<'static>) -> Interest {
        if self.wants(metadata) {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, metadata: &tracing::Metadata<'_>, _: Context<'_, S>) -> bool {
        self.wants(metadata)
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::from_level(self.max_level))
    }

    fn on_event(&self, event: &Event<'_>, _context: Context<'_, S>) {
        let line = render(event);
        // One write per line so concurrent events never interleave within a line.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

fn render(event: &Event<'_>) -> String {
    let metadata = event.metadata();
    let mut fields = JsonFields::default();
    event.record(&mut fields);
    let mut object = serde_json::Map::new();
    object.insert("@level".into(), level_name(metadata.level()).into());
    object.insert(
        "@message".into(),
        fields.message.take().unwrap_or_default().into(),
    );
    object.insert("@module".into(), module_name(metadata.target()).into());
    object.insert("@timestamp".into(), timestamp().into());
    for (key, value) in fields.fields {
        object.insert(key, value);
    }
    let mut line = serde_json::Value::Object(object).to_string();
    line.push('\n');
    line
}

fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// `okta_msp::provider::org` becomes `okta_msp.provider`: the layer, not the file.
fn module_name(target: &str) -> String {
    let mut parts = target.split("::");
    match (parts.next(), parts.next()) {
        (Some(root), Some(layer)) => format!("{root}.{layer}"),
        (Some(root), None) => root.to_owned(),
        _ => "provider".to_owned(),
    }
}

/// hclog's JSON time format: RFC 3339 with microseconds.
fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    let mut text = String::with_capacity(27);
    let _ = write!(
        text,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.microsecond()
    );
    text
}

#[derive(Default)]
struct JsonFields {
    message: Option<String>,
    fields: Vec<(String, serde_json::Value)>,
}

impl JsonFields {
    fn insert(&mut self, field: &Field, value: serde_json::Value) {
        if field.name() == "message" {
            self.message = Some(match value {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            });
        } else {
            self.fields.push((field.name().to_owned(), value));
        }
    }
}

impl Visit for JsonFields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.insert(field, format!("{value:?}").into());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.insert(field, value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.insert(field, value.into());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.insert(field, value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.insert(field, value.into());
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.insert(field, value.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const SOURCE: LogSource = LogSource {
        provider_type: "okta-msp",
        crates: &["okta_msp"],
    };

    fn level_from_environment(get: impl Fn(&str) -> Option<String>) -> Option<Level> {
        super::level_from_environment(SOURCE, get)
    }

    #[test]
    fn level_follows_terraforms_variables_most_specific_first() {
        let env: HashMap<&str, &str> = [
            ("TF_LOG", "trace"),
            ("TF_LOG_PROVIDER", "info"),
            ("TF_LOG_PROVIDER_OKTA_MSP", "error"),
        ]
        .into();
        assert_eq!(
            level_from_environment(|k| env.get(k).map(|v| v.to_string())),
            Some(Level::ERROR)
        );
        let env: HashMap<&str, &str> = [("TF_LOG", "trace"), ("TF_LOG_PROVIDER", "info")].into();
        assert_eq!(
            level_from_environment(|k| env.get(k).map(|v| v.to_string())),
            Some(Level::INFO)
        );
        let env: HashMap<&str, &str> = [("TF_LOG", "DEBUG")].into();
        assert_eq!(
            level_from_environment(|k| env.get(k).map(|v| v.to_string())),
            Some(Level::DEBUG)
        );
        assert_eq!(level_from_environment(|_| None), Some(Level::WARN));
        let env: HashMap<&str, &str> = [("TF_LOG_PROVIDER", "off")].into();
        assert_eq!(
            level_from_environment(|k| env.get(k).map(|v| v.to_string())),
            None
        );
    }

    #[test]
    fn module_is_the_layer() {
        assert_eq!(module_name("okta_msp::provider::org"), "okta_msp.provider");
        assert_eq!(module_name("tfplugin6::server"), "tfplugin6.server");
        assert_eq!(module_name("okta_msp"), "okta_msp");
    }

    #[test]
    fn timestamp_has_hclogs_shape() {
        let stamp = timestamp();
        assert_eq!(stamp.len(), 27, "{stamp}");
        assert!(stamp.ends_with('Z'));
        assert_eq!(&stamp[10..11], "T");
        assert_eq!(&stamp[19..20], ".");
    }
}
