//! Environment sizes: Linux refuses to start a process whose one environment string
//! (`NAME=value` and its terminating NUL) is over 128 KiB (`MAX_ARG_STRLEN`, E2BIG), and the
//! whole environment shares `ARG_MAX` (usually 2 MiB) with the arguments, the image's own
//! variables and the Service variables Kubernetes adds. gen computes every value it renders,
//! so it checks them before a pod could fail to start.

use crate::path::FieldPath;

/// Longest `NAME=value` string (with its NUL) the kernel accepts.
pub const MAX_STRING: usize = 128 * 1024;
/// gen's budget for all the variables it renders: a quarter of the usual 2 MiB `ARG_MAX`.
pub const MAX_TOTAL: usize = 512 * 1024;

/// What the native cluster's member list is made of, to say which field to shrink.
pub struct Members<'a> {
    /// `autoscale.max` or `replicas`: the field that sets the member count.
    pub field: FieldPath,
    /// `-DClusterMembers` entries, in order.
    pub entries: &'a [String],
    /// Bytes `extraOptions` adds to the same variable.
    pub extra_bytes: usize,
}

/// Problems (field, message) with the environment gen renders: one variable per
/// `(name, value)`; the native member list explains how to shrink it.
pub fn check(env: &[(&str, &str)], members: Option<&Members>) -> Vec<(FieldPath, String)> {
    let mut out = Vec::new();
    let size = |name: &str, value: &str| name.len() + 1 + value.len() + 1;
    for (name, value) in env {
        let n = size(name, value);
        if n > MAX_STRING {
            let over = n - MAX_STRING;
            out.push(shrink(
                name,
                n,
                MAX_STRING,
                over,
                "Linux's limit for one environment string",
                members,
            ));
        }
    }
    let total: usize = env.iter().map(|(n, v)| size(n, v)).sum();
    if out.is_empty() && total > MAX_TOTAL {
        out.push(shrink(
            "the environment",
            total,
            MAX_TOTAL,
            total - MAX_TOTAL,
            "gen's budget for the whole environment",
            members,
        ));
    }
    out
}

fn shrink(
    what: &str,
    size: usize,
    limit: usize,
    over: usize,
    limit_name: &str,
    members: Option<&Members>,
) -> (FieldPath, String) {
    let head = format!(
        "{what} would be {size} bytes, over {limit_name} ({limit} bytes; the container could not start: E2BIG): it must shrink by {over} bytes"
    );
    let listed: usize = members.map_or(0, |m| m.entries.iter().map(|e| e.len() + 1).sum());
    let Some(m) = members.filter(|_| listed >= over) else {
        return (
            FieldPath::from(["extraOptions"]),
            format!("{head}: shorten extraOptions or the backplane's lists"),
        );
    };
    let count = m.entries.len();
    // Dropping members from the end drops the longest entries first.
    let mut saved = 0;
    let mut fit = count;
    while saved < over && fit > 0 {
        fit -= 1;
        saved += m.entries[fit].len() + 1;
    }
    // Each member's entry holds the name twice and the namespace and domain once; so does
    // `-DClusterMemberListen`, once each.
    let per_name = 2 * count + 1;
    let per_ns = count + 1;
    let field = &m.field;
    (
        field.clone(),
        format!(
            "{head}: lower {field} to at most {fit}, or shorten name by {} characters, namespace by {} or clusterDomain by {}{} ({count} members, each listed in -DClusterMembers)",
            over.div_ceil(per_name),
            over.div_ceil(per_ns),
            over.div_ceil(per_ns),
            if m.extra_bytes >= over {
                ", or extraOptions"
            } else {
                ""
            },
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_string_over_the_kernel_limit_names_what_to_shrink() {
        let entries: Vec<String> = (0..1000)
            .map(|i| format!("n-{i}.n-hs.ns.svc.cluster.local:8801"))
            .collect();
        let value = format!("-DClusterMembers={}", entries.join(","));
        let members = Members {
            field: FieldPath::from(["autoscale", "max"]),
            entries: &entries,
            extra_bytes: 0,
        };
        assert!(check(&[("X", &value)], Some(&members)).is_empty());
        let long = "x".repeat(MAX_STRING);
        let p = check(&[("X", &long)], Some(&members));
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].0.to_string(), "autoscale.max");
        assert!(p[0].1.contains("shrink by 3 bytes"), "{}", p[0].1);
        let p = check(&[("X", &long)], None);
        assert_eq!(p[0].0, FieldPath::from(["extraOptions"]));
    }

    #[test]
    fn the_total_has_a_budget() {
        let v = "x".repeat(100 * 1024);
        let env: Vec<(&str, &str)> = (0..6).map(|_| ("X", v.as_str())).collect();
        let p = check(&env, None);
        assert_eq!(p.len(), 1);
        assert!(p[0].1.contains("whole environment"), "{}", p[0].1);
    }
}
