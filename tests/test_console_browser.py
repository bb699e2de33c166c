"""The console end to end in a real headless browser: Debian's chromium driven
by Selenium through Debian's chromedriver (`.ci/run` installs both; Selenium
Manager is kept offline and never downloads a browser or a driver), against
`facteur serve`'s application served by uvicorn on a free port.

An operator finds a flow rejected because its recipient is missing from the
directory by its invoice number, reads the finding with its values, mends the
directory, replays and sees the flow integrated; a partner sees none of
another partner's flows, in pages and API; a viewer's action, and a form
posted without its CSRF token, are refused."""

from __future__ import annotations

import json
import threading
import time
from contextlib import closing
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
import uvicorn
from console_site import MISSING_SIRET, PASSWORD, REJECTED_NUMBER, site
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.wait import WebDriverWait

from bench.private_broker import free_port  # noqa: E402  (the repository's, on the path through helpers)
from facteur.adapters.web.app import create_app
from facteur.engine import operations

CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    """The console of a fresh installation, served until the module ends."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("FACTEUR_LEDGER_URL", raising=False)
        installed = site(tmp_path_factory.mktemp("browser") / "root")
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(installed.config), host="127.0.0.1", port=port,
                                               log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "the console did not start within 20 s"
        yield installed, f"http://127.0.0.1:{port}"
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (CHROMEDRIVER.exists() and CHROMIUM.exists()):
        pytest.skip(f"SKIPPED: Debian's chromium and chromium-driver are needed ({CHROMIUM}, {CHROMEDRIVER}); "
                    "apt-get install -y chromium chromium-driver (.ci/run does)")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_OFFLINE", "true")  # Selenium Manager downloads nothing
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium')}", "--window-size=1280,1600"):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
        driver.implicitly_wait(5)
        yield driver
        driver.quit()


def log_in(driver, base: str, name: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{base}/connexion")
    driver.find_element(By.ID, "utilisateur").send_keys(name)
    driver.find_element(By.ID, "mot_de_passe").send_keys(PASSWORD)
    driver.find_element(By.ID, "se-connecter").click()
    assert name in driver.find_element(By.CSS_SELECTOR, "header .qui").text


def api_get(url: str, token: str) -> bytes:
    with urlopen(Request(url, headers={"Authorization": f"Bearer {token}"}), timeout=10) as answer:
        return answer.read()


def text(driver, element_id: str) -> str:
    return driver.find_element(By.ID, element_id).text


def test_an_operator_finds_a_rejected_flow_mends_the_directory_replays_it_and_sees_it_integrated(console, browser):
    installed, base = console
    log_in(browser, base, "opera")
    assert "FCT-RECIPIENT-UNKNOWN" in text(browser, "rejets")  # the dashboard's rejections of the week
    browser.get(f"{base}/flux")
    browser.find_element(By.ID, "numero").send_keys(REJECTED_NUMBER)
    unfiltered = browser.find_element(By.ID, "resultats")
    browser.find_element(By.ID, "chercher").click()
    WebDriverWait(browser, 10).until(staleness_of(unfiltered))  # the page of the search, not the one before it
    rows = browser.find_elements(By.CSS_SELECTOR, "#resultats tbody tr")
    assert len(rows) == 1 and "rejeté (93)" in rows[0].text
    rows[0].find_element(By.TAG_NAME, "a").click()
    findings = text(browser, "constats")
    assert "FCT-RECIPIENT-UNKNOWN" in findings and MISSING_SIRET in findings
    assert text(browser, "statut") == "rejeté (93)"

    installed.mend_directory()
    browser.find_element(By.ID, "rejouer").click()
    assert "intégré (90)" in text(browser, "apercu")  # the dry run, before anything is done
    browser.find_element(By.ID, "confirmer").click()
    replayed = browser.find_element(By.CSS_SELECTOR, "#rejoues a")
    replayed.click()
    assert text(browser, "statut") == "intégré (90)"
    assert "VILLEDEM" not in text(browser, "factures") and "ACHDEMO" in text(browser, "factures")

    browser.get(f"{base}/journal")
    assert "opera rejouer" in text(browser, "journal") and "réussi" in text(browser, "journal")


def test_a_partner_sees_none_of_another_partner_s_flows_in_pages_and_api(console, browser):
    installed, base = console
    city_flow = installed.flow_of("DEMO-2026-0001")
    hospital_flow = installed.flow_of("DEMO-2026-0003")
    log_in(browser, base, "ville")
    assert browser.current_url == f"{base}/flux"  # no dashboard of every partner's figures for a partner
    listed = {link.text for link in browser.find_elements(By.CSS_SELECTOR, "#resultats tbody td:first-child a")}
    assert listed == {city_flow}
    browser.get(f"{base}/flux/{hospital_flow}")
    assert "aucun flux" in text(browser, "message")
    with closing(installed.hub()) as hub:
        token = operations.issue_token(hub, "ville")
    assert [row["id"] for row in json.loads(api_get(f"{base}/api/flows", token))] == [city_flow]
    with pytest.raises(HTTPError) as refused:
        api_get(f"{base}/api/flows/{hospital_flow}", token)
    assert refused.value.code == 400 and "aucun flux" in json.loads(refused.value.read())["erreur"]


def test_an_action_without_the_role_or_a_form_without_its_csrf_token_is_refused(console, browser):
    installed, base = console
    hospital_flow = installed.flow_of("DEMO-2026-0003")
    log_in(browser, base, "lecteur")
    browser.get(f"{base}/flux/{hospital_flow}")
    assert not browser.find_elements(By.ID, "rejouer")  # no button for a viewer
    browser.get(f"{base}/flux/{hospital_flow}/rejouer")
    assert "il faut operator ou admin" in text(browser, "message")

    log_in(browser, base, "opera")
    browser.get(f"{base}/flux/{hospital_flow}/rejouer")
    browser.execute_script("document.querySelector('main form input[name=csrf]').remove()")
    browser.find_element(By.ID, "confirmer").click()
    assert "jeton CSRF" in text(browser, "message")
    with closing(installed.hub()) as hub:
        assert not operations.show_flow(hub.ledger, hospital_flow).replays
