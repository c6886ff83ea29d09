#!/usr/bin/env bash
# The API reference of one line: @effect/docgen over its public modules (its docgen.json says
# which), every @example type-checked against its src/ and run with its own Effect, the Markdown
# written to <line>/docs/modules.
#
#   bash scripts/docs.sh effect4           regenerate effect4/docs/modules
#   bash scripts/docs.sh effect4 --check   fail on a broken example, an export without @since, a
#                                          description or a @category, a missing required example,
#                                          or a stale docs/modules
#
# docgen runs in a scratch copy of the line (beside a copy of shared/, which its sources import): it
# refuses a package.json without `homepage`, and it leaves its examples folder behind when an
# example fails; neither should touch the tree. KEEP_STAGE=1 keeps the copy for a look.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"

line="${1:-}"
case "$line" in
  effect3 | effect4) ;;
  *) echo "usage: bash scripts/docs.sh effect3|effect4 [--check]" >&2; exit 2 ;;
esac
root="$repo/$line"
mode=write
case "${2:-}" in
  "") ;;
  --check) mode=check ;;
  *) echo "usage: bash scripts/docs.sh effect3|effect4 [--check]" >&2; exit 2 ;;
esac
# The Effect 3 line has its own node_modules; the Effect 4 line is a workspace of the root's.
modules="$root/node_modules"
[ -d "$modules/effect" ] || modules="$repo/node_modules"

scratch="$(mktemp -d)"
if [ -n "${KEEP_STAGE:-}" ]; then echo "[docs] scratch copy: $scratch"; else trap 'rm -rf "$scratch"' EXIT; fi
stage="$scratch/$line"
mkdir -p "$stage"

node -e '
  const pkg = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"))
  pkg.homepage ??= ""
  process.stdout.write(JSON.stringify(pkg, null, 2))
' "$root/package.json" >"$stage/package.json"
cp -R "$root/src" "$stage/src"
cp "$root/docgen.json" "$root/tsconfig.docgen.json" "$stage/"
cp "$repo/tsconfig.base.json" "$scratch/"
mkdir -p "$scratch/shared"
cp -R "$repo/shared/src" "$scratch/shared/src"
ln -s "$modules" "$stage/node_modules"

started=$(date +%s)
# docgen spawns `tsc` and `tsx` for the examples: the repository's own, whoever calls this script.
(cd "$stage" && PATH="$repo/node_modules/.bin:$PATH" docgen)
echo "[docs] $line docgen: $(( $(date +%s) - started )) s"

out="$stage/docs/modules"
# Jekyll scaffolding, with nothing to read on a git host.
rm -f "$out/index.md"

# docgen's front matter comes out of its Markdown formatter as a rule and a heading of raw
# `title:`/`nav_order:` text, and nav_order renumbers every page when a module is added: drop it,
# so each page starts at its overview.
while IFS= read -r page; do
  awk '
    NR == 1 && ($0 == "***" || $0 == "---") { skip = 1; next }
    skip && $0 == "---" { skip = 0; trim = 1; next }
    skip { next }
    trim && $0 == "" { next }
    { trim = 0; print }
  ' "$page" >"$page.tmp"
  mv "$page.tmp" "$page"
done < <(find "$out" -name '*.ts.md' | sort)

problems=0

# docgen files an export without @category under "utils".
if grep -rl '^# utils$' "$out" >"$stage/uncategorized"; then
  echo "[docs] exports without @category in:" >&2
  sed "s|^$out/|  docs/modules/|" "$stage/uncategorized" >&2
  problems=1
fi

# docgen's enforceExamples is all or nothing, and it cannot see interface members or static class
# members, where the operations and the layers live: the reference must show each of these in an
# example docgen has checked. Class and class-property examples are rendered but not checked by
# docgen, so they do not count.
awk '
  /^```/ { if (fence) { fence = 0; grab = 0 } else { fence = 1; grab = want && checked; want = 0 }; next }
  fence { if (grab) print; next }
  /^##+ / { checked = $0 !~ /\((class|property)\)$/; want = 0; next }
  /^\*\*Example\*\*$/ { want = 1 }
' $(find "$out" -name '*.ts.md' | sort) >"$stage/examples.ts"
required=(
  "byok.list(" "byok.pages(" "byok.stream(" "byok.get(" "byok.create(" "byok.update(" "byok.delete("
  "Byok.layer(" "Byok.layerConfig(" "Byok.make("
  "FakeByokApi.layer(" "FakeByokApi.layerHttpClient" "FakeByokApi.layerServer(" "FakeByokApi.layerByok("
  "RetryPolicy.policy(" "RetryPolicy.isRetryable(" "ByokError.isByokError(" "Fault.status("
  "ListByokKeys" "StreamByokKeys" "CreateByokKey" "UpdateByokKey"
)
for usage in "${required[@]}"; do
  if ! grep -qF -- "$usage" "$stage/examples.ts"; then
    echo "[docs] no checked @example uses $usage" >&2
    problems=1
  fi
done

if [ "$problems" -ne 0 ]; then exit 1; fi

if [ "$mode" = write ]; then
  rm -rf "$root/docs/modules"
  mkdir -p "$root/docs"
  cp -R "$out" "$root/docs/modules"
  echo "[docs] wrote docs/modules ($(find "$out" -name '*.ts.md' | wc -l | tr -d ' ') modules)"
elif ! diff -ru "$out" "$root/docs/modules" >"$stage/stale.diff"; then
  echo "[docs] docs/modules is out of date with the sources; run: npm run docs" >&2
  head -n 60 "$stage/stale.diff" | sed "s|$stage/docs/modules|generated|; s|$root/docs/modules|docs/modules|" >&2
  exit 1
else
  echo "[docs] docs/modules is up to date"
fi
