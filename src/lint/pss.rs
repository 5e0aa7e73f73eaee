//! Security: the Pod Security Standard "restricted" on every pod template, and no fixed
//! uid/fsGroup where OpenShift's restricted-v2 SCC assigns them.

use k8s_openapi::api::core::v1::{PodSpec, SecurityContext, Volume};

use super::Out;
use super::model::{Model, Workload};

const RULE: &str = "pss-restricted";
const OPENSHIFT: &str = "openshift-fixed-ids";

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

pub(crate) fn check(m: &Model<'_>, out: &mut Out<'_>) {
    for w in &m.workloads {
        let Some(spec) = w.spec else { continue };
        restricted(w, spec, out);
        if m.openshift {
            openshift(w, spec, out);
        }
    }
}

fn restricted(w: &Workload<'_>, spec: &PodSpec, out: &mut Out<'_>) {
    let base = w.base;
    let mut flag = |path: String, message: String| out.at(w.doc, RULE, &path, message);
    for (field, on) in [
        ("hostNetwork", spec.host_network),
        ("hostPID", spec.host_pid),
        ("hostIPC", spec.host_ipc),
    ] {
        if on == Some(true) {
            flag(
                format!("{base}.{field}"),
                format!(
                    "`{field}: true` shares the node's namespace; restricted pods must leave it unset or false"
                ),
            );
        }
    }
    for (i, v) in spec.volumes.iter().flatten().enumerate() {
        if let Some(kind) = forbidden_volume(v) {
            flag(
                format!("{base}.volumes[{i}].{kind}"),
                format!(
                    "`{kind}` volumes are not allowed; restricted allows configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret"
                ),
            );
        }
    }
    let pod = spec.security_context.as_ref();
    let pod_non_root = pod.and_then(|p| p.run_as_non_root);
    let pod_seccomp = pod
        .and_then(|p| p.seccomp_profile.as_ref())
        .map(|s| s.type_.as_str());
    if let Some(p) = pod {
        if pod_non_root == Some(false) {
            flag(
                format!("{base}.securityContext.runAsNonRoot"),
                "must be true: restricted pods run as a non-root user".to_string(),
            );
        }
        if p.run_as_user == Some(0) {
            flag(
                format!("{base}.securityContext.runAsUser"),
                "0 is root; restricted pods run as a non-zero uid".to_string(),
            );
        }
        if let Some(t) = pod_seccomp
            && !matches!(t, "RuntimeDefault" | "Localhost")
        {
            flag(
                format!("{base}.securityContext.seccompProfile.type"),
                format!("`{t}` is not allowed: use RuntimeDefault (or Localhost)"),
            );
        }
        if let Some(a) = &p.app_armor_profile
            && a.type_ == "Unconfined"
        {
            flag(
                format!("{base}.securityContext.appArmorProfile.type"),
                "Unconfined is not allowed: use RuntimeDefault or Localhost, or leave it unset"
                    .to_string(),
            );
        }
        if let Some(se) = &p.se_linux_options {
            selinux(se, &format!("{base}.securityContext"), &mut flag);
        }
        for (i, s) in p.sysctls.iter().flatten().enumerate() {
            if !SAFE_SYSCTLS.contains(&s.name.as_str()) {
                flag(
                    format!("{base}.securityContext.sysctls[{i}].name"),
                    format!(
                        "sysctl `{}` is not in the safe set the baseline standard allows",
                        s.name
                    ),
                );
            }
        }
        if p.windows_options.as_ref().and_then(|o| o.host_process) == Some(true) {
            flag(
                format!("{base}.securityContext.windowsOptions.hostProcess"),
                "Windows host processes are not allowed".to_string(),
            );
        }
    }
    for (at, c) in w.containers() {
        for (i, p) in c.ports.iter().flatten().enumerate() {
            if p.host_port.is_some_and(|h| h != 0) {
                flag(
                    format!("{at}.ports[{i}].hostPort"),
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
            if !matches!(pod_seccomp, Some("RuntimeDefault" | "Localhost")) {
                needs.push("seccompProfile.type: RuntimeDefault");
            }
            flag(
                format!("{at}.securityContext"),
                format!(
                    "container `{}` has no securityContext; the restricted standard needs {}",
                    c.name,
                    needs.join(", ")
                ),
            );
            continue;
        };
        let sc = Some(sc);
        let get = |f: fn(&SecurityContext) -> Option<bool>| sc.and_then(f);
        if get(|s| s.privileged) == Some(true) {
            flag(
                format!("{at}.securityContext.privileged"),
                "privileged containers are not allowed".to_string(),
            );
        }
        if get(|s| s.allow_privilege_escalation) != Some(false) {
            flag(
                format!("{at}.securityContext.allowPrivilegeEscalation"),
                "must be false: restricted containers cannot gain privileges (setuid binaries)"
                    .to_string(),
            );
        }
        match get(|s| s.run_as_non_root) {
            Some(false) => flag(
                format!("{at}.securityContext.runAsNonRoot"),
                "must be true (or unset with the pod's true): restricted containers run as non-root".to_string(),
            ),
            None if pod_non_root != Some(true) => flag(
                format!("{at}.securityContext.runAsNonRoot"),
                "must be true here or in the pod's securityContext: restricted pods run as non-root".to_string(),
            ),
            _ => {}
        }
        if sc.and_then(|s| s.run_as_user) == Some(0) {
            flag(
                format!("{at}.securityContext.runAsUser"),
                "0 is root; restricted containers run as a non-zero uid".to_string(),
            );
        }
        let caps = sc.and_then(|s| s.capabilities.as_ref());
        if !caps
            .and_then(|c| c.drop.as_ref())
            .is_some_and(|d| d.iter().any(|x| x == "ALL"))
        {
            flag(
                format!("{at}.securityContext.capabilities.drop"),
                "must include ALL: restricted containers drop every capability".to_string(),
            );
        }
        for (i, cap) in caps
            .and_then(|c| c.add.as_ref())
            .iter()
            .copied()
            .flatten()
            .enumerate()
        {
            if cap != "NET_BIND_SERVICE" {
                flag(
                    format!("{at}.securityContext.capabilities.add[{i}]"),
                    format!("`{cap}` may not be added; restricted allows only NET_BIND_SERVICE"),
                );
            }
        }
        match sc
            .and_then(|s| s.seccomp_profile.as_ref())
            .map(|s| s.type_.as_str())
        {
            Some("RuntimeDefault" | "Localhost") => {}
            Some(t) => flag(
                format!("{at}.securityContext.seccompProfile.type"),
                format!("`{t}` is not allowed: use RuntimeDefault (or Localhost)"),
            ),
            None if !matches!(pod_seccomp, Some("RuntimeDefault" | "Localhost")) => flag(
                format!("{at}.securityContext.seccompProfile"),
                "needs type RuntimeDefault (or Localhost) here or in the pod's securityContext"
                    .to_string(),
            ),
            None => {}
        }
        if let Some(s) = sc {
            if s.app_armor_profile
                .as_ref()
                .is_some_and(|a| a.type_ == "Unconfined")
            {
                flag(
                    format!("{at}.securityContext.appArmorProfile.type"),
                    "Unconfined is not allowed: use RuntimeDefault or Localhost, or leave it unset"
                        .to_string(),
                );
            }
            if s.proc_mount.as_deref().is_some_and(|p| p != "Default") {
                flag(
                    format!("{at}.securityContext.procMount"),
                    "must be Default (or unset)".to_string(),
                );
            }
            if let Some(se) = &s.se_linux_options {
                selinux(se, &format!("{at}.securityContext"), &mut flag);
            }
            if s.windows_options.as_ref().and_then(|o| o.host_process) == Some(true) {
                flag(
                    format!("{at}.securityContext.windowsOptions.hostProcess"),
                    "Windows host processes are not allowed".to_string(),
                );
            }
        }
    }
}

fn selinux(
    se: &k8s_openapi::api::core::v1::SELinuxOptions,
    at: &str,
    flag: &mut impl FnMut(String, String),
) {
    if let Some(t) = &se.type_
        && !SELINUX_TYPES.contains(&t.as_str())
    {
        flag(
            format!("{at}.seLinuxOptions.type"),
            format!(
                "SELinux type `{t}` is not allowed: use container_t, container_init_t, container_kvm_t or container_engine_t"
            ),
        );
    }
    for (field, v) in [("user", &se.user), ("role", &se.role)] {
        if v.as_deref().is_some_and(|v| !v.is_empty()) {
            flag(
                format!("{at}.seLinuxOptions.{field}"),
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

fn openshift(w: &Workload<'_>, spec: &PodSpec, out: &mut Out<'_>) {
    let base = w.base;
    let why = "OpenShift's restricted-v2 SCC assigns it from the namespace's range and refuses pods that fix another; remove it";
    if let Some(p) = &spec.security_context {
        for (field, v) in [("runAsUser", p.run_as_user), ("fsGroup", p.fs_group)] {
            if let Some(id) = v {
                out.at(
                    w.doc,
                    OPENSHIFT,
                    &format!("{base}.securityContext.{field}"),
                    format!("fixes {field} {id}: {why}"),
                );
            }
        }
    }
    for (at, c) in w.containers() {
        if let Some(id) = c.security_context.as_ref().and_then(|s| s.run_as_user) {
            out.at(
                w.doc,
                OPENSHIFT,
                &format!("{at}.securityContext.runAsUser"),
                format!("fixes runAsUser {id}: {why}"),
            );
        }
    }
}
