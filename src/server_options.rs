//! The server's `-D` options: the words of `MIGRATORYDATA_EXTRA_OPTS` and
//! `MIGRATORYDATA_KAFKA_EXTRA_OPTS`. The model writes them with [`Words`], describe and lint
//! read them back with [`parse`], diff compares them word by word with [`words`]; the option
//! names gen sets are the constants below.

use std::fmt;

/// The env var holding the server's own options.
pub const EXTRA_OPTS: &str = "MIGRATORYDATA_EXTRA_OPTS";
/// The env var holding the Kafka client's options (kafka backplane only).
pub const KAFKA_EXTRA_OPTS: &str = "MIGRATORYDATA_KAFKA_EXTRA_OPTS";

/// The server's heap (`-DMemory=768MB`).
pub const MEMORY: &str = "Memory";
pub const LOG_LEVEL: &str = "LogLevel";
pub const LOG_FOLDER: &str = "LogFolder";
pub const CONNECTION_OFFLOAD: &str = "X.ConnectionOffload";
/// `kafka` for a Kafka backplane; absent for native clustering.
pub const CLUSTER_ENGINE: &str = "ClusterEngine";
pub const CLUSTER_DELIVERY_MODE: &str = "ClusterDeliveryMode";
/// This member's own `host:port` among the cluster members.
pub const CLUSTER_MEMBER_LISTEN: &str = "ClusterMemberListen";
/// Every member's `host:port`, comma-separated, in member order.
pub const CLUSTER_MEMBERS: &str = "ClusterMembers";
pub const CLUSTER_SEED_MEMBER_COUNT: &str = "ClusterSeedMemberCount";
pub const CLUSTER_MEMBER_COORDINATION_FOLDER: &str = "ClusterMemberCoordinationFolder";
pub const LICENSE_KEY: &str = "LicenseKey";
pub const CLUSTER_PASSWORD: &str = "ClusterPassword";
pub const MONITOR: &str = "Monitor";
pub const MONITOR_HTTP_LISTEN: &str = "MonitorHTTP.Listen";
/// The Kafka client's options (in [`KAFKA_EXTRA_OPTS`]).
pub const BOOTSTRAP_SERVERS: &str = "bootstrap.servers";
pub const TOPICS: &str = "topics";
pub const SECURITY_PROTOCOL: &str = "security.protocol";
pub const SASL_MECHANISM: &str = "sasl.mechanism";
/// The path of the Kafka client's JAAS file.
pub const JAAS_CONFIG: &str = "java.security.auth.login.config";
/// The Kafka client's JAAS configuration given inline (gen mounts a file instead; lint
/// accepts either).
pub const SASL_JAAS_CONFIG: &str = "sasl.jaas.config";
pub const TRUSTSTORE_LOCATION: &str = "ssl.truststore.location";
pub const TRUSTSTORE_TYPE: &str = "ssl.truststore.type";
pub const TRUSTSTORE_PASSWORD: &str = "ssl.truststore.password";

/// An options variable's value as gen writes it: one `-DName=value` word per option, in the
/// order set, joined by single spaces. [`parse`] reads it back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Words(Vec<String>);

impl Words {
    /// Adds `-D<name>=<value>`.
    pub fn set(&mut self, name: &str, value: impl fmt::Display) {
        self.0.push(format!("-D{name}={value}"));
    }

    /// The variable's value.
    pub fn value(&self) -> String {
        self.0.join(" ")
    }
}

/// Every word of an options variable (split on ASCII blanks, as the shell that starts the
/// server splits it), cut at its first `=`: (`-DName`, `value`), or the whole word and `""`
/// when it has no `=` (`-Dflag`, `-Xss1m`).
pub fn words(value: &str) -> impl Iterator<Item = (&str, &str)> {
    value
        .split_ascii_whitespace()
        .map(|w| w.split_once('=').unwrap_or((w, "")))
}

/// The `-DName=value` words of an options variable, as (name, value) in order; a word
/// without `=` has an empty value. Other words are skipped (lint's `md-option-space`
/// reports them).
pub fn parse(value: &str) -> Vec<(&str, &str)> {
    words(value)
        .filter_map(|(w, v)| Some((w.strip_prefix("-D")?, v)))
        .collect()
}

/// The value of option `name` (the last one given wins, as in the server).
pub fn last<'a>(opts: &[(&'a str, &'a str)], name: &str) -> Option<&'a str> {
    opts.iter().rev().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::{Words, last, parse, words};

    #[test]
    fn parse_keeps_order_and_the_last_value_wins() {
        let value = "-DA=1  -Dflag other -DA=2 -Db.c=x=y\t-Xss1m -D=e";
        let opts = parse(value);
        assert_eq!(
            opts,
            [
                ("A", "1"),
                ("flag", ""),
                ("A", "2"),
                ("b.c", "x=y"),
                ("", "e")
            ]
        );
        let all: Vec<(&str, &str)> = words(value).collect();
        assert_eq!(all[2], ("other", ""));
        assert_eq!(all[5], ("-Xss1m", ""));
        assert_eq!(all.len(), 7);
        assert_eq!(last(&opts, "A"), Some("2"));
        assert_eq!(last(&opts, "b.c"), Some("x=y"));
        assert_eq!(last(&opts, "missing"), None);
    }

    #[test]
    fn words_read_back_as_written() {
        let mut w = Words::default();
        assert_eq!(w.value(), "");
        w.set(super::MEMORY, "768MB");
        w.set(super::CLUSTER_MEMBERS, ["a:1", "b:2"].join(","));
        w.set(super::JAAS_CONFIG, "/s/jaas.config");
        assert_eq!(
            w.value(),
            "-DMemory=768MB -DClusterMembers=a:1,b:2 -Djava.security.auth.login.config=/s/jaas.config"
        );
        assert_eq!(
            parse(&w.value()),
            [
                ("Memory", "768MB"),
                ("ClusterMembers", "a:1,b:2"),
                ("java.security.auth.login.config", "/s/jaas.config")
            ]
        );
    }
}
