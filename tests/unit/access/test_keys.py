"""API key secrets: their format, the prefix that finds them, and digest matching."""

from __future__ import annotations

import re

import pytest

from commerce.access.keys import digest_of, make_key, matches, prefix_of

KEY_FORMAT = re.compile(r"ck_([a-z0-9]{8})_([A-Za-z0-9_-]{43})")


def test_a_new_key_reads_ck_prefix_secret() -> None:
    # when
    made = make_key()
    # then
    match = KEY_FORMAT.fullmatch(made.plaintext)
    assert match is not None
    assert match.group(1) == made.prefix
    assert made.digest == digest_of(made.plaintext)


def test_prefixes_avoid_characters_people_misread() -> None:
    prefixes = "".join(make_key().prefix for _ in range(200))
    assert not set(prefixes) & set("lo01")


def test_every_new_key_is_different() -> None:
    made = [make_key() for _ in range(50)]
    assert len({m.plaintext for m in made}) == 50
    assert len({m.digest for m in made}) == 50


def test_the_digest_is_sha256_hex_and_holds_no_part_of_the_secret() -> None:
    made = make_key()
    assert re.fullmatch(r"[0-9a-f]{64}", made.digest)
    secret = made.plaintext[len("ck_12345678_") :]
    assert secret not in made.digest
    assert secret[:8] not in made.digest


def test_the_prefix_of_a_well_formed_key_is_its_lookup_prefix() -> None:
    made = make_key()
    assert prefix_of(made.plaintext) == made.prefix


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "ck_",
        "nonsense",
        "Bearer ck_abcdefgh_" + "A" * 43,
        "ck_abcdefgh_" + "A" * 42,
        "ck_abcdefgh_" + "A" * 44,
        "ck_ABCDEFGH_" + "A" * 43,
        "ck_abcdefg_" + "A" * 43,
        "ck_abcdefgh_" + "A" * 42 + "=",
        "sk_abcdefgh_" + "A" * 43,
        "ck_abcdefgh_" + "A" * 43 + "\n",
        " ck_abcdefgh_" + "A" * 43,
        "ck_abcdefgh_" + "A" * 43 + " ",
    ],
)
def test_anything_else_has_no_prefix(garbage: str) -> None:
    assert prefix_of(garbage) is None


def test_a_key_matches_its_own_digest() -> None:
    made = make_key()
    assert matches(made.plaintext, made.digest)


def test_a_key_does_not_match_another_keys_digest() -> None:
    first, second = make_key(), make_key()
    assert not matches(first.plaintext, second.digest)
    assert not matches(second.plaintext, first.digest)


def test_a_key_with_one_character_changed_does_not_match() -> None:
    made = make_key()
    last = made.plaintext[-1]
    altered = made.plaintext[:-1] + ("B" if last != "B" else "C")
    assert prefix_of(altered) == made.prefix
    assert not matches(altered, made.digest)
