//! Renders a [`Model`] through the templates in `templates/`, one document per object, in
//! apply order; and, from the same environment, `gen init`'s starter spec and the
//! `kustomization.yaml` of a `--out` base.
//!
//! The environment is built once per process. Auto-escaping is off (the templates are YAML,
//! not HTML or JSON), undefined values are errors, and every user string reaches the output
//! through the `q` filter.

use std::sync::OnceLock;

use minijinja::value::ValueKind;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior, Value};

use crate::model::Model;

/// One rendered object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub kind: &'static str,
    pub name: String,
    /// The YAML text, ending in a newline, without a `---` separator.
    pub text: String,
}

const TEMPLATES: &[(&str, &str)] = &[
    (
        "_macros.yaml.j2",
        include_str!("../templates/_macros.yaml.j2"),
    ),
    (
        "namespace.yaml.j2",
        include_str!("../templates/namespace.yaml.j2"),
    ),
    (
        "serviceaccount.yaml.j2",
        include_str!("../templates/serviceaccount.yaml.j2"),
    ),
    (
        "secret.yaml.j2",
        include_str!("../templates/secret.yaml.j2"),
    ),
    (
        "service-client.yaml.j2",
        include_str!("../templates/service-client.yaml.j2"),
    ),
    (
        "service-headless.yaml.j2",
        include_str!("../templates/service-headless.yaml.j2"),
    ),
    (
        "service-metrics.yaml.j2",
        include_str!("../templates/service-metrics.yaml.j2"),
    ),
    (
        "workload.yaml.j2",
        include_str!("../templates/workload.yaml.j2"),
    ),
    ("pdb.yaml.j2", include_str!("../templates/pdb.yaml.j2")),
    ("hpa.yaml.j2", include_str!("../templates/hpa.yaml.j2")),
    ("route.yaml.j2", include_str!("../templates/route.yaml.j2")),
    (
        "ingress.yaml.j2",
        include_str!("../templates/ingress.yaml.j2"),
    ),
    (
        "httproute.yaml.j2",
        include_str!("../templates/httproute.yaml.j2"),
    ),
    (
        "servicemonitor.yaml.j2",
        include_str!("../templates/servicemonitor.yaml.j2"),
    ),
    (
        "networkpolicy.yaml.j2",
        include_str!("../templates/networkpolicy.yaml.j2"),
    ),
    ("init.yaml.j2", include_str!("../templates/init.yaml.j2")),
    (
        "kustomization.yaml.j2",
        include_str!("../templates/kustomization.yaml.j2"),
    ),
];

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // Before any template is added: the callback is consulted when a template is loaded.
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .keep_trailing_newline(true)
                .build()
                .expect("default delimiters are valid"),
        );
        env.add_filter("q", quote);
        env.add_filter("merge", merge);
        // Compiled on first use (a bundle needs some of them, `gen init` one other); every
        // one compiles, as the `templates_compile` test checks.
        env.set_loader(|name| {
            Ok(TEMPLATES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, source)| *source))
        });
        env
    })
}

/// Emits a string as a YAML scalar that reads back as the same string under YAML 1.1 (what
/// Kubernetes' reader speaks) and 1.2 alike: plain when that is unambiguous, double-quoted
/// (JSON string syntax is a subset of YAML's) otherwise, so `on`, `0755`, `1_000` or
/// `2024-01-01` stay strings. Anything that is not a string is refused: an undefined or null
/// value must never print as text.
fn quote(value: &Value) -> Result<Value, Error> {
    match value.as_str() {
        Some(s) if value.kind() == ValueKind::String => Ok(Value::from_safe_string(scalar(s))),
        _ => Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("`q` quotes strings only, got {} ({value:?})", value.kind()),
        )),
    }
}

/// The YAML form of `s` (see [`quote`]).
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else {
        serde_json::to_string(s).expect("a string always serializes")
    }
}

/// True when `s` can stand unquoted: it starts with a letter, holds only letters, digits and
/// `_ . / -`, and is none of the words YAML 1.1 reads as a boolean or null. Such a scalar
/// cannot be a number, timestamp, indicator or comment in either YAML version.
fn is_plain_safe(s: &str) -> bool {
    const WORDS: &[&str] = &["y", "n", "yes", "no", "on", "off", "true", "false", "null"];
    s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
        && !WORDS.iter().any(|w| w.eq_ignore_ascii_case(s))
}

/// Union of two maps; keys of the second win.
fn merge(a: &Value, b: &Value) -> Result<Value, Error> {
    let mut out = std::collections::BTreeMap::new();
    for m in [a, b] {
        if m.kind() != ValueKind::Map {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                "merge takes two maps",
            ));
        }
        for k in m.try_iter()? {
            let v = m.get_item(&k)?;
            out.insert(k, v);
        }
    }
    Ok(Value::from_object(out))
}

/// The documents of one bundle, in apply order: Namespace, ServiceAccount, Secret, Services,
/// workload, PDB, HPA, then Route, Ingress or HTTPRoute, ServiceMonitor and NetworkPolicy.
pub fn render(model: &Model) -> Result<Vec<Document>, Error> {
    let ctx = minijinja::context! { model => Value::from(minijinja::value::Serde(model)) };
    let mut plan: Vec<(&'static str, &str, String)> = Vec::with_capacity(12);
    if model.namespace_object.is_some() {
        plan.push(("Namespace", "namespace.yaml.j2", model.namespace.clone()));
    }
    plan.push((
        "ServiceAccount",
        "serviceaccount.yaml.j2",
        model.service_account.name.clone(),
    ));
    if let Some(s) = &model.jaas_secret {
        plan.push(("Secret", "secret.yaml.j2", s.name.clone()));
    }
    plan.push((
        "Service",
        "service-client.yaml.j2",
        model.client_service.name.clone(),
    ));
    if let Some(h) = &model.headless_service {
        plan.push(("Service", "service-headless.yaml.j2", h.clone()));
    }
    if let Some(m) = &model.metrics {
        plan.push(("Service", "service-metrics.yaml.j2", m.service_name.clone()));
    }
    plan.push((
        model.workload.kind.as_str(),
        "workload.yaml.j2",
        model.workload.name.clone(),
    ));
    plan.push(("PodDisruptionBudget", "pdb.yaml.j2", model.pdb.name.clone()));
    if let Some(h) = &model.hpa {
        plan.push(("HorizontalPodAutoscaler", "hpa.yaml.j2", h.name.clone()));
    }
    if let Some(r) = &model.route {
        plan.push(("Route", "route.yaml.j2", r.name.clone()));
    }
    if let Some(i) = &model.ingress {
        plan.push(("Ingress", "ingress.yaml.j2", i.name.clone()));
    }
    if let Some(h) = &model.http_route {
        plan.push(("HTTPRoute", "httproute.yaml.j2", h.name.clone()));
    }
    if model.metrics.as_ref().is_some_and(|m| m.service_monitor) {
        plan.push((
            "ServiceMonitor",
            "servicemonitor.yaml.j2",
            model.name.clone(),
        ));
    }
    if let Some(n) = &model.network_policy {
        plan.push(("NetworkPolicy", "networkpolicy.yaml.j2", n.clone()));
    }
    let env = environment();
    plan.into_iter()
        .map(|(kind, template, name)| {
            let mut text = env.get_template(template)?.render(&ctx)?;
            if !text.ends_with('\n') {
                text.push('\n');
            }
            Ok(Document { kind, name, text })
        })
        .collect()
}

/// The annotated starter spec `gen init` prints.
pub fn starter(profile: &crate::profile::Profile, kafka: bool) -> String {
    let k = &profile.kafka_starter;
    let starter = minijinja::context! {
        comment => k.comment.clone(),
        bootstrap_servers => k.bootstrap_servers.clone(),
        topics => k.topics.clone(),
        security_protocol => k.security_protocol.as_str(),
        sasl_mechanism => k.sasl_mechanism.as_str(),
    };
    let ctx = minijinja::context! {
        platform => profile.platform.as_str(),
        kafka,
        starter,
        api_version => crate::spec::API_VERSION,
        kind => crate::spec::KIND,
    };
    let mut text = environment()
        .get_template("init.yaml.j2")
        .and_then(|t| t.render(ctx))
        .expect("the starter template renders (tested for every platform)");
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// The `kustomization.yaml` of one base that `gen render --out` writes: `ctx` gives the
/// template its `resources` and `generator` (built by [`crate::out::plan`]).
pub fn kustomization(ctx: &impl serde::Serialize) -> Result<String, Error> {
    environment()
        .get_template("kustomization.yaml.j2")?
        .render(Value::from(minijinja::value::Serde(ctx)))
}

/// Joins documents into one multi-document YAML stream.
pub fn join(docs: &[Document]) -> String {
    let mut out = String::with_capacity(docs.iter().map(|d| d.text.len() + 4).sum());
    for d in docs {
        out.push_str("---\n");
        out.push_str(&d.text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_compile() {
        let env = environment();
        for (name, _) in TEMPLATES {
            env.get_template(name)
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        }
    }

    #[test]
    fn quote_keeps_yaml_11_lookalikes_strings() {
        for s in [
            "on",
            "yes",
            "NO",
            "0755",
            "1_000",
            "1:20",
            "2024-01-01",
            "1e3",
            "~",
            "null",
            "",
        ] {
            let q = quote(&Value::from(s)).unwrap();
            assert_eq!(q.as_str().unwrap(), format!("\"{s}\""));
        }
        for s in [
            "Y", "n", "Yes", "oN", "OFF", "True", "NULL", "-x", ".inf", "0x1F", "a b", "a:b", "#x",
            "500m",
        ] {
            assert!(scalar(s).starts_with('"'), "{s} must be quoted");
        }
        for s in [
            "migratorydata",
            "app.kubernetes.io/name",
            "TCP",
            "ClusterIP",
            "a-b_c.d",
        ] {
            assert_eq!(scalar(s), s, "{s} reads the same unquoted");
        }
        assert_eq!(
            quote(&Value::from("a\"b\n")).unwrap().as_str(),
            Some(r#""a\"b\n""#)
        );
    }

    #[test]
    fn quote_refuses_undefined_none_and_numbers() {
        assert!(quote(&Value::UNDEFINED).is_err());
        assert!(quote(&Value::from(())).is_err());
        assert!(quote(&Value::from(3)).is_err());
    }
}
