#!/bin/sh
# pre-commit's gen-check hook: each argument SPEC=DIR says that the committed kustomize base DIR
# is what `gen render SPEC --out DIR` writes; arguments starting with `-` are passed to every
# render (e.g. --platform openshift). Without SPEC=DIR arguments the pairs are read from
# `.gen-check` at the repository root (one SPEC=DIR a line, `#` comments), which is also what
# `pre-commit try-repo` (no args) uses. Every pair is checked; exit 1 if any differs or fails.
set -u
command -v gen >/dev/null 2>&1 || { echo "gen-check: gen is not on PATH (cargo install --locked --git <gen's repository>)" >&2; exit 1; }
opts=
pairs=
for a in "$@"; do
    case $a in
        -*) opts="$opts $a" ;;
        *=*) pairs="$pairs
$a" ;;
        *) echo "gen-check: \`$a\` is not SPEC=DIR" >&2; exit 2 ;;
    esac
done
if [ -z "$pairs" ]; then
    [ -f .gen-check ] || { echo "gen-check: give SPEC=DIR pairs as the hook's args, or list them in .gen-check" >&2; exit 2; }
    pairs=$(sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' .gen-check)
fi
status=0
n=0
while IFS= read -r pair; do
    [ -n "$pair" ] || continue
    case $pair in *=*) ;; *) echo "gen-check: \`$pair\` is not SPEC=DIR" >&2; exit 2 ;; esac
    n=$((n + 1))
    # shellcheck disable=SC2086 # $opts is a list of options
    gen render "${pair%%=*}" --out "${pair#*=}" --check $opts || status=1
done <<PAIRS
$pairs
PAIRS
[ "$n" -gt 0 ] || { echo "gen-check: no SPEC=DIR pair given" >&2; exit 2; }
exit "$status"
