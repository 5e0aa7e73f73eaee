#!/usr/bin/env python3
"""Generates k8s_required_v1_33.rs: the required fields of the Kubernetes kinds `gen` types.

k8s-openapi fills a missing required field with its default instead of failing, so
src/typed/kinds.rs walks the document against this table to report them. The table is read from
k8s-openapi's own generated sources (their `"required"` lists and field types), minus what
the API server does not demand of a manifest: `metadata` and `status` of a top-level object,
and the `name` fields k8s-openapi marks "effectively required, but ... allowed to be empty".

usage: python3 schemas/k8s_required.py ~/.cargo/registry/src/*/k8s-openapi-0.29.0/src/v1_33 \
           > schemas/k8s_required_v1_33.rs
"""
import os
import re
import sys

# The kinds `gen_core::typed::Object` types from k8s-openapi; keep in step with its table.
ROOTS = [
    "api::core::v1::Namespace", "api::core::v1::ServiceAccount", "api::core::v1::Secret",
    "api::core::v1::ConfigMap", "api::core::v1::Service", "api::apps::v1::StatefulSet",
    "api::apps::v1::Deployment", "api::apps::v1::DaemonSet", "api::core::v1::Pod",
    "api::batch::v1::Job", "api::batch::v1::CronJob", "api::policy::v1::PodDisruptionBudget",
    "api::autoscaling::v2::HorizontalPodAutoscaler", "api::autoscaling::v1::HorizontalPodAutoscaler",
    "api::networking::v1::NetworkPolicy",
    "api::networking::v1::Ingress", "api::rbac::v1::Role", "api::rbac::v1::RoleBinding",
    "api::rbac::v1::ClusterRole", "api::rbac::v1::ClusterRoleBinding",
    "api::core::v1::PersistentVolumeClaim", "api::core::v1::LimitRange",
    "api::core::v1::ResourceQuota",
    # Route and ServiceMonitor borrow these two.
    "apimachinery::pkg::apis::meta::v1::ObjectMeta",
    "apimachinery::pkg::apis::meta::v1::LabelSelector",
]
LAX = "effectively required, but due to backwards compatibility is allowed to be empty"


def scan(root):
    """Every generated struct: its JSON fields (type, doc), required list, and whether it is
    a top-level resource (apiVersion/kind handled by the visitor, not stored)."""
    types = {}
    for dirpath, _, files in os.walk(root):
        for f in sorted(files):
            if not f.endswith(".rs") or f == "mod.rs":
                continue
            src = open(os.path.join(dirpath, f)).read()
            m = re.search(r"^pub struct (\w+) \{\n(.*?)^\}", src, re.S | re.M)
            if not m:
                continue
            module = os.path.relpath(dirpath, root).replace(os.sep, "::")
            rust_fields, doc = {}, []
            for line in m.group(2).split("\n"):
                s = line.strip()
                if s.startswith("///"):
                    doc.append(s[3:])
                    continue
                fm = re.match(r"pub (?:r#)?(\w+): (.*),$", s)
                if fm:
                    rust_fields[fm.group(1)] = (fm.group(2), " ".join(doc))
                doc = []
            json_names = re.findall(r'"([^"]+)" => Field::Key_(\w+),', src)
            fields = {j: rust_fields[r] for j, r in json_names if r in rust_fields}
            top = any(r not in rust_fields for _, r in json_names)
            rq = re.search(r'"required": \[(.*?)\]', src, re.S)
            required = re.findall(r'"([^"]+)"', rq.group(1)) if rq else []
            types[f"{module}::{m.group(1)}"] = dict(fields=fields, required=required, top=top)
    return types


def nested(types, ty):
    """(type name, "One" | "List") for a field type that is a generated struct, else None."""
    ty = re.sub(r"^Option<(.*)>$", r"\1", ty)
    nest = "One"
    m = re.match(r"^std::vec::Vec<(.*)>$", ty)
    if m:
        ty, nest = m.group(1), "List"
    if ty.startswith("std::collections::BTreeMap<"):
        return None  # no map of structs holds a required field in the kinds we type
    ty = ty.removeprefix("crate::")
    return (ty, nest) if ty in types else None


def demands(types, name):
    t = types[name]
    out = []
    for j in t["required"]:
        if j not in t["fields"]:
            continue  # apiVersion / kind of a top-level object: checked before typing
        if t["top"] and j in ("metadata", "status"):
            continue
        if LAX in t["fields"][j][1]:
            continue
        out.append(j)
    return out


def edges(types, name):
    t = types[name]
    for j, (ty, _) in t["fields"].items():
        if t["top"] and j == "status":
            continue
        n = nested(types, ty)
        if n:
            yield j, n[0], n[1]


def const_name(name):
    parts = name.split("::")
    group = {"apimachinery": "META"}.get(parts[0], parts[1].upper())
    version = parts[-2].upper()
    snake = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", parts[-1])
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", snake).upper()
    return f"{group}_{version}_{snake}"


def main():
    types = scan(sys.argv[1])
    reach, stack = [], list(ROOTS)
    while stack:
        n = stack.pop()
        if n in reach:
            continue
        reach.append(n)
        stack.extend(c for _, c, _ in edges(types, n))
    # A type matters if it demands a field or leads to one that does.
    keep = {n for n in reach if demands(types, n)}
    grew = True
    while grew:
        grew = False
        for n in reach:
            if n not in keep and any(c in keep for _, c, _ in edges(types, n)):
                keep.add(n)
                grew = True
    keep.update(ROOTS)
    names = {n: const_name(n) for n in keep}
    assert len(set(names.values())) == len(names), "constant names collide"
    print("// @generated by schemas/k8s_required.py from k8s-openapi 0.29.0 (v1_33): do not edit.")
    print("// Required fields per k8s-openapi type, and the nested types that hold more of them.")
    for n in sorted(keep, key=names.get):
        req = ", ".join(f'"{j}"' for j in demands(types, n))
        nest = ", ".join(f'("{j}", Nest::{k}, &{names[c]})' for j, c, k in edges(types, n) if c in keep)
        print(f"static {names[n]}: Shape = Shape {{ required: &[{req}], nested: &[{nest}] }};")


main()
