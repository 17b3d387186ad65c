#!/usr/bin/env bash
# Installs what is missing, then runs every test: the Rust crates (unit, integration, property tests,
# against real SQLite files and a simulated Dapodik over real HTTP), the UI's component tests (Vitest)
# and the end-to-end test that drives the real desktop binary through WebDriver under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
./scripts/bootstrap.sh

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Rust: crates without Tauri"
cargo test --workspace --exclude dapodik-sync-desktop --no-fail-fast

step "Keychain: a real Secret Service (gnome-keyring inside dbus-run-session)"
./scripts/test-keychain.sh

step "UI: component tests (Vitest)"
(cd ui && npm test)

step "End to end: the desktop binary through WebDriver"
./tests/e2e/run.sh
