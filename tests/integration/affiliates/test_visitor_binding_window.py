"""The visitor's binding on DynamoDB Local: the window, first click or last click as the
store chooses, late and replayed click records."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from affiliate_ledgers import START, Clock, RecordingTransfers, paid_order
from commerce.affiliates.model import CommissionRule
from commerce.affiliates.service import AffiliatesService, SetRule
from commerce.composition import Services, build_services
from commerce.db.table import create_table_if_missing
from commerce.payments.local import LocalStripe
from table_settings import fresh_settings


@pytest.fixture(scope="module")
def click_services(dynamodb_endpoint: str, stripe_server: LocalStripe) -> Services:
    built = build_services(fresh_settings(dynamodb_endpoint, stripe_server.endpoint, "whsec_x"))
    create_table_if_missing()
    return built


def affiliates(services: Services, *, first_click: bool) -> AffiliatesService:
    return AffiliatesService(
        lambda partner_id: services.access.partner(partner_id) is not None,
        RecordingTransfers(),
        services.catalog,
        pseudonym_key=b"test pseudonyms",
        clock=Clock(),
        click_days=7,
        first_click=first_click,
    )


def partners(services: Services, service: AffiliatesService) -> tuple[str, str]:
    found = []
    for name in ("One", "Two"):
        partner = services.access.create_partner(name, f"{name}@example.com").id
        service.set_rule(SetRule(partner, None, CommissionRule(first_order_rate=1000)))
        found.append(partner)
    return found[0], found[1]


def test_the_first_click_wins_when_the_store_chooses_it_until_its_window_ends(
    click_services: Services,
) -> None:
    service = affiliates(click_services, first_click=True)
    one, two = partners(click_services, service)
    visitor = "visitor-first"

    assert service.visitor_clicked(visitor, "e1", one, START)
    assert service.visitor_clicked(visitor, "e2", two, START + timedelta(days=1))
    held = service.visitor_binding(visitor)
    assert held is not None
    assert held.partner_id == one
    # A replayed record neither counts again nor moves the binding.
    assert not service.visitor_clicked(visitor, "e1", one, START)
    # Once the window ended, the next click binds anew.
    assert service.visitor_clicked(visitor, "e3", two, START + timedelta(days=8))
    renewed = service.visitor_binding(visitor)
    assert renewed is not None
    assert renewed.partner_id == two
    assert renewed.expires_at == START + timedelta(days=15)
    counted = service.clicks(one, START.date(), (START + timedelta(days=1)).date())
    assert [(d.day, d.clicks) for d in counted] == [
        (START.date().isoformat(), 1),
        ("2026-12-02", 0),
    ]


def test_the_last_click_wins_a_late_record_of_an_earlier_click_does_not_and_the_window_ends(
    click_services: Services,
) -> None:
    service = affiliates(click_services, first_click=False)
    one, two = partners(click_services, service)
    visitor = "visitor-last"

    service.visitor_clicked(visitor, "l2", two, START + timedelta(hours=2))
    service.visitor_clicked(visitor, "l1", one, START)  # delivered late
    held = service.visitor_binding(visitor)
    assert held is not None
    assert held.partner_id == two

    # An order paid after the window credits nobody; one inside it credits the partner.
    late = replace(
        paid_order([1000], paid_at=START + timedelta(days=10), number=1), visitor_id=visitor
    )
    assert service.order_settled(late) is None
    inside = replace(
        paid_order([1000], paid_at=START + timedelta(days=1), number=2), visitor_id=visitor
    )
    commission = service.order_settled(inside)
    assert commission is not None
    assert commission.partner_id == two
    assert service.visitor_binding(visitor) is None
    # A click on a partner that does not exist binds and counts nothing.
    assert not service.visitor_clicked("visitor-x", "x1", "no-such-partner", START)
    assert service.visitor_binding("visitor-x") is None
