#!/usr/bin/env bash
# Test topology for the user-space packet stack: a veth pair between the Linux kernel (the peer)
# and an AF_PACKET socket (the user-space stack).
#
#   root namespace                          namespace xtins (the kernel peer)
#   xtiu  (no IP address)  <--- veth --->   xtik  198.18.0.1/24
#   the stack owns 198.18.0.2 with its own MAC (e.g. 02:00:00:00:00:02) on xtiu
#
# Usage: topology.sh up | down | status        (needs root)
# Names can be overridden with XTI_NS, XTI_KIF, XTI_UIF (they must start with "xti"), and the kernel
# side's address with XTI_KERNEL_ADDR (default 198.18.0.1/24), so that topologies built side by side
# need not share a subnet.
#
# Why each setting is there:
# - xtiu has NO IP address: the root-namespace kernel then never answers ARP for the stack's
#   198.18.0.2 and never sends RSTs for TCP ports the stack owns (kernel interference).
# - xtik lives in its own namespace so the kernel peer has a routing table of its own: its
#   198.18.0.0/24 route cannot leak into the root namespace, and the test process (root namespace)
#   opens xtiu directly.
# - IPv6 is disabled on both ends: otherwise the kernel emits router solicitations, MLD reports and
#   DAD probes on the pair, noise that a test counting frames must not see.
# - `ethtool -K xtik tx off tso off gso off`: with tx checksum offload on, veth hands frames over
#   with only the pseudo-header sum in the TCP/UDP checksum field (TP_STATUS_CSUMNOTREADY), and
#   with TSO/GSO on the kernel can pass segments larger than the MTU. Off gives complete checksums
#   and MTU-sized frames, what a real NIC would deliver. (A test turns tx back on deliberately.)
# - `ethtool -K xtiu gro off`: GRO would merge received segments into super-frames larger than the
#   MTU before the packet socket sees them.
# - `up` first runs `down`, so a run that died half-way never blocks the next one; `down` removes
#   the veth before the namespace (deleting a namespace tears its devices down asynchronously) and
#   waits until the names are free, and it succeeds when nothing exists.
set -euo pipefail

NS="${XTI_NS:-xtins}"
KIF="${XTI_KIF:-xtik}"
UIF="${XTI_UIF:-xtiu}"
KERNEL_ADDR="${XTI_KERNEL_ADDR:-198.18.0.1/24}"

for name in "$NS" "$KIF" "$UIF"; do
  case "$name" in
    xti*) ;;
    *) echo "topology.sh: name '$name' must start with 'xti'" >&2; exit 2 ;;
  esac
done

link_exists() { ip link show dev "$1" >/dev/null 2>&1; }
ns_exists() { ip netns list | awk '{print $1}' | grep -qx "$NS"; }

down() {
  if link_exists "$UIF"; then ip link del dev "$UIF" || true; fi
  if ns_exists; then
    ip -n "$NS" link del dev "$KIF" 2>/dev/null || true
    ip netns del "$NS" || true
  fi
  # The kernel frees names asynchronously; wait (bounded) so an immediate `up` cannot collide.
  for _ in $(seq 1 50); do
    if ! link_exists "$UIF" && ! ns_exists; then return 0; fi
    sleep 0.1
  done
  echo "topology.sh: $UIF or $NS still present after down" >&2
  return 1
}

up() {
  down
  ip netns add "$NS"
  ip link add "$UIF" type veth peer name "$KIF" netns "$NS"
  ip -n "$NS" link set lo up

  sysctl -qw "net.ipv6.conf.$UIF.disable_ipv6=1"
  ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$KIF.disable_ipv6=1"

  ip -n "$NS" addr add "$KERNEL_ADDR" dev "$KIF"
  ip netns exec "$NS" ethtool -K "$KIF" tx off tso off gso off >/dev/null
  ethtool -K "$UIF" gro off >/dev/null

  ip -n "$NS" link set "$KIF" up
  ip link set "$UIF" up
}

status() {
  if link_exists "$UIF"; then ip -br link show dev "$UIF"; else echo "$UIF: absent"; fi
  if ns_exists; then ip -n "$NS" -br addr show dev "$KIF"; else echo "$NS: absent"; fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
