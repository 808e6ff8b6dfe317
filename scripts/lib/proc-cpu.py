#!/usr/bin/env python3
"""CPU of processes and their threads, from /proc, for the benchmarks (scripts/bench-e2e.sh).

  proc-cpu.py snapshot PID...            one line per process ("P pid ticks") and per thread
                                         ("T pid/tid ticks name"): user + system clock ticks
  proc-cpu.py cores BEFORE AFTER SECONDS "gwcores=X jitcores=Y": cores the processes, and their C1/C2
                                         compiler threads, used per second between two snapshots
  proc-cpu.py jit BEFORE AFTER SECONDS [BELOW]
                                         the compiler threads' share of a core; with BELOW, exits 1
                                         unless it is below that
  proc-cpu.py threads BEFORE AFTER LABEL "LABEL: ..." the processes' CPU between the snapshots by
                                         thread name (digits as N), in % of the whole

A thread's CPU between two snapshots is its ticks in the second less those in the first (0 when it
started in between); a thread that ended in between is not counted.
"""
import collections
import os
import re
import sys

HZ = os.sysconf("SC_CLK_TCK")
JIT = ("C1 Compiler", "C2 Compiler")


def ticks(stat_path):
    fields = open(stat_path).read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def snapshot(pids):
    for pid in pids:
        try:
            print("P %s %d" % (pid, ticks("/proc/%s/stat" % pid)))
            for tid in os.listdir("/proc/%s/task" % pid):
                name = open("/proc/%s/task/%s/comm" % (pid, tid)).read().strip()
                print("T %s/%s %d %s" % (pid, tid, ticks("/proc/%s/task/%s/stat" % (pid, tid)), name))
        except OSError:  # the process or thread ended meanwhile
            pass


def read(path):
    processes, threads = {}, {}
    for line in open(path):
        parts = line.rstrip("\n").split(" ", 3)
        if parts[0] == "P":
            processes[parts[1]] = int(parts[2])
        elif parts[0] == "T":
            threads[parts[1]] = (int(parts[2]), parts[3])
    return processes, threads


def thread_deltas(before, after):
    """(ticks between the snapshots, name) of each thread alive in the second."""
    return [(t - before[1].get(tid, (0, ""))[0], name) for tid, (t, name) in after[1].items()]


def main(argv):
    mode = argv[1]
    if mode == "snapshot":
        snapshot(argv[2:])
        return 0
    before, after = read(argv[2]), read(argv[3])
    deltas = thread_deltas(before, after)
    jit = sum(d for d, name in deltas if name.startswith(JIT))
    if mode == "cores":
        seconds = max(float(argv[4]), 1.0)
        process = sum(t - before[0].get(pid, 0) for pid, t in after[0].items())
        print("gwcores=%.2f jitcores=%.2f" % (process / HZ / seconds, jit / HZ / seconds))
    elif mode == "jit":
        share = jit / HZ / float(argv[4])
        print("%.3f" % share)
        return 0 if len(argv) < 6 or share < float(argv[5]) else 1
    elif mode == "threads":
        groups = collections.Counter()
        for d, name in deltas:
            groups[re.sub(r"\d+", "N", name)] += d
        total = sum(groups.values()) or 1
        print("%s: gateway CPU by thread (%% of the gateway's, /proc, threads of the row's whole run): %s" % (
            argv[4], ", ".join("%s %.0f" % (k, 100.0 * v / total) for k, v in groups.most_common(8) if v > 0)))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
