#!/bin/sh
# postrm of the uppsikt package. The user uppsikt and /var/lib/uppsikt are
# kept, also on purge: the folder holds the municipality's public records
# (evidence, register, snapshots), which only an archivist may dispose of.
set -e
if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
fi
exit 0
