//! `md-heap-limit`: the server's `-DMemory` heap against its container's memory limit.

use super::Out;
use super::index::SetIndex;
use super::md::env_value;
use crate::diag::Severity;
use crate::rules::Rule;
use crate::server_options::{EXTRA_OPTS as EXTRA, MEMORY, last, parse as options};

/// The share of the memory limit the heap may take before the rest is too little for the
/// JVM's own memory: gen's largest `memoryPercent`, so nothing gen renders is flagged.
const MAX_HEAP_PERCENT: f64 = 95.0;

const MIB: f64 = 1024.0 * 1024.0;

/// `-DMemory`'s size in bytes: a number with `K`, `M` or `G` (optionally followed by `B`),
/// binary multiples as gen writes them (`768MB` is 768 MiB).
fn heap_bytes(value: &str) -> Option<f64> {
    let upper = value.trim().to_ascii_uppercase();
    let unit = upper.strip_suffix('B').unwrap_or(&upper);
    let (number, factor) = match unit.chars().last()? {
        'K' => (&unit[..unit.len() - 1], 1024.0),
        'M' => (&unit[..unit.len() - 1], MIB),
        'G' => (&unit[..unit.len() - 1], MIB * 1024.0),
        _ => return None,
    };
    let n: u64 = number.parse().ok()?;
    Some(n as f64 * factor)
}

pub(crate) fn check(m: &SetIndex<'_>, out: &mut Out<'_>) {
    for w in &m.workloads {
        for (at, c) in w.containers() {
            let Some((index, value)) = env_value(c, EXTRA) else {
                continue;
            };
            let opts = options(value);
            let Some(memory) = last(&opts, MEMORY) else {
                continue;
            };
            let Some(heap) = heap_bytes(memory) else {
                continue;
            };
            let Some(limit_text) = c
                .resources
                .as_ref()
                .and_then(|r| r.limits.as_ref())
                .and_then(|l| l.get("memory"))
                .map(|q| q.0.as_str())
            else {
                continue;
            };
            let Some(limit) = crate::quantity::parse(limit_text).filter(|l| *l > 0.0) else {
                continue;
            };
            let path = at.path().key("env").index(index).key("value");
            let (heap_mib, limit_mib) = (heap / MIB, limit / MIB);
            if heap >= limit {
                out.at(
                    w.doc,
                    Rule::MdHeapLimit,
                    &path,
                    format!(
                        "-DMemory={memory} ({heap_mib:.0} MiB of heap) is at or above container `{}`'s memory limit `{limit_text}` ({limit_mib:.0} MiB): the JVM outgrows the limit and the kernel OOM-kills the pod; give the heap at most {MAX_HEAP_PERCENT}% of the limit ({:.0} MiB)",
                        c.name,
                        (limit * MAX_HEAP_PERCENT / 100.0 / MIB).floor()
                    ),
                );
            } else if heap * 100.0 > limit * MAX_HEAP_PERCENT {
                out.at_severity(
                    w.doc,
                    Rule::MdHeapLimit,
                    Severity::Warning,
                    &path,
                    format!(
                        "-DMemory={memory} leaves {:.0} MiB ({:.1}%) of container `{}`'s memory limit `{limit_text}` for the JVM's memory beyond the heap: below the {}% floor; give the heap at most {MAX_HEAP_PERCENT}% of the limit ({:.0} MiB)",
                        limit_mib - heap_mib,
                        100.0 - heap * 100.0 / limit,
                        c.name,
                        100.0 - MAX_HEAP_PERCENT,
                        (limit * MAX_HEAP_PERCENT / 100.0 / MIB).floor()
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heap_sizes_read_as_gen_writes_them() {
        assert_eq!(heap_bytes("768MB"), Some(768.0 * MIB));
        assert_eq!(heap_bytes("3GB"), Some(3.0 * 1024.0 * MIB));
        assert_eq!(heap_bytes("512m"), Some(512.0 * MIB));
        assert_eq!(heap_bytes("64K"), Some(65536.0));
        for bad in ["", "MB", "1.5GB", "12", "x1MB", "-1MB"] {
            assert_eq!(heap_bytes(bad), None, "{bad:?}");
        }
    }
}
