"""What every loopback test peer does once its server is bound: publish the
port, serve until SIGTERM, close. Shared by http_peer.py and smtp_peer.py."""
import os
import signal


def serve_until_terminated(server, port_file=None):
    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)

    if port_file:
        # Written to a temporary name then renamed, so a reader never sees half a number.
        tmp = port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(server.server_address[1]))
        os.replace(tmp, port_file)
    try:
        server.serve_forever(poll_interval=0.2)
    except (SystemExit, KeyboardInterrupt):
        pass
    finally:
        server.server_close()
    return 0
