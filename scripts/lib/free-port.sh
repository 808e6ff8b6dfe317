# Sourced by the bench and measurement scripts: free_port prints a TCP port that is free now, taken
# outside the kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range) as the end-to-end
# tests take theirs (GatewayProcess.freePort): below it from 10000 where that leaves 4000 ports, else
# above it, else the kernel's pick for port 0; where the range cannot be read, from 15000-32767 (below
# Linux's default start). The port is released before the gateway binds it; outside the ephemeral
# range no bind(0) or outgoing connection can take it meanwhile. Picks are
# random, so two in one run repeat with odds of about 1 in 20,000; a port taken anyway stops the
# gateway with "cannot listen on ..." (exit 1) rather than leaving it without that port, and the
# script reports the failed start.
free_port() {
  python3 - <<'PY'
import random, socket
def free(port):
    s = socket.socket()
    try:
        s.bind(("", port))
        return s.getsockname()[1]
    except OSError:
        return None
    finally:
        s.close()
try:
    low, high = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
    window = (10000, low) if low - 10000 >= 4000 else (high + 1, 65536) if 65535 - high >= 4000 else None
except (OSError, ValueError):
    window = (15000, 32768)  # unknown: below Linux's default start
for _ in range(200 if window else 0):
    port = free(random.randrange(*window))
    if port:
        print(port)
        break
else:
    print(free(0))
PY
}
