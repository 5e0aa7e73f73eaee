#!/usr/bin/env bash
# Independent checks of rendered Kubernetes YAML bundles.
#
# usage: scripts/external-checks.sh DIR...
#   each DIR holds rendered *.yaml / *.yml files (multi-document files are fine).
#
# Checks, each ending in one summary line:
#   yaml+kubernetes-validate  YAML parses (duplicate keys are errors); every document
#                             validates with kubernetes-validate --strict for Kubernetes
#                             1.30 (the preStop sleep action gen renders needs it) and
#                             for the newest version the installed package ships. Route
#                             (route.openshift.io/v1), ServiceMonitor (monitoring.coreos.com/v1)
#                             and HTTPRoute (gateway.networking.k8s.io/v1) have no schema
#                             there and are left to the next check; any other unknown kind fails.
#   crd-schemas               Route / ServiceMonitor / HTTPRoute documents against schemas/*.json
#                             (jsonschema; unknown fields fail) and their metadata
#                             against the Kubernetes ObjectMeta schema.
#   checkov <DIR>             checkov --framework kubernetes -d DIR --skip-download,
#                             offline (BC_SKIP_MAPPING=TRUE); any failed check fails.
#                             Skips are made with metadata.annotations
#                             checkov.io/skipN: CKV_K8S_XX=reason  (no '=' in reason).
#
# Environment:
#   EXTERNAL_CHECKS_VENV        venv to create/reuse (default: <repo>/.venv)
#   EXTERNAL_CHECKS_SCHEMA_DIR  CRD JSON schemas (default: <repo>/schemas)
#   EXTERNAL_CHECKS_PYTHON      python used to create the venv (default: python3.11, python3)
#   EXTERNAL_CHECKS_SKIP_CHECKOV=1  leave checkov out (prints a SKIP summary line)
#
# Exit status: 0 when every check passed, 1 when any failed, 2 on usage/setup errors.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
venv=${EXTERNAL_CHECKS_VENV:-$root/.venv}
req=$here/requirements-ci.txt
helper=$here/external_checks.py
schema_dir=${EXTERNAL_CHECKS_SCHEMA_DIR:-$root/schemas}

die() { echo "external-checks: $*" >&2; exit 2; }

[ $# -ge 1 ] || die "usage: $0 DIR..."
[ -f "$req" ] || die "missing $req"

# ---- 1. venv ---------------------------------------------------------------
if [ ! -x "$venv/bin/python" ]; then
    py=${EXTERNAL_CHECKS_PYTHON:-}
    if [ -z "$py" ]; then
        for c in python3.11 python3; do
            if command -v "$c" >/dev/null 2>&1; then py=$c; break; fi
        done
    fi
    [ -n "$py" ] || die "no python3 found to create $venv"
    echo "external-checks: creating venv $venv with $($py --version 2>&1)"
    "$py" -m venv "$venv" || die "could not create venv $venv"
fi
vpy=$venv/bin/python
stamp=$venv/.external-checks-requirements.sha256
want=$( (sha256sum "$req"; "$vpy" -c 'import sys; print(sys.version)') | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "external-checks: installing $(basename "$req") into $venv"
    t0=$(date +%s)
    if ! "$vpy" -m pip install --quiet --disable-pip-version-check --no-input -r "$req"; then
        die "pip install -r $req failed"
    fi
    "$vpy" -m pip check >/dev/null || { "$vpy" -m pip check >&2; die "pip check failed in $venv"; }
    echo "$want" > "$stamp"
    echo "external-checks: install took $(( $(date +%s) - t0 ))s"
fi

# ---- collect files ---------------------------------------------------------
files=()
dirs=()
for d in "$@"; do
    [ -d "$d" ] || die "not a directory: $d"
    d=$(cd "$d" && pwd)
    dirs+=("$d")
    n=0
    while IFS= read -r -d '' f; do files+=("$f"); n=$((n + 1)); done \
        < <(find "$d" -type f \( -name '*.yaml' -o -name '*.yml' \) -print0 | sort -z)
    [ "$n" -gt 0 ] || die "no *.yaml files in $d"
done

summaries=()
failed=()
run_step() {  # name, command...: run, keep output, collect SUMMARY line
    local name=$1; shift
    local out rc
    out=$("$@" 2>&1); rc=$?
    printf '%s\n' "$out" | grep -v '^SUMMARY ' || true
    local s
    s=$(printf '%s\n' "$out" | grep '^SUMMARY ' | tail -n1 | sed 's/^SUMMARY //')
    if [ -z "$s" ]; then
        s="FAIL $name: crashed (exit $rc), see output above"
        rc=1
    fi
    summaries+=("$s")
    if [ "$rc" -ne 0 ]; then failed+=("$name"); fi
}

# ---- 2. kubernetes-validate ------------------------------------------------
run_step "yaml+kubernetes-validate" "$vpy" "$helper" kv "$schema_dir" "${files[@]}"

# ---- 3. CRD schemas ----------------------------------------------------------
if [ -d "$schema_dir" ]; then
    run_step "crd-schemas" "$vpy" "$helper" crd "$schema_dir" "${files[@]}"
else
    summaries+=("FAIL crd-schemas: schema directory $schema_dir not found")
    failed+=("crd-schemas")
fi

# ---- 4. checkov ----------------------------------------------------------------
checkov_one() {  # dir
    local d=$1 tmp rc
    tmp=$(mktemp -d)
    # run from an empty directory so no stray .checkov.yaml is picked up
    (cd "$tmp" && BC_SKIP_MAPPING=TRUE \
        "$venv/bin/checkov" --framework kubernetes -d "$d" --skip-download \
        --compact -o json > "$tmp/out.json" 2> "$tmp/err.txt")
    rc=$?
    if [ "$rc" -gt 1 ] || ! [ -s "$tmp/out.json" ]; then
        echo "  FAIL checkov exited $rc on $d; stderr:"
        tail -n 20 "$tmp/err.txt" | sed 's/^/    /'
    fi
    "$vpy" "$helper" checkov-report "$tmp/out.json" "$d"
    local r=$?
    rm -rf "$tmp"
    [ "$rc" -le 1 ] || return 1
    return $r
}
if [ "${EXTERNAL_CHECKS_SKIP_CHECKOV:-0}" = 1 ]; then
    summaries+=("SKIP checkov: EXTERNAL_CHECKS_SKIP_CHECKOV=1")
else
    for d in "${dirs[@]}"; do
        run_step "checkov $d" checkov_one "$d"
    done
fi

# ---- 5. summary ----------------------------------------------------------------
echo "== external checks =="
for s in "${summaries[@]}"; do echo "$s"; done
if [ ${#failed[@]} -gt 0 ]; then
    echo "external-checks: FAILED: ${failed[*]}"
    exit 1
fi
echo "external-checks: all passed (${#dirs[@]} dir(s), ${#files[@]} file(s))"
