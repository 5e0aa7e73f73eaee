//! Finds credential-looking values in a line of text, so that no diagnostic (source excerpt,
//! message, note or `-v` line) ever shows one: the value of a `password=`, `secret:`,
//! `token:`-like key, and the body of a JAAS config pasted inline.

use std::borrow::Cow;
use std::ops::Range;

/// What a redacted value prints as.
pub const REDACTED: &str = "<redacted>";

/// Key words whose values are credentials (matched anywhere in a key, case-insensitively).
const SENSITIVE: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "accesskey",
    "access_key",
    "credential",
    "privatekey",
    "private_key",
];

/// The byte ranges of `line` that hold credential-looking values, sorted, not overlapping.
pub fn spans(line: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    if let Some(body) = jaas_body(line) {
        found.push(body);
    }
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !is_key_byte(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_key_byte(bytes[i]) {
            i += 1;
        }
        if sensitive(&line[start..i])
            && let Some(v) = value_after(line, i)
        {
            i = v.end.max(i);
            found.push(v);
        }
    }
    merge(found)
}

/// `line` with every credential-looking value replaced by [`REDACTED`].
pub fn line(line: &str) -> Cow<'_, str> {
    let spans = spans(line);
    if spans.is_empty() {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    for s in spans {
        out.push_str(&line[at..s.start]);
        out.push_str(REDACTED);
        at = s.end;
    }
    out.push_str(&line[at..]);
    Cow::Owned(out)
}

/// Every line of `text` redacted (see [`line`]).
pub fn text(text: &str) -> Cow<'_, str> {
    if text.lines().all(|l| spans(l).is_empty()) {
        return Cow::Borrowed(text);
    }
    let mut out: Vec<Cow<'_, str>> = text.split('\n').map(line).collect();
    if out.is_empty() {
        out.push(Cow::Borrowed(""));
    }
    Cow::Owned(out.join("\n"))
}

/// True when a field path (`labels.token`, `extraOptions.ClusterPassword`) names a credential.
pub fn names_credential(path: &str) -> bool {
    path.split(|c: char| !is_key_byte(c as u8) || !c.is_ascii())
        .any(sensitive)
}

/// A message about the field at `path` that opens with the field's value in backticks
/// ("`hunter 2` is not a label value"): the value is redacted when the path names a credential.
pub fn message_about<'m>(path: &str, message: &'m str) -> Cow<'m, str> {
    if !names_credential(path) {
        return Cow::Borrowed(message);
    }
    match message
        .strip_prefix('`')
        .and_then(|rest| rest.split_once('`'))
    {
        Some((_, after)) => Cow::Owned(format!("`{REDACTED}`{after}")),
        None => Cow::Borrowed(message),
    }
}

/// True when `text` holds a JAAS login module configuration.
pub fn is_jaas(text: &str) -> bool {
    text.contains("LoginModule") || text.contains("KafkaClient")
}

/// Inside the braces of a JAAS config (`KafkaClient { … };`): everything is redacted.
fn jaas_body(line: &str) -> Option<Range<usize>> {
    if !is_jaas(line) {
        return None;
    }
    let open = line.find('{')? + 1;
    let close = line.rfind('}').filter(|c| *c >= open).unwrap_or(line.len());
    (close > open).then_some(open..close)
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// A key naming a credential, not a reference to one (`secretName`, `passwordKey`).
fn sensitive(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    let reference = k.ends_with("name") || k.ends_with("key") && !k.contains("access");
    let reference = reference && !k.ends_with("privatekey") && !k.ends_with("apikey");
    SENSITIVE.iter().any(|s| k.contains(s)) && !reference
}

/// The value after a key ending at byte `end`: `=value`, `="value"`, `: value`, `: "value"`.
fn value_after(line: &str, end: usize) -> Option<Range<usize>> {
    let rest = &line[end..];
    let trimmed = rest.trim_start_matches([' ', '"', '\'']);
    let (sep, yaml) = match trimmed.chars().next()? {
        '=' => ('=', false),
        ':' => (':', true),
        _ => return None,
    };
    let after_sep = end + (rest.len() - trimmed.len()) + sep.len_utf8();
    let tail = &line[after_sep..];
    if yaml && !(tail.is_empty() || tail.starts_with([' ', '\t'])) {
        return None;
    }
    let lead = tail.len() - tail.trim_start().len();
    let from = after_sep + lead;
    let value = &line[from..];
    let len = match value.chars().next() {
        None => return None,
        Some(q @ ('"' | '\'')) => value[1..].find(q).map_or(value.len(), |c| c + 2),
        Some(_) if yaml && !flow(&line[..end]) => value.find(" #").unwrap_or(value.len()),
        Some(_) => value
            .find([' ', '\t', ';', ',', '}', ']'])
            .unwrap_or(value.len()),
    };
    (len > 0).then_some(from..from + len)
}

/// True when a YAML flow collection (`{…}`, `[…]`) is open before this point of the line.
fn flow(before: &str) -> bool {
    before.contains(['{', '['])
}

fn merge(mut spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
    spans.sort_by_key(|s| s.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_values_are_redacted_and_references_kept() {
        for (input, want) in [
            ("  password: hunter2", "  password: <redacted>"),
            (
                "  dbPassword: \"hunter 2\" # x",
                "  dbPassword: <redacted> # x",
            ),
            ("  token: abc # note", "  token: <redacted> # note"),
            (
                "x: {apiToken: abc, b: c}",
                "x: {apiToken: <redacted>, b: c}",
            ),
            ("a password=\"p w\"; b", "a password=<redacted>; b"),
            (
                "Endpoint=sb://x/;SharedAccessKeyName=Root;SharedAccessKey=abc=",
                "Endpoint=sb://x/;SharedAccessKeyName=Root;SharedAccessKey=<redacted>",
            ),
            (
                "    secretName: migratory-secret",
                "    secretName: migratory-secret",
            ),
            (
                "    passwordKey: ca.password",
                "    passwordKey: ca.password",
            ),
            ("clusterPassword:", "clusterPassword:"),
            ("password:x", "password:x"),
        ] {
            assert_eq!(line(input), want, "{input}");
        }
    }

    #[test]
    fn a_value_quoted_in_a_message_about_a_credential_field_is_redacted() {
        let m = "`hunter 2` is not a label value: `-`, `_`";
        assert_eq!(
            message_about("labels.token", m),
            "`<redacted>` is not a label value: `-`, `_`"
        );
        assert_eq!(message_about("labels.team", m), m);
        assert!(!names_credential("backplane.jaas.secretName"));
    }

    #[test]
    fn an_inline_jaas_config_is_redacted_whole() {
        let l = "  jaas: 'KafkaClient { org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"MARKER\"; };'";
        let r = line(l);
        assert!(!r.contains("MARKER") && !r.contains("username"), "{r}");
        assert!(r.starts_with("  jaas: 'KafkaClient {"), "{r}");
    }
}
