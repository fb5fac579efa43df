#!/usr/bin/env bash
# Gathers the official XML schemas uppsikt's archive packages carry in
# their schemas/ folder (E-ARK CSIP 2.2 asks a package to hold every schema
# its XML uses) into DIR: METS 1.12 and the XLink schema it uses (Library
# of Congress), the E-ARK CSIP and SIP METS extensions (DILCIS Board),
# PREMIS 3 (Library of Congress), simple Dublin Core and its OAI-PMH
# container (DCMI, Open Archives Initiative) and the W3C schema of the xml:
# attributes. They are not part of uppsikt's source; each is published by
# its maintainer for free use (see each file's own header for its terms).
# The list is archive/export/schemas.go (OfficialSchemas): keep them alike.
#
# Three of them come from Debian's archive, so that a machine without
# internet access (a municipal server, CI) still has them; the SHA-256 of
# the file each Debian package carries is checked, and a file that differs
# is not copied (the script then tries the publisher's address):
#
#   xml.xsd               libgupnp-av-1.0-3 /usr/share/gupnp-av/xml.xsd
#                         W3C's schema of the xml: namespace (lang, space,
#                         base, id, specialAttrs), the 2005/08 edition; its
#                         declarations are those of https://www.w3.org/2001/xml.xsd
#                         sha256 e5b32d3b8aefcee9afbd65af29a9b49ecae8e1353559561bee19e73b9ae8da39
#   simpledc20021212.xsd  libgupnp-av-1.0-3 /usr/share/gupnp-av/simpledc20021212.xsd
#                         DCMI's simple Dublin Core, unchanged (its import of
#                         xml.xsd still names www.w3.org/2001/03/xml.xsd)
#                         sha256 7cc6bfbbbae2f989f1271b959dfe88fb3321fabddf1e1d63a6f305ddc33c74cb
#   oai_dc.xsd            python3-gavo /usr/lib/python3/dist-packages/gavo/resources/schemata/oai_dc.xsd
#                         the OAI's schema, whose one import of Dublin Core
#                         Debian's packager pointed to their own mirror
#                         (vo.ari.uni-heidelberg.de) instead of dublincore.org;
#                         validation never follows it (export verify imports
#                         the package's simpledc20021212.xsd first, offline)
#                         sha256 241e6edbbb0b0ee93cb09c5047d468676e218536737b8f9ecde01eabff2ea987
#                         python3-gavo pulls in matplotlib, twisted and more,
#                         so when it is not installed the script takes the one
#                         file out of its .deb (apt-get download, dpkg-deb)
#                         without installing it.
#
# Debian's XLink schemas (docbook5-xml, python3-xmlschema, openscap-common,
# python3-gavo) are not the one METS imports: none declares the attribute
# groups METS uses (xlink:simpleLink, locatorLink, arcLink), so xlink.xsd
# is downloaded with METS. METS, PREMIS and the DILCIS extensions are in no
# Debian package; without internet access put the official files in DIR by
# hand (the E-ARK reference packages and the DILCIS Board's repositories
# carry them in their schemas/ folders).
#
#   scripts/fetch-schemas.sh DIR      (uppsikt's default: <paths.data>/schemas)
#
# It exits 1 when a schema could not be had, after gathering all it could.
set -euo pipefail

dir="${1:?usage: scripts/fetch-schemas.sh DIR}"
mkdir -p "$dir"
failed=0

# from_debian NAME SHA256 PATH [PACKAGE]: copies PATH (or, when it is not
# installed, the same file out of PACKAGE's .deb) if its SHA-256 matches.
from_debian() {
  local name="$1" sum="$2" src="$3" pkg="${4:-}" tmp=""
  if [ -s "$dir/$name" ]; then return 0; fi
  if [ ! -f "$src" ] && [ -n "$pkg" ] && command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1; then
    tmp="$(mktemp -d)"
    if (cd "$tmp" && apt-get download -qq "$pkg" >/dev/null 2>&1); then
      dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp" ".$src" 2>/dev/null || true
    fi
    src="$tmp$src"
  fi
  local ok=1
  if [ ! -f "$src" ]; then
    ok=0
  elif [ "$(sha256sum "$src" | cut -d' ' -f1)" != "$sum" ]; then
    echo "fetch-schemas: $src is not the file this script knows (SHA-256 differs); not copied" >&2
    ok=0
  else
    install -m 0644 "$src" "$dir/$name"
  fi
  if [ -n "$tmp" ]; then rm -rf "$tmp"; fi
  [ "$ok" = 1 ]
}

fetch() { # name url
  if [ -s "$dir/$1" ]; then return 0; fi
  tmp="$(mktemp "$dir/.$1.XXXXXX")"
  if ! curl -fsSL --retry 2 --connect-timeout 10 -o "$tmp" "$2" 2>/dev/null; then
    rm -f "$tmp"
    echo "fetch-schemas: cannot download $2" >&2
    failed=1
    return 0
  fi
  if ! grep -q "schema" "$tmp"; then
    rm -f "$tmp"
    echo "fetch-schemas: $2 is not an XML schema" >&2
    failed=1
    return 0
  fi
  chmod 0644 "$tmp"
  mv "$tmp" "$dir/$1"
}

from_debian xml.xsd e5b32d3b8aefcee9afbd65af29a9b49ecae8e1353559561bee19e73b9ae8da39 \
  /usr/share/gupnp-av/xml.xsd libgupnp-av-1.0-3 ||
  fetch xml.xsd https://www.w3.org/2001/xml.xsd
from_debian simpledc20021212.xsd 7cc6bfbbbae2f989f1271b959dfe88fb3321fabddf1e1d63a6f305ddc33c74cb \
  /usr/share/gupnp-av/simpledc20021212.xsd libgupnp-av-1.0-3 ||
  fetch simpledc20021212.xsd https://www.dublincore.org/schemas/xmls/simpledc20021212.xsd
from_debian oai_dc.xsd 241e6edbbb0b0ee93cb09c5047d468676e218536737b8f9ecde01eabff2ea987 \
  /usr/lib/python3/dist-packages/gavo/resources/schemata/oai_dc.xsd python3-gavo ||
  fetch oai_dc.xsd https://www.openarchives.org/OAI/2.0/oai_dc.xsd
fetch xlink.xsd                  https://www.loc.gov/standards/mets/xlink.xsd
fetch DILCISExtensionMETS.xsd    https://earkcsip.dilcis.eu/schema/DILCISExtensionMETS.xsd
fetch DILCISExtensionSIPMETS.xsd https://earksip.dilcis.eu/schema/DILCISExtensionSIPMETS.xsd
fetch mets.xsd                   https://www.loc.gov/standards/mets/mets.xsd
fetch premis.xsd                 https://www.loc.gov/standards/premis/premis.xsd
if [ "$failed" = 1 ]; then
  echo "fetch-schemas: some official schemas are missing from $dir (see above); packages exported without them fail export verify's CSIP113 and XSD for those namespaces" >&2
  exit 1
fi
echo "fetch-schemas: the schemas are in $dir" >&2
