#!/bin/sh
# vigil(1) against the program: every verb `vigil --help` lists (and every sub-verb a verb's usage
# names, as `vigil silence add`) has a `.SS vigil VERB` section, and every option `vigil VERB
# --help` lists is a .TP tag in its verb's section, and the other way round, so a new option,
# verb or a removed one fails this test until the page follows. `man --warnings` must be silent.
#   man_page_test.sh VIGIL PAGE
set -eu
vigil=$1
page=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The option names in the first column of the "... options:" listing of --help
# ("  -C [ --config ] arg   ..."); the description may follow after a single space.
help_options() {
  "$vigil" "$@" --help 2>&1 | awk '/options( \(internal\))?:$/ { listing = 1; next } listing && /^  +-/ {
    for (i = 1; i <= NF; i++) {
      if ($i ~ /^--?[A-Za-z0-9]/) print $i
      else if ($i != "[" && $i != "]" && $i != "arg") break
    }
  }'
}

# Verbs and sub-verbs, and "VERB OPTION" pairs, as the program lists them.
"$vigil" --help | awk '/^verbs:/ { in_verbs = 1; next } in_verbs && /^  [a-z]/ { print $1 } /^$/ { in_verbs = 0 }' \
  > "$work/verbs"
[ -s "$work/verbs" ] || { echo "no verbs in \`$vigil --help\`" >&2; exit 1; }
: > "$work/help-sections"
: > "$work/help-options"
while read -r verb; do
  subs=$("$vigil" "$verb" --help 2>&1 | sed -n "s/^\(usage:\)\{0,1\} *vigil $verb \([a-z][a-z]*\)\( .*\)\{0,1\}$/\2/p")
  if [ -n "$subs" ]; then
    for sub in $subs; do
      echo "$verb $sub" >> "$work/help-sections"
      help_options "$verb" "$sub" | sed "s/^/$verb $sub|/" >> "$work/help-options"
    done
  else
    echo "$verb" >> "$work/help-sections"
    help_options "$verb" | sed "s/^/$verb|/" >> "$work/help-options"
  fi
done < "$work/verbs"

# The same from the page: `.SS vigil VERB` sections, and the options in their .TP tag lines.
awk '
  /^\.SH/ { section = "" }
  /^\.SS vigil/ { section = $0; sub(/^\.SS vigil ?/, "", section); if (section == "") section = "-"; print "S|" section; next }
  tag { line = $0; gsub(/\\-/, "-", line)
        while (match(line, /--?[A-Za-z0-9][A-Za-z0-9-]*/)) { print "O|" section "|" substr(line, RSTART, RLENGTH); line = substr(line, RSTART + RLENGTH) }
        tag = 0 }
  /^\.TP/ && section != "" { tag = 1 }
' "$page" > "$work/page"
sed -n 's/^S|//p' "$work/page" | grep -v '^-$' | sort > "$work/page-sections"
sed -n 's/^O|//p' "$work/page" | grep -v '^-|' | sort -u > "$work/page-options"
sort -o "$work/help-sections" "$work/help-sections"
sort -u -o "$work/help-options" "$work/help-options"

failed=0
if ! diff -u --label "vigil --help (verbs)" --label "$page (.SS sections)" \
     "$work/help-sections" "$work/page-sections"; then
  failed=1
fi
if ! diff -u --label "vigil VERB --help (VERB|option)" --label "$page (VERB|option in .TP tags)" \
     "$work/help-options" "$work/page-options"; then
  failed=1
fi
# Global options: those the top-level usage line shows must be in the `.SS vigil` section.
for opt in $("$vigil" --help | sed -n '1s/[^-]*\(--[a-z-]*\)[^-]*/\1 /gp'); do
  grep -qx -- "O|-|$opt" "$work/page" || { echo "$page: global option $opt is missing" >&2; failed=1; }
done

# man(1) renders the page with groff's warnings on; any warning is a mistake in the roff.
if ! MANWIDTH=80 man --warnings -l "$page" > /dev/null 2> "$work/warnings"; then
  cat "$work/warnings" >&2
  failed=1
fi
if [ -s "$work/warnings" ]; then
  echo "man --warnings -l $page:" >&2
  cat "$work/warnings" >&2
  failed=1
fi
[ "$failed" -eq 0 ] && echo "vigil(1): $(wc -l < "$work/help-sections") verb sections, $(wc -l < "$work/help-options") options, as --help lists them; no man warnings"
exit "$failed"
