#!/usr/bin/env bash
# Proves the repository stands alone: clones the committed tree into an empty temporary folder,
# with nothing beside it, and runs the README's two commands there (`npm install && npm start`,
# `npm install && npm test`). Anything that reads outside the repository fails here.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

git clone --quiet "$root" "$work/clone"
cd "$work/clone"
echo "fresh clone of $(git rev-parse --short HEAD) in an empty folder: $(ls -A "$work")"
npm install --no-audit --no-fund --prefer-offline
npm start > "$work/start.log" 2>&1 || { cat "$work/start.log"; echo "npm start failed in a fresh clone" >&2; exit 1; }
tail -n 3 "$work/start.log"
started=$(date +%s%N)
npm test
echo "[ci] fresh clone: npm test took $(( ($(date +%s%N) - started) / 1000000 )) ms wall"
