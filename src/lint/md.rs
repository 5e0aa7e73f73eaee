//! MigratoryData rules, recovered from the manifests themselves: the server's options live in
//! the container env `MIGRATORYDATA_EXTRA_OPTS` (and `MIGRATORYDATA_KAFKA_EXTRA_OPTS`) as
//! space-separated `-DName=value` words.

use k8s_openapi::api::core::v1::{Container, PodSpec, ProjectedVolumeSource, Volume, VolumeMount};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::Out;
use super::drain::{fewest, hpas, scaled};
use super::index::{At, PodTemplate, SetIndex};
use super::refs::has_key;
use crate::path::FieldPath;
use crate::rules::Rule;
use crate::server_options::{
    CLUSTER_ENGINE, CLUSTER_MEMBER_LISTEN, CLUSTER_MEMBERS, CLUSTER_SEED_MEMBER_COUNT,
    EXTRA_OPTS as EXTRA, JAAS_CONFIG, KAFKA_EXTRA_OPTS as KAFKA, SASL_JAAS_CONFIG,
    SECURITY_PROTOCOL, last, parse as options,
};
use crate::typed::Object;

/// One server container: where its options are and what they say.
struct Server<'a> {
    /// Index into the set's workloads ([`SetIndex::workloads`]).
    index: usize,
    w: &'a PodTemplate<'a>,
    spec: &'a PodSpec,
    at: At,
    c: &'a Container,
    /// Index in `env` of `MIGRATORYDATA_EXTRA_OPTS` and its options.
    extra: usize,
    opts: Vec<(&'a str, &'a str)>,
    /// Same for `MIGRATORYDATA_KAFKA_EXTRA_OPTS`, when the container has it.
    kafka: Option<usize>,
    kopts: Vec<(&'a str, &'a str)>,
}

impl<'a> Server<'a> {
    /// The option's value (the last one given wins).
    fn get(&self, name: &str) -> Option<&'a str> {
        last(&self.opts, name)
    }

    fn env_path(&self, index: usize) -> FieldPath {
        self.at.path().key("env").index(index).key("value")
    }
}

/// The literal value of env var `name` in the container, if it is one.
pub(crate) fn env_value<'a>(c: &'a Container, name: &str) -> Option<(usize, &'a str)> {
    c.env
        .iter()
        .flatten()
        .enumerate()
        .find(|(_, e)| e.name == name)
        .and_then(|(i, e)| e.value.as_deref().map(|v| (i, v)))
}

pub(crate) fn check(m: &SetIndex<'_>, out: &mut Out<'_>) {
    for (index, w) in m.workloads.iter().enumerate() {
        let Some(spec) = w.spec else { continue };
        for (at, c) in w.containers() {
            let Some((extra, value)) = env_value(c, EXTRA) else {
                continue;
            };
            let (kafka, kvalue) = match env_value(c, KAFKA) {
                Some((i, v)) => (Some(i), v),
                None => (None, ""),
            };
            let s = Server {
                index,
                w,
                spec,
                at,
                c,
                extra,
                opts: options(value),
                kafka,
                kopts: options(kvalue),
            };
            spaces(&s, out);
            members(m, &s, out);
            native(m, &s, out);
            jaas(m, &s, out);
        }
    }
}

fn spaces(s: &Server<'_>, out: &mut Out<'_>) {
    let vars = [(Some(s.extra), EXTRA), (s.kafka, KAFKA)];
    for (index, var) in vars {
        let Some(index) = index else { continue };
        let Some(value) =
            s.c.env
                .iter()
                .flatten()
                .nth(index)
                .and_then(|e| e.value.as_deref())
        else {
            continue;
        };
        let mut previous = None;
        let mut stray = Vec::new();
        for word in value.split_ascii_whitespace() {
            if word.starts_with('-') {
                previous = Some(word);
            } else {
                stray.push((word, previous));
            }
        }
        if let Some(&(word, before)) = stray.first() {
            let after = before.map_or_else(String::new, |b| {
                let name = b.split_once('=').map_or(b, |(n, _)| n);
                format!(" after `{name}`")
            });
            let more = match stray.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            out.at(
                s.w.doc,
                Rule::MdOptionSpace,
                s.env_path(index),
                format!(
                    "`{word}`{after}{more} is not an option: the server splits {var} on spaces, so a value holding a space is cut there; remove the space from the value"
                ),
            );
        }
        // `$(VAR)` expands to an earlier variable's value: a space there splits too.
        for (name, v) in options(value) {
            let mut rest = v;
            while let Some(i) = rest.find("$(") {
                let tail = &rest[i + 2..];
                let Some(end) = tail.find(')') else { break };
                let var_name = &tail[..end];
                rest = &tail[end + 1..];
                let spaced =
                    s.c.env
                        .iter()
                        .flatten()
                        .take(index)
                        .find(|e| e.name == var_name)
                        .and_then(|e| e.value.as_deref())
                        .is_some_and(|x| x.contains([' ', '\t', '\n']));
                if spaced {
                    out.at(
                        s.w.doc,
                        Rule::MdOptionSpace,
                        s.env_path(index),
                        format!(
                            "`-D{name}` takes `$({var_name})`, whose value holds a space: the server splits {var} on spaces after Kubernetes expands it; remove the space"
                        ),
                    );
                }
            }
        }
    }
}

/// One `host:port` of `-DClusterMembers` or `-DClusterMemberListen`, taken apart.
struct Member<'a> {
    text: &'a str,
    pod: &'a str,
    service: Option<&'a str>,
    namespace: Option<&'a str>,
    svc: Option<&'a str>,
    domain: Option<&'a str>,
    port: Option<&'a str>,
}

fn parse_member(text: &str) -> Member<'_> {
    let (host, port) = match text.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (text, None),
    };
    let mut labels = host.splitn(5, '.');
    Member {
        text,
        pod: labels.next().unwrap_or_default(),
        service: labels.next(),
        namespace: labels.next(),
        svc: labels.next(),
        domain: labels.next(),
        port,
    }
}

/// The ordinal of `pod` if it is `<sts>-<i>`.
fn ordinal(pod: &str, sts: &str) -> Option<usize> {
    let (prefix, n) = pod.rsplit_once('-')?;
    if prefix != sts || n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

/// A problem some entries share: how many, and the first one.
#[derive(Default)]
struct Tally<'a> {
    count: usize,
    first: Option<(usize, &'a str, String)>,
}

impl<'a> Tally<'a> {
    fn add(&mut self, index: usize, text: &'a str, what: impl FnOnce() -> String) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some((index, text, what()));
        }
    }
}

fn members(m: &SetIndex<'_>, s: &Server<'_>, out: &mut Out<'_>) {
    let Some(list) = s.get(CLUSTER_MEMBERS) else {
        return;
    };
    let w = s.w;
    let path = s.env_path(s.extra);
    if w.kind != "StatefulSet" {
        out.at(
            w.doc,
            Rule::MdMembersDns,
            path,
            format!(
                "-DClusterMembers on a {}: its pods have generated names no entry can name; run a native cluster as a StatefulSet",
                w.kind
            ),
        );
        return;
    }
    let entries: Vec<Member<'_>> = list
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(parse_member)
        .collect();
    let service = w.service_name.unwrap_or_default();
    let form = member_form(w, service);
    members_dns(s, &entries, service, &form, &path, out);
    if let Some(listen) = s.get(CLUSTER_MEMBER_LISTEN) {
        let first_domain = entries.first().and_then(|e| e.domain);
        let first_port = entries.first().and_then(|e| e.port);
        member_listen(s, listen, service, first_domain, first_port, &form, out);
    }
    members_order(w, &entries, &path, out);
    members_cover(m, w, entries.len(), &path, out);
}

/// What every member entry of StatefulSet `w` (its Service `service`) must look like.
fn member_form(w: &PodTemplate<'_>, service: &str) -> String {
    format!(
        "`{}-<i>.{}.{}.svc.<domain>:<port>`",
        w.name,
        if service.is_empty() {
            "<serviceName>"
        } else {
            service
        },
        w.namespace.unwrap_or("<namespace>")
    )
}

/// md-members-dns: each entry names a pod of this StatefulSet through its Service. Each kind
/// of problem is reported once, at its first entry, with how many entries share it.
fn members_dns(
    s: &Server<'_>,
    entries: &[Member<'_>],
    service: &str,
    form: &str,
    path: &FieldPath,
    out: &mut Out<'_>,
) {
    let total = entries.len();
    for t in dns_problems(s, entries, service) {
        let Some((k, text, what)) = t.first else {
            continue;
        };
        let more = match t.count {
            1 => String::new(),
            n => format!(" ({n} of {total} entries)"),
        };
        out.at(
            s.w.doc,
            Rule::MdMembersDns,
            path,
            format!("-DClusterMembers entry {k} `{text}` {what}{more}: every entry must be {form}"),
        );
    }
}

/// The entries' problems, by kind: pod, Service, namespace, shape, port, cluster domain.
fn dns_problems<'e>(s: &Server<'_>, entries: &[Member<'e>], service: &str) -> [Tally<'e>; 6] {
    let w = s.w;
    let ns = w.namespace;
    let declared = |port: &str| {
        port.parse::<i32>()
            .is_ok_and(|p| s.c.ports.iter().flatten().any(|cp| cp.container_port == p))
    };
    let mut pods = Tally::default();
    let mut services = Tally::default();
    let mut namespaces = Tally::default();
    let mut shape = Tally::default();
    let mut ports = Tally::default();
    let mut domains = Tally::default();
    let first_domain = entries.first().and_then(|e| e.domain);
    for (k, e) in entries.iter().enumerate() {
        if ordinal(e.pod, w.name).is_none() {
            pods.add(k, e.text, || {
                format!("names pod `{}`, not one of StatefulSet `{}`", e.pod, w.name)
            });
        }
        if e.service != Some(service) {
            services.add(k, e.text, || {
                format!(
                    "goes through Service `{}`, but the StatefulSet's serviceName is `{service}`",
                    e.service.unwrap_or_default()
                )
            });
        }
        if let (Some(n), Some(ns)) = (e.namespace, ns)
            && n != ns
        {
            namespaces.add(k, e.text, || {
                format!("names namespace `{n}`, but the StatefulSet is in `{ns}`")
            });
        }
        if e.svc.is_some_and(|x| x != "svc")
            || (e.svc.is_some() && e.domain.is_none_or(str::is_empty))
        {
            shape.add(k, e.text, || {
                "is not `<pod>.<service>.<namespace>.svc.<domain>`".to_string()
            });
        }
        match e.port {
            Some(p) if declared(p) => {}
            Some(p) => ports.add(k, e.text, || {
                format!(
                    "uses port `{p}`, which container `{}` does not declare",
                    s.c.name
                )
            }),
            None => ports.add(k, e.text, || "has no `:<port>`".to_string()),
        }
        if e.domain != first_domain {
            domains.add(k, e.text, || {
                format!(
                    "uses cluster domain `{}`, entry 0 `{}`",
                    e.domain.unwrap_or_default(),
                    first_domain.unwrap_or_default()
                )
            });
        }
    }
    [pods, services, namespaces, shape, ports, domains]
}

/// md-members-order: entry i is pod `<sts>-i`.
fn members_order(w: &PodTemplate<'_>, entries: &[Member<'_>], path: &FieldPath, out: &mut Out<'_>) {
    let bad = entries
        .iter()
        .enumerate()
        .find(|(k, e)| ordinal(e.pod, w.name).is_some_and(|o| o != *k));
    if let Some((k, e)) = bad {
        out.at(
            w.doc,
            Rule::MdMembersOrder,
            path,
            format!(
                "-DClusterMembers entry {k} is `{}`, where `{sts}-{k}` belongs: the server identifies members by position; list `{sts}-0` to `{sts}-{}` in order, each once",
                e.text,
                entries.len().saturating_sub(1),
                sts = w.name
            ),
        );
    }
}

/// md-members-cover-replicas: the list of `total` members covers every pod the StatefulSet
/// can have (`spec.replicas`, and each HorizontalPodAutoscaler's maximum).
fn members_cover(
    m: &SetIndex<'_>,
    w: &PodTemplate<'_>,
    total: usize,
    path: &FieldPath,
    out: &mut Out<'_>,
) {
    let hpas = hpas(m, w);
    let replicas = w.replicas.or(if hpas.is_empty() { Some(1) } else { None });
    if let Some(r) = replicas
        && usize::try_from(r).is_ok_and(|r| r > total)
    {
        out.at(
            w.doc,
            Rule::MdMembersCoverReplicas,
            path,
            format!(
                "-DClusterMembers lists {total} members but spec.replicas is {r}: pods `{}-{total}` and up cannot join the cluster; list every member",
                w.name
            ),
        );
    }
    for h in &hpas {
        let (hpa, max) = (h.name, h.max);
        if usize::try_from(max).is_ok_and(|x| x > total) {
            out.at(
                w.doc,
                Rule::MdMembersCoverReplicas,
                path,
                format!(
                    "-DClusterMembers lists {total} members but HorizontalPodAutoscaler `{hpa}` scales up to {max}: pods `{}-{total}` and up cannot join the cluster; list {max} members",
                    w.name
                ),
            );
        }
    }
}

/// The rules a native cluster's StatefulSet is held to from `-DClusterSeedMemberCount` and
/// the StatefulSet alone, so that they also run where `-DClusterMembers` is built by a
/// script at run time (the vendor's own manifests): its headless Service, and the PDB
/// against the seeds. A script-built member list is reported once as unchecked.
fn native(m: &SetIndex<'_>, s: &Server<'_>, out: &mut Out<'_>) {
    let listed = s.get(CLUSTER_MEMBERS).is_some();
    let script = if listed { None } else { scripted(s) };
    let native = listed || script.is_some() || s.get(CLUSTER_SEED_MEMBER_COUNT).is_some();
    if !native || s.w.kind != "StatefulSet" {
        return;
    }
    if let Some(path) = script {
        out.at_severity(
            s.w.doc,
            Rule::MdMembersDns,
            crate::diag::Severity::Info,
            path,
            format!(
                "-DClusterMembers is built at run time by the container's script, so it cannot be checked (md-members-dns, md-members-order, md-members-cover-replicas): list the members in {EXTRA} (gen renders them) to have them checked"
            ),
        );
    }
    headless(m, s, out);
    seeds(m, s, out);
}

/// The path of the container's `command` or `args` entry that builds `-DClusterMembers`.
fn scripted(s: &Server<'_>) -> Option<FieldPath> {
    let lists = [("command", &s.c.command), ("args", &s.c.args)];
    let assigned = format!("{CLUSTER_MEMBERS}=");
    lists.into_iter().find_map(|(field, list)| {
        let i = list.iter().flatten().position(|w| w.contains(&assigned))?;
        Some(s.at.path().key(field).index(i))
    })
}

/// md-pdb-seeds: a drain keeps at least the seed members up.
fn seeds(m: &SetIndex<'_>, s: &Server<'_>, out: &mut Out<'_>) {
    let w = s.w;
    let Some(seeds) = s
        .get(CLUSTER_SEED_MEMBER_COUNT)
        .and_then(|v| v.parse::<i64>().ok())
    else {
        return;
    };
    let lowest = fewest(m, w).0;
    for &i in m.pdbs_of(s.index) {
        let Object::PodDisruptionBudget(pdb) = &m.docs[i].object else {
            continue;
        };
        let Some(spec) = &pdb.spec else { continue };
        let show = |v: &IntOrString| match v {
            IntOrString::Int(n) => n.to_string(),
            IntOrString::String(p) => {
                format!("{p} ({} of {lowest} pods)", scaled(v, lowest).unwrap_or(0))
            }
        };
        if let Some(min) = &spec.min_available
            && let Some(n) = scaled(min, lowest)
            && n < seeds
        {
            out.at(
                i,
                Rule::MdPdbSeeds,
                ["spec", "minAvailable"],
                format!(
                    "keeps {} pods of StatefulSet `{}` available, but -DClusterSeedMemberCount is {seeds}: a drain can leave fewer than the seed members; set minAvailable to at least {seeds}",
                    show(min),
                    w.name
                ),
            );
        }
        if let Some(max) = &spec.max_unavailable
            && let Some(n) = scaled(max, lowest)
            && lowest - n < seeds
        {
            out.at(
                i,
                Rule::MdPdbSeeds,
                ["spec", "maxUnavailable"],
                format!(
                    "lets a drain take {} of {lowest} pods of StatefulSet `{}`, leaving fewer than -DClusterSeedMemberCount ({seeds}); use minAvailable: {seeds}",
                    show(max),
                    w.name
                ),
            );
        }
    }
}

fn member_listen(
    s: &Server<'_>,
    listen: &str,
    service: &str,
    domain: Option<&str>,
    port: Option<&str>,
    form: &str,
    out: &mut Out<'_>,
) {
    let w = s.w;
    let e = parse_member(listen);
    let path = s.env_path(s.extra);
    let mut flag = |what: String| {
        out.at(
            w.doc,
            Rule::MdMembersDns,
            &path,
            format!("-DClusterMemberListen `{listen}` {what}"),
        );
    };
    match e.pod.strip_prefix("$(").and_then(|p| p.strip_suffix(')')) {
        Some(var) => {
            let from_name =
                s.c.env
                    .iter()
                    .flatten()
                    .take(s.extra)
                    .find(|v| v.name == var)
                    .and_then(|v| v.value_from.as_ref()?.field_ref.as_ref())
                    .is_some_and(|f| f.field_path == "metadata.name");
            if !from_name {
                flag(format!(
                    "needs `{var}` defined before {EXTRA} in env, from `fieldRef: {{fieldPath: metadata.name}}`: Kubernetes expands `$({var})` only then"
                ));
            }
        }
        None => flag(format!(
            "names the fixed pod `{}`: every member would claim it; use `$(POD_NAME)` with POD_NAME from fieldRef metadata.name",
            e.pod
        )),
    }
    if e.service != Some(service) {
        flag(format!(
            "goes through Service `{}`, but the StatefulSet's serviceName is `{service}`; the form is {form}",
            e.service.unwrap_or_default()
        ));
    }
    if let (Some(n), Some(ns)) = (e.namespace, w.namespace)
        && n != ns
    {
        flag(format!(
            "names namespace `{n}`, but the StatefulSet is in `{ns}`; the form is {form}"
        ));
    }
    if domain.is_some() && e.domain != domain {
        flag(format!(
            "uses cluster domain `{}`, the members `{}`",
            e.domain.unwrap_or_default(),
            domain.unwrap_or_default()
        ));
    }
    if port.is_some() && e.port != port {
        flag(format!(
            "listens on port `{}`, but the members are listed on `{}`",
            e.port.unwrap_or_default(),
            port.unwrap_or_default()
        ));
    }
}

fn headless(m: &SetIndex<'_>, s: &Server<'_>, out: &mut Out<'_>) {
    let w = s.w;
    let Some(name) = w.service_name.filter(|n| !n.is_empty()) else {
        out.at(
            w.doc,
            Rule::MdHeadlessService,
            ["spec"],
            "has no serviceName: members resolve each other through the StatefulSet's headless Service; name it in `spec.serviceName`".to_string(),
        );
        return;
    };
    let Some(svc) = m.find("Service", w.namespace, name) else {
        out.at(
            w.doc,
            Rule::MdHeadlessService,
            ["spec", "serviceName"],
            format!("Service `{name}` is not in the set: members resolve each other through it; add the headless Service"),
        );
        return;
    };
    let Object::Service(service) = &m.docs[svc].object else {
        return;
    };
    let spec = service.spec.as_ref();
    if spec.and_then(|s| s.cluster_ip.as_deref()) != Some("None") {
        out.at(
            svc,
            Rule::MdHeadlessService,
            ["spec", "clusterIP"],
            format!("must be `None`: StatefulSet `{}` names its members through this Service, which needs to be headless", w.name),
        );
    }
    if spec.and_then(|s| s.publish_not_ready_addresses) != Some(true) {
        out.at(
            svc,
            Rule::MdHeadlessService,
            ["spec", "publishNotReadyAddresses"],
            format!("must be true: members of StatefulSet `{}` resolve each other before they are ready, that is how they form the cluster", w.name),
        );
    }
    let selects = spec
        .and_then(|s| s.selector.as_ref())
        .is_some_and(|sel| !sel.is_empty() && w.labels.has_all(sel));
    if !selects {
        out.at(
            svc,
            Rule::MdHeadlessService,
            ["spec", "selector"],
            format!(
                "must select the pods of StatefulSet `{}`: their DNS names come from its endpoints",
                w.name
            ),
        );
    }
}

/// md-kafka-jaas: with the Kafka engine and a `SASL_*` protocol, the JAAS file the Kafka client
/// reads is a key of a Secret mounted into the container.
fn jaas(m: &SetIndex<'_>, s: &Server<'_>, out: &mut Out<'_>) {
    if !s
        .get(CLUSTER_ENGINE)
        .is_some_and(|e| e.eq_ignore_ascii_case("kafka"))
    {
        return;
    }
    let opt = |name| last(&s.kopts, name).or_else(|| s.get(name));
    let Some(protocol) = opt(SECURITY_PROTOCOL) else {
        return;
    };
    if !protocol.to_ascii_uppercase().starts_with("SASL_") || opt(SASL_JAAS_CONFIG).is_some() {
        return;
    }
    let path = s.env_path(s.kafka.unwrap_or(s.extra));
    let w = s.w;
    let mut flag = |message: String| out.at(w.doc, Rule::MdKafkaJaas, &path, message);
    let Some(file) = opt(JAAS_CONFIG).filter(|f| !f.is_empty()) else {
        flag(format!(
            "security.protocol {protocol} needs -Djava.security.auth.login.config=<path of the JAAS file, mounted from a Secret>"
        ));
        return;
    };
    let Some((rel, mount)) = jaas_mount(s.c, file) else {
        flag(format!(
            "the JAAS file `{file}` is on no volumeMount of container `{}`: mount the Secret holding it there",
            s.c.name
        ));
        return;
    };
    let Some(volume) = s
        .spec
        .volumes
        .iter()
        .flatten()
        .find(|v| v.name == mount.name)
    else {
        flag(format!(
            "the JAAS file `{file}` is on volumeMount `{}`, which names no volume of the pod",
            mount.name
        ));
        return;
    };
    let (secret, key) = match jaas_secret(m, w, volume, rel) {
        Ok(target) => target,
        Err(reason) => {
            flag(format!("the JAAS file `{file}` does not resolve: {reason}"));
            return;
        }
    };
    if let Some(d) = m.find("Secret", w.namespace, secret)
        && has_key(&m.docs[d].object, key) == Some(false)
    {
        flag(format!(
            "the JAAS file `{file}` is key `{key}` of Secret `{secret}`, which has no such key ({}): add it or fix the volume's items",
            super::refs::keys(&m.docs[d].object)
        ));
    }
}

/// The mount whose path is the longest prefix of `file` (or is the file, with subPath), and
/// the file's path inside the volume.
fn jaas_mount<'a>(c: &'a Container, file: &'a str) -> Option<(&'a str, &'a VolumeMount)> {
    let mut best: Option<(usize, &str, &VolumeMount)> = None;
    for mount in c.volume_mounts.iter().flatten() {
        let mp = mount.mount_path.trim_end_matches('/');
        let rel = match mount.sub_path.as_deref().filter(|p| !p.is_empty()) {
            Some(sub) => (file == mp).then_some(sub),
            None => file.strip_prefix(mp).and_then(|r| r.strip_prefix('/')),
        };
        if let Some(rel) = rel.filter(|r| !r.is_empty())
            && best.is_none_or(|b| mp.len() > b.0)
        {
            best = Some((mp.len(), rel, mount));
        }
    }
    best.map(|(_, rel, mount)| (rel, mount))
}

/// The (Secret name, key) that the file at `rel` in `volume` is, or why it is none.
fn jaas_secret<'a>(
    m: &SetIndex<'_>,
    w: &PodTemplate<'_>,
    volume: &'a Volume,
    rel: &'a str,
) -> Result<(&'a str, &'a str), String> {
    if let Some(secret) = &volume.secret {
        let name = secret.secret_name.as_deref().unwrap_or_default();
        match secret.items.as_deref().filter(|i| !i.is_empty()) {
            Some(items) => match items
                .iter()
                .find(|i| i.path.trim_start_matches("./") == rel)
            {
                Some(item) => Ok((name, &item.key)),
                None => Err(format!(
                    "Secret volume `{}` maps no item to `{rel}`: add `{{key: <key>, path: {rel}}}` to its items",
                    volume.name
                )),
            },
            None if !rel.contains('/') => Ok((name, rel)),
            None => Err(format!(
                "`{rel}` is no key of Secret volume `{}`",
                volume.name
            )),
        }
    } else if let Some(projected) = &volume.projected {
        projected_secret(m, w, projected, rel).ok_or_else(|| {
            format!(
                "no Secret of projected volume `{}` provides `{rel}`",
                volume.name
            )
        })
    } else {
        Err(format!(
            "volume `{}` is not a Secret: the JAAS file holds credentials; mount it from a Secret",
            volume.name
        ))
    }
}

/// The (Secret name, key) of a projected volume's sources that provides `rel`: the last such
/// Secret of the set that has the key, else the first that provides it.
fn projected_secret<'a>(
    m: &SetIndex<'_>,
    w: &PodTemplate<'_>,
    projected: &'a ProjectedVolumeSource,
    rel: &'a str,
) -> Option<(&'a str, &'a str)> {
    let mut target = None;
    for src in projected.sources.iter().flatten() {
        let Some(secret) = &src.secret else { continue };
        let key = match secret.items.as_deref().filter(|i| !i.is_empty()) {
            Some(items) => items.iter().find(|i| i.path == rel).map(|i| i.key.as_str()),
            None => (!rel.contains('/')).then_some(rel),
        };
        if let Some(key) = key {
            let present = m
                .find("Secret", w.namespace, &secret.name)
                .map(|d| has_key(&m.docs[d].object, key));
            if target.is_none() || present == Some(Some(true)) {
                target = Some((secret.name.as_str(), key));
            }
        }
    }
    target
}
