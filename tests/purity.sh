#!/bin/sh
# purity.sh — core/ and consensus/ do no I/O (DESIGN.md §2, STYLE.md "Layout").
# Every undefined symbol of every object in the given static libraries must match the
# allow-list below; only core/src/alloc.c may reference the libc allocator.
# Usage: purity.sh LIB.a [LIB.a ...]
set -eu
allow='^(crypto_[a-z0-9_]+|SHA256_(Init|Update|Final)|sodium_[a-z_]+|secp256k1_[a-z0-9_]+|msgpack_[a-z0-9_]+|yc_[a-z0-9_]+|yc__[a-z0-9_]+|pbft_[a-z0-9_]+|mem(cpy|set|cmp|move|chr)|str(len|nlen|cmp|ncmp|chr|rchr)|snprintf|vsnprintf|qsort|bsearch|abort|__assert_fail|__stack_chk_fail|__asan_.*|__ubsan_.*|__sanitizer_.*|_GLOBAL_OFFSET_TABLE_)$'
status=0
for lib in "$@"; do
    [ -f "$lib" ] || { echo "purity: no such library: $lib" >&2; exit 2; }
    # nm -A prints "lib.a:obj.o:                 U sym"
    bad=$(nm -A -u "$lib" 2>/dev/null | awk -v allow="$allow" '
        { n = split($1, parts, ":"); obj = parts[n - 1]; sym = $NF
          if (sym ~ allow) next
          if (obj == "alloc.c.o" && sym ~ /^(malloc|calloc|realloc|free)$/) next
          print obj " references " sym }')
    if [ -n "$bad" ]; then
        printf 'purity: %s: I/O, clock, threads or allocator outside the hook:\n%s\n' "$lib" "$bad"
        status=1
    fi
done
[ $status -eq 0 ] && echo "purity: ok ($*)"
exit $status
