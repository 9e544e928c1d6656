"""What checkout accepts as an idempotency key, and how cart issues become its codes."""

from __future__ import annotations

import pytest

from commerce.checkout.errors import CheckoutErrorCode
from commerce.checkout.model import _code, check_idempotency_key


@pytest.mark.parametrize(
    "key", ["a", "5b0d2c9e-1f2a-4c3b-9d8e-7f6a5b4c3d2e", "order:42_v1.0", "k" * 255]
)
def test_uuid_like_keys_are_accepted(key: str) -> None:
    assert check_idempotency_key(key) == []


@pytest.mark.parametrize("key", ["", "k" * 256, "with space", "naïve", "a/b"])
def test_other_keys_are_refused_at_the_key_field(key: str) -> None:
    (problem,) = check_idempotency_key(key)
    assert problem.code is CheckoutErrorCode.INVALID_IDEMPOTENCY_KEY
    assert problem.field == ("idempotencyKey",)


def test_cart_issue_names_map_to_checkout_codes_and_unknown_ones_to_not_ready() -> None:
    assert _code("SHIPPING_ADDRESS_REQUIRED") is CheckoutErrorCode.SHIPPING_ADDRESS_REQUIRED
    assert _code("OUT_OF_STOCK") is CheckoutErrorCode.OUT_OF_STOCK
    assert _code("SOMETHING_NEW") is CheckoutErrorCode.CART_NOT_READY
