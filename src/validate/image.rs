//! Image references, per the distribution reference grammar the container runtimes use:
//! `[registry[:port]/]path[:tag][@algorithm:hex]`, the path lowercase.

/// What is wrong with `image` as a reference, or None when it is one.
pub fn problem(image: &str) -> Option<String> {
    let why = reason(image)?;
    Some(format!(
        "`{image}` is not an image reference ({why}): write `[registry[:port]/]name[:tag][@sha256:<64 hex>]`, the name lowercase, e.g. `migratorydata/server:6.0.24`"
    ))
}

fn reason(image: &str) -> Option<&'static str> {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    if let Some(d) = digest
        && let Some(why) = digest_problem(d)
    {
        return Some(why);
    }
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[slash..].split_once(':') {
        Some((n, t)) => (&rest[..slash + n.len()], Some(t)),
        None => (rest, None),
    };
    if let Some(t) = tag
        && !is_tag(t)
    {
        return Some(
            "a tag is 1 to 128 of letters, digits, `_`, `.` and `-`, not starting with `.` or `-`",
        );
    }
    if name.len() > 255 {
        return Some("the name is longer than 255 characters");
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    if parts.len() > 1 && is_registry_like(parts[0]) {
        if !is_registry(parts[0]) {
            return Some("the registry is not `host[:port]`");
        }
        parts.remove(0);
    }
    if parts.iter().any(|p| !is_path_component(p)) {
        return Some(
            "each part of the name is lowercase letters and digits, separated by `.`, `_`, `__` or dashes",
        );
    }
    None
}

/// A first component is a registry when it has a `.` or a `:`, is `localhost`, or has capitals.
fn is_registry_like(p: &str) -> bool {
    p.contains(['.', ':']) || p == "localhost" || p.chars().any(|c| c.is_ascii_uppercase())
}

fn is_registry(p: &str) -> bool {
    let (host, port) = match p.rsplit_once(':') {
        Some((h, port)) if !h.ends_with(']') || p.starts_with('[') => (h, Some(port)),
        _ => (p, None),
    };
    if port.is_some_and(|port| port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !v6.is_empty() && v6.chars().all(|c| c.is_ascii_hexdigit() || c == ':');
    }
    !host.is_empty()
        && host.split('.').all(|c| {
            !c.is_empty()
                && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
                && !c.starts_with('-')
                && !c.ends_with('-')
        })
}

/// `[a-z0-9]+` runs joined by `.`, `_`, `__` or one or more `-`.
fn is_path_component(p: &str) -> bool {
    let b = p.as_bytes();
    if b.is_empty() || !is_alnum(b[0]) || !is_alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if is_alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !is_alnum(b[i]) {
            i += 1;
        }
        let sep = &p[start..i];
        let ok = matches!(sep, "." | "_" | "__") || sep.bytes().all(|c| c == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn is_tag(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

fn digest_problem(d: &str) -> Option<&'static str> {
    let Some((algorithm, hex)) = d.split_once(':') else {
        return Some("a digest is `algorithm:hex`");
    };
    let len = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return Some("the digest algorithm is not sha256, sha384 or sha512"),
    };
    if hex.len() != len
        || !hex
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    {
        return Some("the digest is not the algorithm's length of lowercase hex");
    }
    None
}

/// The pattern `gen schema` gives `image` (the grammar; lengths are checked by gen).
pub const PATTERN: &str = r"^(([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(:[0-9]+)?/)?[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@(sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128}))?$";

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn references_runtimes_accept() {
        for ok in [
            "migratorydata/server:6.0.24",
            "server",
            "registry.example.com:5000/team/app:v1.2",
            "localhost/app",
            "localhost:5000/app",
            "[::1]:5000/app:1",
            "ghcr.io/a/b__c/d-e--f.g_h:tag_1.0-rc",
            &format!("app@sha256:{}", "a".repeat(64)),
            &format!("reg.io/app:1@sha512:{}", "0".repeat(128)),
        ] {
            assert_eq!(problem(ok), None, "{ok}");
        }
    }

    #[test]
    fn references_runtimes_refuse() {
        for bad in [
            "-app",
            "app:",
            "app::tag",
            "http://app:1",
            "app@sha256:XYZ",
            "App:1",
            "team/App:1",
            "",
            "app:.tag",
            &format!("app:{}", "t".repeat(129)),
            &format!("app@sha256:{}", "A".repeat(64)),
            "app@md5:abc",
            "a//b",
            "a/b/",
            "a___b",
            "app name",
        ] {
            assert!(problem(bad).is_some(), "{bad}");
        }
    }
}
