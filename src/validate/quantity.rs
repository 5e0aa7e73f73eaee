//! Kubernetes resource quantities, exactly as the API server reads them
//! (`<sign><digits>[.<digits>]<suffix>`, suffix one of `Ki Mi Gi Ti Pi Ei`, `m k M G T P E`
//! or `e<int>`), with memory counted in bytes and cpu in millicores.

/// A quantity's exact value: `digits × 10^exp10 × 1024^bin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Exact {
    digits: u128,
    exp10: i32,
    bin: u32,
}

/// Why a text is no quantity (for the message, which adds the field and what is valid).
fn parse(s: &str) -> Result<Exact, &'static str> {
    let body = s.strip_prefix('+').unwrap_or(s);
    if body.starts_with('-') {
        return Err("a negative amount");
    }
    let end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let (number, suffix) = body.split_at(end);
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if int.is_empty() && frac.is_empty() || frac.contains('.') {
        return Err("not a number");
    }
    let (bin, exp10) = match suffix {
        "" => (0, 0),
        "m" => (0, -3),
        "k" => (0, 3),
        "M" => (0, 6),
        "G" => (0, 9),
        "T" => (0, 12),
        "P" => (0, 15),
        "E" => (0, 18),
        "Ki" => (1, 0),
        "Mi" => (2, 0),
        "Gi" => (3, 0),
        "Ti" => (4, 0),
        "Pi" => (5, 0),
        "Ei" => (6, 0),
        e if e.starts_with(['e', 'E']) => {
            let n = &e[1..];
            let digits = n.strip_prefix(['+', '-']).unwrap_or(n);
            if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return Err("an unknown suffix");
            }
            (0, n.parse::<i32>().map_err(|_| "an unknown suffix")?)
        }
        _ => return Err("an unknown suffix"),
    };
    let all = format!("{int}{frac}");
    let significant = all.trim_start_matches('0');
    let trailing = significant.len() - significant.trim_end_matches('0').len();
    let kept = &significant[..significant.len() - trailing];
    if kept.len() > 36 {
        return Err("more digits than any quantity holds");
    }
    let digits = if kept.is_empty() {
        0
    } else {
        kept.parse::<u128>().map_err(|_| "not a number")?
    };
    Ok(Exact {
        digits,
        exp10: exp10 - frac.len() as i32 + trailing as i32,
        bin,
    })
}

impl Exact {
    /// `ceil(value × 10^shift)`, or None when it is past `max`.
    fn scaled_ceil(self, shift: i32, max: u128) -> Option<u128> {
        let mut n = self.digits;
        for _ in 0..self.bin {
            n = n.checked_mul(1024)?;
        }
        let e = self.exp10 + shift;
        if n == 0 {
            return Some(0);
        }
        if e >= 0 {
            let p = 10u128.checked_pow(e as u32)?;
            return n.checked_mul(p).filter(|v| *v <= max);
        }
        let Some(p) = 10u128.checked_pow((-e) as u32) else {
            return Some(1);
        };
        Some(n.div_ceil(p)).filter(|v| *v <= max)
    }

    /// Whether `value × 10^shift` is a whole number.
    fn whole_at(self, shift: i32) -> bool {
        let e = self.exp10 + shift;
        if e >= 0 || self.digits == 0 {
            return true;
        }
        // 1024^bin only adds factors of 2; a power of ten needs as many 5s as 2s.
        let mut n = self.digits;
        let mut twos = 10 * self.bin as i32;
        let mut fives = 0;
        while n.is_multiple_of(5) {
            n /= 5;
            fives += 1;
        }
        while n.is_multiple_of(2) {
            n /= 2;
            twos += 1;
        }
        twos >= -e && fives >= -e
    }
}

/// Most memory gen accepts: the largest quantity Kubernetes stores (an int64 of bytes, 8Ei).
pub const MAX_MEMORY_BYTES: u128 = i64::MAX as u128;
/// Most cpu gen accepts, in cores: more than any node has.
pub const MAX_CPU_CORES: u128 = 1024;

/// A memory quantity in bytes (rounded up, as the API server does), or what is wrong with it.
pub fn memory_bytes(s: &str) -> Result<u64, String> {
    let e = parse(s).map_err(|why| {
        format!("`{s}` is not a memory quantity ({why}): use bytes with a suffix, e.g. `512Mi`, `1Gi` or `2G`")
    })?;
    match e.scaled_ceil(0, MAX_MEMORY_BYTES) {
        Some(0) => Err(format!("`{s}` is no memory: use e.g. `512Mi` or `1Gi`")),
        Some(b) => Ok(b as u64),
        None => Err(format!(
            "`{s}` is more memory than Kubernetes can hold: at most `8Ei` ({MAX_MEMORY_BYTES} bytes)"
        )),
    }
}

/// A cpu quantity in millicores, or what is wrong with it.
pub fn cpu_millis(s: &str) -> Result<u64, String> {
    let valid = "use cores (`2`, `1.5`) or millicores (`500m`)";
    let e = parse(s).map_err(|why| format!("`{s}` is not a CPU quantity ({why}): {valid}"))?;
    if e.bin > 0 {
        return Err(format!(
            "`{s}` counts bytes (`Ki`, `Mi`, `Gi` are binary byte suffixes), not cores: {valid}"
        ));
    }
    if !e.whole_at(3) {
        return Err(format!(
            "`{s}` is finer than one millicore, the smallest CPU amount Kubernetes schedules: {valid}"
        ));
    }
    match e.scaled_ceil(3, MAX_CPU_CORES * 1000) {
        Some(0) => Err(format!("`{s}` is no CPU at all: {valid}")),
        Some(m) => Ok(m as u64),
        None => Err(format!(
            "`{s}` is more CPU than any node has: at most {MAX_CPU_CORES} cores"
        )),
    }
}

/// The pattern `gen schema` gives quantities (the grammar; bounds are checked by gen).
pub const PATTERN: &str =
    r"^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]{1,4})?$";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_in_bytes() {
        assert_eq!(memory_bytes("1Gi"), Ok(1 << 30));
        assert_eq!(memory_bytes("512Mi"), Ok(512 << 20));
        assert_eq!(memory_bytes("1G"), Ok(1_000_000_000));
        assert_eq!(memory_bytes("1.5Gi"), Ok(3 << 29));
        assert_eq!(memory_bytes("2e3"), Ok(2000));
        assert_eq!(memory_bytes("+1k"), Ok(1000));
        assert_eq!(memory_bytes(".5Ki"), Ok(512));
        assert_eq!(memory_bytes("1500m"), Ok(2));
        assert!(memory_bytes("8Ei").is_err());
        assert_eq!(memory_bytes("7Ei"), Ok(7 << 60));
        for bad in [
            "123456789012345678901234567890",
            "",
            "Gi",
            "1gb",
            "-1Gi",
            "1.2.3",
            "1 Gi",
            "0x10",
            "0",
            "1e99999",
            ".",
        ] {
            assert!(memory_bytes(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn cpu_in_millicores() {
        assert_eq!(cpu_millis("500m"), Ok(500));
        assert_eq!(cpu_millis("2"), Ok(2000));
        assert_eq!(cpu_millis("1.5"), Ok(1500));
        assert_eq!(cpu_millis("0.001"), Ok(1));
        assert_eq!(cpu_millis("1e2"), Ok(100_000));
        for bad in [
            "1Gi",
            "0.0000001m",
            "0.0001",
            "0",
            "2000",
            "-1",
            "1.5m",
            "x",
        ] {
            assert!(cpu_millis(bad).is_err(), "{bad:?}");
        }
    }
}
