#!/bin/sh
# format.sh — every C source and header of the project is laid out as .clang-format says
# (STYLE.md "Formatting"), with clang-format 14 (Debian 12's). Prints the first lines that
# differ of each file that does not match, and the command that fixes it.
# Usage: format.sh SOURCE_DIR
set -eu
root=$1
cd "$root"
fmt=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$fmt" ]; then
    echo "format: clang-format is not installed (apt-get install clang-format)" >&2
    exit 1
fi
case "$("$fmt" --version)" in
*" 14."*) ;;
*) echo "format: $("$fmt" --version) is not version 14; the layout is defined by 14" >&2
   exit 1 ;;
esac
files=$(find audit consensus core node read storage tests util wallet -name '*.[ch]' \
        ! -path '*/corpus/*' | sort)
# one clang-format for all the files; only when it finds something, one per file to show it
# shellcheck disable=SC2086
if "$fmt" --style=file --dry-run --Werror $files 2>/dev/null; then
    echo "format: ok"
    exit 0
fi
bad=0
for f in $files; do
    if ! "$fmt" --style=file "$f" | cmp -s "$f" -; then
        echo "format: $f differs from clang-format:" >&2
        "$fmt" --style=file "$f" | diff -u "$f" - | sed -n '3,14p' >&2
        bad=$((bad + 1))
    fi
done
if [ "$bad" -ne 0 ]; then
    echo "format: $bad file(s) not formatted; fix with: clang-format -i --style=file FILE" >&2
    exit 1
fi
echo "format: ok"
