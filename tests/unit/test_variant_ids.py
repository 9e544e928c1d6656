"""A ProductVariant's global id: one encoder, one decoder, each the other's inverse.

Carts, promotions, inventory and the catalog all read variant ids with this decoder, so a
string it accepts means the same variant everywhere, and anything else is refused
(None) without raising, whatever a client sends.
"""

from __future__ import annotations

import base64
import string

from hypothesis import example, given, settings
from hypothesis import strategies as st

from commerce.graphql.ids import to_global_id, variant_global_id, variant_ref_or_none
from commerce.ids import new_id
from commerce.variant_refs import VariantRef

# Ids as the catalog makes them, and other short printable ids without the separating
# dot (global ids are at most 200 characters: catalog ids use a third of that).
ids = st.one_of(
    st.builds(new_id),
    st.text(string.printable.replace(".", ""), min_size=1, max_size=40),
)
refs = st.builds(VariantRef, ids, ids)


def encoded(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@settings(derandomize=True, max_examples=300, deadline=None)
@given(refs)
def test_decoding_a_variant_id_gives_back_the_variant_encoded(ref: VariantRef) -> None:
    assert variant_ref_or_none(variant_global_id(ref)) == ref


@settings(derandomize=True, max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.text().map(encoded),
        st.text().map(lambda local: to_global_id("ProductVariant", local)),
        st.text().map(lambda local: to_global_id("Product", local)),
        refs.map(lambda ref: variant_global_id(ref) + "="),
        refs.map(lambda ref: " " + variant_global_id(ref)),
    )
)
@example("")
@example(to_global_id("ProductVariant", "only-a-product"))
@example(to_global_id("ProductVariant", ".variant"))
@example(to_global_id("ProductVariant", "product."))
@example(to_global_id("ProductVariant", "a.b.c"))
@example(to_global_id("Product", "a.b"))
@example(encoded("ProductVariant:a.b") + "==")
def test_the_decoder_accepts_only_what_the_encoder_makes(text: str) -> None:
    # Never raises; a string it accepts is exactly the encoding of what it returns.
    ref = variant_ref_or_none(text)
    assert ref is None or variant_global_id(ref) == text


def test_a_variant_id_names_its_product_and_its_variant() -> None:
    product_id, variant_id = new_id(), new_id()
    global_id = to_global_id("ProductVariant", f"{product_id}.{variant_id}")
    assert variant_ref_or_none(global_id) == VariantRef(product_id, variant_id)
    assert variant_ref_or_none(to_global_id("ProductVariant", product_id)) is None
    assert variant_ref_or_none(to_global_id("Product", f"{product_id}.{variant_id}")) is None
