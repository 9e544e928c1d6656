"""Which endpoint URLs a stage accepts, and where a delivery may connect."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from commerce.webhooks.errors import WebhookErrorCode as Code
from commerce.webhooks.sender import HttpSender
from commerce.webhooks.urls import BlockedAddress, delivery_target, is_public, url_problems


def resolving(*addresses: str) -> Callable[[str, int], Sequence[str]]:
    def resolve(host: str, port: int) -> Sequence[str]:
        return addresses

    return resolve


def unresolvable(host: str, port: int) -> Sequence[str]:
    raise OSError("no such host")


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.0.1", False),
        ("127.0.0.1", False),
        ("::1", False),
        ("169.254.169.254", False),
        ("fd00:ec2::254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104  (an address checked, not bound)
        ("224.0.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("fe80::1%eth0", False),
        ("not an address", False),
    ],
)
def test_only_global_unicast_addresses_are_public(address: str, public: bool) -> None:
    assert is_public(address) is public


def test_a_host_with_one_private_address_among_public_ones_is_refused() -> None:
    # when
    problems = url_problems(
        "https://hooks.example/in",
        deployed=True,
        resolve=resolving("93.184.215.14", "10.0.0.7"),
    )

    # then
    assert [p.code for p in problems] == [Code.FORBIDDEN_ADDRESS]


def test_a_host_that_does_not_resolve_is_refused_in_a_deployed_stage() -> None:
    problems = url_problems("https://nowhere.example/", deployed=True, resolve=unresolvable)
    assert [p.code for p in problems] == [Code.UNRESOLVABLE_HOST]


def test_locally_loopback_http_is_accepted_without_resolving() -> None:
    problems = url_problems("http://127.0.0.1:9000/hook", deployed=False, resolve=unresolvable)
    assert problems == []


def test_a_url_that_resolved_publicly_when_registered_is_refused_once_it_resolves_privately() -> (
    None
):
    # given a host accepted at registration
    url = "https://rebind.example/hook"
    assert url_problems(url, deployed=True, resolve=resolving("93.184.215.14")) == []

    # when its DNS answers a private address at delivery time
    with pytest.raises(BlockedAddress):
        delivery_target(url, deployed=True, resolve=resolving("10.0.0.9"))

    # then the sender reports it without connecting anywhere
    sender = HttpSender(1.0, deployed=True, resolve=resolving("169.254.169.254"))
    answer = sender.post(url, {}, b"{}")
    assert answer.status_code is None
    assert answer.error is not None
    assert "private" in answer.error


def test_a_delivery_connects_to_the_checked_address_with_the_host_name_kept() -> None:
    target = delivery_target(
        "https://hooks.example:8443/in?x=1", deployed=True, resolve=resolving("93.184.215.14")
    )
    assert (target.host, target.port, target.path, target.address) == (
        "hooks.example",
        8443,
        "/in?x=1",
        "93.184.215.14",
    )
