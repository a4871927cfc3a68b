#!/usr/bin/env bash
# Makes the console's screenshots (every page, light and dark, and the run page at 390 px) into docs/console/, through
# the browser tests' server and chromium: a real server on loopback with the LLM simulator. The README shows them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! command -v chromium >/dev/null 2>&1; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq chromium
fi
dotnet build tests/Muster.Console.Tests -c Release -v q -nologo
MUSTER_SCREENSHOTS="$root/docs/console" dotnet test tests/Muster.Console.Tests -c Release --no-build -v q -nologo \
  --filter "FullyQualifiedName~ScreenshotTests"
ls -1 "$root/docs/console"
