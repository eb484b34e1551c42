#!/bin/sh
# Whole-process search timings beside `rg -i` over the same files, page
# cached, best and median of 5 runs each (BENCHMARKS.md, "Search").
#   scripts/bench_search.sh <data-dir made by gen_corpus> [ccwatch binary]
# The rg line is left out when rg is not installed.
set -eu
dir=$1
bin=${2:-target/release/ccwatch}
projects="$dir/projects"

best_of_5() {
    # prints "best median" seconds of the command in "$@"
    for i in 1 2 3 4 5; do
        s=$(date +%s.%N)
        "$@" > /dev/null 2>&1 || true
        e=$(date +%s.%N)
        echo "$e - $s" | bc
    done | sort -n | awk '{a[NR]=$1} END {printf "%.3f %.3f\n", a[1], a[3]}'
}

# Page the corpus in once.
cat $(find "$projects" -name '*.jsonl') > /dev/null
bytes=$(find "$projects" -name '*.jsonl' -not -path '*/subagents/*' -not -name 'agent-*' -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "main transcripts: $bytes bytes"
for q in "flaky migration test" "parse config"; do
    printf 'ccwatch search %-24s %s\n' "\"$q\"" "$(best_of_5 "$bin" --dir "$dir" search --limit 1000000 --json "$q")"
    if command -v rg > /dev/null; then
        printf 'rg -i -c -F    %-24s %s\n' "\"$q\"" "$(best_of_5 rg -i -c -F --glob '!**/subagents/**' --glob '!agent-*.jsonl' -- "$q" "$projects")"
    fi
done
q='impl\s+\w+\s+for'
printf 'ccwatch search --regex %-16s %s\n' "'$q'" "$(best_of_5 "$bin" --dir "$dir" search --regex --limit 1000000 --json "$q")"
if command -v rg > /dev/null; then
    printf 'rg -i -c       %-24s %s\n' "'$q'" "$(best_of_5 rg -i -c --glob '!**/subagents/**' --glob '!agent-*.jsonl' -- "$q" "$projects")"
fi
