"""The ``commerce`` command: serve, seed, schema, apikey, partner, operations, jobs, catalog.

Every subcommand reads ``Settings`` from the environment once. Without
``COMMERCE_DYNAMODB_ENDPOINT``, ``serve`` and ``seed`` start Amazon's DynamoDB
Local themselves, with data kept under ``.commerce/`` and bound to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import os
import socket
import sys
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commerce.settings import Settings, SettingsError

if TYPE_CHECKING:
    from commerce.access.service import AccessService
    from commerce.composition import Services

SCHEMA_FILE = Path("schema.graphql")
LOCAL_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    # Our own messages at INFO; libraries (botocore, PynamoDB) only when they warn.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("commerce").setLevel(logging.INFO)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"commerce: configuration error: {exc}", file=sys.stderr)
        return 2
    try:
        result: int = args.run(args, settings)
    except KeyboardInterrupt:
        return 130
    except CliError as exc:
        print(f"commerce: {exc}", file=sys.stderr)
        return 1
    return result


class CliError(Exception):
    """A failure the user can act on; printed without a traceback."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="commerce", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the API with GraphiQL on localhost")
    serve.add_argument("--host", default=None, help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8000)")
    serve.add_argument("--no-seed", action="store_true", help="leave an empty catalog empty")
    serve.set_defaults(run=_serve)

    seed = commands.add_parser("seed", help="fill an empty catalog with the demo bookstore")
    seed.set_defaults(run=_seed)

    schema = commands.add_parser("schema", help="write schema.graphql from the code")
    schema.add_argument("--check", action="store_true", help="fail if the file is stale")
    schema.add_argument("--path", type=Path, default=SCHEMA_FILE, help="file to write or check")
    schema.set_defaults(run=_schema)

    apikey = commands.add_parser("apikey", help="manage API keys")
    keys = apikey.add_subparsers(dest="action", required=True)
    create = keys.add_parser("create", help="make a key; its secret is printed once")
    create.add_argument("--name", required=True, help="who or what the key is for")
    create.add_argument(
        "--scope",
        action="append",
        default=None,
        help="a scope to grant (repeatable): admin, storefront:read, checkout, partner:reports",
    )
    create.add_argument(
        "--channel",
        default=None,
        help="the sales channel its callers are priced for: WEB (default) or MOBILE (the apps)",
    )
    create.add_argument(
        "--partner",
        default=None,
        help="the affiliate partner the key belongs to (its Partner id, from `partner list`)",
    )
    create.add_argument(
        "--expires",
        default=None,
        help="when the key stops working, ISO 8601 with a time zone (2027-01-01T00:00:00Z)",
    )
    create.set_defaults(run=_apikey_create)
    listing = keys.add_parser("list", help="show every key (never a secret)")
    listing.set_defaults(run=_apikey_list)
    revoke = keys.add_parser("revoke", help="stop a key from working, at once")
    revoke.add_argument("prefix", help="the key's 8-character prefix (ck_<prefix>_...)")
    revoke.set_defaults(run=_apikey_revoke)

    partner = commands.add_parser("partner", help="manage affiliate partners")
    partners = partner.add_subparsers(dest="action", required=True)
    opened = partners.add_parser("create", help="open a partner account; prints its id")
    opened.add_argument("--name", required=True, help="the partner's name")
    opened.add_argument("--email", required=True, help="where the shop reaches the partner")
    opened.set_defaults(run=_partner_create)
    partners.add_parser("list", help="show every partner").set_defaults(run=_partner_list)

    operations = commands.add_parser(
        "operations", help="registered GraphQL operations (persisted queries, allow-list)"
    )
    ops = operations.add_subparsers(dest="action", required=True)
    register = ops.add_parser(
        "register", help="allow-list every operation of a client build's manifest"
    )
    register.add_argument("manifest", type=Path, help='a JSON file of {"<sha256>": "<query>", ...}')
    register.set_defaults(run=_operations_register)
    listed = ops.add_parser("list", help="show every registered operation")
    listed.set_defaults(run=_operations_list)

    _add_adspend(commands)
    _add_affiliates(commands)
    jobs = commands.add_parser("jobs", help="run a scheduled job once, as the jobs function does")
    job_actions = jobs.add_subparsers(dest="action", required=True)
    run_job = job_actions.add_parser(
        "run",
        help=(
            "run one job now (release-expired-reservations, abandoned-cart-sweep, "
            "publish-catalog-snapshot)"
        ),
    )
    run_job.add_argument("name", help="the job's name, as in serverless.yml")
    run_job.set_defaults(run=_jobs_run)
    _catalog_parser(commands)
    return parser


def _catalog_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    catalog = commands.add_parser(
        "catalog", help="import or export the catalog as a Shopify product CSV"
    )
    catalog_actions = catalog.add_subparsers(dest="action", required=True)
    imported = catalog_actions.add_parser(
        "import", help="check a whole Shopify product CSV, then create or update its products"
    )
    imported.add_argument("file", type=Path, help="the CSV file (either header dialect)")
    imported.add_argument(
        "--dry-run", action="store_true", help="check and show what would change; write nothing"
    )
    imported.add_argument(
        "--progress",
        action="store_true",
        help="show a progress bar even when the output is not a terminal",
    )
    imported.set_defaults(run=_catalog_import)
    exported = catalog_actions.add_parser(
        "export", help="write every product, published or not, as a Shopify product CSV"
    )
    exported.add_argument("file", type=Path, help="where to write the CSV ('-' for stdout)")
    exported.add_argument(
        "--dialect",
        choices=["current", "legacy"],
        default="current",
        help='header names: "current" (URL handle, SKU...) or "legacy" (Handle, Variant SKU...)',
    )
    exported.set_defaults(run=_catalog_export)


def _catalog_import(args: argparse.Namespace, settings: Settings) -> int:
    """Validate the whole file first; any problem is listed with its line and column and
    nothing is written. Prints a summary: created, updated, unchanged, skipped."""
    from commerce.catalog_exchange.reader import CLI_LIMITS

    path: Path = args.file
    try:
        size = path.stat().st_size
        handle = path.open("rb")
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None
    if size > CLI_LIMITS.max_bytes:
        handle.close()
        raise CliError(f"{path} is {size} bytes; the import takes at most {CLI_LIMITS.max_bytes}")
    with handle, _database(settings) as ready:
        services = _catalog_services(ready)
        with _progress_bar(args.progress or sys.stderr.isatty()) as progress:
            summary = services.catalog_exchange.import_file(
                handle, dry_run=args.dry_run, actor="cli:catalog-import", progress=progress
            )
    for error in summary.errors:
        print(f"{path}:{error}", file=sys.stderr)
    if args.dry_run:
        for change in summary.changes:
            print(f"  would {change}")
    verb = "would be" if args.dry_run else "were"
    outcome = "refused" if summary.errors and not (summary.created or summary.updated) else "done"
    print(
        f"{summary.rows} rows: {summary.created} created, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.skipped} skipped"
        + (f" (what {verb} done; nothing written)" if args.dry_run else "")
        + (f"; {len(summary.errors)} problems, {outcome}" if summary.errors else "")
    )
    if summary.ignored_columns:
        print("columns not imported: " + ", ".join(summary.ignored_columns))
    return 1 if summary.errors else 0


@contextlib.contextmanager
def _progress_bar(shown: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A bar with rate and time left (tqdm) on a terminal or when asked; else nothing."""
    if not shown:
        yield None
        return
    from tqdm import tqdm

    with tqdm(unit="product", file=sys.stderr, dynamic_ncols=True) as bar:

        def advance(done: int, total: int) -> None:
            if bar.total != total:
                bar.total = total
                bar.refresh()
            bar.update(done - bar.n)

        yield advance


def _catalog_services(settings: Settings) -> Services:
    """The services over the table, created when missing (one build: clients are costly)."""
    from commerce.composition import build_services
    from commerce.db.table import create_table_if_missing

    services = build_services(settings)
    if create_table_if_missing():
        print(f"Created table {settings.table_name}")
    return services


def _catalog_export(args: argparse.Namespace, settings: Settings) -> int:
    from commerce.catalog_exchange.columns import Dialect

    dialect = Dialect(args.dialect)
    to_stdout = str(args.file) == "-"
    csv_out = sys.stdout
    # With "-", the CSV alone goes to stdout: start-up messages go to stderr.
    quiet = contextlib.redirect_stdout(sys.stderr) if to_stdout else contextlib.nullcontext()
    with quiet, _database(settings) as ready:
        services = _catalog_services(ready)
        if to_stdout:
            services.catalog_exchange.export_file(csv_out, dialect)
            return 0
        try:
            with args.file.open("w", encoding="utf-8", newline="") as out:
                count = services.catalog_exchange.export_file(out, dialect)
        except OSError as exc:
            raise CliError(f"cannot write {args.file}: {exc.strerror}") from None
    print(f"Wrote {count} rows to {args.file}", file=sys.stderr)
    return 0


def _add_adspend(commands: Any) -> None:
    adspend = commands.add_parser("adspend", help="ad spend per channel, campaign and day")
    spend_actions = adspend.add_subparsers(dest="action", required=True)
    imported = spend_actions.add_parser(
        "import", help="import a CSV of date,channel,campaign,currency,amount (major units)"
    )
    imported.add_argument("file", type=Path, help="the CSV file (UTF-8, with its header)")
    imported.set_defaults(run=_adspend_import)


def _add_affiliates(commands: Any) -> None:
    affiliates = commands.add_parser("affiliates", help="affiliate commissions and payouts")
    actions = affiliates.add_subparsers(dest="action", required=True)
    payout = actions.add_parser("payout", help="affiliate payouts")
    payout_actions = payout.add_subparsers(dest="payout_action", required=True)
    exported = payout_actions.add_parser(
        "export", help="write a payout as CSV, one row per ledger entry, then the total"
    )
    exported.add_argument("payout_id", help="the AffiliatePayout id, as the API shows it")
    exported.add_argument("file", type=Path, nargs="?", default=Path("-"), help="- for stdout")
    exported.set_defaults(run=_affiliates_payout_export)


def _affiliates_payout_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write a payout's CSV; an unknown or malformed id is an error that writes nothing."""
    from commerce.composition import build_services
    from commerce.graphql.ids import local_id_or_none

    local = local_id_or_none(str(args.payout_id).strip(), "AffiliatePayout")
    if local is None:
        raise CliError(f"{args.payout_id!r} is not an AffiliatePayout id")
    to_stdout = str(args.file) == "-"
    quiet = contextlib.redirect_stdout(sys.stderr) if to_stdout else contextlib.nullcontext()
    with quiet, _database(settings) as ready:
        text = build_services(ready).affiliates.payout_csv(local)
    if text is None:
        raise CliError(f"no payout has the id {args.payout_id!r}")
    if to_stdout:
        sys.stdout.write(text)
        return 0
    try:
        args.file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {args.file}: {exc.strerror}") from None
    print(f"Wrote payout {args.payout_id} to {args.file}", file=sys.stderr)
    return 0


def _adspend_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import ad spend rows; a file with any bad row imports nothing and names the lines."""
    from commerce.composition import build_services
    from commerce.journeys.commands import ad_spend_csv

    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {args.file}: {exc}") from None
    rows, problems = ad_spend_csv(text)
    if problems:
        raise CliError(
            "; ".join(f"{' '.join(p.field) or 'file'}: {p.message}" for p in problems[:20])
        )
    with _database(settings) as local:
        imported = build_services(local).attribution.import_ad_spend(rows)
    print(f"Imported {imported} ad spend rows", file=sys.stderr)
    return 0


def _jobs_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run a job in process with the jobs function's code; prints its result as JSON."""
    import json

    from commerce.composition import build_services
    from commerce.jobs.runner import run_job
    from commerce.observability.metrics import Metrics

    with _database(settings) as local:
        services = build_services(local)
        result = run_job({"job": args.name}, services, Metrics(settings.metrics_namespace, "jobs"))
    print(json.dumps(result))
    return 0 if result.get("ok") else 1


@contextlib.contextmanager
def _database(settings: Settings) -> Iterator[Settings]:
    """Settings pointing at a DynamoDB: the configured one, or a local one started here."""
    if settings.dynamodb_endpoint:
        yield settings
        return
    from commerce.db.local import DynamoDBLocal, DynamoDBLocalError, find_jar_dir

    # DynamoDB Local keeps one database per access key and region: fixed fake
    # credentials keep the data found again after a restart, and never reach AWS.
    for name, value in LOCAL_AWS_ENV.items():
        os.environ.setdefault(name, value)
    # A running `commerce serve` owns the data folder; later commands share its server.
    marker = settings.data_dir / "dynamodb-endpoint"
    if marker.exists():
        endpoint = marker.read_text(encoding="utf-8").strip()
        if _reachable(endpoint):
            yield dataclasses.replace(settings, dynamodb_endpoint=endpoint)
            return

    try:
        jar_dir = find_jar_dir(Path.cwd())
    except DynamoDBLocalError as exc:
        raise CliError(str(exc)) from None
    local = DynamoDBLocal(
        jar_dir=jar_dir,
        build_dir=settings.data_dir / "build",
        data_dir=settings.data_dir / "dynamodb",
    )
    try:
        local.start()
    except DynamoDBLocalError as exc:
        raise CliError(str(exc)) from None
    print(f"DynamoDB Local on {local.endpoint} (data in {settings.data_dir / 'dynamodb'})")
    marker.write_text(local.endpoint, encoding="utf-8")
    try:
        yield dataclasses.replace(settings, dynamodb_endpoint=local.endpoint)
    finally:
        marker.unlink(missing_ok=True)
        local.stop()


@contextlib.contextmanager
def _payments(settings: Settings) -> Iterator[Settings]:
    """Settings with a Stripe: the configured key, or localstripe started here on loopback.

    localstripe delivers its signed webhooks to this server's ``/webhooks/stripe``, so a
    local checkout is paid end to end with no Stripe account.
    """
    if settings.stripe_secret_key.value:
        yield settings
        return
    import secrets

    from commerce.payments.local import LOCAL_SECRET_KEY, LocalStripe, LocalStripeError
    from commerce.settings import Secret

    local = LocalStripe(
        log_dir=settings.data_dir / "build", state=settings.data_dir / "stripe" / "state.pickle"
    )
    webhook_secret = settings.stripe_webhook_secret.value or f"whsec_{secrets.token_hex(16)}"
    try:
        local.start()
        # Delivered about 1 s after each event, once uvicorn below is listening.
        local.register_webhook(
            "commerce-serve",
            f"http://{settings.host}:{settings.port}/webhooks/stripe",
            webhook_secret,
        )
    except (LocalStripeError, OSError) as exc:
        local.stop()
        raise CliError(f"cannot start the local Stripe fake: {exc}") from None
    print(f"Stripe fake (localstripe) on {local.endpoint} (log in {local.log_path})")
    try:
        yield dataclasses.replace(
            settings,
            stripe_secret_key=Secret(LOCAL_SECRET_KEY),
            stripe_webhook_secret=Secret(webhook_secret),
            stripe_api_base=local.endpoint,
        )
    finally:
        local.stop()


def _reachable(endpoint: str) -> bool:
    parsed = urllib.parse.urlsplit(endpoint)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 80), 1):
            return True
    except OSError:
        return False


def _prepare(settings: Settings, *, seed: bool) -> None:
    from commerce.composition import build_services
    from commerce.db.table import create_table_if_missing

    services = build_services(settings)
    if create_table_if_missing():
        print(f"Created table {settings.table_name}")
    if seed:
        _seed_demo_store(services)
    if seed and not settings.files_bucket:
        _write_demo_files(settings.data_dir / "files")


def _seed_demo_store(services: Services) -> None:
    """Seed what the demo store lacks; on a local stage, print how to sign in to it.

    The demo keys' plaintexts are kept under the data dir (hashes are all the table
    holds), so every start can print them again.
    """
    from commerce.demo_store import CUSTOMER_EMAIL, CUSTOMER_PASSWORD, seed_demo_store

    settings = services.settings
    local = settings.stage == "local"
    kept = settings.data_dir / "demo-keys.json"
    held = json.loads(kept.read_text(encoding="utf-8")) if local and kept.exists() else {}
    report = seed_demo_store(services, accounts=local, held_keys=held)
    if report.catalog is not None:
        print(
            f"Seeded the demo catalog: {report.catalog.products} products, "
            f"{report.catalog.variants} variants, {report.catalog.collections} collections"
        )
    if report.zones or report.tax_rates or report.promotions:
        print(
            f"Seeded {report.zones} shipping zones, {report.tax_rates} tax rates and "
            f"{report.promotions} promotions"
        )
    if not local:
        return
    if report.keys != held:
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_text(json.dumps(report.keys, indent=2), encoding="utf-8")
        kept.chmod(0o600)
    print("Demo store (local stage only):")
    print(f"  customer   {CUSTOMER_EMAIL} / {CUSTOMER_PASSWORD}  (customerLogIn)")
    for name, plaintext in report.keys.items():
        print(f"  {name + ' key':<18} X-API-Key: {plaintext}")


def _write_demo_files(folder: Path) -> None:
    """The demo e-books' and audiobooks' stand-in files, so their download links work."""
    from commerce.catalog.demo import demo_asset_files

    written = 0
    for key, text in demo_asset_files().items():
        path = folder / key
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written += 1
    if written:
        print(f"Wrote {written} demo download files under {folder}")


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from commerce.app import create_app
    from commerce.composition import build_services
    from commerce.web.serving import uvicorn_options

    settings = dataclasses.replace(
        settings,
        host=args.host or settings.host,
        port=args.port or settings.port,
    )
    if not settings.public_url:
        # Download links point at the address actually served.
        settings = dataclasses.replace(
            settings, public_url=f"http://{settings.host}:{settings.port}"
        )
    settings = _with_local_keys(settings)
    with _database(settings) as with_db, _payments(with_db) as ready:
        _prepare(ready, seed=not args.no_seed)
        app = create_app(build_services(ready))
        print(f"GraphiQL on http://{ready.host}:{ready.port}/graphql")
        if ready.stage == "local":
            print(f"Starter storefront on http://{ready.host}:{ready.port}/demo/")
        uvicorn.run(
            app, host=ready.host, port=ready.port, log_level="info", **uvicorn_options(ready)
        )
    return 0


# The keys a laptop makes for itself, each kept in a file of its own under the data dir, so
# that log-ins, download and opt-out links and webhook endpoints survive a restart of
# ``commerce serve``. A key set in the environment wins.
_LOCAL_KEY_FILES = {
    "jwt_secret": "jwt-secret",
    "download_signing_key": "download-signing-key",
    "webhook_secrets_key": "webhook-secrets-key",
    "recovery_signing_key": "recovery-signing-key",
}


def _with_local_keys(settings: Settings) -> Settings:
    """The laptop's keys, made once (random, readable by its owner only) and then reused."""
    import secrets

    from commerce.settings import Secret

    kept: dict[str, Any] = {}
    for field, name in _LOCAL_KEY_FILES.items():
        current: Secret = getattr(settings, field)
        if current.value:
            continue
        path = settings.data_dir / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            path.chmod(0o600)
        kept[field] = Secret(path.read_text(encoding="utf-8"))
    return dataclasses.replace(settings, **kept)


def _seed(args: argparse.Namespace, settings: Settings) -> int:
    with _database(settings) as ready:
        _prepare(ready, seed=True)
    return 0


def _schema(args: argparse.Namespace, settings: Settings) -> int:
    from commerce.schema import build_schema

    text = build_schema().as_str().rstrip("\n") + "\n"
    path: Path = args.path
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            print(f"{path} is stale: run `commerce schema` and commit it", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"Wrote {path}")
    return 0


@contextlib.contextmanager
def _access(settings: Settings) -> Iterator[AccessService]:
    from commerce.composition import build_services

    with _database(settings) as ready:
        _prepare(ready, seed=False)
        yield build_services(ready).access


def _apikey_create(args: argparse.Namespace, settings: Settings) -> int:
    from commerce.access.model import Scope
    from commerce.principals import Channel
    from commerce.problems import Rejected

    try:
        scopes = frozenset(Scope(s) for s in (args.scope or ["admin"]))
    except ValueError:
        choices = ", ".join(s.value for s in Scope)
        raise CliError(f"unknown scope; choose from {choices}") from None
    try:
        channel = None if args.channel is None else Channel(args.channel.strip().upper())
    except ValueError:
        choices = ", ".join(c.value for c in Channel)
        raise CliError(f"unknown channel; choose from {choices}") from None
    partner_id = None if args.partner is None else _partner_id(args.partner)
    expires_at = None if args.expires is None else _aware_time(args.expires, "--expires")
    try:
        with _access(settings) as access:
            created = access.create_key(
                args.name, scopes, channel=channel, partner_id=partner_id, expires_at=expires_at
            )
    except (ValueError, Rejected) as exc:
        raise CliError(str(exc)) from None
    print(created.plaintext)
    print(
        f"Key {created.key.prefix} for {created.key.name!r} "
        f"({', '.join(sorted(s.value for s in scopes))}; {created.key.channel.value}). "
        "This is the only time the secret is shown.",
        file=sys.stderr,
    )
    return 0


def _partner_id(given: str) -> str:
    """A partner's local id from its Partner id (as the API and `partner list` show it)."""
    from commerce.graphql.ids import local_id_or_none

    local = local_id_or_none(given.strip(), "Partner")
    if local is None:
        raise CliError(f"{given!r} is not a Partner id; see `commerce partner list`")
    return local


def _aware_time(given: str, option: str) -> datetime:
    """An ISO 8601 instant with its time zone (a bare local time would be ambiguous)."""
    try:
        parsed = datetime.fromisoformat(given.strip().replace("Z", "+00:00"))
    except ValueError:
        raise CliError(f"{option}: not an ISO 8601 date and time: {given!r}") from None
    if parsed.tzinfo is None:
        raise CliError(f"{option}: give a time zone, e.g. {given}Z")
    return parsed


def _partner_create(args: argparse.Namespace, settings: Settings) -> int:
    from commerce.graphql.ids import to_global_id
    from commerce.problems import Rejected

    try:
        with _access(settings) as access:
            partner = access.create_partner(args.name, args.email)
    except Rejected as exc:
        raise CliError(str(exc)) from None
    print(to_global_id("Partner", partner.id))
    print(f"Partner {partner.name!r} <{partner.email}>", file=sys.stderr)
    return 0


def _partner_list(args: argparse.Namespace, settings: Settings) -> int:
    from commerce.graphql.ids import to_global_id

    with _access(settings) as access:
        found = access.partners()
    print(f"{'ID':<48} {'NAME':<24} {'EMAIL':<32} CREATED")
    for partner in found:
        print(
            f"{to_global_id('Partner', partner.id):<48} {partner.name[:24]:<24} "
            f"{partner.email[:32]:<32} {partner.created_at:%Y-%m-%d %H:%M:%S}"
        )
    return 0


def _apikey_list(args: argparse.Namespace, settings: Settings) -> int:
    with _access(settings) as access:
        keys = access.list_keys()
    print(
        f"{'PREFIX':<10} {'NAME':<24} {'SCOPES':<28} {'CHANNEL':<12} {'CREATED':<20} "
        f"{'LAST USED':<20} STATE"
    )
    for key in keys:
        print(
            f"{key.prefix:<10} {key.name[:24]:<24} "
            f"{','.join(sorted(s.value for s in key.scopes))[:28]:<28} "
            f"{key.channel.value:<12} "
            f"{key.created_at:%Y-%m-%d %H:%M:%S}  "
            f"{'-' if key.last_used_at is None else f'{key.last_used_at:%Y-%m-%d %H:%M:%S}':<20} "
            f"{'active' if key.active else 'revoked'}"
        )
    return 0


def _apikey_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from commerce.problems import Rejected

    try:
        with _access(settings) as access:
            access.revoke_key(args.prefix)
    except Rejected:
        raise CliError(f"no API key with prefix {args.prefix!r}") from None
    print(f"Revoked {args.prefix}")
    return 0


def _operations_register(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from commerce.composition import build_services
    from commerce.operations.model import InvalidManifest, parse_manifest

    try:
        raw = json.loads(Path(args.manifest).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot read {args.manifest}: {exc}") from None
    try:
        documents = parse_manifest(raw)
    except InvalidManifest as exc:
        raise CliError(f"{args.manifest}: {exc}; nothing was registered") from None
    with _database(settings) as ready:
        _prepare(ready, seed=False)
        count = build_services(ready).operations.register_manifest(documents)
    print(f"Registered {count} operations from {args.manifest}")
    return 0


def _operations_list(args: argparse.Namespace, settings: Settings) -> int:
    from commerce.composition import build_services

    with _database(settings) as ready:
        _prepare(ready, seed=False)
        operations = build_services(ready).operations.list_operations()
    print(f"{'SHA256':<64}  {'KIND':<10} {'REGISTERED':<20} FIRST LINE")
    for operation in operations:
        kind = "allowed" if operation.allowed else "apq"
        first_line = " ".join(operation.document.split())[:60]
        print(
            f"{operation.sha256}  {kind:<10} {operation.registered_at:%Y-%m-%d %H:%M:%S}  "
            f"{first_line}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
