#!/usr/bin/env bash
# A suggestions pull request that remembers "no" (examples/github/suggest.yml runs it; it runs anywhere with git and
# the GitHub CLI `gh`, which the tests replace with a fake on PATH).
#
#   suggest.sh open    build, write the top suggestions into the list on branch pa-graph/suggestions, and open
#                      (or update) one pull request listing each with its reasons
#   suggest.sh closed  the pull request was closed: unmerged, every suggestion it held goes to the ignore file on
#                      the default branch; merged, the ones the maintainer deleted from the branch before merging do
#
# Settings: PA_LISTS (the one list file, default README.md), PA_TOP (default 5), PA_ENRICH (default true), PA_OUT,
# PA_BASE (the default branch, default main), PA_PR_NUMBER and PA_PR_MERGED (for "closed"), PA_GRAPH_COMMAND.
set -euo pipefail
read -r -a pa_graph <<< "${PA_GRAPH_COMMAND:-pa-graph}"
list=${PA_LISTS:-README.md}
top=${PA_TOP:-5}
out=${PA_OUT:-pa-graph-out}
base=${PA_BASE:-main}
branch=pa-graph/suggestions
ignore_file="$(dirname "$list")/.pa-graph-ignore"
marker="pa-graph-suggestions:"

for value in "$list" "$out" "$base" "$top"; do
  case "$value" in
    -*) echo "pa-graph suggest: '$value' starts with '-'; nothing was run" >&2; exit 2 ;;
  esac
done
case "$top" in ''|*[!0-9]*) echo "pa-graph suggest: PA_TOP must be a number, not '$top'" >&2; exit 2 ;; esac

git_identity=(-c user.name=pa-graph -c user.email=pa-graph@users.noreply.github.com)

open_pull_request() {
  local build=(build "$list" --out "$out" --top "$top")
  [ "${PA_ENRICH:-true}" = "true" ] || build+=(--no-enrich)
  "${pa_graph[@]}" "${build[@]}" >/dev/null
  git checkout -q -B "$branch"
  # the rows it adds, with their reasons, are the pull request's body; the ids they hold are read back when it closes
  "${pa_graph[@]}" gaps --graph "$out/graph.ttl" --top "$top" --apply "$list" --describe "$out/pull-request.md" \
    >/dev/null
  if git diff --quiet -- "$list"; then
    echo "pa-graph suggest: no suggestion to add" >&2
    git checkout -q "$base"
    return 0
  fi
  git add -- "$list"
  git "${git_identity[@]}" commit -q -m "pa-graph: $top suggested papers"
  git push -q --force origin "$branch"
  local number
  number=$(gh pr list --head "$branch" --state open --json number --jq '.[].number' | head -n 1)
  if [ -n "$number" ]; then
    gh pr edit "$number" --body-file "$out/pull-request.md" >/dev/null
    echo "pa-graph suggest: updated pull request #$number"
  else
    gh pr create --head "$branch" --base "$base" --title "pa-graph: suggested papers" \
      --body-file "$out/pull-request.md" >/dev/null
    echo "pa-graph suggest: opened a pull request"
  fi
  git checkout -q "$base"
}

remember_declined() {
  local number=${PA_PR_NUMBER:?PA_PR_NUMBER names the closed pull request}
  case "$number" in ''|*[!0-9]*) echo "pa-graph suggest: PA_PR_NUMBER must be a number" >&2; exit 2 ;; esac
  local held
  held=$(gh pr view "$number" --json body --jq .body | sed -n "s/.*<!-- $marker \(.*\) -->.*/\1/p" | head -n 1)
  git checkout -q "$base"
  git pull -q --ff-only origin "$base" 2>/dev/null || true
  local declined=()
  for id in $held; do
    if [ "${PA_PR_MERGED:-false}" = "true" ] && grep -qiF -- "$id" "$list"; then
      continue  # merged with its row: accepted
    fi
    declined+=("$id")
  done
  if [ ${#declined[@]} -eq 0 ]; then
    echo "pa-graph suggest: nothing declined in #$number"
    return 0
  fi
  for id in "${declined[@]}"; do
    grep -qxF -- "$id  # declined in #$number" "$ignore_file" 2>/dev/null || echo "$id  # declined in #$number" >> "$ignore_file"
  done
  git add -- "$ignore_file"
  git "${git_identity[@]}" commit -q -m "pa-graph: remember ${#declined[@]} declined suggestions (#$number)"
  git push -q origin "$base"
  echo "pa-graph suggest: ${#declined[@]} declined suggestions added to $ignore_file"
}

case "${1:-}" in
  open) open_pull_request ;;
  closed) remember_declined ;;
  *) echo "usage: suggest.sh open|closed" >&2; exit 2 ;;
esac
