#!/usr/bin/env bash
# Installs the programs uppsikt's tests use, when they are missing:
# Chromium (evidence screenshots), DejaVu fonts, poppler (pdftotext, pdffonts),
# Ghostscript (PDF/A) and qpdf (PDF outlines). Debian/Ubuntu via apt-get; elsewhere it says what
# to install and fails.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/lib/chromium/chromium ] || need+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v gs >/dev/null 2>&1 || need+=(ghostscript)
# qpdf reads the outline (bookmarks) of the snapshot PDF in its tests
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
# systemd-analyze checks the packaged unit (TestDebianPackage; dpkg is on every Debian)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)

# axe-core (the accessibility checker the web page's tests run in Chromium),
# from the npm registry into a cache folder, pinned.
axe_dir="${UPPSIKT_AXE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/uppsikt/axe}"
if [ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "install-deps: installing axe-core into $axe_dir" >&2
    mkdir -p "$axe_dir"
    npm install --silent --no-audit --no-fund --prefix "$axe_dir" axe-core@4.14.1 >/dev/null
  else
    echo "install-deps: npm is missing; the accessibility tests need axe-core (install Node.js and npm)" >&2
  fi
fi

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: missing ${need[*]}; install them with your package manager" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${need[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
