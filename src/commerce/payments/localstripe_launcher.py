"""Run localstripe (a Stripe-compatible fake) on 127.0.0.1 with its own state file.

Started as ``python -m commerce.payments.localstripe_launcher --port P [--state FILE]``
by ``commerce.payments.local.LocalStripe``. localstripe's own ``start()`` binds every
interface and keeps its data in the shared ``/tmp/localstripe.pickle``; this launcher
binds loopback only and gives each run its own state (none at all without ``--state``),
so two test sessions or a test run and ``commerce serve`` never see each other's intents.

localstripe is a development tool (the ``dev`` and ``serve`` extras), never imported by
the service itself; it is GPL-licensed and only ever runs as this separate process.
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
# Printed once the socket listens; ``LocalStripe`` waits for it.
READY_LINE = "localstripe ready on http://"


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until SIGTERM/SIGINT; returns the exit code."""
    parser = argparse.ArgumentParser(prog="localstripe_launcher", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", type=Path, default=None, help="pickle file kept across runs")
    parser.add_argument(
        "--exit-with-stdin", action="store_true", help="stop when standard input closes"
    )
    args = parser.parse_args(argv)
    if args.exit_with_stdin:
        _exit_when_stdin_closes()

    from aiohttp import web
    from localstripe import resources, server

    _keep_state_in(resources.Store, args.state)
    resources.store.try_load_from_disk()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")

    def ready(_message: str) -> None:
        sys.stdout.write(f"{READY_LINE}{HOST}:{args.port}\n")
        sys.stdout.flush()

    web.run_app(server.app, host=HOST, port=args.port, access_log=None, print=ready)
    return 0


def _exit_when_stdin_closes() -> None:
    """Stop when the parent's pipe closes: a killed test run leaves no server behind."""

    def watch() -> None:
        sys.stdin.buffer.read()
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="stdin-watch", daemon=True).start()


def _keep_state_in(store_class: Any, state: Path | None) -> None:
    """Replace localstripe's fixed /tmp pickle with ``state`` (or no file at all)."""

    def load(store: dict[str, Any]) -> None:
        if state is None or not state.is_file():
            return
        with state.open("rb") as handle:
            # Our own file, written by this launcher in our own data folder.
            old = pickle.load(handle)  # noqa: S301
        store.clear()
        store.update(old)

    def dump(store: dict[str, Any]) -> None:
        if state is None:
            return
        state.parent.mkdir(parents=True, exist_ok=True)
        scratch = state.with_suffix(f".{os.getpid()}.tmp")
        with scratch.open("wb") as handle:
            pickle.dump(dict(store), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(scratch, state)

    store_class.try_load_from_disk = load
    store_class.dump_to_disk = dump


if __name__ == "__main__":
    raise SystemExit(main())
