#!/usr/bin/env bash
# Runs the keychain tests against a real Secret Service: a private D-Bus session (dbus-run-session)
# with gnome-keyring-daemon started and unlocked inside it, then every keychain test including the
# ones marked #[ignore] for needing a Secret Service, and the sso-sds test that keeps its refresh
# token in that keychain (it also needs `npm ci` in tests/oidc, as scripts/bootstrap.sh does), and the
# desktop shell's check that a sync leaves the key in no database or log file.
# Needs: dbus (dbus-run-session), gnome-keyring, node.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "test-keychain: $tool is missing (install the Debian packages dbus and gnome-keyring)" >&2
    exit 1
  fi
done

# A throwaway data folder so the test keyring never touches the user's own (~/.local/share/keyrings).
KEYCHAIN_TEST_HOME=$(mktemp -d)
trap 'rm -rf "$KEYCHAIN_TEST_HOME"' EXIT
export KEYCHAIN_TEST_HOME

# Build outside the D-Bus session so the keyring daemon does not idle through a long compile.
cargo test -p keychain --no-run
cargo test -p sso-sds --test keychain_store --no-run
# The desktop shell needs the GUI libraries (libwebkit2gtk-4.1-dev) to build.
cargo test -p dapodik-sync-desktop --test key_privacy --no-run

dbus-run-session -- bash -c '
  set -euo pipefail
  mkdir -p "$KEYCHAIN_TEST_HOME/keyrings"
  # --unlock reads the new login keyring password from stdin and creates and unlocks it; its data
  # goes to $XDG_DATA_HOME/keyrings of the daemon, here the throwaway folder.
  eval "$(printf "test" | XDG_DATA_HOME="$KEYCHAIN_TEST_HOME" gnome-keyring-daemon --unlock --components=secrets --daemonize)"
  export GNOME_KEYRING_CONTROL
  cargo test -p keychain -- --include-ignored
  cargo test -p sso-sds --test keychain_store -- --include-ignored
  # After a full sync through a keychain profile, no database or log file holds the key.
  cargo test -p dapodik-sync-desktop --test key_privacy -- --include-ignored
' 
