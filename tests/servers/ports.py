"""free_port(): a TCP port on 127.0.0.1 for a test server to listen on.

Drawn at random below the kernel's ephemeral range (ip_local_port_range),
never with bind(0): a port the kernel hands out that way can go to another
process's outgoing connection before the server binds it, and the parallel
suites open thousands of connections."""
import random
import socket


def _ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port():
    high = _ephemeral_low() - 1
    low = 20000 if high > 21000 else 1024
    for _ in range(500):
        port = random.randint(low, high)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {low}-{high} on 127.0.0.1")
