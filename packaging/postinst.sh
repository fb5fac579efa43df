#!/bin/sh
# postinst of the uppsikt package: the system user uppsikt and its state
# folder /var/lib/uppsikt. When dpkg installs into another root (dpkg --root
# DIR --force-script-chrootless) it sets DPKG_ROOT, and everything here
# happens under it. The service is not started: it needs its credentials
# first (docs/operations.md).
set -e

root="${DPKG_ROOT:-}"

if [ "$1" = configure ]; then
	if ! grep -q '^uppsikt:' "$root/etc/passwd" 2>/dev/null; then
		if [ -n "$root" ]; then
			prefix="--prefix $root"
		else
			prefix=""
		fi
		# shellcheck disable=SC2086
		useradd $prefix --system --user-group --home-dir /var/lib/uppsikt --no-create-home \
			--shell /usr/sbin/nologin --comment "uppsikt service" uppsikt
	fi
	uid=$(awk -F: '$1 == "uppsikt" { print $3 }' "$root/etc/passwd")
	gid=$(awk -F: '$1 == "uppsikt" { print $3 }' "$root/etc/group")
	chown "$uid:$gid" "$root/var/lib/uppsikt"
	chmod 0750 "$root/var/lib/uppsikt"
	if [ -z "$root" ] && [ -d /run/systemd/system ]; then
		systemctl daemon-reload || true
	fi
fi
exit 0
