#!/usr/bin/env bash
# Package the Lambda service for the dev and prod stages without an AWS account, lint the
# generated CloudFormation, and check the artifacts. Safe to re-run; see docs/deploy.md.
#
#   VENV=.venv bash scripts/check-deploy.sh
#
# Needs: node_modules (npm ci; run here when missing), cfn-lint in $VENV, and ideally a
# Python 3.12 (COMMERCE_LAMBDA_PYTHON, python3.12 on PATH, or pyenv's) so the zip carries
# bytecode for the Lambda runtime. Output: .commerce/package/<stage>/ (deployable with
# `npx osls deploy --stage <stage> --package .commerce/package/<stage>`).
set -euo pipefail

cd "$(dirname "$0")/.."
START=$(date +%s%3N)
VENV=${VENV:-.venv}
STAGES=(dev prod)
OUT=.commerce/package

log() { printf '[check-deploy] %s\n' "$*"; }
since() { local ms=$(($(date +%s%3N) - $1)); printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)); }
die() { printf '[check-deploy] error: %s\n' "$*" >&2; exit 1; }

# Fake credentials, and nothing that could reach a real account or phone home.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN
export AWS_ACCESS_KEY_ID=fake AWS_SECRET_ACCESS_KEY=fake
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export SLS_TELEMETRY_DISABLED=1 SLS_TRACKING_DISABLED=1 SLS_NOTIFICATIONS_MODE=off
export SLS_INTERACTIVE_SETUP_DISABLE=1

TOOL_PY="$VENV/bin/python"
CFN_LINT="$VENV/bin/cfn-lint"
[[ -x $TOOL_PY ]] || die "no $TOOL_PY: create the venv (make install) or set VENV"
[[ -x $CFN_LINT ]] || die "no $CFN_LINT: pip install cfn-lint into $VENV"

"$TOOL_PY" scripts/lambda-requirements.py --check

if [[ ! -x node_modules/.bin/osls ]]; then
  log "node_modules missing: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# pip runs under this interpreter: it must be a 3.12 for the bytecode to match the runtime.
is_py312() { [[ -n $1 ]] && "$1" -c 'import sys; assert sys.version_info[:2] == (3, 12)' \
  2>/dev/null && "$1" -m pip --version >/dev/null 2>&1; }
LAMBDA_PY=""
for candidate in "${COMMERCE_LAMBDA_PYTHON:-}" "$(command -v python3.12 || true)" \
  "$(pyenv root 2>/dev/null || echo /nonexistent)"/versions/3.12*/bin/python3.12; do
  if is_py312 "$candidate"; then LAMBDA_PY=$candidate; break; fi
done
if [[ -n $LAMBDA_PY ]]; then
  export COMMERCE_LAMBDA_PYTHON=$LAMBDA_PY COMMERCE_LAMBDA_PIP_COMPILE=compile
else
  log "warning: no Python 3.12 found; packaging without bytecode (slower cold starts)"
  export COMMERCE_LAMBDA_PYTHON=$TOOL_PY COMMERCE_LAMBDA_PIP_COMPILE=no-compile
fi
log "pip for the Lambda package runs under $COMMERCE_LAMBDA_PYTHON ($COMMERCE_LAMBDA_PIP_COMPILE)"

for stage in "${STAGES[@]}"; do
  t0=$(date +%s%3N)
  # Package into the framework's own .serverless/ and move it aside: `--package DIR` would
  # copy .serverless/ into DIR (recursively if DIR is inside it) and dereference the plugin's
  # requirements symlink, which costs ~14 s per stage.
  rm -rf .serverless
  npx --no osls package --stage "$stage" >"$OUT-$stage.log" 2>&1 \
    || { cat "$OUT-$stage.log" >&2; die "osls package --stage $stage failed"; }
  rm -f .serverless/requirements  # symlink into the requirements cache; not an artifact
  rm -rf "${OUT:?}/$stage"
  mkdir -p "$OUT"
  mv .serverless "$OUT/$stage"
  mv "$OUT-$stage.log" "$OUT/$stage/package.log"
  log "$stage: packaged in $(since "$t0")"

  # W3005 (redundant DependsOn) is only reported on resources the framework generates.
  "$CFN_LINT" --ignore-checks W3005 -- "$OUT/$stage/cloudformation-template-update-stack.json"
  log "$stage: cfn-lint clean"
done

# Assertions on what was generated: the things a reviewer would otherwise check by hand.
"$TOOL_PY" - "$OUT" "$LAMBDA_PY" "${STAGES[@]}" <<'PY'
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

out, lambda_py, *stages = sys.argv[1:]
problems: list[str] = []


def check(ok: bool, message: str) -> None:
    if not ok:
        problems.append(message)


def resources_of(template: dict, kind: str) -> dict:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def statements(template: dict):
    for name, res in template["Resources"].items():
        props = res.get("Properties", {})
        docs = [p.get("PolicyDocument", {}) for p in props.get("Policies", [])]
        if res["Type"] in {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}:
            docs.append(props.get("PolicyDocument", {}))
        for doc in docs:
            for st in doc.get("Statement", []):
                yield name, st


for stage in stages:
    folder = Path(out, stage)
    template = json.loads((folder / "cloudformation-template-update-stack.json").read_text())
    prod = stage == "prod"

    for name, st in statements(template):
        listed = st.get("Resource", [])
        listed = listed if isinstance(listed, list) else [listed]
        check("*" not in listed, f"{stage}: IAM statement in {name} has Resource '*': {st}")
        actions = st.get("Action", [])
        actions = actions if isinstance(actions, list) else [actions]
        check(not any(a == "*" or a.endswith(":*") for a in actions),
              f"{stage}: IAM statement in {name} grants a wildcard action: {actions}")

    tables = resources_of(template, "AWS::DynamoDB::Table")
    check(list(tables) == ["CommerceTable"], f"{stage}: tables are {list(tables)}")
    table = tables.get("CommerceTable", {})
    tp = table.get("Properties", {})
    check(tp.get("TableName") == f"commerce-{stage}", f"{stage}: table name {tp.get('TableName')}")
    check(tp.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled") is True,
          f"{stage}: PITR is not enabled")
    check(tp.get("SSESpecification", {}).get("SSEEnabled") is True, f"{stage}: SSE is not enabled")
    check(tp.get("DeletionProtectionEnabled") is prod,
          f"{stage}: DeletionProtectionEnabled is {tp.get('DeletionProtectionEnabled')!r}")
    policy = "Retain" if prod else "Delete"
    check(table.get("DeletionPolicy") == policy and table.get("UpdateReplacePolicy") == policy,
          f"{stage}: table DeletionPolicy/UpdateReplacePolicy should be {policy}")

    functions = resources_of(template, "AWS::Lambda::Function")
    api = functions.get("ApiLambdaFunction", {}).get("Properties", {})
    check(api.get("Handler") == "commerce.lambda_handler.handler", f"{stage}: handler {api.get('Handler')}")
    check(api.get("Runtime") == "python3.12" and api.get("Architectures") == ["arm64"],
          f"{stage}: runtime/architecture {api.get('Runtime')} {api.get('Architectures')}")
    env = api.get("Environment", {}).get("Variables", {})
    check(env.get("COMMERCE_GRAPHIQL") == ("false" if prod else "true"),
          f"{stage}: COMMERCE_GRAPHIQL={env.get('COMMERCE_GRAPHIQL')!r}")
    check(env.get("COMMERCE_TABLE_NAME") == {"Ref": "CommerceTable"}, f"{stage}: COMMERCE_TABLE_NAME")
    check(env.get("PYTHONPATH", "").split(":")[:1] == ["/var/task/src"], f"{stage}: PYTHONPATH")

    routes = sorted(r["Properties"]["RouteKey"]
                    for r in resources_of(template, "AWS::ApiGatewayV2::Route").values())
    check(routes == ["GET /graphql", "GET /health", "POST /graphql"], f"{stage}: routes {routes}")

    artifact = folder / "commerce.zip"
    with zipfile.ZipFile(artifact) as zf:
        names = zf.namelist()
    tops = {n.split("/", 1)[0] for n in names}
    for wanted in ("src/commerce/__init__.py", "src/commerce/lambda_handler.py"):
        check(wanted in names, f"{stage}: {wanted} is not in the zip")
    for package in ("strawberry", "graphql", "starlette", "mangum", "pynamodb", "stripe"):
        check(package in tops, f"{stage}: {package}/ is not in the zip")
    for package in ("boto3", "botocore", "s3transfer", "jmespath", "node_modules", "tests"):
        check(package not in tops, f"{stage}: {package}/ should not be in the zip")
    check(not any(n.startswith("src/") and (n.endswith(".pyc") or "/java/" in n) for n in names),
          f"{stage}: src/ in the zip carries bytecode or Java sources")
    tags = {n.rsplit(".", 2)[-2] for n in names if n.endswith(".pyc")}
    check(tags <= {"cpython-312"}, f"{stage}: bytecode for other Pythons in the zip: {tags}")
    unzipped = sum(i.file_size for i in zipfile.ZipFile(artifact).infolist())
    print(f"[check-deploy] {stage}: {artifact} {artifact.stat().st_size / 1e6:.1f} MB "
          f"({unzipped / 1e6:.1f} MB unzipped, {len(names)} files, "
          f"bytecode: {', '.join(sorted(tags)) or 'none'})")
    check(unzipped < 250e6, f"{stage}: over Lambda's 250 MB unzipped limit")

# Import the handler the way Lambda would: code and dependencies from the zip only
# (PYTHONPATH=/var/task/src, /var/task), boto3/botocore from outside as the runtime provides.
if not problems:
    python = lambda_py or sys.executable
    site = Path(importlib.util.find_spec("botocore").origin).parent.parent  # this venv's
    with tempfile.TemporaryDirectory() as tmp:
        task, runtime = Path(tmp, "task"), Path(tmp, "runtime")
        zipfile.ZipFile(Path(out, stages[0], "commerce.zip")).extractall(task)
        runtime.mkdir()
        for name in ("boto3", "botocore", "s3transfer", "jmespath"):
            (runtime / name).symlink_to(site / name)
        probe = (
            "import importlib, sys\n"
            "import commerce.lambda_handler as h, commerce.app\n"
            "assert callable(h.handler)\n"
            "for m in ('commerce', 'strawberry', 'starlette', 'mangum', 'pynamodb', 'stripe'):\n"
            "    f = importlib.import_module(m).__file__\n"
            "    assert f.startswith(sys.argv[1]), (m, f)\n"
        )
        env = {"PATH": os.environ["PATH"], "PYTHONPATH": f"{task}/src:{task}:{runtime}",
               "PYTHONDONTWRITEBYTECODE": "1", "COMMERCE_STAGE": "dev",
               "COMMERCE_TABLE_NAME": "commerce-dev", "AWS_REGION": "us-east-1"}
        run = subprocess.run([python, "-S", "-c", probe, str(task)], env=env,
                             capture_output=True, text=True, check=False)
        check(run.returncode == 0, f"importing the handler from the zip failed:\n{run.stderr}")

if problems:
    print("\n".join(f"[check-deploy] FAIL {p}" for p in problems), file=sys.stderr)
    sys.exit(1)
print("[check-deploy] templates and artifacts OK")
PY

log "done in $(since "$START")"
