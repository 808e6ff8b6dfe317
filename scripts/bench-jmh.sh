#!/usr/bin/env bash
# JMH benchmarks (docs/benchmarks.md). Compiles src/jmh/java with the `bench` profile and runs the
# benchmarks whose names match the pattern (default: all), passing any further JMH options through.
#   scripts/bench-jmh.sh                      # every benchmark, JMH defaults of the classes
#   scripts/bench-jmh.sh Wechat -f 1 -wi 3 -i 5
set -euo pipefail
cd "$(dirname "$0")/.."
pattern="${1:-.*}"
shift || true
mvn -q -Pbench -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="target/test-classes:target/classes:$(cat target/bench.classpath)"
exec java -cp "$cp" org.openjdk.jmh.Main "$pattern" "$@"
