//! `networkpolicy-target`: a NetworkPolicy whose podSelector selects no pod of the set.

use super::Out;
use super::model::Model;
use super::rules::RuleDoc;
use crate::diag::Severity;
use crate::typed::Object;

const ID: &str = "networkpolicy-target";

pub(crate) const RULE: RuleDoc = RuleDoc {
    id: ID,
    severity: Severity::Warning,
    why: "A NetworkPolicy applies to the pods its `podSelector` selects in its namespace; a non-empty selector that matches no pod template of the set isolates nothing, and the pods it was written for stay open.",
    fix: "Make `spec.podSelector` select the workload's pod labels (check `commonLabels` and renames).",
    mirrors: "the NetworkPolicy API (networking.k8s.io/v1): the network plugin applies a policy to the pods of its namespace that podSelector selects",
};

pub(crate) fn check(m: &Model<'_>, out: &mut Out<'_>) {
    if m.workload_failed {
        return;
    }
    // Custom resources may stand for pods an operator creates (a Prometheus, a Kafka).
    let custom = m
        .docs
        .iter()
        .any(|d| matches!(d.object, Object::Unknown { .. }) && !d.failed);
    for (i, d, np) in m.each(|o| match o {
        Object::NetworkPolicy(n) => Some(n),
        _ => None,
    }) {
        let Some(selector) = np.spec.as_ref().and_then(|s| s.pod_selector.as_ref()) else {
            continue;
        };
        let empty = selector.match_labels.as_ref().is_none_or(|l| l.is_empty())
            && selector
                .match_expressions
                .as_ref()
                .is_none_or(|e| e.is_empty());
        if empty || !m.pods_selected(d.namespace(), selector).is_empty() {
            continue;
        }
        let unless = if custom {
            " (unless an operator's custom resource in the set creates them)"
        } else {
            ""
        };
        out.at(
            i,
            ID,
            "spec.podSelector",
            format!(
                "selects {} but no pod template in the set carries these labels{unless}: the policy isolates nothing",
                super::refs::show_selector(selector)
            ),
        );
    }
}
