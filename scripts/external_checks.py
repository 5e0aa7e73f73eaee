#!/usr/bin/env python3
"""Helper for scripts/external-checks.sh; runs inside the checks venv.

Subcommands (each prints one line starting with "SUMMARY PASS|FAIL <check> ..."
after its detailed findings, and exits 0 on pass, 1 on fail):

  kv   SCHEMA_DIR FILE...   YAML parse (duplicate keys are errors) and
                            kubernetes-validate --strict for 1.30 and for the
                            newest version the installed package ships.
  crd  SCHEMA_DIR FILE...   Route / ServiceMonitor documents against the JSON
                            schemas in SCHEMA_DIR, metadata against the
                            Kubernetes ObjectMeta schema.
  checkov-report JSON DIR   turn `checkov -o json` output into a compact list.
"""
from __future__ import annotations

import json
import os
import sys
from collections import Counter

import yaml

# CRD kinds that kubernetes-validate has no schema for; checked by `crd`
# instead.  Key: (apiVersion, kind) -> schema file name in SCHEMA_DIR.
CRD_SCHEMAS = {
    ("route.openshift.io/v1", "Route"): "route_route.openshift.io_v1.json",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "servicemonitor_monitoring.coreos.com_v1.json",
    ("gateway.networking.k8s.io/v1", "HTTPRoute"): "httproute_gateway.networking.k8s.io_v1.json",
}

# gen's output needs 1.30+: the preStop `sleep` action is beta and on by default from 1.30.
MIN_K8S = "1.30"


class DupKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys (PyYAML keeps the last)."""


def _construct_mapping(loader, node, deep=False):
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark,
                "found duplicate key %r (first at line %d)" % (key, seen[key] + 1),
                key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


DupKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_docs(path):
    """Return (docs, error). docs: list of (index, dict); empty documents skipped."""
    try:
        with open(path, encoding="utf-8") as f:
            raw = list(yaml.load_all(f, Loader=DupKeyLoader))
    except Exception as e:  # noqa: BLE001 - report any parse problem
        return [], "YAML parse error: %s" % str(e).replace("\n", " ")
    docs = []
    for i, d in enumerate(raw):
        if d is None:
            continue
        docs.append((i, d))
    return docs, None


def doc_label(path, idx, doc):
    kind = doc.get("kind", "?") if isinstance(doc, dict) else "?"
    name = "?"
    if isinstance(doc, dict) and isinstance(doc.get("metadata"), dict):
        name = doc["metadata"].get("name", "?")
    return "%s[doc %d] %s/%s" % (path, idx, kind, name)


def basic_shape_error(doc):
    if not isinstance(doc, dict):
        return "document is not a mapping"
    for key in ("apiVersion", "kind"):
        if not isinstance(doc.get(key), str) or not doc.get(key):
            return "missing or non-string %s" % key
    md = doc.get("metadata")
    if not isinstance(md, dict) or not isinstance(md.get("name"), str) or not md.get("name"):
        return "missing metadata.name"
    return None


def _kv_all_errors(kvu, doc, desired):
    """All errors for `doc`, not just the first one kubernetes_validate.validate raises.

    Mirrors kubernetes_validate.utils.validate (same schema files, same
    registry, same validator class); returns [] if anything differs so the
    caller falls back to the single error from the package itself.
    """
    try:
        import re

        import jsonschema
        from referencing import Registry, Resource

        version = [v for v in kvu.all_versions()
                   if kvu.major_minor(v) <= kvu.major_minor(desired)][-1]
        api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", doc["apiVersion"])
        sdir = "v%s-local-strict" % version
        schema = kvu.schema_contents("kubernetes-json-schema/%s/%s-%s.json" % (sdir, doc["kind"].lower(), api), desired)
        defs = kvu.schema_contents("kubernetes-json-schema/%s/_definitions.json" % sdir, desired)
        registry = Resource.from_contents(defs) @ (Resource.from_contents(schema) @ Registry())
        v = jsonschema.validators.Draft202012Validator(schema, registry=registry)
        return sorted(v.iter_errors(doc), key=lambda e: [str(p) for p in e.path])
    except Exception:  # noqa: BLE001
        return []


def cmd_kv(schema_dir, files):
    import kubernetes_validate.utils as kvu
    from kubernetes_validate.version import __version__ as kv_version

    shipped = kvu.all_versions()
    latest = kvu.latest_version()
    versions = [MIN_K8S, kvu.major_minor(latest)]
    failures = []
    if not any(kvu.major_minor(v) == MIN_K8S for v in shipped):
        failures.append("kubernetes-validate %s ships no schemas for %s (ships %s..%s)"
                        % (kv_version, MIN_K8S, shipped[0], shipped[-1]))
    ok = Counter()
    deferred = Counter()
    ndocs = 0
    parse_failed = 0
    for path in files:
        docs, err = load_docs(path)
        if err:
            failures.append("%s: %s" % (path, err))
            parse_failed += 1
            continue
        if not docs:
            failures.append("%s: no YAML documents" % path)
            continue
        for idx, doc in docs:
            ndocs += 1
            label = doc_label(path, idx, doc)
            shape = basic_shape_error(doc)
            if shape:
                failures.append("%s: %s" % (label, shape))
                continue
            for ver in versions:
                try:
                    got = kvu.validate(doc, ver, strict=True)
                    ok[got] += 1
                except kvu.ValidationError as e:
                    errs = _kv_all_errors(kvu, doc, ver) or [e]
                    for err in errs:
                        where = ".".join(str(p) for p in err.path) or "<root>"
                        failures.append("%s: k8s %s: %s: %s" % (label, e.version, where, err.message))
                except kvu.SchemaNotFoundError as e:
                    key = (doc["apiVersion"], doc["kind"])
                    if key in CRD_SCHEMAS:
                        if ver == versions[0]:
                            deferred[doc["kind"]] += 1
                    else:
                        failures.append("%s: k8s %s: no schema for %s %s (unknown kind/apiVersion)"
                                        % (label, ver, doc["apiVersion"], doc["kind"]))
                except kvu.VersionNotSupportedError as e:
                    failures.append("kubernetes-validate %s does not support %s" % (kv_version, e.version))
                except Exception as e:  # noqa: BLE001
                    failures.append("%s: k8s %s: could not be validated: %s: %s"
                                    % (label, ver, type(e).__name__, e))
    for f in failures:
        print("  FAIL %s" % f)
    per_ver = ", ".join("%s: %d ok" % (v, ok[v]) for v in sorted(ok, key=lambda s: [int(x) for x in s.split(".")]))
    defer = ", ".join("%s x%d" % kv for kv in sorted(deferred.items())) or "none"
    status = "FAIL" if failures else "PASS"
    print("SUMMARY %s yaml+kubernetes-validate: kubernetes-validate %s --strict, %d files, %d docs; "
          "%s; CRD kinds left to crd check: %s; %d problem(s)"
          % (status, kv_version, len(files), ndocs, per_ver or "nothing validated", defer, len(failures)))
    return 1 if failures else 0


def _unknown_fields(schema, inst, path, out):
    """Collect keys of `inst` not declared by `schema` (properties / additionalProperties)."""
    if not isinstance(schema, dict):
        return
    for sub in schema.get("allOf", []):
        _unknown_fields(sub, inst, path, out)
    if isinstance(inst, dict):
        props = schema.get("properties")
        addl = schema.get("additionalProperties", None)
        if props is None and not isinstance(addl, dict):
            return
        if schema.get("x-kubernetes-preserve-unknown-fields") is True:
            return
        for k, v in inst.items():
            if props is not None and k in props:
                _unknown_fields(props[k], v, path + [k], out)
            elif isinstance(addl, dict):
                _unknown_fields(addl, v, path + [k], out)
            elif addl is None or addl is True:
                out.append(".".join(str(p) for p in path + [k]))
            # addl False: jsonschema itself reports it
    elif isinstance(inst, list):
        items = schema.get("items")
        if isinstance(items, dict):
            for i, v in enumerate(inst):
                _unknown_fields(items, v, path + [i], out)


def cmd_crd(schema_dir, files):
    import jsonschema
    import kubernetes_validate.utils as kvu
    from referencing import Registry, Resource

    failures = []
    seen = Counter()
    validators = {}
    for key, fname in CRD_SCHEMAS.items():
        p = os.path.join(schema_dir, fname)
        try:
            with open(p, encoding="utf-8") as f:
                schema = json.load(f)
            cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
            cls.check_schema(schema)
            validators[key] = (schema, cls(schema, format_checker=cls.FORMAT_CHECKER), p)
        except Exception as e:  # noqa: BLE001
            validators[key] = (None, None, "%s: %s" % (p, e))

    # metadata is just {type: object} in the CRD schemas: check it against the
    # strict Kubernetes ObjectMeta definition shipped with kubernetes-validate.
    latest = kvu.latest_version()
    defs = kvu.schema_contents("kubernetes-json-schema/v%s-local-strict/_definitions.json" % latest, latest)
    registry = Resource.from_contents(defs) @ Registry()
    meta_schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                   "$ref": defs["$id"] + "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}
    meta_validator = jsonschema.Draft202012Validator(meta_schema, registry=registry)

    for path in files:
        docs, err = load_docs(path)
        if err:
            continue  # reported by the kv step
        for idx, doc in docs:
            if not isinstance(doc, dict):
                continue
            key = (doc.get("apiVersion"), doc.get("kind"))
            if key not in CRD_SCHEMAS:
                continue
            label = doc_label(path, idx, doc)
            seen[key[1]] += 1
            schema, validator, where = validators[key]
            if validator is None:
                failures.append("%s: cannot load schema %s" % (label, where))
                continue
            for e in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
                p = ".".join(str(x) for x in e.absolute_path) or "<root>"
                failures.append("%s: %s: %s" % (label, p, e.message))
            unknown = []
            _unknown_fields(schema, doc, [], unknown)
            for u in unknown:
                # The schema leaves this object open, but the API server's strict
                # field validation (kubectl default) rejects unknown fields.
                failures.append("%s: %s: unknown field (not declared by %s)"
                                % (label, u, os.path.basename(where)))
            if isinstance(doc.get("metadata"), dict):
                for e in meta_validator.iter_errors(doc["metadata"]):
                    p = ".".join(str(x) for x in e.absolute_path) or "<root>"
                    failures.append("%s: metadata.%s: %s" % (label, p, e.message))
            else:
                failures.append("%s: metadata missing or not a mapping" % label)
    for f in failures:
        print("  FAIL %s" % f)
    status = "FAIL" if failures else "PASS"
    what = ", ".join("%s x%d" % kv for kv in sorted(seen.items())) or "no Route/ServiceMonitor documents"
    from importlib.metadata import version as dist_version
    print("SUMMARY %s crd-schemas: %s against %s (jsonschema %s); %d problem(s)"
          % (status, what, schema_dir, dist_version("jsonschema"), len(failures)))
    return 1 if failures else 0


def cmd_checkov_report(json_path, directory):
    try:
        with open(json_path, encoding="utf-8") as f:
            text = f.read()
        data = json.loads(text) if text.strip() else None
    except Exception as e:  # noqa: BLE001
        print("SUMMARY FAIL checkov %s: cannot read checkov JSON output: %s" % (directory, e))
        return 1
    if data is None:
        print("SUMMARY FAIL checkov %s: checkov crashed, printed no JSON (see its stderr above)" % directory)
        return 1
    reports = data if isinstance(data, list) else [data]
    failed, skipped, problems = [], [], []
    passed = 0
    resources = 0
    version = "?"
    for rep in reports:
        if not isinstance(rep, dict):
            continue
        if rep.get("check_type", "kubernetes") != "kubernetes":
            continue
        summ = rep.get("summary", rep)
        resources += int(summ.get("resource_count", 0) or 0)
        version = summ.get("checkov_version", version)
        if summ.get("parsing_errors"):
            errs = rep.get("results", {}).get("parsing_errors", [])
            problems.append("%d file(s) checkov could not parse: %s" % (summ["parsing_errors"], ", ".join(errs)))
        res = rep.get("results", {})
        passed += int(summ.get("passed", 0) or 0)
        failed += res.get("failed_checks", [])
        skipped += res.get("skipped_checks", [])
    # checkov silently drops YAML it cannot parse (parsing_errors stays 0) and
    # counts only kinds it has checks for; parse problems fail the kv step.
    note = "" if resources else " (no resources checkov has checks for)"
    for c in sorted(failed, key=lambda c: (c.get("check_id", ""), c.get("resource", ""))):
        print("  FAIL %s %s | %s | %s:%s \"%s\"" % (
            directory, c.get("check_id"), c.get("resource"), c.get("file_path", "").lstrip("/"),
            "-".join(str(x) for x in (c.get("file_line_range") or [])), c.get("check_name")))
    for p in problems:
        print("  FAIL %s: %s" % (directory, p))
    skipped_ids = sorted({c.get("check_id") for c in skipped})
    bad = bool(failed or problems)
    print("SUMMARY %s checkov %s: checkov %s, %d resources%s, %d passed, %d failed, %d skipped%s"
          % ("FAIL" if bad else "PASS", directory, version, resources, note, passed, len(failed), len(skipped),
             " (%s)" % ",".join(skipped_ids) if skipped_ids else ""))
    return 1 if bad else 0


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = argv[1]
    if cmd == "kv":
        return cmd_kv(argv[2], argv[3:])
    if cmd == "crd":
        return cmd_crd(argv[2], argv[3:])
    if cmd == "checkov-report":
        return cmd_checkov_report(argv[2], argv[3])
    print("unknown subcommand %s" % cmd, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
