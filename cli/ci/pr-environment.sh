#!/usr/bin/env bash
# A per-pull-request environment for CI, with the `sep` CLI:
#
#   pr-environment.sh up <suffix> [test command…]   create (or reuse), wait until ready, export the outputs,
#                                                   then run the test command with the outputs in its environment
#   pr-environment.sh down <suffix>                 destroy and wait until destroyed
#
# Needs SEP_URL and SEP_TOKEN (and SEP_PROJECT, SEP_COST_CENTER for `up`). Outputs go to $GITHUB_ENV when
# GitHub Actions sets it (later steps see API_URL=… and the like), and always to $SEP_OUTPUTS_FILE
# (default ./sep-outputs.env). Exit codes are sep's: 2 bad input, 3 refused, 4 deployment failed, 5 timed out.
set -euo pipefail

SEP="${SEP:-npx --no-install sep}"
usage() {
  echo "usage: $0 up <suffix> [test command…] | down <suffix>" >&2
  exit 2
}

[ $# -ge 2 ] || usage
action="$1"
suffix="$2"
shift 2

case "$action" in
  up)
    # A re-run of the workflow (a new push to the pull request) reuses a ready environment.
    status="$($SEP env get "$suffix" --json 2>/dev/null |
      node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => s && process.stdout.write(JSON.parse(s).status))' ||
      true)"
    if [ "$status" = "ready" ]; then
      echo "sep: $suffix is ready already" >&2
    else
      $SEP env create --suffix "$suffix" --ttl "${SEP_TTL_HOURS:-24}" --wait
    fi
    outputs_file="${SEP_OUTPUTS_FILE:-sep-outputs.env}"
    $SEP env outputs "$suffix" --format env >"$outputs_file"
    if [ -n "${GITHUB_ENV:-}" ]; then cat "$outputs_file" >>"$GITHUB_ENV"; fi
    if [ $# -gt 0 ]; then
      set -a
      # shellcheck disable=SC1090
      . "./$outputs_file"
      set +a
      "$@"
    fi
    ;;
  down)
    $SEP env destroy "$suffix" --wait
    ;;
  *)
    usage
    ;;
esac
