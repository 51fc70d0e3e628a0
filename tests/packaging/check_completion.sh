#!/usr/bin/env bash
# tests/packaging/check_completion.sh -- the bash completion completes commands, run options, tier names and -W keys;
# the zsh and fish files parse.   check_completion.sh <source dir>
set -euo pipefail
src="$1"
fail=0
complete_line() {  # words... -> COMPREPLY as one line
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  _myrt
  echo "${COMPREPLY[*]}"
}
expect() {  # expected-substring words...
  local want="$1"; shift
  local got
  got="$(complete_line "$@")"
  if [[ " $got " != *" $want "* ]]; then echo "completing '$*': expected '$want' in '$got'"; fail=1; fi
}
# shellcheck source=/dev/null
source "$src/packaging/completions/myrt.bash"
expect run myrt r
expect validate myrt val
expect --preload myrt run --pre
expect --unknown-imports-trap myrt --unknown-imports-t
expect jit myrt run --tier j
expect fuel= myrt run -W fu
expect inherit-env=y myrt -S inh
expect wast myrt help wa
expect --wasm2 myrt validate --wa
zsh -n "$src/packaging/completions/_myrt" || { echo "zsh: _myrt does not parse"; fail=1; }
fish -n "$src/packaging/completions/myrt.fish" || { echo "fish: myrt.fish does not parse"; fail=1; }
exit $fail
