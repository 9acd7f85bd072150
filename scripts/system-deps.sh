#!/usr/bin/env bash
# Debian packages the tests and benchmarks need: Chromium for the H5 page test, wrk for benchmarks,
# poppler for reading the statement PDF back.
set -euo pipefail
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v wrk >/dev/null || missing+=(wrk)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
# pdftotext needs the CID maps to read the PDF's Chinese (a Recommends, so name it)
[ -d /usr/share/poppler/cMap ] || missing+=(poppler-data)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
