#!/bin/sh
# The SDK's promise to plugin authors, end to end: install the sdk component, build
# sdk/examples/file_age against that installed copy as a project of its own (with its unit
# test), check that the plugin exports nothing but the two entry points, then load the built
# library into this host and run it.
#
# usage: out_of_tree_plugin_test.sh CMAKE BUILD_DIR EXAMPLE_DIR PROBE CXX GENERATOR [VIGIL]
set -eu
cmake=$1 build=$2 example=$3 probe=$4 cxx=$5 generator=$6 vigil=${7:-}

work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-sdk-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
step() { printf '== %s\n' "$*"; }
fail() {
  printf 'FAIL: %s\n' "$*" >&2
  exit 1
}

step "install the sdk component into $work/prefix"
"$cmake" --install "$build" --component sdk --prefix "$work/prefix"

step "configure $example against it"
"$cmake" -S "$example" -B "$work/build" -G "$generator" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$work/prefix"
found=$(sed -n 's/^vigil_sdk_DIR:PATH=//p' "$work/build/CMakeCache.txt")
case $found in
  "$work/prefix"/*) ;;
  *) fail "find_package(vigil_sdk) used '$found', not the copy installed in $work/prefix" ;;
esac

step "build the plugin and its unit test"
"$cmake" --build "$work/build"
plugin=$work/build/vigil_file_age.so
[ -f "$plugin" ] || fail "the build made no $plugin"
[ -x "$work/build/file_age_test" ] || fail "file_age_test was not built (GTest not found?)"
"$work/build/file_age_test"

step "exported functions"
functions=$(nm -D --defined-only "$plugin" | awk '$2 == "T" { print $3 }' | sort | tr '\n' ' ')
[ "$functions" = "vigil_plugin_init_v1 vigil_plugin_manifest_v1 " ] ||
  fail "expected only the two entry points as T symbols, got: $functions"

step "load it into the host and run it"
plugins=$work/plugins
mkdir -m 0755 "$plugins"
cp "$plugin" "$plugins/"
chmod 0755 "$plugins/vigil_file_age.so"
printf 'alive\n' >"$work/heartbeat"

# run EXPECTED_STATUS EXPECTED_OUTPUT_PREFIX COMMAND...
run() {
  expected_status=$1 expected_prefix=$2
  shift 2
  set +e
  output=$("$@")
  status=$?
  set -e
  printf '%s -> %s (exit %s)\n' "$*" "$output" "$status"
  [ "$status" -eq "$expected_status" ] || fail "exit $status, expected $expected_status"
  case $output in
    "$expected_prefix"*) ;;
    *) fail "output does not start with '$expected_prefix'" ;;
  esac
}

run 0 "OK $work/heartbeat modified " \
  "$probe" "$plugins" file_age "path=$work/heartbeat"
case $output in
  *" | age_seconds="*"s size_bytes=6B") ;;
  *) fail "expected the metrics age_seconds and size_bytes=6B in: $output" ;;
esac
run 2 "CRITICAL $work/absent: No such file or directory" \
  "$probe" "$plugins" file_age "path=$work/absent"
run 0 "OK $work/absent: No such file or directory (allowed)" \
  "$probe" "$plugins" file_age "path=$work/absent" missing_ok=yes

if [ -n "$vigil" ]; then
  step "and through vigil check"
  run 0 "OK" "$vigil" check --plugin-dir "$plugins" file_age -o "path=$work/heartbeat"
fi
step "passed"
