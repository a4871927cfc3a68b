#!/usr/bin/env bash
# The Muster benchmark: builds the Release server and the harness, then runs the seven scenarios on loopback.
#   bash bench/run.sh                 quick mode (about three minutes)
#   bash bench/run.sh --full          full mode (10,000 runs in flight, 60 s of mixed load)
# Other options go to the harness: --scenarios 1,2  --storage postgres --connection-string "Host=…"  --nodes 2
#   --max-concurrent-runs N (scenario 2)  --server-env KEY=VALUE (server nodes)  --markdown FILE (the results table, for bench/RESULTS.md)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null; then
  echo "installing wrk (apt)…"
  if ! apt-get install -y wrk >/dev/null 2>&1; then
    apt-get update >/dev/null && apt-get install -y wrk >/dev/null
  fi
fi

# Thread-pool figures for scenario 3 come from dotnet-counters; without it they read n/a.
if [[ ! -x /tmp/dt/dotnet-counters ]]; then
  dotnet tool install --tool-path /tmp/dt dotnet-counters --version 10.0.750501 >/dev/null 2>&1 \
    || echo "dotnet-counters not installed: scenario 3 reports thread-pool figures as n/a"
fi

# Ten thousand runs in flight hold ten thousand sockets on each side.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

for project in src/Muster.Server bench/Muster.Bench; do
  if ! output=$(dotnet build "$project" -c Release -v q -nologo 2>&1); then
    echo "$output"
    exit 1
  fi
done
exec dotnet bench/Muster.Bench/bin/Release/net10.0/Muster.Bench.dll run "$@"
