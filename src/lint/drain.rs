//! `pdb-blocks-drain`: a PodDisruptionBudget that allows no eviction at the workload's
//! smallest size. Also the one place that reads how few and how many pods a workload runs
//! (its HorizontalPodAutoscalers, or `spec.replicas`), for this rule and MigratoryData's.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::Out;
use super::index::{PodTemplate, SetIndex};
use crate::rules::Rule;
use crate::typed::Object;

/// One HorizontalPodAutoscaler scaling a workload.
pub(crate) struct Autoscaler<'a> {
    pub name: &'a str,
    /// `minReplicas` as written (the API server defaults it to 1).
    pub min: Option<i32>,
    pub max: i32,
}

/// The HorizontalPodAutoscalers in the set that scale `w`.
pub(crate) fn hpas<'a>(m: &SetIndex<'a>, w: &PodTemplate<'_>) -> Vec<Autoscaler<'a>> {
    m.hpas_of(w.kind, w.name, w.namespace)
        .into_iter()
        .filter_map(|h| match &m.docs[h].object {
            Object::HorizontalPodAutoscaler(o) => {
                let spec = o.spec.as_ref()?;
                Some(Autoscaler {
                    name: m.docs[h].name(),
                    min: spec.min_replicas,
                    max: spec.max_replicas,
                })
            }
            _ => None,
        })
        .collect()
}

/// The fewest pods a workload runs, and what says so: the lowest `minReplicas` of the HPAs
/// scaling it, else `spec.replicas`, else the default 1.
pub(crate) fn fewest(m: &SetIndex<'_>, w: &PodTemplate<'_>) -> (i64, String) {
    let hpas = hpas(m, w);
    match hpas.iter().min_by_key(|h| h.min.unwrap_or(1)) {
        Some(h) => (
            i64::from(h.min.unwrap_or(1)),
            format!("HorizontalPodAutoscaler `{}`'s minReplicas", h.name),
        ),
        None => match w.replicas {
            Some(r) => (i64::from(r), "spec.replicas".to_string()),
            None => (1, "spec.replicas, absent, so 1".to_string()),
        },
    }
}

/// A count or percentage of `total` pods, percentages rounded up as the disruption
/// controller does; `None` for a malformed percentage (api-validation reports it).
pub(crate) fn scaled(v: &IntOrString, total: i64) -> Option<i64> {
    match v {
        IntOrString::Int(n) => Some(i64::from(*n)),
        IntOrString::String(p) => {
            let pct: i64 = p.strip_suffix('%')?.parse().ok()?;
            Some((pct * total + 99) / 100)
        }
    }
}

pub(crate) fn check(m: &SetIndex<'_>, out: &mut Out<'_>) {
    for (i, d, pdb) in m.each(|o| match o {
        Object::PodDisruptionBudget(p) => Some(p),
        _ => None,
    }) {
        let Some(spec) = &pdb.spec else { continue };
        if let Some(max) = &spec.max_unavailable
            && scaled(max, 1) == Some(0)
        {
            out.at(
                i,
                Rule::PdbBlocksDrain,
                ["spec", "maxUnavailable"],
                "is 0: no pod it selects may ever be evicted, so every node drain hangs on them; allow at least 1".to_string(),
            );
        }
        let (Some(min), Some(selector)) = (&spec.min_available, &spec.selector) else {
            continue;
        };
        let selected = m.pods_selected(d.namespace(), selector);
        // Only workloads whose size is known: a DaemonSet's or a Job's pods are not counted.
        if selected.is_empty()
            || !selected
                .iter()
                .all(|w| w.spec.is_some() && matches!(w.kind, "Deployment" | "StatefulSet"))
        {
            continue;
        }
        let floors: Vec<(i64, String, &PodTemplate<'_>)> = selected
            .iter()
            .map(|w| {
                let (n, from) = fewest(m, w);
                (n, from, *w)
            })
            .collect();
        let total: i64 = floors.iter().map(|f| f.0).sum();
        let Some(keep) = scaled(min, total) else {
            continue;
        };
        if total > 0 && keep >= total {
            let of: Vec<String> = floors
                .iter()
                .map(|(n, from, w)| format!("{} `{}` runs {n} ({from})", w.kind, w.name))
                .collect();
            out.at(
                i,
                Rule::PdbBlocksDrain,
                ["spec", "minAvailable"],
                format!(
                    "keeps {keep} pods available but {}: no pod may be evicted, so every node drain hangs; run more replicas than minAvailable, or lower it",
                    of.join(", ")
                ),
            );
        }
    }
}
