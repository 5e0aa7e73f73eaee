//! The API server's string syntaxes, as k8s.io/apimachinery/pkg/util/validation states them:
//! DNS-1123 labels and subdomains, DNS-1035 labels, qualified names (label and annotation
//! keys), label values, IANA service names (port names), environment variable names and
//! ConfigMap/Secret keys. Each check returns what would be valid when `s` is not.
//!
//! A leaf module: `gen lint`'s API validation and gen's own spec checks (`model`) both read
//! it.

type Verdict = Result<(), String>;

/// Whether `s` is a DNS-1123 label: at most 63 lowercase letters, digits and `-`, starting
/// and ending with a letter or digit.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn fail(what: &str) -> Verdict {
    Err(what.to_string())
}

/// `IsDNS1123Label`: at most 63 lowercase letters, digits and `-`, starting and ending with
/// a letter or digit.
pub(crate) fn dns_label(s: &str) -> Verdict {
    if is_dns_label(s) {
        Ok(())
    } else {
        fail(
            "must be a DNS-1123 label: at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit",
        )
    }
}

/// `IsDNS1035Label`: a DNS-1123 label that starts with a letter.
pub(crate) fn dns1035_label(s: &str) -> Verdict {
    if is_dns_label(s) && s.starts_with(|c: char| c.is_ascii_lowercase()) {
        Ok(())
    } else {
        fail(
            "must be a DNS-1035 label: at most 63 lowercase letters, digits and `-`, starting with a letter and ending with a letter or digit",
        )
    }
}

/// `IsDNS1123Subdomain`: at most 253 characters, dot-separated parts of lowercase letters,
/// digits and `-` that start and end with a letter or digit (no per-part length limit, unlike
/// DNS itself).
pub(crate) fn is_subdomain(s: &str) -> bool {
    let part = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !p.starts_with('-')
            && !p.ends_with('-')
    };
    !s.is_empty() && s.len() <= 253 && s.split('.').all(part)
}

pub(crate) fn dns_subdomain(s: &str) -> Verdict {
    if is_subdomain(s) {
        Ok(())
    } else {
        fail(
            "must be a DNS-1123 subdomain: at most 253 lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit",
        )
    }
}

/// `IsValidPathSegmentName`: RBAC object names may be anything but `.`, `..`, or hold `/`
/// or `%`.
pub(crate) fn path_segment(s: &str) -> Verdict {
    if s == "." || s == ".." || s.contains(['/', '%']) {
        fail("may not be `.` or `..` nor contain `/` or `%`")
    } else {
        Ok(())
    }
}

/// The name part of a qualified name and a non-empty label value:
/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
fn is_name_part(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// `IsQualifiedName`: an optional DNS-1123 subdomain prefix and `/`, then a name of at most
/// 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit.
pub(crate) fn qualified_name(s: &str) -> Verdict {
    let (prefix, name) = match s.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    if let Some(p) = prefix
        && !is_subdomain(p)
    {
        return fail(
            "must be `[prefix/]name` with a DNS-1123 subdomain prefix (lowercase letters, digits, `-` and `.`)",
        );
    }
    if name.len() > 63 || !is_name_part(name) {
        return fail(
            "must be `[prefix/]name` with a name of at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit",
        );
    }
    Ok(())
}

/// `IsValidLabelValue`: empty, or at most 63 letters, digits, `-`, `_` and `.`, starting and
/// ending with a letter or digit.
pub(crate) fn label_value(s: &str) -> Verdict {
    if s.is_empty() || (s.len() <= 63 && is_name_part(s)) {
        Ok(())
    } else {
        fail(
            "must be empty or at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit",
        )
    }
}

/// `IsValidPortName` (IANA_SVC_NAME): at most 15 lowercase letters, digits and `-`, with at
/// least one letter, no `--`, not starting or ending with `-`.
pub(crate) fn port_name(s: &str) -> Verdict {
    let ok = !s.is_empty()
        && s.len() <= 15
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.bytes().any(|b| b.is_ascii_lowercase())
        && !s.contains("--")
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        Ok(())
    } else {
        fail(
            "must be an IANA service name: at most 15 lowercase letters, digits and `-`, with a letter, no `--`, not starting or ending with `-`",
        )
    }
}

/// `IsValidPortNum`: 1 to 65535.
pub(crate) fn port_number(n: i64) -> Verdict {
    if (1..=65535).contains(&n) {
        Ok(())
    } else {
        fail("must be a port number from 1 to 65535")
    }
}

/// `IsRelaxedEnvVarName`, the rule from Kubernetes 1.32 on (RelaxedEnvironmentVariableValidation,
/// on by default): printable ASCII except `=`.
pub(crate) fn env_var_name(s: &str) -> Verdict {
    if !s.is_empty() && s.bytes().all(|b| (b' '..=b'~').contains(&b) && b != b'=') {
        Ok(())
    } else {
        fail("must be printable ASCII characters other than `=`, and not empty")
    }
}

/// `IsConfigMapKey`: at most 253 letters, digits, `-`, `_` and `.`; not `.`, `..` or
/// starting with `..`.
pub(crate) fn config_key(s: &str) -> Verdict {
    let ok = !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && s != "."
        && !s.starts_with("..");
    if ok {
        Ok(())
    } else {
        fail(
            "must be at most 253 letters, digits, `-`, `_` and `.`, and not `.`, `..` or start with `..`",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_apimachinery() {
        assert!(dns_label("migratorydata-0").is_ok());
        for bad in ["", "MigratoryData", "-a", "a-", "a.b", &"a".repeat(64)] {
            assert!(dns_label(bad).is_err(), "{bad:?}");
        }
        assert!(dns1035_label("web").is_ok());
        assert!(dns1035_label("0web").is_err());
        assert!(dns_subdomain("a.b-c.d").is_ok());
        assert!(dns_subdomain(&format!("{}.x", "a".repeat(70))).is_ok());
        for bad in ["", "A", "a..b", ".a", "a.", "a_b", &"a".repeat(254)] {
            assert!(dns_subdomain(bad).is_err(), "{bad:?}");
        }
        assert!(path_segment("system:controller").is_ok());
        assert!(path_segment("a/b").is_err() && path_segment("..").is_err());
    }

    #[test]
    fn keys_and_values_follow_apimachinery() {
        for good in ["app", "app.kubernetes.io/name", "A_b.C", "x/Y-1"] {
            assert!(qualified_name(good).is_ok(), "{good:?}");
        }
        for bad in [
            "",
            "/a",
            "a/",
            "Example.com/a",
            "a/b/c",
            "-a",
            "a b",
            &"a".repeat(64),
        ] {
            assert!(qualified_name(bad).is_err(), "{bad:?}");
        }
        assert!(label_value("").is_ok() && label_value("v1.2_x").is_ok());
        for bad in ["-a", "a b", "a/b", &"a".repeat(64)] {
            assert!(label_value(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ports_env_and_keys_follow_apimachinery() {
        for good in ["client-port", "http", "h2c", "inter-cluster1"] {
            assert!(port_name(good).is_ok(), "{good:?}");
        }
        for bad in ["", "8080", "Http", "a--b", "-a", "client-port-12345", "a_b"] {
            assert!(port_name(bad).is_err(), "{bad:?}");
        }
        assert!(port_number(1).is_ok() && port_number(65535).is_ok());
        assert!(port_number(0).is_err() && port_number(88000).is_err());
        assert!(env_var_name("POD_NAME").is_ok() && env_var_name("my.var-1 x").is_ok());
        for bad in ["", "A=B", "é", "A\tB"] {
            assert!(env_var_name(bad).is_err(), "{bad:?}");
        }
        assert!(config_key("jaas.config").is_ok() && config_key(".hidden").is_ok());
        for bad in ["", ".", "..", "..a", "a/b", "a b"] {
            assert!(config_key(bad).is_err(), "{bad:?}");
        }
    }
}
