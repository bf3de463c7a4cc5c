# shellcheck shell=bash
# Figures for the benchmarks, shared by bench/*. Sourced, not run.

# median: the median of the numbers on stdin, one per line (the lower
# middle of an even count)
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# ratio A B [PLACES]: A / B as "N.NNNx", to PLACES decimals (default 3)
ratio() { awk -v a="$1" -v b="$2" -v p="${3:-3}" 'BEGIN { printf "%.*fx", p, a / b }'; }
