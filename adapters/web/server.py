"""The console and its API served by uvicorn at `[web] listen`: by `facteur
serve` alone, or from a thread of `facteur run` when `[web] enabled = true`
(`start`), one listener for the pages, the API, /metrics, /healthz and /readyz."""

from __future__ import annotations

import socket
import threading
import time
from typing import Callable

import uvicorn

from facteur.adapters.web.app import create_app
from facteur.engine.config import Config
from facteur.engine.errors import ConfigError
from facteur.engine.messages import text

STARTING_SECONDS = 5.0  # how long `start` waits to see the server listen before it says it could not


def serve(config: Config) -> int:
    host, port = config.web.host, config.web.port
    _listenable(config, host, port)
    print(f"facteur : console sur http://{host}:{port}/ (API décrite par http://{host}:{port}/api/openapi.json) ; "
          "Ctrl-C pour arrêter", flush=True)
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning", proxy_headers=False)
    return 0


def _listenable(config: Config, host: str, port: int) -> None:
    """An address taken or forbidden is said in one line, before uvicorn starts."""
    try:
        socket.create_server((host, port)).close()
    except OSError as err:
        raise ConfigError(
            f"impossible d'écouter sur {host}:{port} ({err.strerror or err}) : l'adresse est prise ou interdite ; "
            f"choisissez-en une autre dans [web] listen de {config.path}"
        ) from None


def start(config: Config, log) -> Callable[[], None]:
    """Serve the console from a thread of this process; returns what stops it.
    An address that cannot be listened on is logged, and the engine runs on
    without its HTTP face."""
    server = uvicorn.Server(uvicorn.Config(create_app(config), host=config.web.host, port=config.web.port,
                                           log_level="warning", lifespan="off", access_log=False, proxy_headers=False))
    thread = threading.Thread(target=server.run, name="facteur-web", daemon=True)
    thread.start()
    if _started(server, thread):
        log.info(text("web-listening", config.language, listen=config.web.listen))
    else:
        log.error(text("web-cannot-listen", config.language, listen=config.web.listen, path=config.path))

    def stop() -> None:
        server.should_exit = True
        thread.join(STARTING_SECONDS)

    return stop


def _started(server: uvicorn.Server, thread: threading.Thread) -> bool:
    """Whether the server listens, waiting for it (at most STARTING_SECONDS) while its thread lives."""
    deadline = time.monotonic() + STARTING_SECONDS
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    return server.started
