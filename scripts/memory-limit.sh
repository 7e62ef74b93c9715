#!/usr/bin/env bash
# Runs a command in a memory cgroup of its own: at most LIMIT bytes of memory (page cache
# included), no swap. The cgroup is made inside this process's own memory cgroup (so every limit
# above it still holds) and removed when the command ends, however it ends. Needs root.
#   scripts/memory-limit.sh check              exit 0 if it can run here; else print why not, exit 1
#   scripts/memory-limit.sh LIMIT COMMAND...   run COMMAND; its exit status is the command's
# After the command, one line on standard error (v1's memory.max_usage_in_bytes, v2's memory.peak):
#   memory-limit: peak P bytes of LIMIT allowed
set -euo pipefail

# The folder of this process's memory cgroup, and the cgroup version: "DIR v1" or "DIR v2"; or a
# reason on standard error and status 1.
own_cgroup() {
  if [ "$(id -u)" != 0 ]; then echo "making a memory cgroup needs root" >&2; return 1; fi
  local v1 v2
  v1=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
  if [ -n "$v1" ]; then
    local mount
    mount=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ {print $2; exit}' /proc/self/mounts)
    if [ -n "$mount" ] && [ -w "$mount$v1" ] && [ -f "$mount$v1/memory.limit_in_bytes" ]; then
      echo "${mount%/}$v1 v1"; return 0
    fi
    echo "cgroup v1's memory controller is not mounted writable here (cgroup $v1)" >&2; return 1
  fi
  v2=$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)
  local mount
  mount=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/self/mounts)
  if [ -n "$v2" ] && [ -n "$mount" ] && grep -qw memory "$mount/cgroup.controllers" 2>/dev/null; then
    local dir="${mount%/}${v2%/}"
    if grep -qw memory "$dir/cgroup.subtree_control" 2>/dev/null || echo +memory > "$dir/cgroup.subtree_control" 2>/dev/null; then
      echo "$dir v2"; return 0
    fi
    echo "cgroup v2's memory controller cannot be enabled below $dir (cgroup.subtree_control)" >&2; return 1
  fi
  echo "no memory cgroup controller here (neither cgroup v1's memory nor v2's memory.max)" >&2
  return 1
}

if [ "${1:-}" = check ]; then
  if reason=$(own_cgroup 2>&1 > /dev/null); then exit 0; fi
  echo "$reason"; exit 1
fi
if [ $# -lt 2 ]; then
  echo "usage: scripts/memory-limit.sh check | LIMIT COMMAND..." >&2; exit 2
fi
limit=$1; shift
info=$(own_cgroup)
read -r parent version <<< "$info"
group="$parent/backprop-limit-$$"
mkdir "$group"
cleanup() {
  # The command has ended (or is ended here): the cgroup is empty and can go.
  if [ -n "${child:-}" ]; then kill -9 "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; fi
  rmdir "$group" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$version" = v1 ]; then
  echo "$limit" > "$group/memory.limit_in_bytes"
  # Memory plus swap at the same limit: no swap at all.
  if [ -f "$group/memory.memsw.limit_in_bytes" ]; then echo "$limit" > "$group/memory.memsw.limit_in_bytes"; fi
else
  echo "$limit" > "$group/memory.max"
  if [ -f "$group/memory.swap.max" ]; then echo 0 > "$group/memory.swap.max"; fi
fi

# The child moves itself into the cgroup, then becomes the command.
( echo "$BASHPID" > "$group/cgroup.procs"; exec "$@" ) &
child=$!
status=0
wait "$child" || status=$?
child=
if [ "$version" = v1 ]; then peak=$(cat "$group/memory.max_usage_in_bytes"); else peak=$(cat "$group/memory.peak" 2>/dev/null || echo unknown); fi
echo "memory-limit: peak $peak bytes of $limit allowed" >&2
exit "$status"
