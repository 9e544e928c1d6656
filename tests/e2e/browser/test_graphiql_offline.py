"""GraphiQL in a real headless Chromium that cannot reach the internet.

The browser resolves no host but 127.0.0.1, so a page that still named a CDN would stay
blank: GraphiQL must load its scripts and styles from the server, run a query and show
the answer. Chromium and chromedriver are Debian's (``make install`` installs them);
Selenium is pointed at both, so it never downloads a browser.
"""

from __future__ import annotations

import shutil
import urllib.parse
from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx2 as httpx
import pytest

from commerce.app import create_app
from commerce.composition import Services
from stripe_events import served

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

if TYPE_CHECKING:
    from conftest import GraphQLCaller

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
PRODUCT = """
mutation {
  productCreate(input: {
    title: "The Offline Atlas", published: true,
    variants: [{ sku: "ATLAS-HC", initialStock: 3,
                 prices: [{ amount: "31.00", currencyCode: USD }] }]
  }) { userErrors { code } }
}"""
QUERY = '{ products(first: 1, query: "atlas") { nodes { title } } }'


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("Chromium and chromedriver are not installed (make install installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        # No name resolves but the loopback server: a CDN address fails as it would offline.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--window-size=1400,900",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def test_graphiql_runs_a_query_offline_and_shows_the_answer(
    services: Services, gql: GraphQLCaller, admin_key: str, browser: webdriver.Chrome
) -> None:
    # given a product, and GraphiQL opened with a query in its editor
    assert gql(PRODUCT, api_key=admin_key)["data"]["productCreate"]["userErrors"] == []
    with served(create_app(services)) as base_url:
        browser.get(f"{base_url}/graphql?q={urllib.parse.quote(QUERY)}")
        wait = WebDriverWait(browser, 30)
        run = wait.until(
            expected_conditions.element_to_be_clickable((By.CLASS_NAME, "graphiql-execute-button"))
        )

        # when the query runs
        run.click()

        # then the answer shows in the result pane
        def answer(driver: webdriver.Chrome) -> str | None:
            text: str = driver.find_element(By.CLASS_NAME, "result-window").text
            return text if "The Offline Atlas" in text else None

        shown = wait.until(answer)
        assert '"title": "The Offline Atlas"' in shown
        logged = " ".join(entry["message"] for entry in browser.get_log("browser"))
        assert "unpkg" not in logged


def test_graphiql_assets_are_served_and_nothing_else_is(services: Services) -> None:
    with served(create_app(services)) as base_url, httpx.Client(base_url=base_url) as http:
        page = http.get("/graphql", headers={"Accept": "text/html"}).text
        script = http.get("/graphiql/graphiql/graphiql.min.js")
        outside = http.get("/graphiql/graphiql/package.json")
        escape = http.get("/graphiql/../pyproject.toml")

    assert "unpkg.com" not in page
    assert 'src="/graphiql/graphiql/graphiql.min.js"' in page
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert outside.status_code == 404
    assert escape.status_code == 404
