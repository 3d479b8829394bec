#!/usr/bin/env bash
# Renders the default scenario's HTML report in headless Chromium and fails if the page
# is blank, misses its sections or charts, or logs an error. Installs Debian's chromium
# when it is missing. Usage: scripts/check-report-render.sh COSTCAST_BINARY [SCREENSHOT.png]
set -euo pipefail

bin="${1:?usage: $0 COSTCAST_BINARY [SCREENSHOT.png]}"
keep="${2:-}"

if ! command -v chromium >/dev/null 2>&1; then
  echo "chromium is missing; installing Debian's chromium package"
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: no apt-get to install chromium with; install chromium and run again" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  as_root=()
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || {
      echo "error: installing chromium needs root (or sudo); install Debian's chromium and run again" >&2
      exit 2
    }
    as_root=(sudo -E)
  fi
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq chromium >/dev/null
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A short run: the page's layout, not its statistics, is under test here.
"$bin" report --out "$work/report" --paths 16 --sweep-paths 4 --quiet

flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --user-data-dir="$work/profile" --enable-logging=stderr --v=0)
url="file://$work/report/index.html"

chromium "${flags[@]}" --dump-dom "$url" > "$work/dom.html" 2> "$work/dom.log" || {
  cat "$work/dom.log" >&2
  echo "error: chromium could not load the report" >&2
  exit 1
}
chromium "${flags[@]}" --window-size=1280,2400 --hide-scrollbars \
  --screenshot="$work/report.png" "$url" 2> "$work/shot.log" || {
  cat "$work/shot.log" >&2
  echo "error: chromium could not screenshot the report" >&2
  exit 1
}

# Errors the page itself reported (console errors, failed loads, script errors).
if grep -E "CONSOLE|Uncaught|Failed to load resource|net::ERR_" "$work/dom.log" "$work/shot.log" \
  | grep -v "net::ERR_NAME_NOT_RESOLVED.*google" ; then
  echo "error: the report page logged errors (above)" >&2
  exit 1
fi

python3 - "$work/dom.html" "$work/report.png" <<'PY'
import struct, sys, zlib

dom = open(sys.argv[1], encoding="utf-8").read()
for needle in ["Summary and recommendation", "Monthly forecast by option", "Cost components",
               "Capacity verdicts", "Assumptions", "Recommended:"]:
    if needle not in dom:
        sys.exit(f"error: the rendered page has no '{needle}'")
charts = dom.count("<svg")
if charts < 4:
    sys.exit(f"error: the rendered page has {charts} charts, expected at least 4")
if "<script" in dom:
    sys.exit("error: the report must not contain scripts")

# Decode the PNG (8-bit RGB or RGBA, non-interlaced, as Chromium writes it) and check
# that it is not blank: enough non-white pixels, and more than a handful of colours.
data = open(sys.argv[2], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, width = 8, b"", 0
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, color = struct.unpack(">IIBB", body[:10])
        channels = {2: 3, 6: 4}[color]
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
raw = zlib.decompress(idat)
stride = width * channels
rows, prev = [], bytearray(stride)
i = 0
for _ in range(height):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - channels] if x >= channels else 0
        b, c = prev[x], (prev[x - channels] if x >= channels else 0)
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line)); prev = line
colours, ink = set(), 0
for row in rows[::4]:
    for x in range(0, stride, channels * 4):
        px = row[x:x + 3]
        colours.add(px)
        if px != b"\xff\xff\xff":
            ink += 1
total = len(rows[::4]) * len(range(0, stride, channels * 4))
print(f"screenshot {width}x{height}: {ink / total:.1%} of sampled pixels drawn, {len(colours)} colours")
if ink / total < 0.05 or len(colours) < 20:
    sys.exit("error: the screenshot is (nearly) blank")
PY

if [[ -n "$keep" ]]; then
  cp "$work/report.png" "$keep"
  echo "screenshot kept at $keep"
fi
echo "the report renders in Chromium"
