//! The plan as text (for a terminal), JSON (for tools; schema in the README) or Markdown (for a
//! pull request). Field values are already redacted ([`super::fields`]); long ones are cut in
//! the middle in text and Markdown, never in JSON.

use serde_json::{Map, Value, json};

use super::classify::{Effect, show};
use super::{Change, Entry, Plan};

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// `3 restarts, 1 orphan, 0 recreate`, then the rest.
pub fn summary(p: &Plan) -> String {
    format!(
        "{}, {}, {} recreate ({} scale, {} in-place, {} added, {} unchanged)",
        plural(p.count(Effect::Restart), "restart"),
        plural(p.count(Effect::Orphan), "orphan"),
        p.count(Effect::Recreate),
        p.count(Effect::Scale),
        p.count(Effect::InPlace),
        p.count_change(Change::Added),
        p.count_change(Change::Unchanged),
    )
}

fn object(e: &Entry) -> String {
    if e.namespace.is_empty() {
        format!("{} {}", e.kind, e.name)
    } else {
        format!("{} {}/{}", e.kind, e.namespace, e.name)
    }
}

fn effects(e: &Entry) -> String {
    match e.change {
        Change::Added => "added".to_string(),
        _ => e
            .effects
            .iter()
            .map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// A value cut to about 120 characters, keeping both ends.
fn short(v: &Option<Value>) -> String {
    let s = show(v);
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 120 {
        return s;
    }
    let head: String = chars[..56].iter().collect();
    let tail: String = chars[chars.len() - 56..].iter().collect();
    format!("{head} … {tail} ({} characters)", chars.len())
}

/// Old and new of a field for one line: a long comma-separated list (a `-DClusterMembers`) as
/// its length and the entries it gains or loses, anything else cut by [`short`].
fn old_new(f: &super::Field) -> (String, String) {
    fn list(v: &Option<Value>) -> Option<&str> {
        v.as_ref()
            .and_then(Value::as_str)
            .filter(|s| s.len() > 120 && s.contains(','))
    }
    let (Some(a), Some(b)) = (list(&f.old), list(&f.new)) else {
        return (short(&f.old), short(&f.new));
    };
    let (a, b): (Vec<&str>, Vec<&str>) = (a.split(',').collect(), b.split(',').collect());
    let change = |from: &[&str], to: &[&str], sign: char| -> Vec<String> {
        to.iter()
            .filter(|x| !from.contains(x))
            .map(|x| format!("{sign}{x}"))
            .collect()
    };
    let mut delta = change(&a, &b, '+');
    delta.extend(change(&b, &a, '-'));
    (
        format!("{} entries", a.len()),
        format!("{} entries ({})", b.len(), delta.join(", ")),
    )
}

/// What happens to the pods, in one line.
fn restart_line(r: &super::classify::Restart) -> String {
    let who = match (&r.pods, r.pods_up_to, r.pod_count) {
        (_, Some(n), _) => format!("up to {}", plural(n as usize, "pod")),
        (Some(p), _, _) if !p.is_empty() => {
            format!("{} ({})", plural(p.len(), "pod"), p.join(", "))
        }
        (_, _, Some(n)) => plural(n as usize, "pod"),
        _ => "no pod yet".to_string(),
    };
    format!("restarts {who}: {}", r.rollout)
}

/// The detail lines of one entry (restart, reasons, recreate, orphan), without fields.
fn details(e: &Entry) -> Vec<String> {
    let mut l = Vec::new();
    if let Some(r) = &e.restart {
        l.push(restart_line(r));
        l.extend(r.reasons.iter().map(|w| format!("why: {w}")));
    }
    if e.effects.contains(&Effect::Scale) {
        let f = e.fields.iter().find(|f| f.path == "spec.replicas");
        if let Some(f) = f {
            l.push(format!(
                "scale: replicas {} → {}; no pod restarts",
                show(&f.old),
                show(&f.new)
            ));
        }
    }
    if let Some(r) = &e.recreate {
        l.extend(
            r.why
                .iter()
                .map(|w| format!("recreate: {w}; `kubectl apply` fails")),
        );
        l.extend(r.commands.iter().map(|c| format!("run: {c}")));
        l.push(format!("cost: {}", r.cost));
    }
    if let Some(o) = &e.orphan {
        l.push("orphan: `kubectl apply` leaves it running".to_string());
        if let Some(w) = &o.warning {
            l.push(format!("warning: {w}"));
        }
        l.push(format!("run: {}", o.command));
    }
    l
}

/// Text: the summary, then each changed, added or removed object with its effects.
pub fn text(p: &Plan, with_fields: bool) -> String {
    let mut s = format!("{}\n", summary(p));
    for e in p.entries.iter().filter(|e| e.change != Change::Unchanged) {
        let sign = match e.change {
            Change::Added => '+',
            Change::Removed => '-',
            _ => '~',
        };
        s.push_str(&format!("\n{sign} {}: {}\n", object(e), effects(e)));
        for line in details(e) {
            s.push_str(&format!("    {line}\n"));
        }
        if with_fields {
            for f in &e.fields {
                let (o, n) = old_new(f);
                s.push_str(&format!("    {}: {o} → {n}\n", f.path));
            }
        }
    }
    s
}

/// JSON: `{old, new, summary, objects: [...]}`, every object of either side.
pub fn json(p: &Plan, old: &str, new: &str) -> String {
    let objects: Vec<Value> = p.entries.iter().map(json_entry).collect();
    let summary = json!({
        "restart": p.count(Effect::Restart),
        "scale": p.count(Effect::Scale),
        "recreate": p.count(Effect::Recreate),
        "orphan": p.count(Effect::Orphan),
        "inPlace": p.count(Effect::InPlace),
        "added": p.count_change(Change::Added),
        "removed": p.count_change(Change::Removed),
        "changed": p.count_change(Change::Changed),
        "unchanged": p.count_change(Change::Unchanged),
    });
    let doc = json!({"old": old, "new": new, "summary": summary, "objects": objects});
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn json_entry(e: &Entry) -> Value {
    let mut m = Map::new();
    m.insert("apiVersion".into(), json!(e.api_version));
    m.insert("kind".into(), json!(e.kind));
    m.insert("namespace".into(), json!(e.namespace));
    m.insert("name".into(), json!(e.name));
    m.insert("change".into(), json!(e.change.as_str()));
    let effects: Vec<&str> = e.effects.iter().map(|x| x.as_str()).collect();
    m.insert("effects".into(), json!(effects));
    let fields: Vec<Value> = e
        .fields
        .iter()
        .map(|f| json!({"path": f.path, "old": f.old, "new": f.new}))
        .collect();
    m.insert("fields".into(), json!(fields));
    if let Some(r) = &e.restart {
        match (&r.pods, r.pods_up_to, r.pod_count) {
            (_, Some(n), _) => m.insert("podsUpTo".into(), json!(n)),
            (Some(p), _, _) => m.insert("pods".into(), json!(p)),
            (_, _, n) => m.insert("podCount".into(), json!(n)),
        };
        m.insert("rollout".into(), json!(r.rollout));
        m.insert("reasons".into(), json!(r.reasons));
    }
    if let Some(r) = &e.recreate {
        m.insert(
            "recreate".into(),
            json!({"why": r.why, "commands": r.commands, "cost": r.cost}),
        );
    }
    if let Some(o) = &e.orphan {
        m.insert("delete".into(), json!(o.command));
        if let Some(w) = &o.warning {
            m.insert("warning".into(), json!(w));
        }
    }
    Value::Object(m)
}

/// Markdown cell text: no pipes or newlines to break the table.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Markdown: a summary line, a table of what changes, then each object's details.
pub fn markdown(p: &Plan, old: &str, new: &str) -> String {
    let mut s = format!(
        "### gen diff `{}` → `{}`\n\n**{}**\n",
        cell(old),
        cell(new),
        summary(p)
    );
    let changed: Vec<&Entry> = p
        .entries
        .iter()
        .filter(|e| e.change != Change::Unchanged)
        .collect();
    if changed.is_empty() {
        s.push_str("\nNothing changes.\n");
        return s;
    }
    s.push_str("\n| object | change | effects |\n|---|---|---|\n");
    for e in &changed {
        s.push_str(&format!(
            "| `{}` | {} | {} |\n",
            cell(&object(e)),
            e.change.as_str(),
            effects(e)
        ));
    }
    for e in changed.iter().filter(|e| e.change != Change::Added) {
        s.push_str(&format!(
            "\n#### `{}`: {}\n\n",
            cell(&object(e)),
            effects(e)
        ));
        let lines = details(e);
        for line in &lines {
            match line.strip_prefix("run: ") {
                Some(cmd) => s.push_str(&format!("- run: `{cmd}`\n")),
                None => s.push_str(&format!("- {line}\n")),
            }
        }
        if !e.fields.is_empty() {
            if !lines.is_empty() {
                s.push('\n');
            }
            s.push_str("| field | old | new |\n|---|---|---|\n");
            for f in &e.fields {
                let (o, n) = old_new(f);
                s.push_str(&format!(
                    "| `{}` | `{}` | `{}` |\n",
                    cell(&f.path),
                    cell(&o),
                    cell(&n)
                ));
            }
        }
    }
    s
}
