#!/usr/bin/env bash
# Two test hosts on one machine: network namespaces ${BACKPROP_HOSTS}1 and ${BACKPROP_HOSTS}2
# (host names node1 and node2), joined by one veth link on the private 10.77.0.0/24 (node1 is
# .1, node2 is .2), seen by nothing outside them. Needs root (ip netns) and Open MPI.
#   scripts/hosts.sh with COMMAND...    create the hosts, run COMMAND, and remove them however it ends
#   scripts/hosts.sh up                 create both hosts (fails if they exist)
#   scripts/hosts.sh down               end every process left in them and remove them
#   scripts/hosts.sh mpirun ARGS...     mpirun started on node1, one process on each host, over TCP
#                                       on the link only (ARGS: the program and its arguments)
#   scripts/hosts.sh shell 'LINE'       a shell command line run on node1, in this folder, with
#                                       Open MPI set up (environment variables) to reach node2 as above
#   scripts/hosts.sh link down|up       host 2's end of the link
#   scripts/hosts.sh slow RATE|off      rate-limit both ends (tc tbf, e.g. 20mbit; the kernel here has no netem)
#   scripts/hosts.sh shaped             times the rate limit held a packet back, both ends together
#   scripts/hosts.sh bytes              bytes sent by node1 and by node2 over the link so far
#   scripts/hosts.sh pids               processes running on the hosts, one "host pid command" a line
#   scripts/hosts.sh agent ...          (Open MPI's plm_rsh_agent: runs a command on a host, as ssh would)
# BACKPROP_HOSTS names the namespaces (default bph); give each concurrent run its own. Not as root,
# every command but `with` runs itself again through sudo.
set -euo pipefail

if [ "$(id -u)" != 0 ] && [ "${1:-}" != with ]; then
  exec sudo --preserve-env=BACKPROP_HOSTS "$0" "$@"
fi

prefix=${BACKPROP_HOSTS:-bph}
subnet=10.77.0
here=$(cd "$(dirname "$0")" && pwd)
self="$here/$(basename "$0")"

ns() { echo "$prefix$1"; }         # the namespace of host N
dev() { echo "${prefix}v$1"; }     # host N's end of the link
on() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }

# Runs "$@" (a shell command line, as ssh would get it) on host N under its own host name.
run_on() {
  local n=$1; shift
  exec ip netns exec "$(ns "$n")" unshare --uts sh -c "hostname node$n; $*"
}

case "${1:-}" in
  up)
    for n in 1 2; do
      ip netns add "$(ns $n)"
      mkdir -p "/etc/netns/$(ns $n)"
      # `ip netns exec` shows this file as /etc/hosts inside the namespace: the host names resolve there only.
      printf '127.0.0.1 localhost\n%s.1 node1\n%s.2 node2\n' "$subnet" "$subnet" > "/etc/netns/$(ns $n)/hosts"
    done
    ip link add "$(dev 1)" netns "$(ns 1)" type veth peer name "$(dev 2)" netns "$(ns 2)"
    for n in 1 2; do
      on $n ip addr add "$subnet.$n/24" dev "$(dev $n)"
      on $n ip link set lo up
      on $n ip link set "$(dev $n)" up
    done
    ;;
  down)
    for n in 1 2; do
      if ip netns list | grep -qw "$(ns $n)"; then
        for pid in $(ip netns pids "$(ns $n)"); do kill -9 "$pid" 2>/dev/null || true; done
        ip netns delete "$(ns $n)"
      fi
      rm -rf "/etc/netns/$(ns $n)"
    done
    ;;
  mpirun)
    shift
    "$self" shell "mpirun --host node1:1,node2:1 $(printf '%q ' "$@")"
    ;;
  shell)
    # Open MPI's settings for these hosts, as environment variables, so that a command written for
    # real hosts runs here unchanged: reach a host through the agent instead of ssh, TCP on the link only.
    export OMPI_MCA_plm_rsh_agent="$self agent" OMPI_MCA_btl=tcp,self \
      OMPI_MCA_btl_tcp_if_include="$subnet.0/24" OMPI_MCA_oob_tcp_if_include="$subnet.0/24"
    # mpirun (and its daemon on node2) as root, without --allow-run-as-root in the command.
    [ "$(id -u)" != 0 ] || export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    run_on 1 "${2:?shell COMMAND-LINE}"
    ;;
  agent)
    # Called as ssh would be: [options] HOST COMMAND...; the options are dropped.
    shift
    while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do shift; done
    host=${1:?agent: no host name}; shift
    case "$host" in
      node1|node2) run_on "${host#node}" "$@" ;;
      *) echo "hosts.sh agent: unknown host $host (known: node1, node2)" >&2; exit 255 ;;
    esac
    ;;
  link)
    on 2 ip link set "$(dev 2)" "${2:?link down|up}"
    ;;
  slow)
    for n in 1 2; do
      on $n tc qdisc del dev "$(dev $n)" root 2>/dev/null || true
      if [ "${2:?slow RATE|off}" != off ]; then
        on $n tc qdisc add dev "$(dev $n)" root tbf rate "$2" burst 64kbit latency 200ms
      fi
    done
    ;;
  shaped)
    total=0
    for n in 1 2; do
      count=$(on $n tc -s qdisc show dev "$(dev $n)" | sed -n 's/.*overlimits \([0-9]*\).*/\1/p' | head -1)
      total=$((total + ${count:-0}))
    done
    echo "$total"
    ;;
  with)
    shift
    trap '"$self" down' EXIT
    "$self" up
    "$@"
    ;;
  bytes)
    for n in 1 2; do echo "node$n $(on $n cat "/sys/class/net/$(dev $n)/statistics/tx_bytes")"; done
    ;;
  pids)
    for n in 1 2; do
      for pid in $(ip netns pids "$(ns $n)" 2>/dev/null); do
        echo "node$n $pid $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | cut -c1-120)"
      done
    done
    ;;
  *)
    sed -n '2,20p' "$0" >&2
    exit 2
    ;;
esac
