#!/bin/sh
# purity.sh — core/ and consensus/ do no I/O (DESIGN.md §2, STYLE.md "Layout").
# Every undefined symbol of every object in the given static libraries must match the
# allow-list below; only core/src/alloc.c may reference the libc allocator.
# Usage: purity.sh LIB.a [LIB.a ...]
set -eu
allow='^(crypto_[a-z0-9_]+|sodium_[a-z_]+|secp256k1_[a-z0-9_]+|msgpack_[a-z0-9_]+|yc_[a-z0-9_]+|yc__[a-z0-9_]+|pbft_[a-z0-9_]+|mem(cpy|set|cmp|move|chr)|str(len|nlen|cmp|ncmp|chr|rchr)|snprintf|vsnprintf|qsort|bsearch|abort|__assert_fail|__stack_chk_fail|__asan_.*|__ubsan_.*|__sanitizer_.*|_GLOBAL_OFFSET_TABLE_)$'
alloc='^(malloc|calloc|realloc|free)$'
status=0
for lib in "$@"; do
    [ -f "$lib" ] || { echo "purity: no such library: $lib" >&2; exit 2; }
    # nm -A prints "lib.a:obj.o:   U sym"
    nm -A -u "$lib" 2>/dev/null | while IFS= read -r line; do
        obj=$(printf '%s' "$line" | cut -d: -f2)
        sym=$(printf '%s' "$line" | awk '{print $NF}')
        if printf '%s' "$sym" | grep -Eq "$allow"; then continue; fi
        if [ "$obj" = "alloc.c.o" ] && printf '%s' "$sym" | grep -Eq "$alloc"; then continue; fi
        echo "purity: $lib: $obj references $sym (I/O, clock, threads or allocator outside the hook)"
        echo x >> "${TMPDIR:-/tmp}/yc_purity_fail.$$"
    done
done
if [ -f "${TMPDIR:-/tmp}/yc_purity_fail.$$" ]; then rm -f "${TMPDIR:-/tmp}/yc_purity_fail.$$"; exit 1; fi
echo "purity: ok ($*)"
