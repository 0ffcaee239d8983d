"""Running the desk: bind the socket ourselves (so a busy port is a clear error
before anything starts), then hand it to uvicorn."""

from __future__ import annotations

import socket

from ..config import Config
from ..errors import L10nError
from .security import LOOPBACK_HOSTS


def bind(host: str, port: int) -> tuple[socket.socket, str]:
    """A listening socket on host:port, and the address to open in a browser."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise L10nError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise L10nError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    bound_port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return sock, f"http://{shown}:{bound_port}/"


def run(cfg: Config, sock: socket.socket, access_token: str | None = None,
        loopback_only: bool = True) -> None:
    """Serve the desk on an already bound socket until interrupted."""
    import uvicorn

    from .app import create_app

    app = create_app(cfg, access_token=access_token,
                     allowed_hosts=LOOPBACK_HOSTS if loopback_only else None)
    config = uvicorn.Config(app, log_level="warning", access_log=False,
                            server_header=False, date_header=False)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
