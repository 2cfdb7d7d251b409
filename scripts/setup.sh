#!/usr/bin/env bash
# Sets up everything the harness needs, idempotently (fast the second time):
#   .venv with the package, a Chromium Playwright can drive, a CJK font, Allure 3 through npm.
# Says which browser it chose. Needs Python 3.11+ and Node.js 20+; apt-get when root.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
say() { printf '[setup] %s\n' "$*"; }
as_root() { [ "$(id -u)" = 0 ]; }
apt_updated=""
apt_install() {
  if ! as_root; then say "cannot install $* (not root): install it with your package manager"; return 1; fi
  if [ -z "$apt_updated" ]; then apt-get update -qq >/dev/null; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# 1. Python virtual environment with the package (re-installed only when pyproject.toml changes)
"$PY" -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  say "installing the Python package and its dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q -e ".[dev]"
  rm -f .venv/.installed-*; touch "$stamp"
fi

# 2. A Chromium that Playwright can drive: Playwright's own where it can be downloaded,
#    otherwise the system Chromium (Debian's package `chromium`, installed when root).
browser_file=.venv/harness-browser
if [ ! -s "$browser_file" ]; then
  if .venv/bin/python -m playwright install chromium >/tmp/harness-pw-install.log 2>&1; then
    echo "playwright" > "$browser_file"
  else
    sys_chromium=$(command -v chromium || command -v chromium-browser || true)
    if [ -z "$sys_chromium" ]; then
      say "Playwright could not download Chromium (no network?); installing Debian's chromium"
      apt_install chromium && sys_chromium=$(command -v chromium || true)
    fi
    [ -n "$sys_chromium" ] || { say "no Chromium available: see 'harness doctor'"; exit 1; }
    echo "$sys_chromium" > "$browser_file"
  fi
fi
say "browser: $(cat "$browser_file") (Playwright's own when 'playwright'; else the system Chromium at that path)"

# 3. A font with Chinese glyphs, so screenshots are readable and line wrapping is realistic
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  say "no CJK font found; installing fonts-noto-cjk"
  apt_install fontconfig fonts-noto-cjk || say "WARNING: Chinese text will render as boxes"
fi

# 4. With --with-postgres (make test): a PostgreSQL server for the demo shop's database test
if [ "${1:-}" = "--with-postgres" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  say "installing PostgreSQL (server binaries, for the demo shop test on PostgreSQL)"
  apt_install postgresql || say "no PostgreSQL: that test will be skipped"
fi

# 5. Prometheus (Debian's package `prometheus`): the real server `harness watch` starts for the
#    demo shop's escort and its tests (a user's own Prometheus is read by URL instead)
if ! command -v prometheus >/dev/null 2>&1 && [ ! -x /usr/bin/prometheus ]; then
  say "installing Prometheus (Debian's package, for the escort on the demo shop)"
  apt_install --no-install-recommends prometheus || say "no Prometheus: 'harness watch' needs --prometheus URL"
fi
# the Debian package starts its own service on :9090; the harness runs its own servers
if as_root && command -v systemctl >/dev/null 2>&1; then systemctl disable --now prometheus prometheus-node-exporter >/dev/null 2>&1 || true; fi

# 6. Allure 3 (npm package `allure`, pinned in package-lock.json; no Java needed)
if [ ! -x node_modules/.bin/allure ]; then
  say "installing Allure 3 and axe-core with npm"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
say "ready: $(.venv/bin/python --version), Allure $(node_modules/.bin/allure --version 2>/dev/null | tail -1)"
