#!/usr/bin/env bash
# Debian packages the service, the tests and the benchmarks need. The service (`--runtime`, what
# `make run` asks for): the CJK font the PDFs embed (fonts-wqy-microhei, unless TALLY_PDF_FONT
# names another), and Node.js with npm for the workbench's assets. The tests too: Chromium for
# the H5 page and workbench tests, wrk for benchmarks, poppler and Ghostscript for reading the
# PDFs back and rendering them; nginx, systemd-analyze, pg_dump,
# openssl and curl for scripts/check-production-guide.sh (docs/production.md's commands).
set -euo pipefail
missing=()
[ -n "${TALLY_PDF_FONT:-}" ] || [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] \
  || missing+=(fonts-wqy-microhei)
# Node.js and npm build the workbench's browser assets from the lockfile (make assets)
command -v npm >/dev/null || missing+=(nodejs npm)
if [ "${1:-}" != "--runtime" ]; then
  command -v chromium >/dev/null || missing+=(chromium)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v pdftotext >/dev/null || missing+=(poppler-utils)
  # pdftotext needs the CID maps to read the PDF's Chinese (a Recommends, so name it)
  [ -d /usr/share/poppler/cMap ] || missing+=(poppler-data)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v systemd-analyze >/dev/null || missing+=(systemd)
  command -v pg_dump >/dev/null || missing+=(postgresql-client)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v curl >/dev/null || missing+=(curl)
  command -v gs >/dev/null || missing+=(ghostscript)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
apt-get update -qq
# install only: no package may start its daemon here (nginx would take port 80)
no_start=/usr/sbin/policy-rc.d
if [ ! -e "$no_start" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$no_start" && chmod +x "$no_start"
  trap 'rm -f "$no_start"' EXIT
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
