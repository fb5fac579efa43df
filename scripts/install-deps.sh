#!/usr/bin/env bash
# Installs the programs uppsikt's tests use, when they are missing:
# Chromium (evidence screenshots), DejaVu fonts, poppler (pdftotext, pdffonts),
# Ghostscript (PDF/A), qpdf (joining PDF/A parts, outlines) and PostgreSQL (archive/postgres's tests start a
# throwaway server with its initdb and postgres). Debian/Ubuntu via apt-get; elsewhere it says what
# to install and fails.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/lib/chromium/chromium ] || need+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v gs >/dev/null 2>&1 || need+=(ghostscript)
# xmllint validates archive packages' XML against their schemas (export verify)
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
command -v curl >/dev/null 2>&1 || need+=(curl)
# The W3C xml: schema and DCMI's simple Dublin Core as Debian ships them
# (scripts/fetch-schemas.sh takes them from there; the tests need them in CI)
[ -f /usr/share/gupnp-av/simpledc20021212.xsd ] || need+=(libgupnp-av-1.0-3)
# qpdf joins the converted parts of a snapshot (archive/pdf) and reads its outline in the tests
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
# systemd-analyze checks the packaged unit (TestDebianPackage; dpkg is on every Debian)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
# initdb and postgres for archive/postgres/pgtest (Debian puts them in
# /usr/lib/postgresql/<version>/bin, not on PATH)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1 || need+=(postgresql)

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

# The official XML schemas archive packages carry, into the cache folder
# the tests read (UPPSIKT_SCHEMAS overrides it).
schemas_dir="${UPPSIKT_SCHEMAS:-${XDG_CACHE_HOME:-$HOME/.cache}/uppsikt/schemas}"
fetch_schemas() {
  # oai_dc.xsd is taken out of python3-gavo's .deb (apt-get download), which
  # needs apt's package lists: fetch them when they are empty.
  if [ ! -s "$schemas_dir/oai_dc.xsd" ] && command -v apt-get >/dev/null 2>&1 &&
    ! apt-cache show python3-gavo >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then apt-get update -qq; else sudo apt-get update -qq; fi
  fi
  if ! "$(dirname "$0")/fetch-schemas.sh" "$schemas_dir"; then
    echo "install-deps: not every official XML schema could be had in $schemas_dir (METS, PREMIS, XLink and the DILCIS extensions need internet access); the archive package tests validate with those present and log the others" >&2
  fi
}

if [ ${#need[@]} -eq 0 ]; then
  fetch_schemas
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
fetch_schemas
