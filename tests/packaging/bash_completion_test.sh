#!/bin/bash
# packaging/completion/vigil in a bash with nothing else loaded: what COMPREPLY holds for a few
# command lines, completed against the vigil under test and its plugins.
#   bash_completion_test.sh VIGIL COMPLETION
set -u
vigil=$1
# shellcheck source=/dev/null
source "$2"
failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# complete LINE: COMPREPLY for the cursor at the end of LINE, one word a line, sorted.
complete_line() {
  read -r -a COMP_WORDS <<< "$1"
  [[ $1 == *" " ]] && COMP_WORDS+=("")
  COMP_WORDS[0]=$vigil
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE=$1
  COMP_POINT=${#1}
  COMPREPLY=()
  _vigil
  printf '%s\n' "${COMPREPLY[@]}" | sort
}

# expect LINE WORD...: each WORD is offered.   reject LINE WORD...: none is.
expect() {
  local line=$1 got
  shift
  got=$(complete_line "$line")
  for want in "$@"; do
    grep -qx -- "$want" <<< "$got" || { echo "FAIL '$line': '$want' not offered; got: $(echo $got)"; failed=1; }
  done
}
reject() {
  local line=$1 got
  shift
  got=$(complete_line "$line")
  for unwanted in "$@"; do
    grep -qx -- "$unwanted" <<< "$got" && { echo "FAIL '$line': '$unwanted' offered; got: $(echo $got)"; failed=1; }
  done
  return 0
}
exactly() {
  local line=$1 got
  shift
  got=$(complete_line "$line")
  [ "$(echo $got)" = "$*" ] || { echo "FAIL '$line': expected '$*', got '$(echo $got)'"; failed=1; }
}

expect "vigil " run validate check plugins report silence status rollback promote abort --help
reject "vigil " __run-check __demo-service
exactly "vigil va" validate
exactly "vigil silence " add expire list
expect "vigil run --" --once --format --state-dir --config --env --log-level --plugin-dir --help
reject "vigil run --" --describe --markdown
exactly "vigil validate --q" --quiet
exactly "vigil silence add --exp" --expire-on-resolve
exactly "vigil rollback --f" --force
exactly "vigil run --once --format " json text
exactly "vigil report --format " html json md
exactly "vigil run --log-level w" warning
expect "vigil check " exec http_probe noop node_resources
reject "vigil check " webhook
exactly "vigil check noop -o " ""
expect "vigil plugins --describe " exec webhook

mkdir -p "$work/etc/environments"
touch "$work/etc/vigil.yaml" "$work/etc/environments/production.yaml" "$work/etc/environments/staging.yaml"
exactly "vigil validate --config $work/etc/vigil.yaml --env " production staging
exactly "vigil run -C $work/etc/vigil.yaml -e st" staging
VIGIL_CONFIG=$work/etc/vigil.yaml
exactly "vigil run --env p" production
unset VIGIL_CONFIG

[ "$failed" -eq 0 ] && echo "bash completion: all cases passed"
exit "$failed"
