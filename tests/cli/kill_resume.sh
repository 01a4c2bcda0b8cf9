# Sourced by the zoo's task scripts (classify.sh, language_model.sh, ...):
# the one way they check that a run killed with -9 resumes exactly.
#
#   kill_resume A_RUN CHECKPOINT COLUMNS ARGS...
# runs `$pavlov run ARGS... experiment.out_dir=b` in the background, kills it
# (kill -9) as soon as b/*/checkpoints/CHECKPOINT exists, `pavlov resume`s it
# to the end, and compares the metrics.csv columns COLUMNS (a `cut -f` list:
# leave out the wall-clock ones) with those of the finished run A_RUN. Sets
# RESUMED to the resumed run's folder; returns non-zero, saying why, on failure.
kill_resume() {
  local a=$1 checkpoint=$2 columns=$3
  shift 3
  "$pavlov" run "$@" experiment.out_dir=b >/dev/null 2>b.log &
  local pid=$!
  for _ in $(seq 1200); do
    [ -n "$(ls b/*/checkpoints/"$checkpoint" 2>/dev/null)" ] && break
    sleep 0.05
  done
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  RESUMED=$(ls -d b/*/)
  [ -e "$RESUMED/eval.json" ] && { echo "the run finished before it could be killed; nothing was tested"; return 1; }
  "$pavlov" resume "$RESUMED" >/dev/null 2>resume.log || { cat resume.log; return 1; }
  diff <(cut -d, -f"$columns" "$a/metrics.csv") <(cut -d, -f"$columns" "$RESUMED/metrics.csv") ||
    { echo "FAIL: the resumed run's metrics differ"; return 1; }
}
