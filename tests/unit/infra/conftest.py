"""Loaders for the deployment files that tests/unit/infra checks.

``infra/*.yml`` and ``serverless.yml`` use CloudFormation's short-form tags (``!Ref``,
``!GetAtt``, ``!Sub``, ...), which a plain YAML loader rejects; this one turns each into the
long form (``{"Ref": ...}``, ``{"Fn::GetAtt": [...]}``). Serverless variables (``${...}``)
are plain strings to YAML and stay unresolved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]


class CloudFormationLoader(yaml.SafeLoader):
    """SafeLoader that also reads CloudFormation's short-form intrinsic functions."""


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)  # !GetAtt Table.Arn is [Table, Arn] in long form
    return {f"Fn::{tag_suffix}": value}


CloudFormationLoader.add_multi_constructor("!", _construct_tag)


def load_yaml(path: Path) -> Any:
    """Parse ``path`` as CloudFormation-flavoured YAML."""
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=CloudFormationLoader)  # noqa: S506 (a SafeLoader)


@pytest.fixture(scope="session")
def table_template() -> dict[str, Any]:
    template: dict[str, Any] = load_yaml(REPO_ROOT / "infra" / "table.yml")
    return template


@pytest.fixture(scope="session")
def serverless_config() -> dict[str, Any]:
    config: dict[str, Any] = load_yaml(REPO_ROOT / "serverless.yml")
    return config


@pytest.fixture(scope="session")
def iam_template() -> dict[str, Any]:
    template: dict[str, Any] = load_yaml(REPO_ROOT / "infra" / "iam.yml")
    return template
