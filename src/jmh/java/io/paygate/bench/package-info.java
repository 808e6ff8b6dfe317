/**
 * JMH benchmarks, compiled only with {@code -Pbench} and run by {@code scripts/bench-jmh.sh}
 * (docs/benchmarks.md). Each benchmark class measures the gateway's code and, in the same run, a
 * baseline or reference implementation doing the same work, so results are read as ratios.
 */
package io.paygate.bench;
