#!/usr/bin/env bash
# Every #include "x/..." in src/lib/<layer>/ must name its own layer or one
# below it (src/lib/README.md lists the order).  Prints each violation.
set -euo pipefail
cd "$(dirname "$0")/.."
order=(util field hash commit plonk por recursion agg)
rank() { local i; for i in "${!order[@]}"; do [ "${order[$i]}" = "$1" ] && { echo "$i"; return; }; done; echo 99; }
bad=0
for f in src/lib/*/*.[ch]; do
    layer=$(basename "$(dirname "$f")")
    lr=$(rank "$layer")
    while read -r dep; do
        dr=$(rank "$dep")
        if [ "$dr" -gt "$lr" ]; then echo "$f includes $dep/ (above $layer/)"; bad=1; fi
    done < <(sed -n 's|^#include "\([a-z_]*\)/.*|\1|p' "$f")
done
[ "$bad" -eq 0 ] && echo "layers: every include runs downward"
exit "$bad"
