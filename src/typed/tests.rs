//! Unit tests of typing and CRD validation.

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;
use serde_json::json;

use super::kinds::near_miss;
use super::schema::pointer_path;
use super::*;
use crate::path::{FieldPath, Seg};

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "migratorydata", "labels": {"app": "migratorydata"}},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "migratorydata"}},
            "template": {
                "metadata": {"labels": {"app": "migratorydata"}},
                "spec": {"containers": [{
                    "name": "server",
                    "image": "migratorydata/server:6.0.23",
                    "imagePullPolicy": "IfNotPresent",
                    "ports": [{"name": "client", "containerPort": 8800}],
                    "resources": {"requests": {"cpu": 0.5, "memory": "1Gi"}, "limits": {"cpu": 2}},
                    "readinessProbe": {"tcpSocket": {"port": "client"}},
                    "livenessProbe": {"httpGet": {"port": 8800, "path": "/"}}
                }]}
            }
        }
    })
}

fn route() -> Value {
    json!({
        "apiVersion": "route.openshift.io/v1",
        "kind": "Route",
        "metadata": {"name": "migratorydata", "namespace": "md"},
        "spec": {
            "host": "push.example.com",
            "to": {"kind": "Service", "name": "migratorydata-cs", "weight": 100},
            "port": {"targetPort": "client"},
            "tls": {"termination": "edge", "insecureEdgeTerminationPolicy": "Redirect"},
            "wildcardPolicy": "None"
        }
    })
}

fn service_monitor() -> Value {
    json!({
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": {"name": "migratorydata"},
        "spec": {
            "selector": {"matchLabels": {"app": "migratorydata"}},
            "namespaceSelector": {"matchNames": ["md"]},
            "endpoints": [{
                "port": "metrics",
                "path": "/metrics",
                "scheme": "http",
                "interval": "30s",
                "scrapeTimeout": "10s",
                "honorLabels": true,
                "relabelings": [{"action": "replace", "sourceLabels": ["__meta_kubernetes_pod_name"], "targetLabel": "pod"}],
                "tlsConfig": {"insecureSkipVerify": false, "ca": {"secret": {"name": "ca", "key": "ca.crt"}}}
            }]
        }
    })
}

/// Sets the value at a dotted path, creating nothing: the parent must exist.
fn set(doc: &mut Value, dotted: &str, v: Value) {
    let path = FieldPath::parse(dotted);
    let (last, parents) = path.0.split_last().unwrap();
    let mut node = doc;
    for seg in parents {
        node = match seg {
            Seg::Key(k) => node.get_mut(k.as_str()).unwrap(),
            Seg::Index(i) => node.get_mut(*i).unwrap(),
        };
    }
    let Seg::Key(k) = last else {
        panic!("last segment must be a key")
    };
    node.as_object_mut().unwrap().insert(k.clone(), v);
}

fn paths(issues: &[SchemaIssue]) -> Vec<String> {
    issues.iter().map(|i| i.path.to_string()).collect()
}

#[test]
fn valid_deployment_types_cleanly() {
    let (object, issues) = type_object(&deployment());
    assert_eq!(issues, vec![]);
    let Object::Deployment(d) = &object else {
        panic!("not a Deployment: {object:?}")
    };
    assert_eq!(d.spec.as_ref().unwrap().replicas, Some(3));
    assert_eq!(
        (object.kind(), object.api_version()),
        ("Deployment", "apps/v1")
    );
    assert_eq!(object.is_namespaced(), Some(true));
    assert_eq!(
        object.metadata().unwrap().name.as_deref(),
        Some("migratorydata")
    );
}

#[test]
fn misspelled_spec_field_is_reported_and_object_still_types() {
    let mut doc = deployment();
    set(&mut doc, "spec.replicsa", json!(3));
    let (object, issues) = type_object(&doc);
    assert!(matches!(object, Object::Deployment(_)));
    assert_eq!(paths(&issues), ["spec.replicsa"]);
    assert_eq!(issues[0].message, "unknown field `replicsa`");
}

#[test]
fn misspelled_container_field_has_its_full_path() {
    let mut doc = deployment();
    set(
        &mut doc,
        "spec.template.spec.containers[0].imagePullPolcy",
        json!("Always"),
    );
    let (_, issues) = type_object(&doc);
    assert_eq!(
        paths(&issues),
        ["spec.template.spec.containers[0].imagePullPolcy"]
    );
    assert!(issues[0].message.contains("unknown field"));
}

#[test]
fn string_for_an_int_is_a_type_error_at_its_path() {
    let mut doc = deployment();
    set(&mut doc, "spec.replicas", json!("3"));
    let (object, issues) = type_object(&doc);
    assert!(matches!(&object, Object::Unknown { kind, .. } if kind == "Deployment"));
    assert_eq!(paths(&issues), ["spec.replicas"]);
    assert!(
        issues[0].message.contains("invalid type: string \"3\""),
        "{}",
        issues[0].message
    );
}

#[test]
fn every_type_error_and_unknown_field_of_a_failed_document_is_reported() {
    let mut doc = deployment();
    set(&mut doc, "spec.replicas", json!("3"));
    set(
        &mut doc,
        "spec.template.spec.containers[0].ports[0].containerPort",
        json!("8800"),
    );
    set(
        &mut doc,
        "spec.template.spec.containers[0].imagePullPolcy",
        json!("Always"),
    );
    set(&mut doc, "spec.paused", json!("no"));
    let (_, issues) = type_object(&doc);
    let mut got = paths(&issues);
    got.sort();
    assert_eq!(
        got,
        [
            "spec.paused",
            "spec.replicas",
            "spec.template.spec.containers[0].imagePullPolcy",
            "spec.template.spec.containers[0].ports[0].containerPort",
        ]
    );
}

#[test]
fn missing_selector_is_reported_on_spec() {
    let mut doc = deployment();
    doc["spec"].as_object_mut().unwrap().remove("selector");
    let (object, issues) = type_object(&doc);
    assert!(
        matches!(object, Object::Deployment(_)),
        "k8s-openapi defaults it: still typed"
    );
    assert_eq!(
        issues,
        vec![SchemaIssue::new(
            FieldPath::parse("spec"),
            "missing required field `selector`"
        )]
    );
}

#[test]
fn missing_required_fields_deep_in_lists_have_their_paths() {
    let mut doc = deployment();
    set(
        &mut doc,
        "spec.template.spec.containers[0].env",
        json!([{"value": "x"}]),
    );
    doc["spec"]["template"]["spec"]["containers"][0]["ports"][0]
        .as_object_mut()
        .unwrap()
        .remove("containerPort");
    let (_, issues) = type_object(&doc);
    let got: Vec<String> = issues.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "spec.template.spec.containers[0].env[0]: missing required field `name`",
            "spec.template.spec.containers[0].ports[0]: missing required field `containerPort`",
        ]
    );
}

#[test]
fn secret_key_ref_without_name_is_not_required() {
    let mut doc = deployment();
    let env = json!([{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"key": "token"}}}]);
    set(&mut doc, "spec.template.spec.containers[0].env", env);
    assert_eq!(type_object(&doc).1, vec![]);
}

#[test]
fn autoscaling_v1_hpa_types_as_v2() {
    let doc = json!({
        "apiVersion": "autoscaling/v1",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "md"},
        "spec": {"minReplicas": 3, "maxReplicas": 5, "targetCPUUtilizationPercentage": 50,
                 "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "md"}}
    });
    let (object, issues) = type_object(&doc);
    assert_eq!(issues, vec![]);
    let Object::HorizontalPodAutoscaler(h) = &object else {
        panic!("not typed: {object:?}")
    };
    let spec = h.spec.as_ref().unwrap();
    assert_eq!((spec.min_replicas, spec.max_replicas), (Some(3), 5));
    assert_eq!(spec.scale_target_ref.name, "md");
    let metric = &spec.metrics.as_ref().unwrap()[0];
    assert_eq!(
        metric.resource.as_ref().unwrap().target.average_utilization,
        Some(50)
    );
    // v2's fields are not v1's: `metrics` under v1 is an unknown field.
    let mut bad = doc.clone();
    set(&mut bad, "spec.metrics", json!([]));
    assert_eq!(paths(&type_object(&bad).1), ["spec.metrics"]);
    // A missing required field is still one.
    let mut missing = doc;
    missing["spec"]
        .as_object_mut()
        .unwrap()
        .remove("maxReplicas");
    assert_eq!(paths(&type_object(&missing).1), ["spec"]);
}

#[test]
fn an_unserved_hpa_version_is_told_to_use_v2() {
    let doc = json!({
        "apiVersion": "autoscaling/v2beta1",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "md"},
        "spec": {"maxReplicas": 5, "scaleTargetRef": {"kind": "StatefulSet", "name": "md"}}
    });
    let (object, issues) = type_object(&doc);
    assert!(matches!(object, Object::Unknown { .. }));
    assert_eq!(paths(&issues), ["apiVersion"]);
    assert!(issues[0].message.contains("use `autoscaling/v2`"));
}

#[test]
fn autoscaling_v2_hpa_types() {
    let doc = json!({
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "md"},
        "spec": {
            "minReplicas": 3, "maxReplicas": 5,
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "md"},
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}}}]
        }
    });
    let (object, issues) = type_object(&doc);
    assert_eq!(issues, vec![]);
    assert!(matches!(object, Object::HorizontalPodAutoscaler(_)));
}

#[test]
fn unknown_kind_is_unknown_without_issues() {
    let doc = json!({"apiVersion": "example.com/v1", "kind": "Foo", "metadata": {"name": "x"}});
    let (object, issues) = type_object(&doc);
    assert_eq!(
        object,
        Object::Unknown {
            api_version: "example.com/v1".into(),
            kind: "Foo".into()
        }
    );
    assert_eq!(object.is_namespaced(), None);
    assert_eq!(issues, vec![]);
}

#[test]
fn custom_resource_named_like_a_typed_kind_is_no_mismatch() {
    let doc = json!({"apiVersion": "serving.knative.dev/v1", "kind": "Route", "spec": {}});
    let (object, issues) = type_object(&doc);
    assert_eq!(object.kind(), "Route");
    assert!(matches!(object, Object::Unknown { .. }));
    assert_eq!(issues, vec![]);
}

#[test]
fn misspelled_kind_gets_a_suggestion() {
    let doc = json!({"apiVersion": "apps/v1", "kind": "Deploymnet"});
    let (_, issues) = type_object(&doc);
    assert_eq!(paths(&issues), ["kind"]);
    assert!(
        issues[0].message.contains("did you mean `Deployment`"),
        "{}",
        issues[0].message
    );
}

#[test]
fn missing_header_fields_are_reported() {
    let (object, issues) = type_object(&json!({"metadata": {"name": "x"}}));
    assert!(matches!(object, Object::Unknown { .. }));
    let got: Vec<String> = issues.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "(document): missing required field `apiVersion`",
            "(document): missing required field `kind`"
        ]
    );
    let (_, issues) = type_object(&json!(["not", "a", "mapping"]));
    assert_eq!(
        issues[0].message,
        "a manifest must be a mapping, found a sequence"
    );
    let (_, issues) = type_object(&json!({"apiVersion": 1, "kind": ""}));
    let got: Vec<String> = issues.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "apiVersion: apiVersion must be a non-empty string, found a number",
            "kind: kind must be a non-empty string, found an empty one",
        ]
    );
}

#[test]
fn scope_of_cluster_kinds() {
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "md"}});
    assert_eq!(type_object(&ns).0.is_namespaced(), Some(false));
    let crb = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": "x"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [{"kind": "ServiceAccount", "name": "md", "namespace": "md"}]
    });
    let (object, issues) = type_object(&crb);
    assert_eq!(issues, vec![]);
    assert_eq!(object.is_namespaced(), Some(false));
}

#[test]
fn int_or_string_quantity_and_object_meta_come_from_json_values() {
    let doc = json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "md", "annotations": {"a.b/c": "d"}, "labels": {"app": "md"}},
        "spec": {"ports": [
            {"name": "client", "port": 80, "targetPort": 8800},
            {"name": "named", "port": 81, "targetPort": "client"}
        ]}
    });
    let (object, issues) = type_object(&doc);
    assert_eq!(issues, vec![]);
    let Object::Service(svc) = object else {
        panic!()
    };
    let ports = svc.spec.unwrap().ports.unwrap();
    assert_eq!(ports[0].target_port, Some(IntOrString::Int(8800)));
    assert_eq!(
        ports[1].target_port,
        Some(IntOrString::String("client".into()))
    );
    assert_eq!(svc.metadata.annotations.unwrap()["a.b/c"], "d");

    let (object, issues) = type_object(&deployment());
    assert_eq!(issues, vec![]);
    let Object::Deployment(d) = object else {
        panic!()
    };
    let c = &d.spec.unwrap().template.spec.unwrap().containers[0];
    let res = c.resources.as_ref().unwrap();
    assert_eq!(
        res.requests.as_ref().unwrap()["cpu"],
        Quantity("0.5".into())
    );
    assert_eq!(
        res.requests.as_ref().unwrap()["memory"],
        Quantity("1Gi".into())
    );
    assert_eq!(res.limits.as_ref().unwrap()["cpu"], Quantity("2".into()));
}

#[test]
fn route_types_with_int_or_string_target_port() {
    let (object, issues) = type_object(&route());
    assert_eq!(issues, vec![]);
    let Object::Route(r) = &object else {
        panic!("{object:?}")
    };
    assert_eq!(
        r.spec.port.as_ref().unwrap().target_port,
        IntOrString::String("client".into())
    );
    assert_eq!(
        r.spec.tls.as_ref().unwrap().termination,
        TlsTermination::Edge
    );
    assert_eq!(object.is_namespaced(), Some(true));

    let mut doc = route();
    set(&mut doc, "spec.port.targetPort", json!(8800));
    doc["spec"]["to"].as_object_mut().unwrap().remove("kind");
    let (object, issues) = type_object(&doc);
    assert_eq!(issues, vec![]);
    let Object::Route(r) = object else { panic!() };
    assert_eq!(r.spec.port.unwrap().target_port, IntOrString::Int(8800));
    assert_eq!(r.spec.to.kind, TargetKind::Service);
}

#[test]
fn route_with_bogus_termination_is_an_issue() {
    let mut doc = route();
    set(&mut doc, "spec.tls.termination", json!("bogus"));
    let (object, issues) = type_object(&doc);
    assert!(matches!(object, Object::Unknown { .. }));
    assert_eq!(paths(&issues), ["spec.tls.termination"]);
    // The values in the schema's order, as its own message lists them.
    assert_eq!(
        issues[0].message,
        "unknown variant `bogus`, expected one of `edge`, `reencrypt`, `passthrough`"
    );
}

#[test]
fn route_missing_to_is_an_issue() {
    let mut doc = route();
    doc["spec"].as_object_mut().unwrap().remove("to");
    let (object, issues) = type_object(&doc);
    assert!(matches!(object, Object::Unknown { .. }));
    assert_eq!(
        issues,
        vec![SchemaIssue::new(
            FieldPath::parse("spec"),
            "missing required field `to`"
        )]
    );
}

#[test]
fn unknown_field_in_a_custom_resource_is_soft() {
    let mut doc = route();
    set(&mut doc, "spec.hostt", json!("x"));
    set(&mut doc, "spec.tls.terminaton", json!("edge"));
    let (object, issues) = type_object(&doc);
    assert!(
        matches!(object, Object::Route(_)),
        "only unknown fields: still typed"
    );
    assert_eq!(paths(&issues), ["spec.hostt", "spec.tls.terminaton"]);
    assert!(
        issues
            .iter()
            .all(|i| i.message.starts_with("unknown field"))
    );
}

#[test]
fn service_monitor_types() {
    let (object, issues) = type_object(&service_monitor());
    assert_eq!(issues, vec![]);
    let Object::ServiceMonitor(sm) = object else {
        panic!()
    };
    assert_eq!(sm.spec.endpoints[0].scheme, Some(Scheme::Http));
    assert_eq!(
        sm.spec.endpoints[0].relabelings.as_ref().unwrap()[0].action,
        Some(RelabelAction::Replace)
    );
}

#[test]
fn service_monitor_misspelled_endpoint_field_is_an_issue() {
    let mut doc = service_monitor();
    set(&mut doc, "spec.endpoints[0].intervall", json!("30s"));
    let (_, issues) = type_object(&doc);
    assert_eq!(paths(&issues), ["spec.endpoints[0].intervall"]);
    assert_eq!(issues[0].message, "unknown field `intervall`");
}

#[test]
fn service_monitor_selector_requirement_needs_an_operator() {
    let mut doc = service_monitor();
    set(
        &mut doc,
        "spec.selector",
        json!({"matchExpressions": [{"key": "app"}]}),
    );
    let (_, issues) = type_object(&doc);
    let got: Vec<String> = issues.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        ["spec.selector.matchExpressions[0]: missing required field `operator`"]
    );
}

#[test]
fn validate_crd_accepts_valid_custom_resources() {
    assert_eq!(validate_crd(&route()), Some(vec![]));
    assert_eq!(validate_crd(&service_monitor()), Some(vec![]));
    assert_eq!(validate_crd(&deployment()), None);
}

#[test]
fn validate_crd_does_not_demand_defaulted_fields() {
    let mut doc = route();
    doc["spec"]["to"].as_object_mut().unwrap().remove("kind");
    assert_eq!(validate_crd(&doc), Some(vec![]));
}

#[test]
fn validate_crd_reports_route_errors() {
    let mut doc = route();
    set(&mut doc, "spec.host", json!("Not A Host!"));
    set(&mut doc, "spec.tls.termination", json!("bogus"));
    set(&mut doc, "spec.to.weight", json!(300));
    set(&mut doc, "spec.extra", json!(1));
    let issues = validate_crd(&doc).unwrap();
    let mut got = paths(&issues);
    got.sort();
    assert_eq!(
        got,
        [
            "spec.extra",
            "spec.host",
            "spec.tls.termination",
            "spec.to.weight"
        ]
    );
    let extra = issues
        .iter()
        .find(|i| i.path.to_string() == "spec.extra")
        .unwrap();
    assert_eq!(extra.message, "unknown field `extra`");
}

#[test]
fn validate_crd_reports_service_monitor_errors() {
    let mut doc = service_monitor();
    set(&mut doc, "spec.endpoints[0].interval", json!("30 seconds"));
    set(&mut doc, "spec.endpoints[0].scheme", json!("ftp"));
    doc["spec"].as_object_mut().unwrap().remove("selector");
    let issues = validate_crd(&doc).unwrap();
    let got: Vec<String> = issues.iter().map(ToString::to_string).collect();
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        got.contains(&"spec: missing required field `selector`".to_string()),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|g| g.starts_with("spec.endpoints[0].interval: \"30 seconds\" does not match")),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|g| g.starts_with("spec.endpoints[0].scheme: \"ftp\" is not one of")),
        "{got:?}"
    );
}

#[test]
fn json_pointer_keys_that_look_like_indexes_stay_keys() {
    let doc = json!({"metadata": {"labels": {"0": "x"}}, "list": [{"a": 1}]});
    assert_eq!(
        pointer_path(&doc, "/metadata/labels/0").0.last(),
        Some(&Seg::Key("0".into()))
    );
    assert_eq!(pointer_path(&doc, "/list/0/a").to_string(), "list[0].a");
    assert_eq!(pointer_path(&doc, "/a~1b").0, vec![Seg::Key("a/b".into())]);
}

#[test]
fn near_misses_are_case_or_a_few_edits() {
    assert!(near_miss("StatefulSte", "StatefulSet"));
    assert!(!near_miss("Deploy", "Deployment"));
    assert!(near_miss("deployment", "Deployment"));
    assert!(!near_miss("Pod", "Job"));
}

mod folded_secret_tests {
    use super::*;

    #[test]
    fn secret_data_folded_by_kustomize_types_like_the_api_server_reads_it() {
        let v: Value = serde_json::json!({
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "data": {"jaas.config": "S2Fma2FD\nbGllbnQ=\n"}
        });
        let (o, issues) = type_object(&v);
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(o.kind(), "Secret");
    }
}
