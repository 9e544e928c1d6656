"""graphql-http's own GraphQL-over-HTTP audit, MUST and SHOULD checks alike, passes.

The audit (npm ``graphql-http``, ``auditServer``) runs in Node against the app served on
127.0.0.1, through ``scripts/graphql-http-audit.mjs``; ``make install`` installs it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from commerce.app import create_app
from commerce.composition import Services
from stripe_events import served

# The repository root, two folders up; not imported from a conftest, whose module name
# pytest shares between every folder that has one.
REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "graphql-http-audit.mjs"
NODE = shutil.which("node")


def test_every_check_of_the_graphql_over_http_audit_passes(services: Services) -> None:
    if NODE is None or not (REPO_ROOT / "node_modules" / "graphql-http").is_dir():
        pytest.skip("Node or graphql-http is not installed (make install installs them)")
    with served(create_app(services)) as base_url:
        audit = subprocess.run(
            [NODE, str(SCRIPT), f"{base_url}/graphql"],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
            cwd=REPO_ROOT,
        )
    report = json.loads(audit.stdout)

    assert report["notOk"] == []
    assert report["ok"] == report["total"] >= 60
