#!/usr/bin/env bash
# Merge a branch made before the relayering (docs/dev/relayering.md) into the current,
# relayered branch:
#   1. relayer the merge base and the other branch, each in a throw-away worktree, with this
#      checkout's scripts/relayer.py (the same move map);
#   2. start a merge commit with the other branch as second parent (`merge -s ours --no-commit`)
#      and apply the other branch's relayered change on top, three-way (`git apply -3`), so a
#      conflict is marked only where both sides really changed the same lines.
# Then resolve what it lists, regenerate the migrations, run make lint and the tests, commit.
#
# Usage: scripts/relayer-merge.sh OTHER_BRANCH     (from the top of a clean relayered checkout)
set -euo pipefail
shopt -s inherit_errexit

OTHER=${1:?usage: scripts/relayer-merge.sh OTHER_BRANCH}
# The commit that prepares two core tests for the codemod (it patches by dotted name).
PREP=cd209ff
ROOT=$(git rev-parse --show-toplevel)
cd "$ROOT"
# the project's interpreter (ruff beside it), or PYTHON=/path/to/venv/bin/python
PYTHON=${PYTHON:-$( [ -x "$ROOT/.venv/bin/python" ] && echo "$ROOT/.venv/bin/python" || echo python3 )}
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "relayer-merge: commit or set aside your changes first (not with git stash: stashes are shared between worktrees)" >&2
  exit 1
fi
if git merge-base --is-ancestor "$OTHER" HEAD; then
  echo "relayer-merge: $OTHER is already merged" >&2
  exit 0
fi
BASE=$(git merge-base HEAD "$OTHER")
if [ -d "$ROOT/keel/core" ]; then
  echo "relayer-merge: this checkout is not relayered (keel/core exists); run it from the relayered branch" >&2
  exit 1
fi
TMP=$(mktemp -d)
git merge --abort >/dev/null 2>&1 || true
cleanup() {
  for d in base other; do
    [ -d "$TMP/$d" ] && git worktree remove --force "$TMP/$d" >/dev/null 2>&1 || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

relayer_at() {  # relayer_at REF DIR -> prints the commit of REF relayered
  local ref=$1 dir=$2
  git worktree add --quiet --detach "$dir" "$ref" >&2
  (
    set -euo pipefail
    cd "$dir"
    if [ -d keel/core ]; then
      if git merge-base --is-ancestor "$PREP" HEAD 2>/dev/null; then :; else
        git show "$PREP" | git apply -3 >&2 || { echo "relayer-merge: the test preparation $PREP does not apply at $ref; resolve in $dir" >&2; exit 1; }
      fi
      mkdir -p scripts
      cp "$ROOT/scripts/relayer.py" scripts/relayer.py
      "$PYTHON" scripts/relayer.py >&2
    fi
    git add -A
    git -c user.name=relayer -c user.email=relayer@localhost commit --quiet --allow-empty -m "relayered $ref" >&2
    git rev-parse HEAD
  )
}

echo "relayer-merge: relayering the merge base $BASE ..." >&2
BASE_R=$(relayer_at "$BASE" "$TMP/base")
echo "relayer-merge: relayering $OTHER ..." >&2
OTHER_R=$(relayer_at "$OTHER" "$TMP/other")

git merge -s ours --no-commit --no-ff "$OTHER" >/dev/null 2>&1 || true
# migrations are regenerated afterwards: take neither side's numbered files from the diff
if git diff --binary -M "$BASE_R" "$OTHER_R" -- . ':(exclude)keel/*/migrations/0*.py' | git apply -3 --index; then
  echo "relayer-merge: $OTHER applied without conflicts."
else
  echo "relayer-merge: conflicts to resolve (git status); each side is already in the new layout." >&2
fi
echo "relayer-merge: migrations $OTHER added (regenerate, then re-add data migrations by hand):"
git diff --name-only --diff-filter=A "$BASE" "$OTHER" -- 'keel/*/migrations/0*.py' | sed 's/^/  /'
echo "Next: regenerate migrations (docs/dev/relayering.md step 4), make lint, the tests, then git commit."
