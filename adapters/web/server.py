"""`facteur serve`: the console and its API served by uvicorn at `[web] listen`."""

from __future__ import annotations

import socket

import uvicorn

from facteur.adapters.web.app import create_app
from facteur.engine.config import Config
from facteur.engine.errors import ConfigError


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
