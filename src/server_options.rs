//! The server's `-D` options: the words of `MIGRATORYDATA_EXTRA_OPTS` and
//! `MIGRATORYDATA_KAFKA_EXTRA_OPTS`. describe and lint read them back with this one parser.

/// The env var holding the server's own options.
pub const EXTRA_OPTS: &str = "MIGRATORYDATA_EXTRA_OPTS";
/// The env var holding the Kafka client's options (kafka backplane only).
pub const KAFKA_EXTRA_OPTS: &str = "MIGRATORYDATA_KAFKA_EXTRA_OPTS";

/// The `-DName=value` words of an options variable, as (name, value) in order; a word
/// without `=` has an empty value. Other words are skipped (lint's `md-option-space`
/// reports them).
pub fn parse(value: &str) -> Vec<(&str, &str)> {
    value
        .split_ascii_whitespace()
        .filter_map(|w| w.strip_prefix("-D"))
        .map(|w| w.split_once('=').unwrap_or((w, "")))
        .collect()
}

/// The value of option `name` (the last one given wins, as in the server).
pub fn last<'a>(opts: &[(&'a str, &'a str)], name: &str) -> Option<&'a str> {
    opts.iter().rev().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::{last, parse};

    #[test]
    fn parse_keeps_order_and_the_last_value_wins() {
        let opts = parse("-DA=1  -Dflag other -DA=2 -Db.c=x=y");
        assert_eq!(opts, [("A", "1"), ("flag", ""), ("A", "2"), ("b.c", "x=y")]);
        assert_eq!(last(&opts, "A"), Some("2"));
        assert_eq!(last(&opts, "b.c"), Some("x=y"));
        assert_eq!(last(&opts, "missing"), None);
    }
}
