"""Races on DynamoDB Local: one account per email, one successor per refresh token."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from commerce.composition import Services
from commerce.customers.errors import CustomerErrorCode as Code
from commerce.customers.identity.commands import RefreshTokens, SignUp
from commerce.customers.identity.model import Session, TokenPair
from commerce.problems import Rejected

PASSWORD = "racing passphrase"


def _outcome(work: object) -> object:
    try:
        return work()  # type: ignore[operator]
    except Rejected as rejected:
        return rejected.problems[0].code


def test_racing_sign_ups_with_one_email_open_exactly_one_account(services: Services) -> None:
    # given
    identity = services.identity

    # when
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(
            pool.map(
                lambda _: _outcome(lambda: identity.sign_up(SignUp("race@example.com", PASSWORD))),
                range(4),
            )
        )

    # then
    assert sum(isinstance(o, Session) for o in outcomes) == 1
    assert [o for o in outcomes if not isinstance(o, Session)] == [Code.EMAIL_TAKEN] * 3


def test_racing_refreshes_with_one_token_never_yield_two_live_successors(
    services: Services,
) -> None:
    # given
    identity = services.identity
    token = identity.sign_up(SignUp("refresh-race@example.com", PASSWORD)).tokens.refresh_token

    # when
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(
            pool.map(lambda _: _outcome(lambda: identity.refresh(RefreshTokens(token))), range(2))
        )

    # then: one won the rotation, the other was taken for a replay and ended the session
    pairs = [o for o in outcomes if isinstance(o, TokenPair)]
    assert len(pairs) == 1
    assert [o for o in outcomes if not isinstance(o, TokenPair)] == [Code.REFRESH_TOKEN_REUSED]
    assert _outcome(lambda: identity.refresh(RefreshTokens(pairs[0].refresh_token))) == (
        Code.INVALID_REFRESH_TOKEN
    )
