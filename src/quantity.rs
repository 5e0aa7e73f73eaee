//! Kubernetes resource quantities (`500m`, `1Gi`, `1.5`, `2e3`), just enough to check them and
//! derive the server's heap size from a memory limit.

/// The value of a quantity in base units (cores, bytes), or None when `s` is not one.
pub fn parse(s: &str) -> Option<f64> {
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'));
    let (number, suffix) = s.split_at(split.unwrap_or(s.len()));
    if number.is_empty() || number.starts_with('-') || number.matches('.').count() > 1 {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        exp if exp.starts_with(['e', 'E']) => 10f64.powi(exp[1..].parse().ok()?),
        _ => return None,
    };
    let v = value * factor;
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn parses_the_forms_kubernetes_accepts() {
        assert_eq!(parse("500m"), Some(0.5));
        assert_eq!(parse("2"), Some(2.0));
        assert_eq!(parse("1.5"), Some(1.5));
        assert_eq!(parse("1Gi"), Some(1073741824.0));
        assert_eq!(parse("512Mi"), Some(536870912.0));
        assert_eq!(parse("1G"), Some(1e9));
        assert_eq!(parse("2e3"), Some(2000.0));
    }

    #[test]
    fn rejects_what_kubernetes_rejects() {
        for bad in ["", "Gi", "1gb", "-1", "1.2.3", "1 Gi", "0x10", "1Gix"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
