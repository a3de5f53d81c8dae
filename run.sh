#!/usr/bin/env sh
# Data Table Manager for Genesys Cloud: install what is needed, build, and start (macOS / Linux).
# Usage: ./run.sh            (opens your browser at the app)
#        NO_BROWSER=1 ./run.sh   PORT=3001 ./run.sh   (see .env.example for every setting)
set -eu
cd "$(dirname "$0")"

if ! command -v node >/dev/null 2>&1; then
  echo "Node.js 20.19 or newer is required but was not found." >&2
  echo "Install the current LTS from https://nodejs.org/ (or your package manager) and run ./run.sh again." >&2
  exit 1
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "Node.js $(node -v) is too old: 20.19 or newer is required." >&2
  echo "Install the current LTS from https://nodejs.org/ and run ./run.sh again." >&2
  exit 1
fi
exec node scripts/launch.mjs
