#!/usr/bin/env bash
# Reconciliation sweeps over N unfinished WeChat orders against the in-process simulator, each round
# next to a same-run baseline: the same number of orderquery calls, signed and their answers
# verified, from as many threads as the sweep's concurrency (docs/benchmarks.md, "Reconciliation").
#   scripts/bench-reconcile.sh [orders] [concurrency] [rounds]
#   (defaults: 1000, the default of gateway.reconcile.concurrency, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -Pbench -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="target/test-classes:target/classes:$(cat target/bench.classpath)"
exec java -cp "$cp" -Dlog4j2.level=WARN io.paygate.bench.ReconcileLoad "${1:-1000}" ${2:+"$2"} ${3:+"$3"}
