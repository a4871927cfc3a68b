#!/usr/bin/env bash
# Runs Muster's whole test suite: builds the solution, provides what the suites need (a throwaway
# PostgreSQL cluster on 127.0.0.1, Redocly CLI for the Arazzo workflow), runs every test project and
# ends with one line "N passed, N failed" counted from the test results.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
results="$root/TestResults"
rm -rf "$results"
mkdir -p "$results"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [ -x scripts/postgres.sh ] || [ -f scripts/postgres.sh ]; then
  # Starts (installing it first if missing) a throwaway cluster and exports MUSTER_TEST_PG.
  if pg_env="$(bash scripts/postgres.sh start)"; then
    eval "$pg_env"
    trap 'bash "$root/scripts/postgres.sh" stop >/dev/null 2>&1 || true' EXIT
  else
    echo "warning: PostgreSQL could not be started; the PostgreSQL suites will report as skipped" >&2
  fi
fi

# The console's browser tests drive Debian's chromium (Playwright cannot download browsers here).
if ! command -v chromium >/dev/null 2>&1; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo_cmd="sudo"
  ($sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq chromium >/dev/null) \
    || echo "warning: chromium could not be installed; the console's browser tests will fail" >&2
fi

if command -v npm >/dev/null 2>&1; then
  (cd tests/arazzo && npm ci --no-audit --no-fund --loglevel=error) || echo "warning: npm ci failed in tests/arazzo" >&2
  (cd tests/protocols && npm ci --no-audit --no-fund --loglevel=error) || echo "warning: npm ci failed in tests/protocols" >&2
fi

if ! dotnet build Muster.slnx -c Release -v q -nologo; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet test Muster.slnx -c Release --no-build -v q -nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" \
  -- RunConfiguration.TestSessionTimeout=3600000
test_exit=$?

python3 - "$results" "$test_exit" <<'PY'
import glob, re, sys, xml.etree.ElementTree as ET
results, code = sys.argv[1], int(sys.argv[2])
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
failures = []
files = glob.glob(f"{results}/**/*.trx", recursive=True)
for f in files:
    root = ET.parse(f).getroot()
    for r in root.iter(f"{{{ns['t']}}}UnitTestResult"):
        if r.get("outcome") not in ("Passed", "NotExecuted"):
            message = r.find("t:Output/t:ErrorInfo/t:Message", ns)
            text = (message.text or "").strip() if message is not None else ""
            failures.append((r.get("testName"), r.get("outcome"), text))
    c = root.find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed", 0))
    failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    skipped += int(c.get("notExecuted", 0))
if failures:
    # Named again at the end, so a CI log cut to its last lines still says what failed and why.
    print(f"{len(failures)} failing test(s):")
    for name, outcome, text in failures:
        print(f"  {outcome}: {name}")
        # Terminal output (the CLI's live view) is readable without its escape sequences; enough lines to see the end.
        lines = [re.sub(r"(\\u001b|\x1b)\[[0-9;?]*[A-Za-z=>]", "", line) for line in text.splitlines()]
        for line in lines[:80]:
            print(f"      {line}")
        if len(lines) > 80:
            print(f"      … {len(lines) - 80} more lines in the .trx")
if code != 0 and failed == 0:
    failed = 1  # the runner failed without a failing test (a crash or a project that did not run)
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(0 if failed == 0 and passed > 0 else 1)
PY
