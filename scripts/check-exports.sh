#!/usr/bin/env bash
# Builds and packs each package (the two lines and the CLI), then lints each tarball itself (what
# npm would publish, not the work tree) with publint, and the libraries' with Are the Types Wrong.
# Any message from either fails, suggestions included.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

status=0
for package in effect4 effect3 $( [ -d "$repo/cli" ] && echo cli ); do
  echo "== $package"
  # Always rebuild: a dist/ left from older sources would be checked in its place.
  (cd "$repo/$package" && npm run --silent build)
  tarball="$work/$(cd "$repo/$package" && npm pack --silent --ignore-scripts --pack-destination "$work" | tail -n 1)"

  # --strict turns warnings into errors; suggestions never change publint's exit code, so its report
  # is read for them too.
  report="$work/publint-$package.txt"
  publint_status=0
  NO_COLOR=1 "$repo/node_modules/.bin/publint" run --strict --level suggestion "$tarball" >"$report" 2>&1 || publint_status=$?
  cat "$report"
  if [ "$publint_status" -ne 0 ] || grep -Eq '^(Errors|Warnings|Suggestions):' "$report"; then
    echo "$package: publint found problems" >&2
    status=1
  fi

  # The CLI exports no modules, only its bin. The libraries are ESM only by design: CommonJS
  # require() and node10 resolution are not targets; every ESM resolution mode must find the types.
  if [ "$package" != cli ]; then
    "$repo/node_modules/.bin/attw" --profile esm-only --no-color --no-definitely-typed "$tarball" || {
      echo "$package: Are the Types Wrong found problems" >&2
      status=1
    }
  fi
done
exit "$status"
