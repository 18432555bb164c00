#!/usr/bin/env bash
# The GitHub Action's check step (action.yml): runs authspec with the action's inputs, writes the
# Markdown report to the job summary, and sets the verdict output from the exit code.
# Inputs come from the environment: AUTHSPEC_URL, AUTHSPEC_PROFILE, AUTHSPEC_ARGS (extra arguments,
# split as a shell would split them, quotes included, but never executed), AUTHSPEC_API_KEY.
set -uo pipefail

extra=()
if [ -n "${AUTHSPEC_ARGS:-}" ]; then
  # xargs splits on blanks and honours '…', "…" and backslashes without running anything. Its
  # status is read from a command substitution: `mapfile < <(…)` would hide it.
  if ! split=$(printf '%s' "$AUTHSPEC_ARGS" | xargs -n1 printf '%s\n' 2>/dev/null); then
    echo "authspec action: args has an unbalanced quote: $AUTHSPEC_ARGS" >&2
    echo "verdict=error" >> "${GITHUB_OUTPUT:-/dev/null}"
    exit 2
  fi
  [ -n "$split" ] && mapfile -t extra <<< "$split"
fi
target=()
[ -n "${AUTHSPEC_URL:-}" ] && target=("$AUTHSPEC_URL")

authspec check "${target[@]}" --profile "${AUTHSPEC_PROFILE:-auth-md}" --format github \
  --report junit=authspec.junit.xml --report sarif=authspec.sarif \
  --report markdown=authspec.md --report json=authspec.json "${extra[@]}"
code=$?

if [ -f authspec.md ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat authspec.md >> "$GITHUB_STEP_SUMMARY"
fi
case $code in
  0) verdict=pass ;;
  1) verdict=fail ;;
  3) verdict=incomplete ;;
  *) verdict=error ;;
esac
echo "verdict=$verdict" >> "${GITHUB_OUTPUT:-/dev/null}"
exit $code
