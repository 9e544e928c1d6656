"""The ``commerce`` command as an operator runs it, in-process, against DynamoDB Local."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from commerce.access.model import Scope
from commerce.access.service import InvalidApiKey
from commerce.catalog.listing import PageRequest, ProductQuery
from commerce.cli import main
from commerce.composition import Services
from commerce.money import Currency
from commerce.principals import Channel
from commerce.settings import Settings

KEY = re.compile(r"ck_([a-z0-9]{8})_[A-Za-z0-9_-]{43}")


@pytest.fixture
def environment(
    services: Services, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The operator's shell: pointed at this test's table on DynamoDB Local."""
    monkeypatch.setenv("COMMERCE_DYNAMODB_ENDPOINT", str(settings.dynamodb_endpoint))
    monkeypatch.setenv("COMMERCE_TABLE_NAME", settings.table_name)
    monkeypatch.setenv("AWS_REGION", settings.region)
    monkeypatch.setenv("COMMERCE_DATA_DIR", str(tmp_path / "data"))
    for name in ("COMMERCE_PORT", "COMMERCE_DEFAULT_CURRENCY", "COMMERCE_GRAPHIQL"):
        monkeypatch.delenv(name, raising=False)


def prefix_of(plaintext: str) -> str:
    match = KEY.fullmatch(plaintext)
    assert match is not None, plaintext
    return match.group(1)


def secret_of(plaintext: str) -> str:
    return plaintext[len("ck_12345678_") :]


def create_key(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["apikey", "create", *args]) == 0
    return capsys.readouterr().out.strip()


# -- apikey ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("environment")
def test_apikey_create_prints_the_key_alone_on_stdout_and_it_authenticates(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    code = main(["apikey", "create", "--name", "Warehouse sync", "--scope", "admin"])
    # then stdout holds exactly the key, so `KEY=$(commerce apikey create ...)` works
    out, err = capsys.readouterr()
    assert code == 0
    assert KEY.fullmatch(out.strip())
    assert out.count("ck_") == 1
    assert "only time the secret is shown" in err
    assert out.strip() not in err
    # and it authenticates as an admin
    principal = services.access.authenticate(out.strip())
    assert principal.scopes == frozenset({Scope.ADMIN})


@pytest.mark.usefixtures("environment")
def test_apikey_create_grants_every_repeated_scope(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    key = create_key(
        capsys, "--name", "Storefront", "--scope", "storefront:read", "--scope", "checkout"
    )
    # then
    assert services.access.authenticate(key).scopes == frozenset(
        {Scope.STOREFRONT_READ, Scope.CHECKOUT}
    )


@pytest.mark.usefixtures("environment")
def test_apikey_create_makes_the_apps_key_with_the_mobile_channel(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    key = create_key(capsys, "--name", "Apps", "--scope", "checkout", "--channel", "mobile")
    # then its callers are priced for the apps, and the listing says so
    assert services.access.authenticate(key).channel is Channel.MOBILE
    assert main(["apikey", "list"]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split()[:4] == ["PREFIX", "NAME", "SCOPES", "CHANNEL"]
    assert row.split()[:4] == [prefix_of(key), "Apps", "checkout", "MOBILE"]


@pytest.mark.usefixtures("environment")
def test_apikey_create_refuses_an_unknown_channel_and_partner_api(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["apikey", "create", "--name", "Kiosk", "--channel", "kiosk"]) == 1
    assert "unknown channel" in capsys.readouterr().err
    assert main(["apikey", "create", "--name", "Kiosk", "--channel", "partner_api"]) == 1
    assert "PARTNER_API" in capsys.readouterr().err


@pytest.mark.usefixtures("environment")
def test_a_partner_opened_from_the_cli_gets_an_expiring_key_of_its_own(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a partner opened by an operator
    assert (
        main(["partner", "create", "--name", "Book Blog", "--email", "Team@BookBlog.example"]) == 0
    )
    partner_id = capsys.readouterr().out.strip()
    assert main(["partner", "list"]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split() == ["ID", "NAME", "EMAIL", "CREATED"]
    assert row.split()[:4] == [partner_id, "Book", "Blog", "team@bookblog.example"]
    # when a key is made for it, with an expiry
    key = create_key(
        capsys,
        "--name",
        "Blog checkout",
        "--scope",
        "checkout",
        "--partner",
        partner_id,
        "--expires",
        "2030-01-01T00:00:00Z",
    )
    # then the key is the partner's, prices as PARTNER_API and stops in 2030
    principal = services.access.authenticate(key)
    [stored] = services.access.list_keys()
    assert principal.kind.value == "PARTNER"
    assert principal.channel is Channel.PARTNER_API
    assert stored.expires_at is not None
    assert stored.expires_at.isoformat() == "2030-01-01T00:00:00+00:00"


@pytest.mark.usefixtures("environment")
@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--partner", "nobody", "not a Partner id"),
        ("--expires", "next week", "not an ISO 8601"),
        ("--expires", "2030-01-01T00:00:00", "give a time zone"),
    ],
)
def test_apikey_create_refuses_a_bad_partner_or_expiry_and_makes_no_key(
    services: Services, capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    assert main(["apikey", "create", "--name", "Blog", "--scope", "checkout", option, value]) == 1
    assert message in capsys.readouterr().err
    assert services.access.list_keys() == []


@pytest.mark.usefixtures("environment")
def test_partner_create_with_a_bad_email_exits_1_and_opens_nothing(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["partner", "create", "--name", "Blog", "--email", "not-an-email"]) == 1
    assert "Not a valid email address" in capsys.readouterr().err
    assert services.access.partners() == []


@pytest.mark.usefixtures("environment")
def test_apikey_list_shows_prefix_name_and_state_but_never_the_secret(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    # given one active and one revoked key
    active = create_key(capsys, "--name", "Warehouse sync")
    revoked = create_key(capsys, "--name", "Old agency", "--scope", "partner:reports")
    services.access.revoke_key(prefix_of(revoked))
    # when
    code = main(["apikey", "list"])
    # then
    out, _ = capsys.readouterr()
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split()[:3] == ["PREFIX", "NAME", "SCOPES"]
    assert len(rows) == 2
    for plaintext, name, state in (
        (active, "Warehouse sync", "active"),
        (revoked, "Old agency", "revoked"),
    ):
        [row] = [r for r in rows if r.startswith(prefix_of(plaintext))]
        assert name in row
        assert row.endswith(state)
        assert secret_of(plaintext) not in out
    assert "ck_" not in out


@pytest.mark.usefixtures("environment")
def test_apikey_revoke_stops_the_key_from_authenticating(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a working key
    key = create_key(capsys, "--name", "Leaked laptop")
    prefix = prefix_of(key)
    services.access.authenticate(key)
    # when
    code = main(["apikey", "revoke", prefix])
    # then
    assert code == 0
    assert capsys.readouterr().out == f"Revoked {prefix}\n"
    with pytest.raises(InvalidApiKey, match="revoked"):
        services.access.authenticate(key)


@pytest.mark.usefixtures("environment")
def test_apikey_revoke_of_an_unknown_prefix_exits_1_with_a_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # when
    code = main(["apikey", "revoke", "zzzzzzzz"])
    # then
    out, err = capsys.readouterr()
    assert code == 1
    assert err == "commerce: no API key with prefix 'zzzzzzzz'\n"
    assert "Revoked" not in out


@pytest.mark.usefixtures("environment")
def test_apikey_create_with_an_unknown_scope_exits_1_without_a_traceback(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    code = main(["apikey", "create", "--name", "Typo", "--scope", "superuser"])
    # then
    out, err = capsys.readouterr()
    assert code == 1
    assert err.startswith("commerce: unknown scope; choose from ")
    assert "admin" in err
    assert "Traceback" not in err
    assert out == ""
    assert services.access.list_keys() == []


@pytest.mark.usefixtures("environment")
def test_apikey_create_with_a_blank_name_exits_1_and_makes_no_key(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    code = main(["apikey", "create", "--name", "   "])
    # then
    out, err = capsys.readouterr()
    assert code == 1
    assert err.startswith("commerce: A key needs a name")
    assert "ck_" not in out
    assert services.access.list_keys() == []


# -- schema ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stale", [pytest.param("type Query {\n  old: Int\n}\n", id="outdated"), None], ids=str
)
def test_schema_check_against_a_stale_file_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], stale: str | None
) -> None:
    # given an outdated file, or none at all
    path = tmp_path / "schema.graphql"
    if stale is not None:
        path.write_text(stale, encoding="utf-8")
    # when
    code = main(["schema", "--check", "--path", str(path)])
    # then
    assert code == 1
    assert "is stale" in capsys.readouterr().err
    assert path.exists() == (stale is not None)


def test_schema_check_against_a_freshly_written_file_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    path = tmp_path / "schema.graphql"
    assert main(["schema", "--path", str(path)]) == 0
    assert "type Query" in path.read_text(encoding="utf-8")
    capsys.readouterr()
    # when
    code = main(["schema", "--check", "--path", str(path)])
    # then
    assert code == 0
    assert capsys.readouterr().out == f"{path} is up to date\n"


# -- configuration --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("COMMERCE_PORT", "http"),
        ("COMMERCE_PORT", "70000"),
        ("COMMERCE_PORT", "\u00b2"),
        ("COMMERCE_DEFAULT_CURRENCY", "XYZ"),
        ("COMMERCE_GRAPHIQL", "maybe"),
    ],
)
def test_a_bad_environment_variable_exits_2_with_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    name: str,
    value: str,
) -> None:
    # given
    monkeypatch.setenv(name, value)
    # when
    code = main(["schema", "--path", str(tmp_path / "schema.graphql")])
    # then nothing ran, and the operator is told which variable is wrong
    _, err = capsys.readouterr()
    assert code == 2
    assert err.startswith("commerce: configuration error: ")
    assert name in err
    assert "Traceback" not in err
    assert not (tmp_path / "schema.graphql").exists()


# -- seed -----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("environment")
def test_seed_fills_an_empty_catalog_once(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    code = main(["seed"])
    # then
    out = capsys.readouterr().out
    assert code == 0
    seeded = re.search(r"Seeded the demo catalog: (\d+) products", out)
    assert seeded is not None
    everything = ProductQuery(Currency.USD, include_unpublished=True)
    page = services.catalog.list_products(services.catalog.view(), everything, PageRequest(first=1))
    assert page.total_count == int(seeded.group(1)) > 0
    assert "Seeded 3 shipping zones" in out
    # and seeding again leaves the catalog alone
    assert main(["seed"]) == 0
    again = capsys.readouterr().out
    assert "Seeded" not in again
    # and prints the same working demo keys both times (a local stage)
    printed = KEY.findall(out)
    assert len(printed) == 2
    assert KEY.findall(again) == printed
    assert "reader@example.com / demo-reader-2026" in again


@pytest.mark.usefixtures("environment")
def test_seed_on_a_deployed_stage_makes_no_demo_accounts(
    services: Services, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    monkeypatch.setenv("COMMERCE_STAGE", "dev")
    # when
    assert main(["seed"]) == 0
    # then
    out = capsys.readouterr().out
    assert "Seeded 3 shipping zones" in out
    assert KEY.search(out) is None
    assert "reader@example.com" not in out
    assert services.access.partners() == []
