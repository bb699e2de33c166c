"""facteur's HTTP faces: the observability routes (`observability.py`) that
`facteur run` serves when `[web] enabled = true`, and that the console mounts."""
