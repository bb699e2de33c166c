"""`facteur serve`: the console and its API served by uvicorn at `[web] listen`."""

from __future__ import annotations

import uvicorn

from facteur.adapters.web.app import create_app
from facteur.engine.config import Config


def serve(config: Config) -> int:
    host, port = config.web.host, config.web.port
    print(f"facteur : console sur http://{host}:{port}/ (API : http://{host}:{port}/api/docs) ; Ctrl-C pour arrêter",
          flush=True)
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning", proxy_headers=False)
    return 0
