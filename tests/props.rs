//! Property tests over generated specs: whatever gen accepts it renders into a bundle that
//! passes its own typed validation, YAML 1.1 check and lint; whatever it refuses ends in exit
//! 1, nothing on stdout and a located error.
//!
//! Specs are `gen_core::spec::Spec` values built from pools of awkward values (YAML 1.1
//! lookalikes, names at and past their length limits, managed option names, reasons holding
//! `=`). A third of them are drawn "tidy" (valid pools only, cross-field rules respected, so
//! the accept side is well exercised), the rest "wild" (any value, any combination, so every
//! rule is hit). `generated_specs_are_a_fair_mix` keeps that balance honest. Case counts keep
//! a debug `cargo test` to a few seconds; `PROPTEST_CASES=N` raises them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use gen_core::lint::{self, Set, Severity};
use gen_core::model::{self, Problem, ResolveOptions};
use gen_core::render::{self, Document};
use gen_core::spec::{
    Autoscale, Backplane, BackplaneType, Jaas, LogLevel, Metrics, NetworkPolicySpec, Platform,
    Resources, SaslMechanism, SecretKeyRef, Security, SecurityProtocol, ServiceAccountSpec,
    ServiceSpec, ServiceType, Spec, TaintEffect, Toleration, TolerationOperator, Truststore,
    TruststoreType,
};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

/// Library cases: cheap, so many.
const LIBRARY_CASES: u32 = 256;
/// Binary cases: each spawns `gen`.
const BINARY_CASES: u32 = 24;

const JAAS: &str = "KafkaClient {\n  org.apache.kafka.common.security.plain.PlainLoginModule required\n  username=\"$ConnectionString\"\n  password=\"Endpoint=sb://x.servicebus.windows.net/;SharedAccessKey=k\";\n};\n";

// -------------------------------------------------------------------------------------
// Value pools. `wild` adds the invalid values (about one draw in eight).
// -------------------------------------------------------------------------------------

/// One of `valid`, or (when `wild`) sometimes one of `invalid`.
fn pick(valid: &[&str], invalid: &[&str], wild: bool) -> BoxedStrategy<String> {
    let owned = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let good = select(owned(valid));
    if wild && !invalid.is_empty() {
        prop_oneof![7 => good, 1 => select(owned(invalid))].boxed()
    } else {
        good.boxed()
    }
}

/// `Some` with probability `p`.
fn maybe<T: std::fmt::Debug + Clone + 'static>(
    p: f64,
    s: BoxedStrategy<T>,
) -> BoxedStrategy<Option<T>> {
    option::weighted(p, s).boxed()
}

// Values at and past length limits.
const A52: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const A53: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const N60: &str = "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn";
const T250: &str = "tttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt";
const V63: &str = "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv";
const V64: &str = "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv";
const X63: &str = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
const X64: &str = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

/// Cluster names: YAML 1.1 words and the 52-character limit; past it when wild.
fn name(wild: bool) -> BoxedStrategy<Option<String>> {
    let valid = [
        "migratorydata",
        "md",
        "yes",
        "on",
        "n",
        "y",
        "off",
        "null",
        "true",
        "e1",
        "a-b",
        A52,
    ];
    let invalid = [
        "Upper", "-x", "x-", "1e3", "0755", "a.b", "a_b", "", A53, N60,
    ];
    maybe(0.8, pick(&valid, &invalid, wild))
}

fn namespace(wild: bool) -> BoxedStrategy<Option<String>> {
    let valid = [
        "migratory",
        "yes",
        "on",
        "n",
        "0755",
        "1e3",
        "2024-01-01",
        "null",
        "true",
        "1",
        N60,
        X63,
    ];
    let invalid = ["Upper", "-x", "x-", "a.b", "a_b", "", X64];
    let ns = pick(&valid, &invalid, wild);
    if wild {
        maybe(0.95, ns)
    } else {
        ns.prop_map(Some).boxed()
    }
}

/// Strings a careless or hostile user might put where free text goes (annotation values).
fn odd_text() -> BoxedStrategy<String> {
    pick(
        &[
            "plain",
            "",
            "on",
            "yes",
            "NO",
            "~",
            "null",
            "0755",
            "1e3",
            "1_000",
            "1:20",
            "2024-01-01",
            "0x1F",
            ".inf",
            "a: b",
            "#hash",
            "- item",
            "[x]",
            "{x: y}",
            "*alias",
            "&anchor",
            "!tag",
            "%directive",
            "@at",
            "`tick",
            "\"quoted\"",
            "'single'",
            " leading",
            "trailing ",
            "two\nlines",
            "tab\there",
            "back\\slash",
            "é ünïcödé",
            "\u{1b}[31mred",
            "key=value",
            "---",
            "...",
        ],
        &[],
        false,
    )
}

fn label_key(wild: bool) -> BoxedStrategy<String> {
    pick(
        &["team", "example.com/tier", "yes", "on", "a.b_c-d", "x/y"],
        &[
            "app.kubernetes.io/name",
            "app.kubernetes.io/instance",
            "Bad Key",
            "-x",
            "",
            "a/b/c",
            "UPPER.com/x",
        ],
        wild,
    )
}

fn label_value(wild: bool) -> BoxedStrategy<String> {
    pick(
        &[
            "",
            "on",
            "yes",
            "n",
            "0755",
            "1e3",
            "2024-01-01",
            "true",
            "null",
            "a-b_c.d",
            "x",
            V63,
        ],
        &["a b", "-x", "x-", "~", "a:b", V64, "two\nlines"],
        wild,
    )
}

fn labels(wild: bool) -> BoxedStrategy<BTreeMap<String, String>> {
    prop_oneof![
        3 => Just(BTreeMap::new()),
        2 => btree_map(label_key(wild), label_value(wild), 1..3),
    ]
    .boxed()
}

fn annotations(wild: bool) -> BoxedStrategy<BTreeMap<String, String>> {
    let key = pick(
        &[
            "note",
            "example.com/owner",
            "yes",
            "checksum/x",
            "lint.gen.migratorydata.io/openshift-fixed-ids",
        ],
        &["bad key", "", "-x", "a/b/c"],
        wild,
    );
    prop_oneof![
        3 => Just(BTreeMap::new()),
        2 => btree_map(key, odd_text(), 1..4),
    ]
    .boxed()
}

fn toleration(wild: bool) -> BoxedStrategy<Toleration> {
    (
        maybe(
            0.8,
            pick(&["dedicated", "example.com/gpu", "on"], &["Bad Key"], wild),
        ),
        maybe(
            0.5,
            select(vec![TolerationOperator::Exists, TolerationOperator::Equal]).boxed(),
        ),
        maybe(0.5, label_value(wild)),
        maybe(
            0.5,
            select(vec![
                TaintEffect::NoSchedule,
                TaintEffect::PreferNoSchedule,
                TaintEffect::NoExecute,
            ])
            .boxed(),
        ),
        maybe(0.2, select(vec![0i64, 60, -1, 3600]).boxed()),
    )
        .prop_map(move |(key, operator, value, effect, seconds)| {
            let mut t = Toleration {
                key,
                operator,
                value,
                effect,
                toleration_seconds: seconds,
            };
            if !wild {
                // The API's own rules: Exists takes no value, only Exists may omit the key,
                // tolerationSeconds only with NoExecute.
                if t.operator == Some(TolerationOperator::Exists) {
                    t.value = None;
                } else if t.key.is_none() {
                    t.key = Some("dedicated".to_string());
                }
                if t.effect != Some(TaintEffect::NoExecute) {
                    t.toleration_seconds = None;
                }
            }
            t
        })
        .boxed()
}

fn extra_options(wild: bool) -> BoxedStrategy<BTreeMap<String, String>> {
    let key = pick(
        &["Foo", "X.Y_z", "ClientRateLimit", "on", "y"],
        &[
            "Memory",
            "ClusterMembers",
            "LogLevel",
            "MonitorHTTP.Listen",
            "1bad",
            "a-b",
            "",
            "a b",
        ],
        wild,
    );
    let value = pick(
        &[
            "1",
            "on",
            "yes",
            "0755",
            "x=y",
            "$(POD_NAME)",
            "a,b",
            "true",
            "~",
            "\"q\"",
            "#x",
        ],
        &["", "a b", "tab\there", "two\nlines", " "],
        wild,
    );
    prop_oneof![
        3 => Just(BTreeMap::new()),
        2 => btree_map(key, value, 1..3),
    ]
    .boxed()
}

/// A reason for relaxing a default; `=`, line breaks and blanks are refused.
fn reason(wild: bool) -> BoxedStrategy<Option<String>> {
    let r = pick(
        &[
            "the image writes to /var/cache",
            "on",
            "yes: no",
            "#hash",
            "quote\"s",
            "é",
        ],
        &["a=b", "CKV_K8S_22=x", "", " ", "two\nlines", "cr\rhere"],
        wild,
    );
    if wild {
        maybe(0.7, r)
    } else {
        r.prop_map(Some).boxed()
    }
}

fn security(wild: bool) -> BoxedStrategy<Option<Security>> {
    let ids: &[i64] = if wild {
        &[0, -1, 1000, 10001, 65534]
    } else {
        &[1000, 10001, 65534]
    };
    let id = || maybe(0.3, select(ids.to_vec()).boxed());
    maybe(
        0.3,
        (
            id(),
            id(),
            id(),
            maybe(0.5, any::<bool>().boxed()),
            reason(wild),
        )
            .prop_map(
                |(run_as_user, run_as_group, fs_group, read_only, reason)| Security {
                    run_as_user,
                    run_as_group,
                    fs_group,
                    read_only_root_filesystem: read_only,
                    reason,
                },
            )
            .boxed(),
    )
}

fn network_policy(wild: bool) -> BoxedStrategy<Option<NetworkPolicySpec>> {
    maybe(
        0.3,
        (maybe(0.5, any::<bool>().boxed()), reason(wild))
            .prop_map(|(enabled, reason)| NetworkPolicySpec {
                enabled,
                reason,
                egress: None,
            })
            .boxed(),
    )
}

fn metrics(wild: bool) -> BoxedStrategy<Option<Metrics>> {
    maybe(
        0.3,
        (
            maybe(0.5, any::<bool>().boxed()),
            maybe(0.5, any::<bool>().boxed()),
            maybe(
                0.5,
                pick(
                    &["30s", "1m", "15s", "100ms", "2h"],
                    &["bad", "1h30m", "", "30", "s"],
                    wild,
                ),
            ),
            maybe(
                0.5,
                pick(
                    &["monitoring", "openshift-monitoring", "on", "0755"],
                    &["Upper", "-x", ""],
                    wild,
                ),
            ),
        )
            .prop_map(
                |(enabled, service_monitor, interval, scrape_namespace)| Metrics {
                    enabled,
                    service_monitor,
                    interval,
                    scrape_namespace,
                },
            )
            .boxed(),
    )
}

fn secret_ref(wild: bool) -> BoxedStrategy<Option<SecretKeyRef>> {
    maybe(
        0.2,
        (
            pick(&["license", "yes", "a.b.c"], &["Bad", ""], wild),
            pick(
                &["key", "license.txt", "on", "a_b-c"],
                &["", "a/b", "a b"],
                wild,
            ),
        )
            .prop_map(|(secret_name, key)| SecretKeyRef { secret_name, key })
            .boxed(),
    )
}

/// Bootstrap servers: `host:port`, or (wild) not.
fn bootstrap_servers(wild: bool) -> BoxedStrategy<Vec<String>> {
    let server = pick(
        &[
            "kafka:9092",
            "my-cluster-kafka-bootstrap.kafka.svc:9093",
            "evhns-x.servicebus.windows.net:9093",
            "b-1.msk.eu-west-1.amazonaws.com:9098",
            "10.0.0.1:9092",
            "on:1",
        ],
        &[
            "nohost",
            ":9092",
            "host:",
            "host:0",
            "host:99999",
            "host:port",
            "a b:9092",
            "[::1]:9092",
            "",
        ],
        wild,
    );
    if wild {
        prop_oneof![1 => Just(vec![]), 8 => vec(server, 1..3)].boxed()
    } else {
        vec(server, 1..3).boxed()
    }
}

fn topics(wild: bool) -> BoxedStrategy<Vec<String>> {
    let topic = pick(
        &["vehicles", "alerts", "on", "0755", "a.b_c-d"],
        &["", "a b", "a/b", T250],
        wild,
    );
    if wild {
        prop_oneof![1 => Just(vec![]), 8 => vec(topic, 1..3)].boxed()
    } else {
        vec(topic, 1..3).boxed()
    }
}

/// `jaas.file` values: the valid file, and (wild) ones that are missing, outside, a
/// directory, a symlink out, or not a JAAS file.
fn jaas_file(wild: bool) -> BoxedStrategy<String> {
    pick(
        &["jaas.config", "./jaas.config", "sub/jaas.config"],
        &[
            "missing.config",
            "../jaas.config",
            "/etc/hostname",
            "sub",
            "bad.config",
            "link.config",
            "",
        ],
        wild,
    )
}

fn jaas_secret_name(wild: bool) -> BoxedStrategy<String> {
    pick(
        &["migratory-secret", "yes", "a.b"],
        &["Bad", "", "-x"],
        wild,
    )
}

/// Exactly one JAAS source.
fn jaas_one(wild: bool) -> BoxedStrategy<Option<Jaas>> {
    prop_oneof![
        jaas_secret_name(wild).prop_map(|n| Some(Jaas {
            secret_name: Some(n),
            file: None
        })),
        jaas_file(wild).prop_map(|f| Some(Jaas {
            secret_name: None,
            file: Some(f)
        })),
    ]
    .boxed()
}

/// secretName, file, both or neither, or no `jaas` at all.
fn jaas_any() -> BoxedStrategy<Option<Jaas>> {
    prop_oneof![
        Just(None),
        jaas_one(true),
        (jaas_secret_name(true), jaas_file(true)).prop_map(|(n, f)| Some(Jaas {
            secret_name: Some(n),
            file: Some(f)
        })),
        Just(Some(Jaas::default())),
    ]
    .boxed()
}

fn protocol() -> BoxedStrategy<Option<SecurityProtocol>> {
    maybe(
        0.8,
        select(vec![
            SecurityProtocol::Plaintext,
            SecurityProtocol::Ssl,
            SecurityProtocol::SaslPlaintext,
            SecurityProtocol::SaslSsl,
        ])
        .boxed(),
    )
}

fn mechanism() -> BoxedStrategy<SaslMechanism> {
    select(vec![
        SaslMechanism::Plain,
        SaslMechanism::ScramSha256,
        SaslMechanism::ScramSha512,
    ])
    .boxed()
}

type KafkaSecurity = (
    Option<SecurityProtocol>,
    Option<SaslMechanism>,
    Option<Jaas>,
    Option<Truststore>,
);

/// Protocol, mechanism, JAAS and truststore: coherent (SASL with a mechanism and one JAAS
/// source, a truststore only with TLS), or (wild) sometimes any combination at all.
fn kafka_security(wild: bool) -> BoxedStrategy<KafkaSecurity> {
    let coherent = protocol()
        .prop_flat_map(move |p| {
            let sasl = p.is_some_and(SecurityProtocol::is_sasl);
            let tls = p.is_some_and(SecurityProtocol::is_tls);
            let jaas = if sasl {
                jaas_one(wild)
            } else {
                Just(None).boxed()
            };
            let mech = if sasl {
                mechanism().prop_map(Some).boxed()
            } else {
                Just(None).boxed()
            };
            let trust = if tls {
                truststore(wild)
            } else {
                Just(None).boxed()
            };
            (Just(p), mech, jaas, trust)
        })
        .boxed();
    if !wild {
        return coherent;
    }
    let any = (
        protocol(),
        maybe(0.5, mechanism()),
        jaas_any(),
        truststore(true),
    );
    prop_oneof![3 => coherent, 1 => any].boxed()
}

fn truststore(wild: bool) -> BoxedStrategy<Option<Truststore>> {
    maybe(
        0.3,
        (
            jaas_secret_name(wild),
            maybe(0.5, pick(&["ca.p12", "on"], &["a b", ""], wild)),
            maybe(0.5, pick(&["ca.password", "yes"], &[], wild)),
            maybe(
                0.5,
                select(vec![TruststoreType::Pkcs12, TruststoreType::Jks]).boxed(),
            ),
        )
            .prop_map(|(secret_name, key, password_key, kind)| Truststore {
                secret_name,
                key,
                password_key,
                kind,
            })
            .boxed(),
    )
}

fn kafka(wild: bool) -> BoxedStrategy<Backplane> {
    (bootstrap_servers(wild), topics(wild), kafka_security(wild))
        .prop_map(
            |(bootstrap_servers, topics, (security_protocol, sasl_mechanism, jaas, truststore))| {
                Backplane {
                    kind: Some(BackplaneType::Kafka),
                    bootstrap_servers,
                    topics,
                    security_protocol,
                    sasl_mechanism,
                    jaas,
                    truststore,
                }
            },
        )
        .boxed()
}

fn backplane(wild: bool) -> BoxedStrategy<Option<Backplane>> {
    let native = Just(Some(Backplane {
        kind: Some(BackplaneType::Native),
        ..Backplane::default()
    }));
    if !wild {
        return prop_oneof![2 => Just(None), 1 => native, 3 => kafka(false).prop_map(Some)].boxed();
    }
    // Kafka-only fields on a native backplane.
    let native_with_kafka_fields = (
        maybe(0.5, Just(BackplaneType::Native).boxed()),
        bootstrap_servers(true),
        kafka_security(true),
    )
        .prop_map(
            |(kind, bootstrap_servers, (security_protocol, sasl_mechanism, jaas, truststore))| {
                Backplane {
                    kind,
                    bootstrap_servers,
                    security_protocol,
                    sasl_mechanism,
                    jaas,
                    truststore,
                    ..Backplane::default()
                }
            },
        );
    prop_oneof![
        3 => Just(None),
        1 => native,
        5 => kafka(true).prop_map(Some),
        1 => native_with_kafka_fields.prop_map(Some),
    ]
    .boxed()
}

type Sizing = (Option<u32>, Option<u32>, Option<Autoscale>);

/// replicas 0..12, seedCount None/0..8, autoscale None or (min 0..8, max 0..12, cpuPercent
/// None/0..120): independent when wild, otherwise consistent with each other (and no
/// seedCount on a kafka backplane).
fn sizing(wild: bool, kafka: bool) -> BoxedStrategy<Sizing> {
    if wild {
        let autoscale = (0u32..8, 0u32..12, maybe(0.5, (0u32..120).boxed())).prop_map(
            |(min, max, cpu_percent)| Autoscale {
                min,
                max,
                cpu_percent,
                scale_down: None,
                scale_up: None,
            },
        );
        return (
            maybe(0.95, (0u32..12).boxed()),
            maybe(0.5, (0u32..8).boxed()),
            maybe(0.4, autoscale.boxed()),
        )
            .boxed();
    }
    (1u32..12)
        .prop_flat_map(move |replicas| {
            let seeds = if kafka {
                Just(None).boxed()
            } else {
                maybe(0.5, (1..=replicas.min(7)).boxed())
            };
            (Just(replicas), seeds)
        })
        .prop_flat_map(move |(replicas, seeds)| {
            // autoscale.min must cover the seeds and stay within replicas and 0..8.
            let floor = if kafka {
                1
            } else {
                seeds.unwrap_or(replicas.min(3))
            };
            let autoscale = if floor <= replicas.min(7) {
                maybe(
                    0.4,
                    (
                        floor..=replicas.min(7),
                        replicas..12,
                        maybe(0.5, (1u32..=100).boxed()),
                    )
                        .prop_map(|(min, max, cpu_percent)| Autoscale {
                            min,
                            max,
                            cpu_percent,
                            scale_down: None,
                            scale_up: None,
                        })
                        .boxed(),
                )
            } else {
                Just(None).boxed()
            };
            (Just(Some(replicas)), Just(seeds), autoscale)
        })
        .boxed()
}

fn resources(wild: bool) -> BoxedStrategy<Option<Resources>> {
    maybe(
        0.3,
        (
            maybe(
                0.5,
                pick(
                    &["500m", "2", "1.5", "100m"],
                    &["0", "abc", "", "-1", "1e3"],
                    wild,
                ),
            ),
            maybe(
                0.5,
                pick(
                    &["1Gi", "256Mi", "4Gi", "2G"],
                    &["64Mi", "x", "", "0", "1e3"],
                    wild,
                ),
            ),
        )
            .prop_map(|(cpu, memory)| Resources { cpu, memory })
            .boxed(),
    )
}

fn image(wild: bool) -> BoxedStrategy<Option<String>> {
    maybe(
        0.5,
        pick(
            &[
                "migratorydata/server:6.0.24",
                "registry.example.com:5000/md/server:6.0.24",
                "migratorydata/server@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "migratorydata/server:latest",
                "migratorydata/server",
            ],
            &["", "has space:1", "tab\t:1"],
            wild,
        ),
    )
}

fn service(wild: bool) -> BoxedStrategy<Option<ServiceSpec>> {
    let ports: &[u16] = if wild {
        &[0, 80, 443, 8800, 65535]
    } else {
        &[80, 443, 8800, 65535]
    };
    maybe(
        0.3,
        (
            maybe(0.5, select(ports.to_vec()).boxed()),
            maybe(
                0.5,
                select(vec![
                    ServiceType::ClusterIP,
                    ServiceType::NodePort,
                    ServiceType::LoadBalancer,
                ])
                .boxed(),
            ),
            annotations(wild),
        )
            .prop_map(|(port, kind, annotations)| ServiceSpec {
                port,
                kind,
                annotations,
            })
            .boxed(),
    )
}

fn platform(wild: bool) -> BoxedStrategy<Option<Platform>> {
    let p = select(Platform::ALL.to_vec()).boxed();
    if wild {
        maybe(0.95, p)
    } else {
        p.prop_map(Some).boxed()
    }
}

type Scheduling = (
    BTreeMap<String, String>,
    Vec<Toleration>,
    Option<bool>,
    Vec<String>,
);

fn scheduling(wild: bool) -> BoxedStrategy<Scheduling> {
    (
        labels(wild),
        prop_oneof![3 => Just(vec![]), 1 => vec(toleration(wild), 1..3)],
        maybe(0.5, any::<bool>().boxed()),
        prop_oneof![
            2 => Just(vec![]),
            1 => vec(pick(&["regcred", "yes", "a.b"], &["Bad", "", "-x"], wild), 1..3),
        ],
    )
        .boxed()
}

fn service_account(wild: bool) -> BoxedStrategy<Option<ServiceAccountSpec>> {
    maybe(
        0.2,
        annotations(wild)
            .prop_map(|annotations| ServiceAccountSpec { annotations })
            .boxed(),
    )
}

/// A whole spec, tidy or wild.
fn spec_of(wild: bool) -> BoxedStrategy<Spec> {
    backplane(wild)
        .prop_flat_map(move |backplane| {
            let kafka = backplane
                .as_ref()
                .is_some_and(|b| b.kind == Some(BackplaneType::Kafka));
            let identity = (
                name(wild),
                namespace(wild),
                platform(wild),
                image(wild),
                sizing(wild, kafka),
                Just(backplane),
            );
            let metadata = (
                labels(wild),
                annotations(wild),
                labels(wild),
                annotations(wild),
                service_account(wild),
            );
            let server = (
                resources(wild),
                maybe(
                    0.3,
                    select(vec![LogLevel::Info, LogLevel::Debug, LogLevel::Trace]).boxed(),
                ),
                extra_options(wild),
                maybe(
                    0.2,
                    select(if wild {
                        vec![5u32, 10, 50, 75, 95, 96]
                    } else {
                        vec![50, 75, 95]
                    })
                    .boxed(),
                ),
                secret_ref(wild),
                secret_ref(wild),
            );
            let rest = (
                service(wild),
                scheduling(wild),
                maybe(
                    0.1,
                    pick(
                        &["cluster.local", "example.org", "on"],
                        &["Bad_Domain", ""],
                        wild,
                    ),
                ),
                metrics(wild),
                maybe(0.3, any::<bool>().boxed()),
                network_policy(wild),
                security(wild),
            );
            (identity, metadata, server, rest)
        })
        .prop_map(
            |(
                (name, namespace, platform, image, (replicas, seed_count, autoscale), backplane),
                (labels, annotations, pod_labels, pod_annotations, service_account),
                (
                    resources,
                    log_level,
                    extra_options,
                    memory_percent,
                    license_key,
                    cluster_password,
                ),
                (
                    service,
                    (node_selector, tolerations, zone_spread, image_pull_secrets),
                    cluster_domain,
                    metrics,
                    create_namespace,
                    network_policy,
                    security,
                ),
            )| Spec {
                api_version: None,
                kind: None,
                metadata: None,
                name,
                namespace,
                platform,
                image,
                replicas,
                seed_count,
                autoscale,
                backplane,
                resources,
                labels,
                annotations,
                pod_labels,
                pod_annotations,
                service,
                log_level,
                extra_options,
                memory_percent,
                node_selector,
                tolerations,
                zone_spread: zone_spread.map(gen_core::spec::ZoneSpread::Enabled),
                image_pull_secrets,
                service_account,
                cluster_domain,
                license_key,
                cluster_password,
                metrics,
                create_namespace,
                network_policy,
                security,
                ..Spec::default()
            },
        )
        .boxed()
}

fn spec() -> BoxedStrategy<Spec> {
    prop_oneof![1 => spec_of(false), 2 => spec_of(true)].boxed()
}

// -------------------------------------------------------------------------------------
// The properties
// -------------------------------------------------------------------------------------

/// The directory relative `jaas.file` paths start from (`base/` in a tempdir): a valid JAAS
/// file (also in `sub/`), one that is not a JAAS file, and a symlink leading out to a valid
/// one beside `base/` (which `../jaas.config` also names).
struct JaasDir {
    _root: tempfile::TempDir,
    base: PathBuf,
}

impl JaasDir {
    fn new() -> JaasDir {
        let root = tempfile::tempdir().expect("tempdir");
        let base = root.path().join("base");
        std::fs::create_dir_all(base.join("sub")).unwrap();
        std::fs::write(root.path().join("jaas.config"), JAAS).unwrap();
        std::fs::write(base.join("jaas.config"), JAAS).unwrap();
        std::fs::write(base.join("sub/jaas.config"), JAAS).unwrap();
        std::fs::write(base.join("bad.config"), "not jaas\n").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.path().join("jaas.config"), base.join("link.config"))
            .unwrap();
        JaasDir { _root: root, base }
    }

    fn path(&self) -> &Path {
        &self.base
    }
}

fn options(base_dir: &Path) -> ResolveOptions {
    ResolveOptions {
        base_dir: base_dir.to_path_buf(),
        max_file_bytes: gen_core::source::DEFAULT_MAX_BYTES,
        ..ResolveOptions::default()
    }
}

/// What the library makes of a spec: the rendered documents, or the resolve errors.
fn library(spec: &Spec, base_dir: &Path) -> Result<Vec<Document>, Vec<Problem>> {
    let model = model::resolve(spec, &options(base_dir)).model?;
    Ok(render::render(&model).expect("a resolved model renders"))
}

fn show(spec: &Spec) -> String {
    serde_saphyr::to_string(spec).unwrap_or_else(|e| format!("{spec:#?} (not serializable: {e})"))
}

fn runner(cases: u32) -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    TestRunner::new(Config {
        cases,
        // Failures are kept as explicit tests in tests/fuzz_regressions.rs instead.
        failure_persistence: None,
        ..Config::default()
    })
}

/// Runs `test` over generated specs; a failure names the minimal spec, as YAML.
fn check(mut runner: TestRunner, test: impl Fn(&Spec) -> Result<(), TestCaseError>) {
    match runner.run(&spec(), |spec| test(&spec)) {
        Ok(()) => {}
        Err(TestError::Fail(why, spec)) => {
            panic!("{why}\nminimal failing spec:\n{}", show(&spec))
        }
        Err(e) => panic!("{e}"),
    }
}

fn check_bundle(spec: &Spec, docs: &[Document]) -> Result<(), TestCaseError> {
    let platform = spec.platform.expect("a valid spec names its platform");
    for d in docs {
        let value: serde_json::Value = serde_saphyr::from_str(&d.text).map_err(|e| {
            TestCaseError::fail(format!(
                "{} {} is not YAML: {e}\n{}",
                d.kind, d.name, d.text
            ))
        })?;
        let (_, issues) = gen_core::typed::type_object(&value);
        prop_assert!(
            issues.is_empty(),
            "{} {}: {:?}\n{}",
            d.kind,
            d.name,
            issues,
            d.text
        );
    }
    let joined = render::join(docs);
    let unsafe_scalars = gen_core::locate::plain_scalars_yaml11_safe(&joined);
    prop_assert!(
        unsafe_scalars.is_empty(),
        "plain scalars YAML 1.1 reads differently: {unsafe_scalars:?}"
    );
    let opts = lint::LintOptions {
        platform_openshift: platform == Platform::Openshift,
        crd_schemas: false,
        ..Default::default()
    };
    let errors: Vec<String> = lint::lint_set(&Set::single("props.yaml", joined.clone()), &opts)
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| {
            format!(
                "{} {} {}: {}: {}",
                f.rule, f.kind, f.name, f.path, f.message
            )
        })
        .collect();
    prop_assert!(errors.is_empty(), "lint errors: {errors:#?}\n{joined}");
    Ok(())
}

#[test]
fn library_accepts_only_what_it_renders_cleanly() {
    let dir = JaasDir::new();
    check(runner(LIBRARY_CASES), |spec| {
        match library(spec, dir.path()) {
            Ok(docs) => check_bundle(spec, &docs)?,
            Err(errors) => {
                prop_assert!(
                    !errors.is_empty(),
                    "a refused spec names at least one error"
                );
                for e in &errors {
                    prop_assert!(!e.path.is_root(), "error without a field: {e:?}");
                    prop_assert!(!e.message.is_empty(), "error without a message: {e:?}");
                }
            }
        }
        Ok(())
    });
}

/// Guards the generator: a property over specs that are nearly all refused (or all
/// accepted) proves little.
#[test]
fn generated_specs_are_a_fair_mix() {
    let dir = JaasDir::new();
    let mut runner = runner(LIBRARY_CASES);
    let strategy = spec();
    let total = LIBRARY_CASES;
    let (mut ok, mut kafka_ok, mut jaas_file_ok) = (0, 0, 0);
    for _ in 0..total {
        let spec = strategy.new_tree(&mut runner).expect("generates").current();
        if library(&spec, dir.path()).is_ok() {
            ok += 1;
            let b = spec.backplane.as_ref();
            if b.is_some_and(|b| b.kind == Some(BackplaneType::Kafka)) {
                kafka_ok += 1;
            }
            if b.and_then(|b| b.jaas.as_ref())
                .is_some_and(|j| j.file.is_some())
            {
                jaas_file_ok += 1;
            }
        }
    }
    assert!(
        ok * 5 >= total && ok * 5 <= total * 4,
        "{ok} of {total} valid"
    );
    assert!(
        kafka_ok > 0 && jaas_file_ok > 0,
        "{kafka_ok} kafka, {jaas_file_ok} jaas.file"
    );
}

/// Whether `stderr` names a `<stdin>:LINE:COL` place.
fn names_stdin_place(stderr: &str) -> bool {
    stderr.match_indices("<stdin>:").any(|(i, m)| {
        let mut parts = stderr[i + m.len()..].splitn(3, ':');
        let line = parts.next().unwrap_or("");
        let col = parts.next().unwrap_or("");
        !line.is_empty()
            && line.chars().all(|c| c.is_ascii_digit())
            && col.starts_with(|c: char| c.is_ascii_digit())
    })
}

#[test]
fn binary_agrees_with_the_library() {
    let dir = JaasDir::new();
    check(runner(BINARY_CASES), |spec| {
        let text = serde_saphyr::to_string(spec)
            .map_err(|e| TestCaseError::fail(format!("spec does not serialize: {e}")))?;
        let expected = library(spec, dir.path());
        let mut child = Command::new(env!("CARGO_BIN_EXE_gen"))
            .args(["render", "-"])
            // Relative jaas.file paths start from the working directory for stdin.
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gen runs");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("piped");
            // A write error means gen stopped reading early; the assertions below catch it.
            let _ = stdin.write_all(text.as_bytes());
        }
        let out = child.wait_with_output().expect("gen finishes");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        prop_assert!(!stderr.contains("panicked"), "{}", stderr);
        match expected {
            Ok(docs) => {
                prop_assert_eq!(
                    out.status.code(),
                    Some(0),
                    "the library accepted it; gen said:\n{}",
                    stderr
                );
                prop_assert_eq!(
                    stdout,
                    render::join(&docs),
                    "stdout is the library's bundle"
                );
            }
            Err(_) => {
                prop_assert_eq!(
                    out.status.code(),
                    Some(1),
                    "the library refused it; gen said:\n{}",
                    stderr
                );
                prop_assert!(stdout.is_empty(), "stdout on failure: {}", stdout);
                prop_assert!(
                    names_stdin_place(&stderr),
                    "no <stdin>:LINE:COL in:\n{}",
                    stderr
                );
            }
        }
        Ok(())
    });
}
