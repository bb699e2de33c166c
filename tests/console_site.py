"""An installation for the console's tests: the shipped configuration under a
temporary root, the samples processed (one rejected because its recipient
is missing from the directory), and a user of each role."""

from __future__ import annotations

import shutil
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from helpers import REPO

from facteur.adapters import configuration
from facteur.adapters.wiring import Wired
from facteur.engine import operations
from facteur.engine.config import Config
from facteur.engine.operations import Submitted

PASSWORD = "un-mot-de-passe-sûr"
USERS = {  # name: (role, partner)
    "admin": ("admin", ""),
    "opera": ("operator", ""),
    "lecteur": ("viewer", ""),
    "ville": ("partner", "VILLEDEM"),  # receives the city's invoices
    "fourn": ("partner", "FOURN01"),  # sends nothing in these samples
}
SAMPLES = ("01-ville-ubl.xml", "03-hopital-ubl.xml", "06-destinataire-inconnu.xml")
REJECTED_NUMBER = "DEMO-2026-0006"  # sample 06: its buyer's SIRET is in no structure of the directory
MISSING_SIRET = "12345678900017"
MISSING_STRUCTURE = f"""
[[structure]]
siret = "{MISSING_SIRET}"
name = "Acheteur public de démonstration"
mailbox = "ACHDEMO"
delivery = "edi"
"""


@dataclass
class Site:
    root: Path
    config: Config

    def hub(self) -> Wired:
        return Wired(self.config, create_ledger=True)

    def flow_of(self, number: str) -> str:
        with closing(self.hub()) as hub:
            [row] = operations.list_flows(hub, operations.FlowFilter(number=number, limit=5))
        return row.id

    def mend_directory(self) -> None:
        """The operator's fix: the missing recipient added to the directory."""
        with open(self.config.directory_file, "a", encoding="utf-8") as directory:
            directory.write(MISSING_STRUCTURE)


def site(root: Path) -> Site:
    shutil.copytree(REPO / "config", root / "config")
    config = configuration.load(str(root / "config" / "facteur.toml"), str(root))
    with closing(Wired(config, create_ledger=True)) as hub:
        paths = [REPO / "samples" / name for name in SAMPLES]
        files = [Submitted(str(path), path.stat().st_size, path.read_bytes) for path in paths]
        operations.process(hub, files, "DEMO01")
        for name, (role, partner) in USERS.items():
            operations.add_user(hub, name, PASSWORD, role, partner)
    return Site(root, config)


def copy(template: Site, root: Path) -> Site:
    """Another installation like `template`, made in the time of a copy
    rather than of processing the samples again. Its ledger still names the
    template's archive and outbox for what was written before the copy, which
    it reads only: what it writes goes under `root`."""
    shutil.copytree(template.root, root)
    return Site(root, configuration.load(str(root / "config" / "facteur.toml"), str(root)))
