//! `networkpolicy-target`: a NetworkPolicy whose podSelector selects no pod of the set.

use super::Out;
use super::index::SetIndex;
use crate::rules::Rule;
use crate::typed::Object;

pub(crate) fn check(m: &SetIndex<'_>, out: &mut Out<'_>) {
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
            Rule::NetworkPolicyTarget,
            ["spec", "podSelector"],
            format!(
                "selects {} but no pod template in the set carries these labels{unless}: the policy isolates nothing",
                super::refs::show_selector(selector)
            ),
        );
    }
}
