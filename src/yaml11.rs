//! Plain-scalar resolution under the YAML 1.2 core schema, PyYAML's YAML 1.1 and go-yaml v2
//! (the reader Kubernetes uses): how `on`, `yes`, `0755`, `1_000`, `1:20` or a timestamp
//! resolve under each. One copy serves both readers of YAML 1.1 in gen: the manifest loader
//! ([`crate::lint::load_yaml`], which reads as Kubernetes does) and the check that rendered
//! text reads the same under 1.1 and 1.2 ([`crate::locate::plain_scalars_yaml11_safe`]).

/// What a plain scalar resolves to. Numbers that overflow carry no value.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Val {
    Null,
    Bool(bool),
    Int(Option<i128>),
    Float(f64),
    Str,
    Timestamp,
    Merge,
    /// PyYAML's `=` (the value key): not a string either.
    Other,
}

impl Val {
    /// Same type and value; an unknown (overflowed) number never matches.
    fn same(self, other: Val) -> bool {
        match (self, other) {
            (Val::Null, Val::Null) | (Val::Str, Val::Str) => true,
            (Val::Bool(a), Val::Bool(b)) => a == b,
            (Val::Int(Some(a)), Val::Int(Some(b))) => a == b,
            (Val::Float(a), Val::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            _ => false,
        }
    }
}

pub(crate) fn differs(s: &str) -> bool {
    let core = core(s);
    !core.same(pyyaml(s)) || !core.same(goyaml(s))
}

const NULLS: [&str; 5] = ["", "~", "null", "Null", "NULL"];
const TRUE12: [&str; 3] = ["true", "True", "TRUE"];
const FALSE12: [&str; 3] = ["false", "False", "FALSE"];
const TRUE11: [&str; 6] = ["yes", "Yes", "YES", "on", "On", "ON"];
const FALSE11: [&str; 6] = ["no", "No", "NO", "off", "Off", "OFF"];
const INF: [&str; 3] = [".inf", ".Inf", ".INF"];
const NAN: [&str; 3] = [".nan", ".NaN", ".NAN"];

/// YAML 1.2.2 core schema (section 10.3.2).
pub(crate) fn core(s: &str) -> Val {
    if let Some(v) = null_bool_special(s, |_| None) {
        return v;
    }
    let (neg, body) = sign(s);
    if !body.is_empty() && all(body, |c| c.is_ascii_digit()) {
        return int(neg, body, 10);
    }
    if let Some(digits) = s
        .strip_prefix("0o")
        .filter(|d| !d.is_empty() && all(d, is_oct))
    {
        return int(false, digits, 8);
    }
    if let Some(digits) = s
        .strip_prefix("0x")
        .filter(|d| !d.is_empty() && all(d, is_hex))
    {
        return int(false, digits, 16);
    }
    if is_float12(s) {
        return float(s);
    }
    Val::Str
}

/// PyYAML's YAML 1.1 implicit resolvers (`yaml.resolver.Resolver`).
pub(crate) fn pyyaml(s: &str) -> Val {
    if let Some(v) = null_bool_special(s, bool11) {
        return v;
    }
    match s {
        "<<" => return Val::Merge,
        "=" => return Val::Other,
        _ => {}
    }
    if is_timestamp11(s) {
        return Val::Timestamp;
    }
    if let Some(v) = float11(s) {
        return v;
    }
    int11(s).unwrap_or(Val::Str)
}

/// go-yaml v2's `resolve` for an untagged plain scalar, plus its `<<` merge keys.
pub(crate) fn goyaml(s: &str) -> Val {
    if s == "<<" {
        return Val::Merge;
    }
    let go_bool = |s: &str| match s {
        "y" | "Y" => Some(true),
        "n" | "N" => Some(false),
        _ => bool11(s),
    };
    if let Some(v) = null_bool_special(s, go_bool) {
        return v;
    }
    match s.as_bytes().first() {
        Some(b'.') => s.parse().map_or(Val::Str, Val::Float),
        Some(b'+' | b'-' | b'0'..=b'9') => go_number(s),
        _ => Val::Str,
    }
}

fn bool11(s: &str) -> Option<bool> {
    match s {
        _ if TRUE11.contains(&s) => Some(true),
        _ if FALSE11.contains(&s) => Some(false),
        _ => None,
    }
}

/// The nulls, bools, infinities and NaNs shared by all three readers, plus `extra` bools.
fn null_bool_special(s: &str, extra: impl Fn(&str) -> Option<bool>) -> Option<Val> {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let negative = s.starts_with('-');
    if NULLS.contains(&s) {
        Some(Val::Null)
    } else if TRUE12.contains(&s) {
        Some(Val::Bool(true))
    } else if FALSE12.contains(&s) {
        Some(Val::Bool(false))
    } else if let Some(b) = extra(s) {
        Some(Val::Bool(b))
    } else if NAN.contains(&s) {
        Some(Val::Float(f64::NAN))
    } else if INF.contains(&unsigned) {
        Some(Val::Float(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }))
    } else {
        None
    }
}

fn go_number(s: &str) -> Val {
    if is_go_timestamp(s) {
        return Val::Timestamp;
    }
    let plain = s.replace('_', "");
    if let Some(v) = go_parse_int(&plain) {
        return Val::Int(Some(v));
    }
    if is_float12(&plain) {
        return float(&plain);
    }
    Val::Str
}

/// Go's `strconv.ParseInt(s, 0, 64)`, falling back to `ParseUint` for large positives.
fn go_parse_int(s: &str) -> Option<i128> {
    let (neg, body) = sign(s);
    let lower = body.to_ascii_lowercase();
    let (digits, radix) = if let Some(d) = lower.strip_prefix("0x") {
        (d, 16)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (d, 8)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (d, 2)
    } else if lower.len() > 1
        && let Some(d) = lower.strip_prefix('0')
    {
        (d, 8)
    } else {
        (lower.as_str(), 10)
    };
    if digits.is_empty() || !all(digits, |c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    let value = if neg {
        -i128::from(magnitude)
    } else {
        i128::from(magnitude)
    };
    let fits = i64::try_from(value).is_ok() || (!neg && !s.starts_with('+'));
    fits.then_some(value)
}

/// Go-yaml v2 tries `time.Parse` only when the scalar opens with a 4-digit year and `-`;
/// reported conservatively whenever a `yyyy-m-d` date follows.
fn is_go_timestamp(s: &str) -> bool {
    let Some(rest) = date_prefix(s, 1) else {
        return false;
    };
    rest.is_empty() || rest.starts_with(['T', 't', ' ', '\t'])
}

/// `yyyy-mm-dd` alone, or `yyyy-m-d` followed by a time (YAML 1.1 timestamp).
fn is_timestamp11(s: &str) -> bool {
    if date_prefix(s, 2).is_some_and(str::is_empty) {
        return true;
    }
    let Some(rest) = date_prefix(s, 1) else {
        return false;
    };
    let rest = rest.trim_start_matches([' ', '\t']);
    let rest = rest.strip_prefix(['T', 't']).unwrap_or(rest);
    let time = rest.split(':').collect::<Vec<_>>();
    time.len() >= 3
        && (1..=2).contains(&time[0].len())
        && all(time[0], |c| c.is_ascii_digit())
        && time[1].len() == 2
        && all(time[1], |c| c.is_ascii_digit())
        && time[2]
            .get(..2)
            .is_some_and(|d| all(d, |c| c.is_ascii_digit()))
}

/// Strips `yyyy-m-d` where month and day have at least `min` digits (at most 2).
fn date_prefix(s: &str, min: usize) -> Option<&str> {
    let rest = digits(s, 4, 4)?.strip_prefix('-')?;
    let rest = digits(rest, min, 2)?.strip_prefix('-')?;
    digits(rest, min, 2)
}

/// Strips `lo..=hi` leading ASCII digits.
fn digits(t: &str, lo: usize, hi: usize) -> Option<&str> {
    let n = t.bytes().take_while(u8::is_ascii_digit).count();
    (lo..=hi).contains(&n).then(|| &t[n..])
}

/// PyYAML float: `1.5`, `1_0.5`, `.5`, `1.0e+3` (signed exponent only), `1:30.5`, and the
/// infinities and NaNs already handled by [`null_bool_special`].
fn float11(s: &str) -> Option<Val> {
    let (neg, body) = sign(s);
    let (int_part, frac) = body.split_once('.')?;
    let (frac, exp) = match frac.find(['e', 'E']) {
        Some(i) => (&frac[..i], Some(&frac[i + 1..])),
        None => (frac, None),
    };
    let exp_ok = exp.is_none_or(|e| {
        e.starts_with(['+', '-']) && e.len() > 1 && all(&e[1..], |c| c.is_ascii_digit())
    });
    let frac_ok = all(frac, |c| c.is_ascii_digit() || c == '_');
    if !exp_ok || !frac_ok {
        return None;
    }
    if int_part.is_empty() {
        return (s.starts_with('.') && !frac.is_empty()).then(|| float(&s.replace('_', "")));
    }
    if let Some(v) = base60(int_part) {
        let frac = frac.replace('_', "");
        let frac: f64 = format!("0.{frac}0").parse().ok()?;
        let v = v as f64 + frac;
        return (exp.is_none()).then_some(Val::Float(if neg { -v } else { v }));
    }
    let int_ok = int_part.starts_with(|c: char| c.is_ascii_digit())
        && all(int_part, |c| c.is_ascii_digit() || c == '_');
    int_ok.then(|| float(&s.replace('_', "")))
}

/// PyYAML int: binary, octal (`0755`), decimal with `_`, hex, base 60.
fn int11(s: &str) -> Option<Val> {
    let (neg, body) = sign(s);
    let under = |d: &str, radix: u32| !d.is_empty() && all(d, |c| c == '_' || c.is_digit(radix));
    let clean = |d: &str| d.replace('_', "");
    if let Some(d) = body.strip_prefix("0b").filter(|d| under(d, 2)) {
        return Some(int(neg, &clean(d), 2));
    }
    if let Some(d) = body.strip_prefix("0x").filter(|d| under(d, 16)) {
        return Some(int(neg, &clean(d), 16));
    }
    if let Some(d) = body.strip_prefix('0').filter(|d| under(d, 8)) {
        return Some(int(neg, &clean(d), 8));
    }
    if body == "0" || (body.starts_with(|c: char| ('1'..='9').contains(&c)) && under(body, 10)) {
        return Some(int(neg, &clean(body), 10));
    }
    let v = base60(body)?;
    Some(Val::Int(Some(if neg { -v } else { v })))
}

/// `[1-9][0-9_]*(:[0-5]?[0-9])+` (leading `0` allowed for the float form's head).
fn base60(s: &str) -> Option<i128> {
    let mut parts = s.split(':');
    let head = parts.next()?.replace('_', "");
    if !s.contains(':') || head.is_empty() || !all(&head, |c| c.is_ascii_digit()) {
        return None;
    }
    let mut v: i128 = head.parse().ok()?;
    for part in parts {
        let sixty = matches!(part.len(), 1 | 2)
            && all(part, |c| c.is_ascii_digit())
            && (part.len() == 1 || part.as_bytes()[0] <= b'5');
        if !sixty {
            return None;
        }
        v = v.checked_mul(60)?.checked_add(part.parse().ok()?)?;
    }
    Some(v)
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_float12(s: &str) -> bool {
    let (_, body) = sign(s);
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let exp_ok = exp.is_none_or(|e| {
        let (_, d) = sign(e);
        !d.is_empty() && all(d, |c| c.is_ascii_digit())
    });
    let (int_part, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_ok = all(int_part, |c| c.is_ascii_digit()) && all(frac, |c| c.is_ascii_digit());
    let has_digit = !int_part.is_empty() || !frac.is_empty();
    exp_ok && digits_ok && has_digit
}

fn sign(s: &str) -> (bool, &str) {
    match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    }
}

fn int(neg: bool, digits: &str, radix: u32) -> Val {
    let v = i128::from_str_radix(digits, radix).ok();
    Val::Int(v.map(|v| if neg { -v } else { v }))
}

/// A float the resolver matched; one Rust cannot parse is still not a string.
fn float(s: &str) -> Val {
    s.parse().map_or(Val::Other, Val::Float)
}

fn all(s: &str, pred: impl Fn(char) -> bool) -> bool {
    s.chars().all(pred)
}

fn is_oct(c: char) -> bool {
    c.is_digit(8)
}

fn is_hex(c: char) -> bool {
    c.is_ascii_hexdigit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution_values() {
        assert!(matches!(pyyaml("0755"), Val::Int(Some(493))));
        assert!(matches!(core("0755"), Val::Int(Some(755))));
        assert!(matches!(pyyaml("1:20"), Val::Int(Some(80))));
        assert!(matches!(goyaml("1:20"), Val::Str));
        assert!(matches!(goyaml("1e3"), Val::Float(f) if f == 1000.0));
        assert!(matches!(pyyaml("1e3"), Val::Str));
        assert!(matches!(goyaml("18446744073709551615"), Val::Int(Some(_))));
        assert!(matches!(goyaml("-18446744073709551615"), Val::Float(_)));
    }
}
