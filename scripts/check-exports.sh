#!/usr/bin/env bash
# Builds and packs the library, then lints the tarball itself (what npm would publish, not the work
# tree) with publint and Are the Types Wrong. Any message from either fails, suggestions included.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
# Always rebuild: a dist/ left from an older src/ would be checked in its place.
npm run --silent build
tarball="$work/$(npm pack --silent --ignore-scripts --pack-destination "$work" | tail -n 1)"

status=0

# --strict turns warnings into errors; suggestions never change publint's exit code, so its report
# is read for them too.
publint_out="$work/publint.txt"
publint_status=0
NO_COLOR=1 node_modules/.bin/publint run --strict --level suggestion "$tarball" > "$publint_out" 2>&1 ||
  publint_status=$?
cat "$publint_out"
if [ "$publint_status" -ne 0 ] || grep -Eq '^(Errors|Warnings|Suggestions):' "$publint_out"; then
  echo "publint: problems found" >&2
  status=1
fi

# esm-only: the package is ESM only by design, so CommonJS require() and node10 resolution are not
# targets; every ESM resolution mode (node16 from ESM, bundler) must find the types and the code.
node_modules/.bin/attw --profile esm-only --no-color --no-definitely-typed "$tarball" || {
  echo "attw: problems found" >&2
  status=1
}

exit "$status"
