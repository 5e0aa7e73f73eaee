//! Graceful shutdown: what a manifest alone says about how a pod stops. The grace period must
//! outlast the `preStop` sleep, and a load balancer's deregistration delay must end before the
//! grace period does (AWS Load Balancer Controller target-group attributes).

use k8s_openapi::api::core::v1::Container;

use super::Out;
use super::index::SetIndex;
use crate::rules::Rule;
use crate::typed::Object;

/// Kubernetes' default `terminationGracePeriodSeconds`.
const DEFAULT_GRACE: i64 = 30;
const TG_ATTRIBUTES: &str = "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes";

pub(crate) fn check(m: &SetIndex<'_>, out: &mut Out<'_>) {
    for w in &m.workloads {
        let Some(spec) = w.spec else { continue };
        let grace = spec
            .termination_grace_period_seconds
            .unwrap_or(DEFAULT_GRACE);
        for (at, c) in w.containers() {
            let Some(sleep) = pre_stop_sleep(c) else {
                continue;
            };
            if grace <= sleep {
                out.at(
                    w.doc,
                    Rule::ShutdownTiming,
                    w.spec_path().key("terminationGracePeriodSeconds"),
                    format!(
                        "the grace period ({grace} s) does not outlast container `{}`'s preStop sleep ({sleep} s): the server is killed without a clean stop; set terminationGracePeriodSeconds above the sleep by the time the server needs to stop ({at})",
                        c.name
                    ),
                );
            }
        }
    }
    for &i in &m.services {
        let d = &m.docs[i];
        let Object::Service(svc) = &d.object else {
            continue;
        };
        let Some(delay) = deregistration_delay(svc) else {
            continue;
        };
        let Some(selector) = svc.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
            continue;
        };
        for w in m.pods_selected_by_map(d.namespace(), selector) {
            let Some(spec) = w.spec else { continue };
            let grace = spec
                .termination_grace_period_seconds
                .unwrap_or(DEFAULT_GRACE);
            if delay >= grace {
                out.at(
                    i,
                    Rule::ShutdownTiming,
                    ["metadata", "annotations", TG_ATTRIBUTES],
                    format!(
                        "the deregistration delay ({delay} s) is not below the grace period of {} `{}` ({grace} s): the load balancer still sends clients to pods already killed; lower the delay or raise terminationGracePeriodSeconds",
                        w.kind, w.name
                    ),
                );
            }
        }
    }
}

/// Seconds of a `preStop` sleep: the `sleep` action, or an exec of `sleep N`.
fn pre_stop_sleep(c: &Container) -> Option<i64> {
    let handler = c.lifecycle.as_ref()?.pre_stop.as_ref()?;
    if let Some(s) = &handler.sleep {
        return Some(s.seconds);
    }
    let command = handler.exec.as_ref()?.command.as_ref()?;
    let words: Vec<&str> = match command.as_slice() {
        [sh, flag, script] if sh.ends_with("sh") && flag == "-c" => {
            script.split_whitespace().collect()
        }
        words => words.iter().map(String::as_str).collect(),
    };
    match words.as_slice() {
        [sleep, n] if sleep.ends_with("sleep") => n.parse().ok(),
        _ => None,
    }
}

/// `deregistration_delay.timeout_seconds` from the target-group attributes annotation.
fn deregistration_delay(svc: &k8s_openapi::api::core::v1::Service) -> Option<i64> {
    let attrs = svc.metadata.annotations.as_ref()?.get(TG_ATTRIBUTES)?;
    attrs
        .split(',')
        .find_map(|a| {
            a.trim()
                .strip_prefix("deregistration_delay.timeout_seconds=")
        })
        .and_then(|v| v.trim().parse().ok())
}
