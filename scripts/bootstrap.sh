#!/usr/bin/env bash
# Installs what building, running and testing Dapodik Sync needs on Debian/Ubuntu, skipping what is
# already there: system packages (apt-get), the UI's and the end-to-end test's npm packages, and
# tauri-driver (cargo install). Needs: a Rust toolchain (rustup) and Node.js 20+ with npm.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Tauri on Linux; WebDriver end-to-end tests (WebKitWebDriver, Xvfb, D-Bus); the keychain tests
# (gnome-keyring); screenshots (imagemagick).
PACKAGES=(
  build-essential pkg-config libssl-dev
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev
  webkit2gtk-driver xvfb xauth dbus dbus-x11 gnome-keyring libsecret-1-dev libdbus-1-dev
  imagemagick curl ca-certificates
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

if ! command -v node >/dev/null 2>&1; then
  log "apt-get install nodejs npm"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "Node.js 20 or newer is needed (found $(node --version))." >&2
  exit 1
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "A Rust toolchain is needed: install rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi

for dir in ui tests/e2e tests/oidc; do
  if [ -f "$dir/package.json" ]; then
    if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
      log "npm ci in $dir"
      (cd "$dir" && npm ci --no-audit --no-fund)
    fi
  fi
done

if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  log "cargo install tauri-driver --locked"
  cargo install tauri-driver --locked
fi
log "bootstrap done"
