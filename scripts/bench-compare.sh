#!/usr/bin/env bash
# The codec JMH benchmarks (src/jmh/java/io/paygate/bench/*CodecBenchmark.java, docs/benchmarks.md) of a
# baseline revision and of the current working tree, in the same run: the baseline is checked out in
# a throwaway `git worktree` under /tmp (removed afterwards), each tree is built with the `bench`
# profile as scripts/bench-jmh.sh does, then JMH runs alternate baseline, current, baseline, current
# (ROUNDS pairs), each with the benchmarks that tree has. Rows are matched by class and method name
# (and @Param values), so either side may add, drop or rewrite benchmarks; a row found on one side
# only says so. Prints a Markdown table: score per benchmark and round, mean, current/baseline ratio
# (thrpt: above 1 is faster now; avgt/sample/ss: below 1 is faster now). JSON and logs are kept in
# target/bench-compare/<time>/ of the current tree.
#   scripts/bench-compare.sh REV                       # short settings: -f 1 -wi 3 -i 5 -w 1s -r 1s
#   scripts/bench-compare.sh e378e4c -f 1 -wi 3 -w 2s -i 5 -r 2s    # JMH options replace the defaults
# Environment: ROUNDS=2 (pairs of runs), PATTERN (JMH regex, default every *CodecBenchmark class;
# e.g. 'CodecBenchmark|YstpayEnvelopeBench'), MVN_ARGS (e.g. -o), BUILD_ONLY=1 (build both trees and
# list their benchmarks, run nothing), BUILD_ONLY=baseline (the baseline only).
# Run it on a quiet machine: both sides share it, but the ratios are only as good as the quiet.
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2; }
rev=$1; shift
opts=("$@"); [ ${#opts[@]} -gt 0 ] || opts=(-f 1 -wi 3 -i 5 -w 1s -r 1s)
rounds=${ROUNDS:-2}
pattern=${PATTERN:-'\.[A-Za-z0-9_]*CodecBenchmark\.'}
build_only=${BUILD_ONLY:-}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v python3 >/dev/null || { echo "python3 is needed for the table" >&2; exit 1; }
sha=$(git -C "$root" rev-parse --verify --short "$rev^{commit}") || { echo "no such revision: $rev" >&2; exit 1; }
cur=$(git -C "$root" rev-parse --short HEAD)
[ -z "$(git -C "$root" status --porcelain --untracked-files=no)" ] || cur="$cur + uncommitted changes"

tmp=$(mktemp -d /tmp/bench-compare.XXXXXX)
base="$tmp/baseline"
cleanup() {
  git -C "$root" worktree remove --force "$base" 2>/dev/null || true
  git -C "$root" worktree prune 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
git -C "$root" worktree add -q --detach "$base" "$sha"

build() {  # $1: tree; leaves target/bench.classpath
  echo "building $2 ($1)" >&2
  (cd "$1" && mvn -q -B -Pbench -DskipTests ${MVN_ARGS:-} test-compile dependency:build-classpath \
      -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test) >&2
  grep -q 'org/openjdk/jmh/jmh-core' "$1/target/bench.classpath" \
    || { echo "$2 has no JMH in its bench profile (too old a revision?)" >&2; exit 1; }
}
classpath() { echo "$1/target/test-classes:$1/target/classes:$(cat "$1/target/bench.classpath")"; }
list() { (cd "$1" && java -cp "$(classpath "$1")" org.openjdk.jmh.Main -l "$pattern") \
  | { grep -E '^ *[A-Za-z_$][A-Za-z0-9_$.]*$' || true; } | sed 's/^ *//'; }

start=$(date +%s)
build "$base" "baseline $sha"
echo "baseline $sha benchmarks:" >&2; list "$base" | sed 's/^/  /' >&2
if [ "$build_only" = baseline ]; then echo "baseline built in $(( $(date +%s) - start )) s" >&2; exit 0; fi
build "$root" "current tree"
echo "current benchmarks:" >&2; list "$root" | sed 's/^/  /' >&2
echo "built in $(( $(date +%s) - start )) s" >&2
[ -z "$build_only" ] || exit 0
[ -n "$(list "$base")" ] || echo "warning: the baseline has no benchmark matching $pattern" >&2
[ -n "$(list "$root")" ] || echo "warning: the current tree has no benchmark matching $pattern" >&2

out="$root/target/bench-compare/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
for r in $(seq 1 "$rounds"); do
  for side in baseline current; do
    if [ $side = baseline ]; then tree=$base; else tree=$root; fi
    t=$(date +%s)
    echo "round $r: $side ..." >&2
    (cd "$tree" && java -cp "$(classpath "$tree")" org.openjdk.jmh.Main "$pattern" "${opts[@]}" \
        -rf json -rff "$out/$side-$r.json") > "$out/$side-$r.log" 2>&1 \
      || echo "  JMH exited with $? (see $out/$side-$r.log)" >&2
    echo "  done in $(( $(date +%s) - t )) s" >&2
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

python3 - "$out" "$rounds" "$sha" "$cur" "${opts[*]}" "$pattern" "$load_before" "$load_after" <<'EOF' | tee "$out/table.md"
import json, os, re, sys
out, rounds, sha, cur, opts, pattern, load_before, load_after = sys.argv[1:]
rounds = int(rounds)
SECONDS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "min": 60.0}

def per_second(unit, score):
    """A score in seconds or operations per second, to compare units; None if the unit is unknown."""
    m = re.fullmatch(r"ops/(\w+)", unit)
    if m and m.group(1) in SECONDS:
        return score / SECONDS[m.group(1)]
    m = re.fullmatch(r"(\w+)/op", unit)
    if m and m.group(1) in SECONDS:
        return score * SECONDS[m.group(1)]
    return None

rows = {}   # key -> {"baseline": [(score, error, mode, unit) per round], "current": [...]}
order = []
for side in ("baseline", "current"):
    for r in range(1, rounds + 1):
        path = os.path.join(out, f"{side}-{r}.json")
        if not os.path.exists(path) or os.path.getsize(path) == 0:
            continue
        for b in json.load(open(path)):
            name = ".".join(b["benchmark"].split(".")[-2:])
            params = b.get("params") or {}
            key = name + ("" if not params else " [" + ", ".join(f"{k}={v}" for k, v in sorted(params.items())) + "]")
            pm = b["primaryMetric"]
            err = pm.get("scoreError")
            err = err if isinstance(err, (int, float)) else float("nan")
            if key not in rows:
                rows[key] = {"baseline": [], "current": []}
                order.append(key)
            rows[key][side].append((pm["score"], err, b["mode"], pm["scoreUnit"]))

def fmt(x):
    if x != x:
        return "?"
    return f"{x:.3g}" if abs(x) < 100 else f"{x:.0f}"

def cell(runs):
    if not runs:
        return "—", None
    mean = sum(s for s, _, _, _ in runs) / len(runs)
    each = " / ".join(f"{fmt(s)} ± {fmt(e)}" for s, e, _, _ in runs)
    return f"**{fmt(mean)}** {runs[0][3]} ({each})", mean

print(f"## Codec benchmarks: baseline {sha} against current {cur}")
print()
print(f"JMH `{opts}`, pattern `{pattern}`, {rounds} rounds alternating baseline, current; "
      f"load average {load_before} before, {load_after} after; {os.cpu_count()} CPUs. "
      "Cells: mean of the rounds (each round's score ± its error). Ratio: current / baseline; "
      "thrpt above 1 or avgt below 1 is faster now.")
print()
print("| benchmark | mode | baseline | current | current / baseline |")
print("| --- | --- | --- | --- | --- |")
for key in sorted(order):
    b, c = rows[key]["baseline"], rows[key]["current"]
    bc, bm = cell(b)
    cc, cm = cell(c)
    mode = (b or c)[0][2]
    if not b:
        ratio = "only in current"
    elif not c:
        ratio = "only in baseline"
    elif b[0][2] != c[0][2]:
        ratio = f"modes differ ({b[0][2]} / {c[0][2]})"
    else:
        if b[0][3] == c[0][3]:
            ratio = cm / bm if bm else float("nan")
        else:
            pb, pc = per_second(b[0][3], bm), per_second(c[0][3], cm)
            ratio = pc / pb if pb and pc is not None else float("nan")
        ratio = f"{ratio:.2f}"
    print(f"| {key} | {mode} | {bc} | {cc} | {ratio} |")
print()
print(f"Raw results: {out}")
EOF
