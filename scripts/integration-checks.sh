#!/usr/bin/env bash
# Runs gen's integrations for real (README "Integrations"), each ending in one `ok` line:
#   sarif        gen lint --format sarif (findings, and none) valid against SARIF 2.1.0's schema
#                from npm @microsoft/jest-sarif (a corrupted log must fail it)
#   ci-templates action.yml, examples/ci/*.yml against check-jsonschema's vendor schemas
#   kustomize    kubectl kustomize --enable-alpha-plugins examples/kustomize-generator, plugin
#                installed by `gen kustomize-plugin` into a temporary XDG_CONFIG_HOME, | gen lint -
#   krm-fn       gen fn on tests/fixtures/krm/generator.yaml: a ResourceList whose items lint clean
#   pre-commit   pre-commit try-repo: gen-lint and gen-check pass on a clean repo, fail on a broken one
#   argocd       the plugin's generate command as the repo server runs it; the sidecar patch applied
#                by kustomize to a stand-in repo server; hadolint on the Dockerfile
#
# usage: scripts/integration-checks.sh GEN   (GEN: the gen binary to test)
# Environment: EXTERNAL_CHECKS_VENV (default <repo>/.venv, shared with external-checks.sh).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 GEN" >&2; exit 2; }
gen=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -x "$gen" ] || { echo "integration-checks: $1 is not executable" >&2; exit 2; }
venv=${EXTERNAL_CHECKS_VENV:-$root/.venv}
req=$root/scripts/requirements-integrations.txt
sarif_pkg="@microsoft/jest-sarif@1.0.0-beta.0"
node_dir=$root/.ci/node
schema=$node_dir/node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "integration-checks: FAIL $*" >&2; exit 1; }
ok() { echo "ok $*"; }
expect_failure() {  # what, command...: the command must exit non-zero
    local what=$1; shift
    if "$@" >"$work/expected-failure.log" 2>&1; then
        cat "$work/expected-failure.log" >&2
        fail "$what passed, expected a failure"
    fi
}

# ---- tools -------------------------------------------------------------------------------
if [ ! -x "$venv/bin/python" ]; then
    py=$(command -v python3.11 || command -v python3) || fail "no python3 to create $venv"
    "$py" -m venv "$venv"
fi
stamp=$venv/.integration-checks-requirements.sha256
want=$(cat "$req" "$root/scripts/requirements-ci.txt" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
        -r "$req" -c "$root/scripts/requirements-ci.txt"
    "$venv/bin/python" -m pip check
    echo "$want" > "$stamp"
fi
if [ ! -f "$schema" ]; then
    command -v npm >/dev/null 2>&1 || fail "npm is needed for $sarif_pkg (apt-get install npm)"
    npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$node_dir" "$sarif_pkg"
fi
[ -f "$schema" ] || fail "$sarif_pkg has no $schema"
cj() { "$venv/bin/check-jsonschema" "$@"; }

# ---- SARIF ---------------------------------------------------------------------------------
set +e
"$gen" lint --format sarif "$root"/tests/fixtures/lint/*.yaml > "$work/findings.sarif"
status=$?
set -e
[ "$status" -eq 1 ] || fail "sarif: gen lint of the rule fixtures exited $status, expected 1"
"$gen" --quiet render "$root/examples/native.yaml" > "$work/native.yaml"
"$gen" lint --format sarif "$work/native.yaml" > "$work/clean.sarif"
# The rtm.5 schema has a pattern (`language`) that ECMAScript's unicode mode refuses to compile.
cj --regex-variant nonunicode --schemafile "$schema" "$work/findings.sarif" "$work/clean.sarif"
sed 's/"level": "error"/"level": "fatal"/' "$work/findings.sarif" > "$work/corrupt.sarif"
expect_failure "sarif: the corrupted log" cj --regex-variant nonunicode --schemafile "$schema" "$work/corrupt.sarif"
ok "sarif: $(grep -c '"ruleId"' "$work/findings.sarif") results and an empty log valid against SARIF 2.1.0"

# ---- CI templates ----------------------------------------------------------------------------
cj --builtin-schema vendor.github-actions "$root/action.yml"
cj --builtin-schema vendor.github-workflows "$root/examples/ci/github-workflow.yml"
cj --builtin-schema vendor.gitlab-ci "$root/examples/ci/gitlab-ci.yml"
ok "ci-templates: action, GitHub workflow and GitLab CI schema-valid"

# ---- kustomize exec plugin ----------------------------------------------------------------------
XDG_CONFIG_HOME=$work/xdg env -u KUSTOMIZE_PLUGIN_HOME "$gen" kustomize-plugin > "$work/plugin-path"
grep -qx "$work/xdg/kustomize/plugin/gen.migratorydata.io/v1alpha1/migratorydatacluster/MigratoryDataCluster" "$work/plugin-path" \
    || fail "kustomize: plugin installed at $(cat "$work/plugin-path")"
XDG_CONFIG_HOME=$work/xdg env -u KUSTOMIZE_PLUGIN_HOME \
    kubectl kustomize --enable-alpha-plugins "$root/examples/kustomize-generator" > "$work/generated.yaml"
grep -q '^kind: StatefulSet' "$work/generated.yaml" || fail "kustomize: the build holds no StatefulSet"
grep -q 'sidecar.istio.io/inject: "false"' "$work/generated.yaml" || fail "kustomize: the label patch is missing"
"$gen" lint - < "$work/generated.yaml"
ok "kustomize: generator example built by kubectl kustomize --enable-alpha-plugins, patched, lints clean"

# ---- KRM function ------------------------------------------------------------------------------
"$gen" --quiet fn < "$root/tests/fixtures/krm/generator.yaml" > "$work/fn-out.yaml"
# What kustomize keeps of the output: the items without config.kubernetes.io/local-config.
"$venv/bin/python" - "$work/fn-out.yaml" > "$work/fn-items.yaml" <<'PY'
import sys, yaml
rl = yaml.safe_load(open(sys.argv[1]))
assert rl["kind"] == "ResourceList", rl.get("kind")
assert all(r["severity"] != "error" for r in rl.get("results") or []), rl["results"]
items = [i for i in rl["items"]
         if (i.get("metadata", {}).get("annotations") or {}).get("config.kubernetes.io/local-config") != "true"]
assert any(i["kind"] == "StatefulSet" for i in items), [i["kind"] for i in items]
yaml.safe_dump_all(items, sys.stdout, sort_keys=False)
PY
"$gen" lint - < "$work/fn-items.yaml"
expect_failure "krm-fn: an invalid spec" "$gen" --quiet fn < "$root/tests/fixtures/krm/invalid.yaml"
ok "krm-fn: ResourceList in, ResourceList out with a bundle that lints clean; an invalid spec exits 1"

# ---- pre-commit ---------------------------------------------------------------------------------
export PATH="$(dirname "$gen"):$PATH"
export PRE_COMMIT_HOME=$work/pre-commit-home
make_repo() {  # dir: a git repo with a spec, its committed base and .gen-check
    local dir=$1
    mkdir -p "$dir"
    # The spec with the header, its kind silenced for lint (a gen spec is not applied).
    { printf 'apiVersion: gen.migratorydata.io/v1alpha1\nkind: MigratoryDataCluster\nmetadata:\n  annotations:\n    lint.gen.migratorydata.io/unknown-kind: a gen spec, rendered into base/\n'
      grep -v '^#' "$root/examples/overlays/cluster.yaml"; } > "$dir/cluster.yaml"
    cp -r "$root/examples/overlays/base" "$dir/base"
    echo "cluster.yaml=base" > "$dir/.gen-check"
    git -C "$dir" init -q
    git -C "$dir" add -A
    git -C "$dir" -c user.name=ci -c user.email=ci@example.invalid commit -qm init
}
try_repo() {  # dir hook
    (cd "$1" && "$venv/bin/pre-commit" try-repo "$root" "$2" --all-files)
}
make_repo "$work/clean"
try_repo "$work/clean" gen-lint > "$work/pc.log" 2>&1 || { cat "$work/pc.log"; fail "pre-commit: gen-lint on a clean repo"; }
try_repo "$work/clean" gen-check > "$work/pc.log" 2>&1 || { cat "$work/pc.log"; fail "pre-commit: gen-check on a clean repo"; }
make_repo "$work/broken"
# A broken manifest (the StatefulSet's selector no longer matches its pods), and a spec that no
# longer renders its committed base.
sed -i 's/^\(      app.kubernetes.io\/name:\) .*/\1 broken/' "$work/broken/base/statefulset-"*.yaml
sed -i "s/^replicas: .*/replicas: 4/" "$work/broken/cluster.yaml"
git -C "$work/broken" add -A
expect_failure "pre-commit: gen-lint on a broken repo" try_repo "$work/broken" gen-lint
grep -q "workload-selector" "$work/expected-failure.log" || { cat "$work/expected-failure.log"; fail "pre-commit: gen-lint failed without workload-selector"; }
expect_failure "pre-commit: gen-check on a broken repo" try_repo "$work/broken" gen-check
grep -q "differs from what gen renders" "$work/expected-failure.log" || { cat "$work/expected-failure.log"; fail "pre-commit: gen-check failed for another reason"; }
ok "pre-commit: try-repo gen-lint and gen-check pass on a clean repo and fail on a broken one"

# ---- Argo CD ---------------------------------------------------------------------------------
"$venv/bin/hadolint" "$root/examples/argocd/Dockerfile"
"$venv/bin/python" - "$root/examples/argocd/plugin.yaml" "$work/generate.sh" <<'PY'
import sys, yaml
p = yaml.safe_load(open(sys.argv[1]))
assert p["kind"] == "ConfigManagementPlugin", p["kind"]
cmd = p["spec"]["generate"]["command"]
assert cmd[:2] == ["sh", "-c"] and len(cmd) == 3, cmd
open(sys.argv[2], "w").write(cmd[2])
PY
app=$work/argocd-app
mkdir -p "$app"
cp "$root/examples/kustomize-generator/cluster.yaml" "$app/"
ns=$(sed -n 's/^  namespace: //p' "$app/cluster.yaml")
(cd "$app" && ARGOCD_APP_NAME=realtime ARGOCD_APP_NAMESPACE=$ns sh "$work/generate.sh") > "$work/argocd.yaml"
"$gen" lint - < "$work/argocd.yaml"
grep -q '^kind: StatefulSet' "$work/argocd.yaml" || fail "argocd: no StatefulSet generated"
(cd "$app" && ARGOCD_APP_NAME=realtime ARGOCD_APP_NAMESPACE=elsewhere sh "$work/generate.sh") > "$work/argocd-wrong.yaml" 2>&1 \
    && fail "argocd: a spec for namespace $ns rendered into the Application's namespace elsewhere"
grep -q "not the expected \`elsewhere\`" "$work/argocd-wrong.yaml" || { cat "$work/argocd-wrong.yaml"; fail "argocd: refused for another reason"; }
(cd "$app" && ARGOCD_APP_NAME=realtime ARGOCD_APP_NAMESPACE=elsewhere ARGOCD_ENV_GEN_ANY_NAMESPACE=true sh "$work/generate.sh") > /dev/null
# The sidecar patch and the plugin's ConfigMap, applied by kustomize to a stand-in for Argo CD's
# argocd-repo-server Deployment (the real one is not fetched here).
mkdir -p "$work/argocd-install"
cp "$root/examples/argocd/plugin.yaml" "$root/examples/argocd/repo-server-patch.yaml" "$work/argocd-install/"
cat > "$work/argocd-install/repo-server.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: argocd-repo-server, namespace: argocd}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: argocd-repo-server}}
  template:
    metadata: {labels: {app.kubernetes.io/name: argocd-repo-server}}
    spec:
      containers: [{name: argocd-repo-server, image: quay.io/argoproj/argocd:v3.0.0}]
      volumes: [{name: var-files, emptyDir: {}}, {name: plugins, emptyDir: {}}]
YAML
cat > "$work/argocd-install/kustomization.yaml" <<'YAML'
resources: [repo-server.yaml]
configMapGenerator:
  - {name: gen-cmp-plugin, namespace: argocd, files: [plugin.yaml]}
patches:
  - path: repo-server-patch.yaml
YAML
kubectl kustomize "$work/argocd-install" > "$work/argocd-install.yaml"
"$venv/bin/python" - "$work/argocd-install.yaml" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
cm = next(d for d in docs if d["kind"] == "ConfigMap")
assert yaml.safe_load(cm["data"]["plugin.yaml"])["kind"] == "ConfigManagementPlugin"
spec = next(d for d in docs if d["kind"] == "Deployment")["spec"]["template"]["spec"]
containers = {c["name"]: c for c in spec["containers"]}
assert set(containers) == {"argocd-repo-server", "gen-cmp"}, set(containers)
vols = {v["name"]: v for v in spec["volumes"]}
assert vols["gen-cmp-plugin"]["configMap"]["name"] == cm["metadata"]["name"], vols
mounts = {m["name"] for m in containers["gen-cmp"]["volumeMounts"]}
assert mounts <= set(vols), mounts - set(vols)
PY
ok "argocd: generate renders a bundle that lints clean, refuses another namespace unless told; the sidecar patch applies; Dockerfile passes hadolint"
