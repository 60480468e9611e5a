#!/usr/bin/env bash
# Renders an HTML report to a PNG screenshot with headless Chromium, offline.
#
#   scripts/render-report.sh REPORT.html OUT.png
#
# Installs Debian's `chromium` package when /usr/bin/chromium is missing
# (needs root and the Debian package mirror). The page is opened from the
# local file; Chromium's own background networking is switched off.
# Environment: WINDOW_SIZE (default 1280,2400).
set -euo pipefail

if [ "$#" -ne 2 ]; then
    echo "usage: $0 REPORT.html OUT.png" >&2
    exit 2
fi
report=$1
out=$2
if [ ! -f "$report" ]; then
    echo "$0: $report: no such file" >&2
    exit 2
fi

chromium=/usr/bin/chromium
if [ ! -x "$chromium" ]; then
    echo "$0: installing Debian's chromium package" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y chromium
fi

abs_report=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
case "$out" in
    /*) abs_out=$out ;;
    *) abs_out=$(pwd)/$out ;;
esac
rm -f "$abs_out"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --window-size="${WINDOW_SIZE:-1280,2400}" \
    --hide-scrollbars --screenshot="$abs_out" "file://$abs_report" >/dev/null 2>&1 || true

if [ ! -s "$abs_out" ]; then
    echo "$0: chromium wrote no screenshot at $abs_out" >&2
    exit 1
fi
echo "$abs_out"
