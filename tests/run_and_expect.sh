#!/usr/bin/env bash
# run_and_expect.sh EXPECTED_LINE COMMAND [ARG...]
# Runs COMMAND and passes only when it exits 0, writes nothing to stderr (a sanitizer report, an
# exception message or a warning fails the test) and prints EXPECTED_LINE as a whole line on
# stdout. CTest's PASS_REGULAR_EXPRESSION would ignore both the exit code and what follows a match.
set -uo pipefail
expected=$1
shift
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$@" >"$out" 2>"$err"
code=$?
status=0
if [ "$code" -ne 0 ]; then
  echo "FAIL: $1 exited with $code" >&2
  status=1
fi
if [ -s "$err" ]; then
  echo "FAIL: $1 wrote to stderr:" >&2
  cat "$err" >&2
  status=1
fi
if ! grep -qxF -- "$expected" "$out"; then
  echo "FAIL: no line '$expected' in the output of $1:" >&2
  cat "$out" >&2
  status=1
fi
[ "$status" -eq 0 ] && echo "PASS: $1 exited 0, stderr empty, printed: $expected"
exit "$status"
