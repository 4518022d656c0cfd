#!/usr/bin/env bash
# Installs what por needs to build, test and demo on a fresh Debian 12 machine:
# PostgreSQL 15 (server, headers, pg_virtualenv), pgTAP, pg_cron (test/cli/pg_cron.t), OpenSSL
# headers, a C toolchain, prove and python3 (the mutation harness).  Does nothing for packages
# already installed.
set -euo pipefail

packages=(postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap postgresql-15-cron postgresql-common
          libssl-dev gcc make perl python3)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "installing: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
