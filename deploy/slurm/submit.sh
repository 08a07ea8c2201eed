#!/usr/bin/env bash
# Runs a benchmark on a Slurm cluster as two submissions:
#   1. a job array, one task per shard: each task encodes its share of every selected
#      dataset into the embedding store (`evaluate --shard auto`) and writes no records;
#   2. a scoring job that starts once every task has succeeded (--dependency=afterok)
#      and reads every embedding from the store (`evaluate --cache-only`): the records
#      and the report.
#
#   deploy/slurm/submit.sh SHARDS [evaluate flags...]
#   deploy/slurm/submit.sh 8 --model Llama3-MS-CLIP-Base --dataset-dir /shared/benchmark_datasets \
#       --cache-dir /shared/msclip-store --save-path /shared/results
#
# Both jobs get the same evaluate flags. --cache-dir must be a folder every node sees
# (a shared file system): the tasks write disjoint files there, with no locks.
# sbatch options: export SBATCH_PARTITION, SBATCH_TIMELIMIT, SBATCH_ACCOUNT, ... (sbatch
# reads them), or put extra flags for each job in MSCLIP_ENCODE_SBATCH and
# MSCLIP_SCORE_SBATCH (e.g. MSCLIP_ENCODE_SBATCH="--gres=gpu:1 --cpus-per-task=8").
# Job logs go to $MSCLIP_SLURM_LOGS (default slurm-logs/).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage="usage: deploy/slurm/submit.sh SHARDS [evaluate flags...]  (SHARDS: the number of array tasks)"
if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then echo "$usage" >&2; exit 2; fi
shards=$1
shift
if ! [[ $shards =~ ^[1-9][0-9]*$ ]]; then echo "error: SHARDS must be a positive integer, got \"$shards\"; $usage" >&2; exit 2; fi

# How the jobs run msclip-bench: the installed command, else this checkout's.
if [ -z "${MSCLIP_BENCH:-}" ]; then
  if command -v msclip-bench > /dev/null; then
    MSCLIP_BENCH=msclip-bench
  else
    root=$(cd "$here/../.." && pwd)
    # One node process (tsx as a loader, not tsx's wrapper process): Slurm's SIGTERM at a
    # time limit reaches msclip-bench itself, which saves what it encoded before exiting.
    MSCLIP_BENCH="node --import $root/node_modules/tsx/dist/loader.mjs $root/cli/main.ts"
  fi
fi
export MSCLIP_BENCH

logs=${MSCLIP_SLURM_LOGS:-slurm-logs}
mkdir -p "$logs"
# --parsable prints "jobid" or "jobid;cluster".
# shellcheck disable=SC2086 # the extra sbatch flags are words on purpose
array=$(sbatch --parsable --array="1-$shards" --output="$logs/encode-%A_%a.out" ${MSCLIP_ENCODE_SBATCH:-} "$here/encode-array.sbatch" "$@")
array=${array%%;*}
# A failed task cancels the scoring job instead of leaving it pending for ever.
# shellcheck disable=SC2086
score=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes --output="$logs/score-%j.out" ${MSCLIP_SCORE_SBATCH:-} "$here/score.sbatch" "$@")
score=${score%%;*}
echo "encode array: $array ($shards tasks); scoring job: $score (starts when every task has succeeded)"
echo "watch: squeue -j $array,$score    logs: $logs/"
