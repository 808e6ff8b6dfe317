# Sourced by the bench and measurement scripts: free_port prints a TCP port of 127.0.0.1 that is free
# now (the kernel's pick for port 0). The port is released before the gateway binds it, so another
# process can take it meanwhile; the gateway then stops with "cannot listen on ..." (exit 1) rather
# than running without that port, and the script reports the failed start.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
