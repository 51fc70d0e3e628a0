# packaging/completions/myrt.bash -- bash completion for myrt (installed as share/bash-completion/completions/myrt).
# Options as in `myrt help run`; tests/packaging/check_docs.cmake checks that every run option is listed here.
_myrt() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null; then
    _init_completion -n = || return
  else
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi
  local commands="run serve compile validate inspect wast help"
  local run_opts="--invoke --dir --dir-ro --env --inherit-env --allow-http --max-outgoing-requests --max-outgoing-buffer --allow-connect --allow-bind --argv0 --preload --unknown-imports-trap
    --unknown-imports-default --max-memory --memory-reservation --max-stack --max-native-stack --max-threads --fuel --timeout --tier --allow-fallback --allow-precompiled --no-cache -j --jobs --profile --bench -v
    --trace-traps -W -S --help"
  local w_keys="fuel= max-memory-size= max-wasm-stack= threads=y timeout= unknown-imports-trap= unknown-imports-default="
  local cmd="" i
  for ((i = 1; i < cword; i++)); do
    case "${words[i]}" in
      run|serve|validate|inspect|wast|help) cmd="${words[i]}"; break ;;
      -*) ;;
      *) cmd=run; break ;;
    esac
  done
  case "$prev" in
    --tier) COMPREPLY=($(compgen -W "interp jit auto" -- "$cur")); return ;;
    --profile) COMPREPLY=($(compgen -W "perfmap" -- "$cur")); return ;;
    -W) COMPREPLY=($(compgen -W "$w_keys" -- "$cur")); compopt -o nospace 2>/dev/null; return ;;
    -S) COMPREPLY=($(compgen -W "inherit-env=y inherit-network=y tcp=n udp=n allow-ip-name-lookup=y threads=y" -- "$cur")); return ;;
    --dir|--dir-ro) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --invoke|--env|--allow-http|--max-outgoing-requests|--max-outgoing-buffer|--allow-connect|--allow-bind|--argv0|--max-memory|--memory-reservation|--max-stack|--max-native-stack|--max-threads|--fuel|--timeout|-j|--jobs|--preload) return ;;
  esac
  if [[ -z "$cmd" ]]; then
    if [[ "$cur" == -* ]]; then
      COMPREPLY=($(compgen -W "--help --version -V $run_opts" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$commands" -- "$cur") $(compgen -f -X '!*.@(wasm|wat)' -- "$cur") $(compgen -d -- "$cur"))
    fi
    return
  fi
  case "$cmd" in
    help) COMPREPLY=($(compgen -W "run serve compile validate inspect wast" -- "$cur")) ;;
    run)
      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$run_opts" -- "$cur"))
      else COMPREPLY=($(compgen -f -- "$cur")); fi ;;
    compile) COMPREPLY=($(compgen -W "-o --output -j --jobs --help" -- "$cur") $(compgen -f -- "$cur")) ;;
    validate) COMPREPLY=($(compgen -W "--wasm2 --help" -- "$cur") $(compgen -f -- "$cur")) ;;
    inspect) COMPREPLY=($(compgen -W "--help" -- "$cur") $(compgen -f -- "$cur")) ;;
    wast)
      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "-v --verbose -m --mismatches --wasm2 --tier --strict --known-skip --stats --expect-jit --allow-fallback --json --junit --exclusions --max-memory --help" -- "$cur"))
      else COMPREPLY=($(compgen -f -- "$cur")); fi ;;
  esac
}
complete -F _myrt myrt
