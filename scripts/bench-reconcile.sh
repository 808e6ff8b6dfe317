#!/usr/bin/env bash
# One reconciliation sweep over N unfinished WeChat orders against the in-process simulator, with a
# same-run baseline of plain signed orderquery calls (docs/benchmarks.md, "Reconciliation").
#   scripts/bench-reconcile.sh [orders]     (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -Pbench -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="target/test-classes:target/classes:$(cat target/bench.classpath)"
exec java -cp "$cp" -Dlog4j2.level=WARN io.paygate.bench.ReconcileLoad "${1:-1000}"
