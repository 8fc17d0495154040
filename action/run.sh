#!/usr/bin/env bash
# The steps of the pa-graph GitHub Action (action.yml) as one script, so they run — and are tested — anywhere.
# Settings come from the environment: PA_LISTS (space-separated), PA_STRICT, PA_ALLOW, PA_ENRICH, PA_SOURCE (the
# sources the build asks and the audit's links are verified with), PA_GAPS, PA_OUT, PA_SINCE (a Git ref: findings
# already there are notices; the Action passes a pull request's base), PA_HISTORY (chart the first list over its
# commits), PA_SITE (a folder for the build's website) and PA_SPARQL (its query page, with Oxigraph's WebAssembly
# build from npm; PA_NPM_PREFIX is where it is installed);
# PA_GRAPH_COMMAND replaces the `pa-graph` command. Findings become annotations on the list's lines; the job
# summary ($GITHUB_STEP_SUMMARY) gets the audit's counts, the build's, and the top missing papers. The exit code is
# the audit's (1 when --strict finds problems), else the build's.
set -uo pipefail
read -r -a pa_graph <<< "${PA_GRAPH_COMMAND:-pa-graph}"
read -r -a lists <<< "${PA_LISTS:-README.md}"
out=${PA_OUT:-pa-graph-out}
summary=${GITHUB_STEP_SUMMARY:-/dev/null}

# an input is a list, a file or a folder, never an option: "-h" would pass the check without auditing
for value in "${lists[@]}" "$out" "${PA_ALLOW:-}" "${PA_SINCE:-}" "${PA_SITE:-}" "${PA_SOURCE:-}"; do
  case "$value" in
    -*) echo "pa-graph action: '$value' is not a list, an allow file or a folder (it starts with '-'); nothing was run" >&2
        exit 2 ;;
  esac
done

# the build first: with enrichment on, it asks Semantic Scholar, and the audit then verifies links from its answers
source=${PA_SOURCE:-s2}
build=(build "${lists[@]}" --out "$out" --source "$source")
[ "${PA_ENRICH:-false}" = "true" ] || build+=(--no-enrich)
if built=$("${pa_graph[@]}" "${build[@]}"); then
  build_status=0
  { echo; echo "## pa-graph build"; echo; echo "$built" | head -n 1; echo; } >> "$summary"
else
  build_status=$?
  { echo; echo "## pa-graph build failed (exit $build_status)"; echo; } >> "$summary"
fi

audit=(audit "${lists[@]}" --github --source "$source")
[ "${PA_STRICT:-true}" = "true" ] && audit+=(--strict)
[ -n "${PA_ALLOW:-}" ] && audit+=(--allow "$PA_ALLOW")
if [ -n "${PA_SINCE:-}" ]; then
  # a shallow checkout lacks the pull request's base: fetch that one commit
  if ! git cat-file -e "${PA_SINCE}^{commit}" 2>/dev/null; then
    git fetch --quiet --depth=1 origin "$PA_SINCE" 2>/dev/null || true
  fi
  audit+=(--since "$PA_SINCE")
fi
"${pa_graph[@]}" "${audit[@]}"
audit_status=$?

if [ "${PA_GAPS:-false}" = "true" ] && [ -f "$out/gaps.md" ]; then
  # the first table of gaps.md: the missing papers, with its heading
  awk '/^## Missing papers/{on=1} on && /^$/ && seen_table{exit} on{print} /^\|/{seen_table=1}' "$out/gaps.md" >> "$summary"
fi

if [ "$build_status" -eq 0 ] && [ "${PA_HISTORY:-false}" = "true" ]; then
  "${pa_graph[@]}" history "${lists[0]}" --out "$out" || build_status=$?
fi

if [ "$build_status" -eq 0 ] && [ -n "${PA_SITE:-}" ]; then
  site=(site "$out" --to "$PA_SITE")
  if [ "${PA_SPARQL:-false}" = "true" ]; then
    npm_prefix=${PA_NPM_PREFIX:-${RUNNER_TEMP:-/tmp}/pa-graph-npm}
    if [ -f "$npm_prefix/node_modules/oxigraph/web_bg.wasm" ] || \
        npm install --silent --prefix "$npm_prefix" oxigraph@0.5.11 >/dev/null; then
      site+=(--sparql-wasm "$npm_prefix/node_modules/oxigraph")
    else
      echo "pa-graph action: npm could not install oxigraph; the site has no query page" >&2
    fi
  fi
  if made=$("${pa_graph[@]}" "${site[@]}"); then
    { echo "$made" | head -n 1; echo; } >> "$summary"
  else
    build_status=$?
  fi
fi

if [ "$audit_status" -ne 0 ]; then exit "$audit_status"; fi
exit "$build_status"
