#!/usr/bin/env bash
# End-to-end test of the real desktop binary: builds the UI and the binary (UI embedded), then, on a
# virtual display with its own D-Bus session, starts tauri-driver (which runs WebKitWebDriver) and the
# WebDriver test (node --test). Screenshots land in tests/e2e/artifacts/ and docs/screenshots/.
#
# Needs: libwebkit2gtk-4.1-dev, webkit2gtk-driver (WebKitWebDriver), xvfb, dbus, Node >= 20.19,
# `cargo install tauri-driver --locked`, and `npm ci` in ui/.
# Before the end-to-end test it runs the desktop crate's own unit tests (cargo test excludes that crate
# elsewhere because it needs the GUI libraries); E2E_SKIP_UNIT=1 skips them.
# Env: E2E_TESTS (default tests/e2e/*.test.mjs) picks test files; E2E_SKIP_BUILD=1 reuses the existing build; E2E_SYNC_TIMEOUT_MS (default 120000);
# DAPODIK_SYNC_DEMO_STUDENTS (default 10000: the Staging table must scroll smoothly through them all).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

for tool in tauri-driver WebKitWebDriver xvfb-run dbus-run-session node; do
  command -v "$tool" >/dev/null || { echo "e2e: missing $tool (see the header of $0)" >&2; exit 2; }
done

# First: `cargo test` rebuilds target/debug/dapodik-sync-desktop (for the shell's integration tests)
# without custom-protocol; the build below then makes the binary the e2e test launches.
if [[ "${E2E_SKIP_UNIT:-}" != "1" ]]; then
  echo "e2e: unit tests of the desktop shell" >&2
  cargo test -p dapodik-sync-desktop
fi

if [[ "${E2E_SKIP_BUILD:-}" != "1" ]]; then
  echo "e2e: building the UI" >&2
  (cd ui && npm run build)
  echo "e2e: building the desktop binary (UI embedded)" >&2
  cargo build -p dapodik-sync-desktop --features custom-protocol
  # settings.test.mjs starts a simulated Dapodik with `dapodik-sync sim serve`.
  cargo build -p dapodik-sync-cli --bin dapodik-sync
fi

export E2E_APP="$root/target/debug/dapodik-sync-desktop"
export DAPODIK_SYNC_DEMO_STUDENTS="${DAPODIK_SYNC_DEMO_STUDENTS:-10000}"
export E2E_ARTIFACTS="$root/tests/e2e/artifacts"
[[ -x "$E2E_APP" ]] || { echo "e2e: $E2E_APP not built" >&2; exit 2; }
mkdir -p "$E2E_ARTIFACTS"
# TEST-ONLY: exports are written here without the save dialog (review.test.mjs reads them back).
export DAPODIK_SYNC_EXPORT_DIR="${DAPODIK_SYNC_EXPORT_DIR:-$E2E_ARTIFACTS/export}"
mkdir -p "$DAPODIK_SYNC_EXPORT_DIR"

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
port="$(free_port)"
native_port="$(free_port)"
while [[ "$native_port" == "$port" ]]; do native_port="$(free_port)"; done
export E2E_WEBDRIVER_URL="http://127.0.0.1:$port"

# Everything below runs on its own X display and D-Bus session; both end with the command.
inner=$(cat <<'INNER'
set -uo pipefail
kill_tree() {
  local pid=$1 child
  for child in $(pgrep -P "$pid" 2>/dev/null); do kill_tree "$child"; done
  kill "$pid" 2>/dev/null || true
}
# A real Secret Service for the keychain: gnome-keyring unlocked in this D-Bus session, its data in a
# throwaway folder (as scripts/test-keychain.sh does). Without gnome-keyring the app shows its
# "no keychain" message and the settings test fails at saving the key.
if command -v gnome-keyring-daemon >/dev/null; then
  export KEYRING_HOME=$(mktemp -d)
  eval "$(printf "e2e" | XDG_DATA_HOME="$KEYRING_HOME" gnome-keyring-daemon --unlock --components=secrets --daemonize)"
  export GNOME_KEYRING_CONTROL
fi
tauri-driver --port "$E2E_PORT" --native-port "$E2E_NATIVE_PORT" >"$E2E_ARTIFACTS/tauri-driver.log" 2>&1 &
driver=$!
trap 'kill_tree $driver; wait $driver 2>/dev/null' EXIT
timeout --kill-after=10 1200 node --test --test-concurrency=1 --test-reporter=spec ${E2E_TESTS:-tests/e2e/*.test.mjs}
INNER
)
status=0
E2E_PORT="$port" E2E_NATIVE_PORT="$native_port" \
  xvfb-run -a -s "-screen 0 1440x900x24" dbus-run-session -- bash -c "$inner" || status=$?

if [[ $status -ne 0 ]]; then
  echo "e2e: FAILED (exit $status). Logs and failure screenshots: $E2E_ARTIFACTS" >&2
  tail -n 40 "$E2E_ARTIFACTS/tauri-driver.log" >&2 || true
else
  echo "e2e: passed. Screenshots: $E2E_ARTIFACTS, docs/screenshots/" >&2
fi
exit $status
