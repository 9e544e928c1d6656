"""Two writers at once: nobody's change is lost, and unique names stay unique."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from commerce.catalog import store
from commerce.catalog.commands import ProductChanges, ProductDraft, VariantDraft
from commerce.catalog.errors import CatalogErrorCode
from commerce.composition import Services
from commerce.problems import Rejected


def draft(title: str, sku: str, handle: str | None = None) -> ProductDraft:
    return ProductDraft(title=title, handle=handle, variants=(VariantDraft(sku=sku),))


def test_an_update_based_on_a_stale_read_is_refused_and_the_other_change_kept(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a product that two members of staff opened at the same version
    product = services.catalog.create_product(draft("Original", "ORIG-1"))
    stale = store.get_product_record(product.id)
    services.catalog.update_product(product.id, ProductChanges(title="First writer"))
    # when the second saves on top of the version they read
    monkeypatch.setattr(store, "get_product_record", lambda _: stale)
    with pytest.raises(Rejected) as refused:
        services.catalog.update_product(product.id, ProductChanges(title="Second writer"))
    monkeypatch.undo()
    # then the second is told to re-read, and the first change stands
    assert [p.code for p in refused.value.problems] == [CatalogErrorCode.CONCURRENT_UPDATE]
    current = store.get_product_record(product.id)
    assert current is not None
    assert current.product.title == "First writer"


def test_of_many_products_racing_for_one_handle_exactly_one_gets_it(services: Services) -> None:
    # given eight creations at once, all asking for the same handle
    def attempt(n: int) -> str:
        try:
            services.catalog.create_product(draft(f"Racer {n}", f"RACE-{n}", handle="the-prize"))
        except Rejected as rejected:
            return rejected.problems[0].code.value
        return "CREATED"

    # when
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = sorted(pool.map(attempt, range(8)))
    # then one won; every other got a clear refusal, and no orphan items were left behind
    assert outcomes.count("CREATED") == 1
    assert set(outcomes) - {"CREATED"} <= {"HANDLE_TAKEN", "CONCURRENT_UPDATE"}
    view = services.catalog.view()
    assert [p.handle for p in view.snapshot.products] == ["the-prize"]
    assert len(view.snapshot.stock) == 1


def test_a_sku_can_belong_to_only_one_product_even_when_two_claim_it_at_once(
    services: Services,
) -> None:
    # when two products are created at the same moment with the same SKU
    def attempt(n: int) -> bool:
        try:
            services.catalog.create_product(draft(f"Twin {n}", "SAME-SKU"))
        except Rejected:
            return False
        return True

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(attempt, range(2)))
    # then
    assert sorted(outcomes) == [False, True]
    assert len(services.catalog.view().snapshot.products) == 1
