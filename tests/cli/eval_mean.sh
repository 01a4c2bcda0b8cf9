# Sourced by the CLI tests: eval_mean FILE final|best prints the "mean" of that
# section of an eval.json as written (a number, or nothing when absent).
eval_mean() {
  grep -A5 "\"$2\"" "$1" | sed -n 's/.*"mean": *\([-0-9.eE+]*\).*/\1/p' | head -1
}
