"""The starter storefront at /demo, clicked through in a real headless Chromium.

The seeded demo store is served by uvicorn with its localstripe, as ``commerce serve``
runs them; the browser resolves no host but 127.0.0.1, so the pages and Stripe.js must
come from those two servers. A shopper searches, opens a book, adds a format and the
bundle, enters codes, ships, pays with a card in the local Stripe.js, waits for the
webhook to mark the order paid and downloads the e-book.

Screenshots of every step go to ``$COMMERCE_SCREENSHOT_DIR`` (a temporary folder when
unset), named by step.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from commerce.app import create_app
from commerce.catalog.demo import demo_asset_files
from commerce.composition import Services, build_services
from commerce.db.table import TableItem, create_table_if_missing
from commerce.demo_store import seed_demo_store
from commerce.payments.local import LOCAL_SECRET_KEY, LocalStripe
from commerce.settings import Secret, Settings
from stripe_events import served

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import (  # noqa: E402
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support import expected_conditions as shows  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
WEBHOOK_SECRET = "whsec_storefront_demo"
BOOK = "The Ash-Born Queen"


@dataclasses.dataclass
class Storefront:
    """The served demo store: its base URL, services and the Chromium that shops in it."""

    base_url: str
    services: Services
    browser: Any
    screenshots: Path
    taken: list[str] = dataclasses.field(default_factory=list)

    def wait(self, seconds: float = 20) -> Any:
        return WebDriverWait(
            self.browser, seconds, ignored_exceptions=[StaleElementReferenceException]
        )

    def find(self, css: str, seconds: float = 20) -> WebElement:
        try:
            found: WebElement = self.wait(seconds).until(
                shows.visibility_of_element_located((By.CSS_SELECTOR, css))
            )
        except TimeoutException:
            page = self.browser.find_element(By.TAG_NAME, "main").text
            raise AssertionError(f"no {css} shows; the page reads: {page}") from None
        return found

    def click(self, css: str) -> None:
        self.wait().until(shows.element_to_be_clickable((By.CSS_SELECTOR, css))).click()

    def button(self, text: str, within: str = "main") -> WebElement:
        xpath = f"//{within}//button[normalize-space()={_xpath_literal(text)}]"
        found: WebElement = self.wait().until(shows.element_to_be_clickable((By.XPATH, xpath)))
        return found

    def text_appears(self, css: str, text: str, seconds: float = 20) -> str:
        def shown(driver: Any) -> str | bool:
            for element in driver.find_elements(By.CSS_SELECTOR, css):
                if text in element.text:
                    return str(element.text)
            return False

        try:
            result: str = self.wait(seconds).until(shown)
        except TimeoutException:
            texts = [e.text for e in self.browser.find_elements(By.CSS_SELECTOR, css)]
            page = self.browser.find_element(By.TAG_NAME, "main").text
            raise AssertionError(f"{text!r} not in {css}: {texts}; the page reads: {page}") from (
                None
            )
        return result

    def screenshot(self, name: str) -> None:
        height = self.browser.execute_script("return document.documentElement.scrollHeight")
        self.browser.set_window_size(1280, max(900, min(int(height) + 40, 4000)))
        self.browser.execute_script("window.scrollTo(0, 0)")
        path = self.screenshots / f"{len(self.taken) + 1:02d}-{name}.png"
        assert self.browser.save_screenshot(str(path)), path
        self.taken.append(path.name)


def _xpath_literal(text: str) -> str:
    return f'"{text}"' if '"' not in text else f"'{text}'"


@pytest.fixture(scope="module")
def storefront(
    dynamodb_endpoint: str, stripe_server: LocalStripe, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Storefront]:
    """The demo store seeded once for the file, served on 127.0.0.1, and a browser."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("Chromium and chromedriver are not installed (make install installs them)")
    data_dir = tmp_path_factory.mktemp("storefront-data")
    settings = Settings(
        table_name=f"test-storefront-{uuid.uuid4().hex[:12]}",
        dynamodb_endpoint=dynamodb_endpoint,
        data_dir=data_dir,
        catalog_cache_seconds=0,
        catalog_stale_seconds=0,
        rate_limits=False,
        stripe_secret_key=Secret(LOCAL_SECRET_KEY),
        stripe_webhook_secret=Secret(WEBHOOK_SECRET),
        stripe_api_base=stripe_server.endpoint,
    )
    for key, text in demo_asset_files().items():
        (data_dir / "files" / key).parent.mkdir(parents=True, exist_ok=True)
        (data_dir / "files" / key).write_text(text, encoding="utf-8")
    services = build_services(settings)
    create_table_if_missing()
    seed_demo_store(services, accounts=False)
    folder = os.environ.get("COMMERCE_SCREENSHOT_DIR")
    screenshots = Path(folder) if folder else tmp_path_factory.mktemp("storefront-screenshots")
    screenshots.mkdir(parents=True, exist_ok=True)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        # No name resolves but the loopback servers: nothing may come from the internet.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--window-size=1280,900",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        with served(create_app(services)) as base_url:
            stripe_server.register_webhook(
                f"storefront-{uuid.uuid4().hex[:8]}", f"{base_url}/webhooks/stripe", WEBHOOK_SECRET
            )
            yield Storefront(base_url, services, browser, screenshots)
    finally:
        browser.quit()
        TableItem.delete_table()


def test_a_shopper_goes_from_search_to_download_in_the_browser(storefront: Storefront) -> None:
    shop = storefront
    # given the catalog page, when the shopper searches a title
    shop.browser.get(f"{shop.base_url}/demo/")
    search = shop.find("#q")
    search.send_keys("ash-born queen", Keys.ENTER)
    shop.text_appears("#summary", "for “ash-born queen”")
    shop.text_appears("#results", BOOK)
    shop.screenshot("catalog-search")

    # then the book's page shows its formats with prices and stock, and its offers
    shop.click("#results a[href='product.html?handle=the-ash-born-queen']")
    shop.text_appears("h1", BOOK)
    formats = shop.text_appears(".variants", "Hardcover")
    assert "E-book" in formats
    assert "Audiobook" in formats
    assert "Instant download" in formats
    assert "$" in formats
    offers = shop.text_appears(".offers", "hardcover and audiobook together")

    # when the e-book goes in the cart, then the bundle
    ebook_form = shop.find("form[aria-label$='E-book']")
    ebook_form.find_element(By.CSS_SELECTOR, "button").click()
    shop.text_appears("#notice", "added to your cart")
    shop.button("Add the bundle").click()
    shop.text_appears("#notice", "The bundle")
    assert shop.find("#cart-count").text == "3"
    assert "Add the bundle" in offers
    shop.screenshot("product-with-bundle")

    # then the cart shows the bundle's discount with its explanation, and a near miss
    shop.click("a[href='cart.html']")
    lines = shop.text_appears(".lines", "Hardcover")
    assert "Audiobook" in lines
    assert "E-book" in lines
    discounts = shop.text_appears(".lines .discounts", "Bundle for 34.99")
    assert "\N{MINUS SIGN}$" in discounts
    hints = shop.text_appears(".hints", "Almost there")
    assert "more for free shipping" in hints

    # when a code that does not exist is entered, the cart says why it is refused
    shop.find("#discount-code").send_keys("NOSUCHCODE", Keys.ENTER)
    shop.text_appears("#notice", "Code NOSUCHCODE entered")
    refused = shop.text_appears(".codes .refused", "NOSUCHCODE")
    assert "not applied" in refused

    # and the welcome code applies, with its explanation in the summary
    shop.find("#discount-code").send_keys("WELCOME10", Keys.ENTER)
    shop.text_appears("#notice", "Code WELCOME10 entered")
    applied = shop.text_appears(".codes .applied", "WELCOME10")
    assert "applied" in applied
    shop.text_appears(".totals .discounts", "10%")
    shop.text_appears(".totals", "Discounts")
    shop.screenshot("cart-with-discounts")

    # when the shopper gives an email and a Californian address and picks a delivery
    shop.find("#email").send_keys("reader@example.com")
    shop.button("Save").click()
    shop.text_appears("#notice", "Email saved")
    for field, value in {
        "firstName": "Robin",
        "lastName": "Reader",
        "address1": "1 Main St",
        "city": "Sacramento",
        "province": "CA",
        "zip": "95814",
    }.items():
        shop.find(f"#address-{field}").send_keys(value)
    shop.button("Use this address").click()
    shop.text_appears("#notice", "Address saved")
    shop.click("fieldset .choice label")
    shop.text_appears("#notice", "chosen")
    shop.wait().until(
        lambda d: "Choose a delivery option" not in d.find_element(By.CSS_SELECTOR, ".totals").text
    )
    summary = shop.text_appears(".totals", "Tax")
    assert "Shipping" in summary
    assert shop.find("fieldset input:checked").get_attribute("name") == "deliveryOption"
    shop.screenshot("cart-ready")

    # and checks out and pays with a card in the local Stripe.js
    shop.button("Check out").click()
    shop.text_appears("#summary", "Order #")
    shop.find("#card input")
    card = {"number": "4242424242424242", "exp_month": "12", "exp_year": "34", "cvc": "123"}
    for placeholder, value in {**card, "postal_code": "95814"}.items():
        shop.find(f"#card input[placeholder='{placeholder}']").send_keys(value)
    shop.screenshot("payment")
    shop.click("#pay")

    # then the order page shows the order moving to PAID, with the e-book's download
    shop.text_appears("#order h1", "Order #")
    shop.wait(45).until(
        lambda d: d.find_element(By.ID, "order-status").get_attribute("data-status") == "PAID"
    )
    link = shop.find(".downloads a")
    assert "E-book" in link.text
    shop.screenshot("order-paid")
    with httpx.Client() as http:
        download = http.get(str(link.get_attribute("href")))
    assert download.status_code == 200
    assert BOOK.encode() in download.content
    logged = [entry["message"] for entry in shop.browser.get_log("browser")]
    assert not [m for m in logged if "SEVERE" in m and "favicon" not in m], logged


def test_pages_show_graphql_errors_they_are_answered(storefront: Storefront) -> None:
    shop = storefront
    # given a cart id that is not one (a stale or edited localStorage value)
    shop.browser.get(f"{shop.base_url}/demo/cart.html")
    shop.browser.execute_script("localStorage.setItem('commerce.demo.cartId', 'not-a-cart-id')")

    # when the cart page loads, then the API's refusal is shown as an alert
    shop.browser.refresh()
    problem = shop.find("#problem[role=alert]")
    assert "could not do that" in problem.text
    assert "id" in problem.text.lower()
    shop.screenshot("cart-error")


def test_a_declined_card_is_shown_and_nothing_is_paid(storefront: Storefront) -> None:
    shop = storefront
    # given an order placed for one e-book
    shop.browser.get(f"{shop.base_url}/demo/product.html?handle=the-ash-born-queen")
    shop.browser.execute_script("localStorage.removeItem('commerce.demo.cartId')")
    shop.browser.refresh()
    shop.find("form[aria-label$='E-book'] button").click()
    shop.text_appears("#notice", "added to your cart")
    shop.browser.get(f"{shop.base_url}/demo/cart.html")
    shop.button("Check out").click()
    # (checkout refuses a cart without an email, and says so)
    shop.text_appears(".totals .problem", "email")
    shop.find("#email").send_keys("reader@example.com")
    shop.button("Save").click()
    shop.text_appears("#notice", "Email saved")
    shop.button("Check out").click()
    shop.find("#card input")

    # when the shopper pays with a card the bank declines
    declined = {"number": "4000000000000341", "exp_month": "12", "exp_year": "34", "cvc": "123"}
    for placeholder, value in {**declined, "postal_code": "95814"}.items():
        shop.find(f"#card input[placeholder='{placeholder}']").send_keys(value)
    shop.click("#pay")

    # then the refusal is shown on the payment form and the order still awaits payment
    refusal = shop.find("#payment-errors")
    assert "declined" in refusal.text.lower()
    shop.screenshot("card-declined")
    order_id = urllib.parse.parse_qs(urllib.parse.urlsplit(shop.browser.current_url).query)["id"]
    kept = json.loads(
        shop.browser.execute_script("return localStorage.getItem('commerce.demo.orders')")
    )
    token = next(order["accessToken"] for order in kept if order["id"] == order_id[0])
    query = "query ($id: ID!, $t: String) { order(id: $id, accessToken: $t) { status } }"
    with httpx.Client(base_url=shop.base_url) as http:
        body = http.post(
            "/graphql", json={"query": query, "variables": {"id": order_id[0], "t": token}}
        ).json()
    assert body["data"]["order"]["status"] == "AWAITING_PAYMENT"

    # and a second card for the declined payment is refused with what to do instead
    # (Stripe would take it; the local Stripe server keeps the failed charge)
    number = shop.find("#card input[placeholder='number']")
    number.clear()
    number.send_keys("4242424242424242")
    shop.click("#pay")
    shop.text_appears("#payment-errors", "place the order again")


def test_the_pages_get_stripe_js_and_its_key_from_the_server(storefront: Storefront) -> None:
    with httpx.Client(base_url=storefront.base_url) as http:
        config = http.get("/demo/config.json").json()
        page = http.get("/demo/")
        script = http.get(config["stripeJsUrl"])

    assert config["stripeJsUrl"].startswith("http://127.0.0.1:")
    assert config["stripeJsUrl"].endswith("/js.stripe.com/v3/")
    assert config["stripePublishableKey"].startswith("pk_")
    assert config["confirmOnServer"] is True
    assert script.status_code == 200
    assert "Stripe" in script.text
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"clientSecret": 1, "token": "tok_x"}',
        b'{"clientSecret": "sk_test_local", "token": "tok_x"}',
        b'{"clientSecret": "pi_unknown_secret_abc", "token": "tok_nothing"}',
    ],
)
def test_the_local_payment_refuses_what_is_not_a_payment(
    storefront: Storefront, body: bytes
) -> None:
    with httpx.Client(base_url=storefront.base_url) as http:
        answer = http.post("/demo/pay", content=body)

    assert answer.status_code == 400
    assert answer.json()["error"]
    assert "sk_test" not in answer.text


def test_a_deployed_stage_serves_no_storefront(storefront: Storefront) -> None:
    services = storefront.services
    deployed = dataclasses.replace(
        services, settings=dataclasses.replace(services.settings, stage="dev")
    )
    with TestClient(create_app(deployed)) as client:
        answers: list[Callable[[], Any]] = [
            lambda: client.get("/demo/"),
            lambda: client.get("/demo/config.json"),
            lambda: client.post("/demo/pay", json={}),
        ]
        statuses = [answer().status_code for answer in answers]

    assert statuses == [404, 404, 404]
