//! Security: the Pod Security Standards where Pod Security Admission would apply them, and no
//! fixed uid/fsGroup where OpenShift's restricted-v2 SCC assigns them.
//!
//! The level comes from the `pod-security.kubernetes.io/{enforce,warn,audit}` labels of the
//! pod's Namespace in the set (`enforce` refuses the pod: an error; `warn` and `audit` admit
//! it: a warning), or, when the Namespace is not in the set, from `--pss` (as `enforce`).
//! Without either there is nothing to mirror, and no finding. A check of the baseline
//! standard is reported as `pss-baseline`, one only the restricted standard adds as
//! `pss-restricted`.

use k8s_openapi::api::core::v1::{PodSpec, SecurityContext, Volume};

use super::index::{PodTemplate, SetIndex};
use super::{Out, PssLevel};
use crate::diag::Severity;
use crate::path::FieldPath;
use crate::rules::Rule;

use PssLevel::{Baseline, Restricted};

const LABEL: &str = "pod-security.kubernetes.io/";

/// Capabilities the baseline standard lets a container add.
const BASELINE_CAPS: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// What Pod Security Admission does in one namespace: the level it enforces, and the level
/// it warns and audits at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Policy {
    enforce: Option<PssLevel>,
    warn: Option<PssLevel>,
}

impl Policy {
    /// The severity of breaking a check of `level`, if the namespace acts on it.
    fn severity(self, level: PssLevel) -> Option<Severity> {
        if self.enforce.is_some_and(|l| l >= level) {
            Some(Severity::Error)
        } else if self.warn.is_some_and(|l| l >= level) {
            Some(Severity::Warning)
        } else {
            None
        }
    }
}

/// The policy of the namespace `ns` (for an object without one: the set's only Namespace):
/// its labels, or `assumed` as enforced when the Namespace is not in the set.
fn policy(
    m: &SetIndex<'_>,
    namespaces: &[usize],
    ns: Option<&str>,
    assumed: Option<PssLevel>,
) -> Policy {
    let found = match ns {
        Some(ns) => namespaces.iter().copied().find(|&i| m.docs[i].name() == ns),
        None if namespaces.len() == 1 => namespaces.first().copied(),
        None => None,
    };
    let Some(i) = found else {
        return Policy {
            enforce: assumed,
            warn: None,
        };
    };
    let label = |mode: &str| {
        m.docs[i]
            .value
            .get("metadata")
            .and_then(|md| md.get("labels"))
            .and_then(|l| l.get(format!("{LABEL}{mode}")))
            .and_then(|v| v.as_str())
            .and_then(PssLevel::parse)
    };
    Policy {
        enforce: label("enforce"),
        warn: label("warn").max(label("audit")),
    }
}

fn rule(level: PssLevel) -> Rule {
    match level {
        Restricted => Rule::PssRestricted,
        _ => Rule::PssBaseline,
    }
}

/// Sysctls the baseline (and so restricted) standard allows.
const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

const SELINUX_TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

pub(crate) fn check(m: &SetIndex<'_>, out: &mut Out<'_>) {
    let namespaces: Vec<usize> = m
        .docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind() == "Namespace" && d.group().is_empty())
        .map(|(i, _)| i)
        .collect();
    for w in &m.workloads {
        let Some(spec) = w.spec else { continue };
        let p = policy(m, &namespaces, w.namespace, m.assumed_pss);
        if p.severity(Baseline).is_some() {
            standards(w, spec, p, out);
        }
        if m.openshift {
            openshift(w, spec, out);
        }
    }
}

/// A check broken at a level: (level, path, message).
type Flag<'f> = &'f mut dyn FnMut(PssLevel, FieldPath, String);

fn standards(w: &PodTemplate<'_>, spec: &PodSpec, policy: Policy, out: &mut Out<'_>) {
    let mut flag = |level: PssLevel, path: FieldPath, message: String| {
        if let Some(severity) = policy.severity(level) {
            out.at_severity(w.doc, rule(level), severity, path, message);
        }
    };
    pod_level(&w.spec_path(), spec, &mut flag);
    let pod = spec.security_context.as_ref();
    let pod_non_root = pod.and_then(|p| p.run_as_non_root);
    let pod_seccomp = pod
        .and_then(|p| p.seccomp_profile.as_ref())
        .map(|s| s.type_.as_str());
    let pod_seccomp_ok = matches!(pod_seccomp, Some("RuntimeDefault" | "Localhost"));
    for (at, c) in w.containers() {
        let at = at.path();
        for (i, p) in c.ports.iter().flatten().enumerate() {
            if p.host_port.is_some_and(|h| h != 0) {
                flag(
                    Baseline,
                    at.key("ports").index(i).key("hostPort"),
                    "hostPort is not allowed: expose the port through a Service".to_string(),
                );
            }
        }
        let Some(sc) = c.security_context.as_ref() else {
            let mut needs = vec![
                "allowPrivilegeEscalation: false",
                "capabilities.drop: [ALL]",
            ];
            if pod_non_root != Some(true) {
                needs.push("runAsNonRoot: true");
            }
            if !pod_seccomp_ok {
                needs.push("seccompProfile.type: RuntimeDefault");
            }
            flag(
                Restricted,
                at.key("securityContext"),
                format!(
                    "container `{}` has no securityContext; the restricted standard needs {}",
                    c.name,
                    needs.join(", ")
                ),
            );
            continue;
        };
        container_baseline(&at, sc, &mut flag);
        container_restricted(&at, sc, pod_non_root, pod_seccomp_ok, &mut flag);
    }
}

/// The pod's own fields: host namespaces, volumes, the pod securityContext.
fn pod_level(base: &FieldPath, spec: &PodSpec, flag: Flag<'_>) {
    for (field, on) in [
        ("hostNetwork", spec.host_network),
        ("hostPID", spec.host_pid),
        ("hostIPC", spec.host_ipc),
    ] {
        if on == Some(true) {
            flag(
                Baseline,
                base.key(field),
                format!(
                    "`{field}: true` shares the node's namespace; the baseline standard needs it unset or false"
                ),
            );
        }
    }
    for (i, v) in spec.volumes.iter().flatten().enumerate() {
        if let Some(kind) = forbidden_volume(v) {
            let level = if kind == "hostPath" {
                Baseline
            } else {
                Restricted
            };
            flag(
                level,
                base.key("volumes").index(i).key(kind),
                format!(
                    "`{kind}` volumes are not allowed; restricted allows configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret"
                ),
            );
        }
    }
    let Some(p) = spec.security_context.as_ref() else {
        return;
    };
    let at = base.key("securityContext");
    if p.run_as_non_root == Some(false) {
        flag(
            Restricted,
            at.key("runAsNonRoot"),
            "must be true: restricted pods run as a non-root user".to_string(),
        );
    }
    if p.run_as_user == Some(0) {
        flag(
            Restricted,
            at.key("runAsUser"),
            "0 is root; restricted pods run as a non-zero uid".to_string(),
        );
    }
    if let Some(t) = p.seccomp_profile.as_ref().map(|s| s.type_.as_str()) {
        seccomp(&at, t, flag);
    }
    if let Some(a) = &p.app_armor_profile
        && a.type_ == "Unconfined"
    {
        flag(
            Baseline,
            at.keys(&["appArmorProfile", "type"]),
            "Unconfined is not allowed: use RuntimeDefault or Localhost, or leave it unset"
                .to_string(),
        );
    }
    if let Some(se) = &p.se_linux_options {
        selinux(se, &at, flag);
    }
    for (i, s) in p.sysctls.iter().flatten().enumerate() {
        if !SAFE_SYSCTLS.contains(&s.name.as_str()) {
            flag(
                Baseline,
                at.key("sysctls").index(i).key("name"),
                format!(
                    "sysctl `{}` is not in the safe set the baseline standard allows",
                    s.name
                ),
            );
        }
    }
    if p.windows_options.as_ref().and_then(|o| o.host_process) == Some(true) {
        flag(
            Baseline,
            at.keys(&["windowsOptions", "hostProcess"]),
            "Windows host processes are not allowed".to_string(),
        );
    }
}

/// A set seccomp type: Unconfined breaks baseline; anything but RuntimeDefault or Localhost
/// breaks restricted.
fn seccomp(at: &FieldPath, t: &str, flag: Flag<'_>) {
    if !matches!(t, "RuntimeDefault" | "Localhost") {
        let level = if t == "Unconfined" {
            Baseline
        } else {
            Restricted
        };
        flag(
            level,
            at.keys(&["seccompProfile", "type"]),
            format!("`{t}` is not allowed: use RuntimeDefault (or Localhost)"),
        );
    }
}

/// A container's securityContext against the baseline standard.
fn container_baseline(at: &FieldPath, s: &SecurityContext, flag: Flag<'_>) {
    let at = at.key("securityContext");
    if s.privileged == Some(true) {
        flag(
            Baseline,
            at.key("privileged"),
            "privileged containers are not allowed".to_string(),
        );
    }
    let added = s.capabilities.as_ref().and_then(|c| c.add.as_ref());
    for (i, cap) in added.into_iter().flatten().enumerate() {
        if !BASELINE_CAPS.contains(&cap.as_str()) {
            flag(
                Baseline,
                at.keys(&["capabilities", "add"]).index(i),
                format!(
                    "`{cap}` may not be added; the baseline standard allows only its default set"
                ),
            );
        } else if cap != "NET_BIND_SERVICE" {
            flag(
                Restricted,
                at.keys(&["capabilities", "add"]).index(i),
                format!("`{cap}` may not be added; restricted allows only NET_BIND_SERVICE"),
            );
        }
    }
    if s.app_armor_profile
        .as_ref()
        .is_some_and(|a| a.type_ == "Unconfined")
    {
        flag(
            Baseline,
            at.keys(&["appArmorProfile", "type"]),
            "Unconfined is not allowed: use RuntimeDefault or Localhost, or leave it unset"
                .to_string(),
        );
    }
    if s.proc_mount.as_deref().is_some_and(|p| p != "Default") {
        flag(
            Baseline,
            at.key("procMount"),
            "must be Default (or unset)".to_string(),
        );
    }
    if let Some(se) = &s.se_linux_options {
        selinux(se, &at, flag);
    }
    if s.windows_options.as_ref().and_then(|o| o.host_process) == Some(true) {
        flag(
            Baseline,
            at.keys(&["windowsOptions", "hostProcess"]),
            "Windows host processes are not allowed".to_string(),
        );
    }
}

/// A container's securityContext against what the restricted standard adds.
fn container_restricted(
    at: &FieldPath,
    s: &SecurityContext,
    pod_non_root: Option<bool>,
    pod_seccomp_ok: bool,
    flag: Flag<'_>,
) {
    let at = at.key("securityContext");
    if s.allow_privilege_escalation != Some(false) {
        flag(
            Restricted,
            at.key("allowPrivilegeEscalation"),
            "must be false: restricted containers cannot gain privileges (setuid binaries)"
                .to_string(),
        );
    }
    match s.run_as_non_root {
        Some(false) => flag(
            Restricted,
            at.key("runAsNonRoot"),
            "must be true (or unset with the pod's true): restricted containers run as non-root"
                .to_string(),
        ),
        None if pod_non_root != Some(true) => flag(
            Restricted,
            at.key("runAsNonRoot"),
            "must be true here or in the pod's securityContext: restricted pods run as non-root"
                .to_string(),
        ),
        _ => {}
    }
    if s.run_as_user == Some(0) {
        flag(
            Restricted,
            at.key("runAsUser"),
            "0 is root; restricted containers run as a non-zero uid".to_string(),
        );
    }
    let caps = s.capabilities.as_ref();
    if !caps
        .and_then(|c| c.drop.as_ref())
        .is_some_and(|d| d.iter().any(|x| x == "ALL"))
    {
        flag(
            Restricted,
            at.keys(&["capabilities", "drop"]),
            "must include ALL: restricted containers drop every capability".to_string(),
        );
    }
    match s.seccomp_profile.as_ref().map(|s| s.type_.as_str()) {
        Some(t) => seccomp(&at, t, flag),
        None if !pod_seccomp_ok => flag(
            Restricted,
            at.key("seccompProfile"),
            "needs type RuntimeDefault (or Localhost) here or in the pod's securityContext"
                .to_string(),
        ),
        None => {}
    }
}

fn selinux(se: &k8s_openapi::api::core::v1::SELinuxOptions, at: &FieldPath, flag: Flag<'_>) {
    if let Some(t) = &se.type_
        && !SELINUX_TYPES.contains(&t.as_str())
    {
        flag(
            Baseline,
            at.keys(&["seLinuxOptions", "type"]),
            format!(
                "SELinux type `{t}` is not allowed: use container_t, container_init_t, container_kvm_t or container_engine_t"
            ),
        );
    }
    for (field, v) in [("user", &se.user), ("role", &se.role)] {
        if v.as_deref().is_some_and(|v| !v.is_empty()) {
            flag(
                Baseline,
                at.keys(&["seLinuxOptions", field]),
                format!("a custom SELinux {field} is not allowed"),
            );
        }
    }
}

/// The field of a volume type restricted pods may not use.
fn forbidden_volume(v: &Volume) -> Option<&'static str> {
    let types = [
        ("hostPath", v.host_path.is_some()),
        ("awsElasticBlockStore", v.aws_elastic_block_store.is_some()),
        ("azureDisk", v.azure_disk.is_some()),
        ("azureFile", v.azure_file.is_some()),
        ("cephfs", v.cephfs.is_some()),
        ("cinder", v.cinder.is_some()),
        ("fc", v.fc.is_some()),
        ("flexVolume", v.flex_volume.is_some()),
        ("flocker", v.flocker.is_some()),
        ("gcePersistentDisk", v.gce_persistent_disk.is_some()),
        ("gitRepo", v.git_repo.is_some()),
        ("glusterfs", v.glusterfs.is_some()),
        ("iscsi", v.iscsi.is_some()),
        ("nfs", v.nfs.is_some()),
        ("photonPersistentDisk", v.photon_persistent_disk.is_some()),
        ("portworxVolume", v.portworx_volume.is_some()),
        ("quobyte", v.quobyte.is_some()),
        ("rbd", v.rbd.is_some()),
        ("scaleIO", v.scale_io.is_some()),
        ("storageos", v.storageos.is_some()),
        ("vsphereVolume", v.vsphere_volume.is_some()),
    ];
    types.iter().find(|t| t.1).map(|t| t.0)
}

fn openshift(w: &PodTemplate<'_>, spec: &PodSpec, out: &mut Out<'_>) {
    let base = w.spec_path();
    let why = "OpenShift's restricted-v2 SCC assigns it from the namespace's range and refuses pods that fix another; remove it";
    if let Some(p) = &spec.security_context {
        for (field, v) in [("runAsUser", p.run_as_user), ("fsGroup", p.fs_group)] {
            if let Some(id) = v {
                out.at(
                    w.doc,
                    Rule::OpenshiftFixedIds,
                    base.keys(&["securityContext", field]),
                    format!("fixes {field} {id}: {why}"),
                );
            }
        }
    }
    for (at, c) in w.containers() {
        if let Some(id) = c.security_context.as_ref().and_then(|s| s.run_as_user) {
            out.at(
                w.doc,
                Rule::OpenshiftFixedIds,
                at.path().keys(&["securityContext", "runAsUser"]),
                format!("fixes runAsUser {id}: {why}"),
            );
        }
    }
}
