#!/usr/bin/env bash
# Fetches the official XML schemas uppsikt's archive packages carry in
# their schemas/ folder (E-ARK CSIP 2.2 asks a package to hold every schema
# its XML uses) into DIR: METS 1.12 and the XLink schema it uses (Library
# of Congress), the E-ARK CSIP and SIP METS extensions (DILCIS Board),
# PREMIS 3 (Library of Congress), simple Dublin Core and its OAI-PMH
# container (DCMI, Open Archives Initiative) and the W3C schema of the xml:
# attributes. They are not part of uppsikt's source; each is published by
# its maintainer for free use (see each file's own header for its terms).
# The list is archive/export/schemas.go (OfficialSchemas): keep them alike.
#
#   scripts/fetch-schemas.sh DIR      (uppsikt's default: <paths.data>/schemas)
set -euo pipefail

dir="${1:?usage: scripts/fetch-schemas.sh DIR}"
mkdir -p "$dir"
fetch() { # name url
  if [ -s "$dir/$1" ]; then return 0; fi
  tmp="$(mktemp "$dir/.$1.XXXXXX")"
  if ! curl -fsSL --retry 3 -o "$tmp" "$2"; then
    rm -f "$tmp"
    echo "fetch-schemas: cannot download $2" >&2
    return 1
  fi
  if ! grep -q "schema" "$tmp"; then
    rm -f "$tmp"
    echo "fetch-schemas: $2 is not an XML schema" >&2
    return 1
  fi
  chmod 0644 "$tmp"
  mv "$tmp" "$dir/$1"
}
fetch xml.xsd                    https://www.w3.org/2001/xml.xsd
fetch xlink.xsd                  https://www.loc.gov/standards/mets/xlink.xsd
fetch DILCISExtensionMETS.xsd    https://earkcsip.dilcis.eu/schema/DILCISExtensionMETS.xsd
fetch DILCISExtensionSIPMETS.xsd https://earksip.dilcis.eu/schema/DILCISExtensionSIPMETS.xsd
fetch mets.xsd                   https://www.loc.gov/standards/mets/mets.xsd
fetch simpledc20021212.xsd       https://www.dublincore.org/schemas/xmls/simpledc20021212.xsd
fetch oai_dc.xsd                 https://www.openarchives.org/OAI/2.0/oai_dc.xsd
fetch premis.xsd                 https://www.loc.gov/standards/premis/premis.xsd
echo "fetch-schemas: the schemas are in $dir" >&2
