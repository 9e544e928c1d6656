"""Relay global ids: opaque to clients, decoded with their type checked."""

from __future__ import annotations

import base64

import pytest

from commerce.graphql.errors import BadUserInput
from commerce.graphql.ids import (
    from_global_id,
    local_id_or_none,
    parse_global_id,
    to_global_id,
)
from commerce.ids import new_id


def encoded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("type_name", "local_id"),
    [
        # Fixed ids: test ids must be the same in every collection (pytest-xdist workers).
        ("Product", "01m83c2xkmn45p6nrcrjwz95jp"),
        ("Collection", "01hzy3k4m5n6p7q8r9s0t1v2w3"),
        ("ProductVariant", "01m83c2xkmnweax17mvhrynhqc.01m83c2xkmnmdtkca5pepxp5gd"),
        ("Product", "a:b:c"),
        ("Product", "ünïcödé"),
        ("P", "x"),
    ],
)
def test_a_global_id_round_trips_to_its_type_and_local_id(type_name: str, local_id: str) -> None:
    # when
    global_id = to_global_id(type_name, local_id)
    # then
    assert parse_global_id(global_id) == (type_name, local_id)
    assert from_global_id(global_id, type_name) == local_id
    assert local_id_or_none(global_id, type_name) == local_id


def test_a_global_id_is_url_safe_and_unpadded() -> None:
    for local_id in ("a", "ab", "abc", new_id()):
        global_id = to_global_id("Product", local_id)
        assert set(global_id) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )


@pytest.mark.parametrize(
    "garbage",
    [
        pytest.param("", id="empty"),
        pytest.param("!!!!", id="not-base64"),
        pytest.param("a", id="one-char"),
        pytest.param(encoded(b"Product"), id="no-colon"),
        pytest.param(encoded(b":abc"), id="no-type"),
        pytest.param(encoded(b"Product:"), id="no-local-id"),
        pytest.param(encoded(b"\xff\xfe:\x80"), id="not-utf8"),
        pytest.param(to_global_id("Product", "x" * 200), id="too-long"),
        pytest.param(to_global_id("Product", "abc") + "=", id="padded"),
        pytest.param("UHJv!ZHVjdDphYmM", id="stray-character"),
        pytest.param(" " + to_global_id("Product", "abc"), id="leading-space"),
        pytest.param(to_global_id("Product", "abc") + "\n", id="trailing-newline"),
    ],
)
def test_garbage_is_not_a_global_id(garbage: str) -> None:
    assert parse_global_id(garbage) is None
    assert local_id_or_none(garbage, "Product") is None
    with pytest.raises(BadUserInput) as refused:
        from_global_id(garbage, "Product")
    assert refused.value.extensions == {"code": "BAD_USER_INPUT", "argument": "id"}


def test_an_id_of_another_type_is_refused_where_a_product_is_expected() -> None:
    # given a collection's id
    collection_id = to_global_id("Collection", new_id())
    # then
    assert local_id_or_none(collection_id, "Product") is None
    with pytest.raises(BadUserInput) as refused:
        from_global_id(collection_id, "Product")
    assert refused.value.extensions == {"code": "BAD_USER_INPUT", "argument": "id"}
    assert "is not a valid Product ID" in refused.value.message


def test_type_names_are_case_sensitive() -> None:
    assert local_id_or_none(to_global_id("product", "abc"), "Product") is None
