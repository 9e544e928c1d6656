"""Every GraphQL example in README.md and the guides in docs/ runs against the demo store.

A file's examples run in order, as a reader follows them, over one seeded demo store.
An example passes when it answers without top-level errors and without ``userErrors``.
The examples use a small convention, documented in the README's "Try it":

- ``# variables: {...}`` (one line of JSON) gives the operation's variables;
- ``# as: admin`` / ``partner`` / ``customer`` sends the demo admin key, the demo partner's
  key, or the demo customer's access token;
- ``# pay: <path>`` pays the payment intent whose client secret is at ``path`` on the
  local Stripe server first, as Stripe.js would, and waits until the answer shows the
  order paid (and its download links, when it asks for them);
- in the operation or its variables, ``<sku EMB-1-HC>`` is the id of the variant with that
  SKU, ``<uuid>`` a fresh UUID, and ``<cartCreate.cart.id>`` that field of the latest
  earlier answer of the same file that has it (list items by index:
  ``deliveryOptions.0.id``).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import stripe

from commerce.demo_store import ADMIN_KEY_NAME, CUSTOMER_EMAIL, CUSTOMER_PASSWORD, PARTNER_KEY_NAME
from commerce.payments.local import LOCAL_SECRET_KEY
from conftest import DemoShop

ROOT = Path(__file__).resolve().parents[3]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```graphql\n(.*?)^```", re.MULTILINE | re.DOTALL)
DIRECTIVE = re.compile(r"^\s*# (variables|as|pay):\s*(.*)$", re.MULTILINE)
PLACEHOLDER = re.compile(r"<(sku [A-Z0-9-]+|uuid|[A-Za-z]\w*(?:\.\w+)+)>")
SETTLE_SECONDS = 20


@dataclass(frozen=True)
class Example:
    """One GraphQL block: where it is, its operation and its directives."""

    where: str
    text: str
    directives: dict[str, str]


def examples(document: Path) -> list[Example]:
    text = document.read_text(encoding="utf-8")
    found = []
    for match in BLOCK.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        block = match.group(1)
        directives = {m.group(1): m.group(2).strip() for m in DIRECTIVE.finditer(block)}
        found.append(Example(f"{document.relative_to(ROOT)}:{line}", block, directives))
    return found


def documents_with_examples() -> list[Path]:
    return [document for document in DOCUMENTS if examples(document)]


@dataclass
class Walk:
    """A reader going through one document: the answers so far, the credentials."""

    shop: DemoShop
    skus: dict[str, str]
    answers: list[dict[str, Any]] = field(default_factory=list)

    def fill(self, text: str, where: str) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "uuid":
                return str(uuid.uuid4())
            if name.startswith("sku "):
                return self.skus[name.removeprefix("sku ")]
            found = self.lookup(name)
            assert found is not None, f"{where}: no earlier answer has {name}"
            return str(found)

        return PLACEHOLDER.sub(value, text)

    def lookup(self, path: str) -> Any:
        for answer in reversed(self.answers):
            node: Any = answer
            for step in path.split("."):
                if isinstance(node, list) and step.isdigit() and int(step) < len(node):
                    node = node[int(step)]
                elif isinstance(node, dict) and step in node:
                    node = node[step]
                else:
                    node = None
                    break
            if node is not None:
                return node
        return None

    def headers(self, role: str | None) -> dict[str, str]:
        keys = self.shop.report.keys
        if role is None:
            return {}
        if role == "admin":
            return {"X-API-Key": keys[ADMIN_KEY_NAME]}
        if role == "partner":
            return {"X-API-Key": keys[PARTNER_KEY_NAME]}
        assert role == "customer", role
        data = self.shop.data(
            """mutation ($input: CustomerLogInInput!) {
                 customerLogIn(input: $input) { session { accessToken } } }""",
            {"input": {"email": CUSTOMER_EMAIL, "password": CUSTOMER_PASSWORD}},
        )
        return {"Authorization": f"Bearer {data['customerLogIn']['session']['accessToken']}"}

    def pay(self, client_secret: str) -> None:
        """What Stripe.js does in the browser: attach a card to the intent and confirm it."""
        intent_id = client_secret.split("_secret_", maxsplit=1)[0]
        shopper = stripe.StripeClient(
            LOCAL_SECRET_KEY,
            base_addresses={"api": self.shop.stripe_server.endpoint},
            max_network_retries=0,
        )
        shopper.v1.payment_intents.update(intent_id, params={"payment_method": "pm_card_visa"})
        shopper.v1.payment_intents.confirm(intent_id)

    def run(self, example: Example) -> dict[str, Any]:
        text = self.fill(example.text, example.where)
        directives = {m.group(1): m.group(2).strip() for m in DIRECTIVE.finditer(text)}
        variables = json.loads(directives.get("variables", "{}"))
        query = DIRECTIVE.sub("", text)
        headers = self.headers(directives.get("as"))
        if "pay" in directives:
            self.pay(directives["pay"])
            deadline = time.monotonic() + SETTLE_SECONDS
            body, previous = self.shop.post(query, variables, **headers), None
            # Links are granted line by line after the payment: wait for a steady answer.
            while not (settled(body) and body == previous) and time.monotonic() < deadline:
                time.sleep(0.3)
                body, previous = self.shop.post(query, variables, **headers), body
            assert settled(body), f"{example.where}: never paid: {body}"
        else:
            body = self.shop.post(query, variables, **headers)
        assert "errors" not in body, f"{example.where}: {body}"
        refusals = list(user_errors(body["data"]))
        assert refusals == [], f"{example.where}: {refusals}"
        self.answers.append(body["data"])
        return body


def settled(body: dict[str, Any]) -> bool:
    """Paid, and with the download links that follow the payment a moment later."""
    text = json.dumps(body)
    return '"PAID"' in text and '"downloads": []' not in text


def user_errors(node: Any) -> list[Any]:
    """Every non-empty ``userErrors`` list anywhere in an answer."""
    found: list[Any] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "userErrors" and value:
                found.append(value)
            else:
                found += user_errors(value)
    elif isinstance(node, list):
        for item in node:
            found += user_errors(item)
    return found


@pytest.fixture(scope="module")
def walked(demo_shop: DemoShop) -> Callable[[Path], Walk]:
    """A document's examples, run once per file and kept for the tests that read them."""
    nodes = demo_shop.data("{ products(first: 100) { nodes { variants { id sku } } } }")
    skus = {v["sku"]: v["id"] for p in nodes["products"]["nodes"] for v in p["variants"]}
    done: dict[Path, Walk] = {}

    def walk(document: Path) -> Walk:
        if document not in done:
            reader = Walk(demo_shop, skus)
            for example in examples(document):
                reader.run(example)
            done[document] = reader
        return done[document]

    return walk


@pytest.mark.parametrize(
    "document", documents_with_examples(), ids=lambda d: str(d.relative_to(ROOT))
)
def test_every_example_of_a_document_runs_in_order(
    walked: Callable[[Path], Walk], document: Path
) -> None:
    walk = walked(document)

    assert len(walk.answers) == len(examples(document))


def test_the_readme_walk_hears_near_misses_then_earns_every_offer(
    walked: Callable[[Path], Walk],
) -> None:
    walk = walked(ROOT / "README.md")

    hints = walk.lookup("cartCreate.cart.nearMisses")
    assert {hint["kind"] for hint in hints} >= {"COMPLETE_SET", "ADD_ITEMS"}
    added = walk.lookup("cartLinesAdd.cart.lines")
    explained = {
        allocation["explanation"] for line in added for allocation in line["discountAllocations"]
    }
    assert len(explained) == 3, explained  # the series set, the free Staff Pick, the bundle
    assert walk.lookup("cartDeliveryOptionSelect.cart.shippingDiscount") is not None
    cost = walk.lookup("cartDeliveryOptionSelect.cart.cost")
    assert cost["shippingDiscountAmount"] == cost["shippingAmount"] == {"amount": "4.99"}
    (welcome,) = walk.lookup("cartDiscountCodesUpdate.cart.orderDiscounts")
    assert "10%" in welcome["explanation"]


def test_the_readme_walk_ends_with_a_paid_order_and_its_download(
    demo_shop: DemoShop, walked: Callable[[Path], Walk]
) -> None:
    order = walked(ROOT / "README.md").lookup("order")

    assert order["status"] == "PAID"
    titles = {link["title"] for link in order["downloads"]}
    assert {"The Drowned Relay (E-book)", "The Ash-Born Queen (Audiobook)"} <= titles, titles
    link = next(d for d in order["downloads"] if d["title"] == "The Drowned Relay (E-book)")
    download = demo_shop.http.get(link["url"], follow_redirects=True)
    assert download.status_code == 200
    assert download.text.startswith("The Drowned Relay by Idris Calloway (E-book).")
