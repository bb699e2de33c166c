"""Screenshots of the console for the README: its dashboard and the page of a
rejected flow, taken in Debian's headless chromium (through Debian's
chromedriver, as the browser tests do) on a demo installation made in a
temporary folder from the samples.

    .venv/bin/python docs/screenshots.py      # writes docs/console-tableau.png, docs/console-flux.png
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from contextlib import closing
from pathlib import Path

import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from facteur.adapters import configuration
from facteur.adapters.web.app import create_app
from facteur.adapters.wiring import Wired
from facteur.engine import operations

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
USER, PASSWORD = "exploitation", "un-mot-de-passe-de-démo"


def demo(root: Path) -> Wired:
    """The shipped configuration under `root`, every sample processed, an operator."""
    shutil.copytree(REPO / "config", root / "config")
    config = configuration.load(str(root / "config" / "facteur.toml"), str(root))
    hub = Wired(config, create_ledger=True)
    samples = sorted((REPO / "samples").iterdir())
    operations.process(hub, [operations.Submitted(str(p), p.stat().st_size, p.read_bytes) for p in samples], "DEMO01")
    operations.add_user(hub, USER, PASSWORD, "operator")
    return hub


def main() -> None:
    os.environ.pop("FACTEUR_LEDGER_URL", None)
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager downloads nothing
    with tempfile.TemporaryDirectory() as folder:
        with closing(demo(Path(folder) / "root")) as hub:
            rejected = operations.list_flows(hub, operations.FlowFilter(number="DEMO-2026-0006", limit=1))[0].id
            config = hub.config
        with closing(socket.socket()) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                     f"--user-data-dir={folder}/chromium", "--window-size=1280,1500"):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(executable_path="/usr/bin/chromedriver"))
        try:
            base = f"http://127.0.0.1:{port}"
            driver.get(f"{base}/connexion")
            driver.find_element(By.ID, "utilisateur").send_keys(USER)
            driver.find_element(By.ID, "mot_de_passe").send_keys(PASSWORD)
            driver.find_element(By.ID, "se-connecter").click()
            driver.find_element(By.ID, "chiffres")
            driver.save_screenshot(str(DOCS / "console-tableau.png"))
            driver.get(f"{base}/flux/{rejected}")
            driver.find_element(By.ID, "constats")
            driver.save_screenshot(str(DOCS / "console-flux.png"))
        finally:
            driver.quit()
            server.should_exit = True
    print(f"écrit : {DOCS / 'console-tableau.png'}, {DOCS / 'console-flux.png'}")


if __name__ == "__main__":
    main()
