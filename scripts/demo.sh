#!/usr/bin/env bash
# Installs what is missing, builds the desktop app and opens it on the built-in demo school
# (an in-process simulated Dapodik). Extra arguments go to the app, e.g. `--db /tmp/demo.sqlite3`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
(cd ui && npm run build)
cargo build -p dapodik-sync-desktop --features custom-protocol
exec ./target/debug/dapodik-sync-desktop "$@"
