# Shared settings of the realcluster scripts (sourced, not run).
#
# Two directories, both outside the repository:
#   $RC_CACHE/<key>/  what build makes once per machine: bin/ (the Kubernetes binaries built
#                     from Debian's source package), images/ (OCI archives), and
#                     containerd-root/ (the imported image store, kept so a restart imports
#                     nothing). <key> is the source package's version plus RC_RECIPE, so a
#                     new Debian upload or a change to how we build gives a new directory.
#   $RC_STATE/        one running cluster: PKI, kubeconfigs, etcd and kubelet data, sockets,
#                     logs and PID files. start wipes it; stop leaves the logs for reading.
set -euo pipefail

RC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Bump when the build recipe changes what ends up in bin/ or images/.
RC_RECIPE=1
RC_CACHE_ROOT=${STILLPOINT_REALCLUSTER_CACHE:-/var/cache/stillpoint/realcluster}
RC_STATE=${STILLPOINT_REALCLUSTER_STATE:-/tmp/stillpoint-realcluster}

# The version of Debian's `kubernetes` source package, read from the binary package built
# from it (kubernetes-client) in the machine's own apt lists: no deb-src lists needed to
# find the cache.
rc_package_version() {
  local v
  v=$(apt-cache policy kubernetes-client 2>/dev/null | sed -n 's/^ *Candidate: *//p')
  if [ -z "$v" ] || [ "$v" = "(none)" ]; then
    echo "realcluster: apt knows no kubernetes-client package; is Debian's archive in" \
         "/etc/apt/sources.list*? (run apt-get update)" >&2
    return 1
  fi
  echo "$v"
}

rc_key() { echo "$(rc_package_version)-r$RC_RECIPE"; }
rc_cache() { echo "$RC_CACHE_ROOT/$(rc_key)"; }

rc_log() { echo "realcluster: $*" >&2; }
rc_die() { echo "realcluster: error: $*" >&2; exit 1; }

rc_need_root() {
  [ "$(id -u)" -eq 0 ] || rc_die "must run as root (containerd, runc and the kubelet need it)"
}

# Ports, all on 127.0.0.1. Not Kubernetes' defaults (2379, 6443, 10250), so a cluster the
# machine may already run is left alone.
RC_ETCD_PORT=${STILLPOINT_REALCLUSTER_ETCD_PORT:-12379}
RC_ETCD_PEER_PORT=$((RC_ETCD_PORT + 1))
RC_APISERVER_PORT=${STILLPOINT_REALCLUSTER_APISERVER_PORT:-16443}
RC_KUBELET_PORT=${STILLPOINT_REALCLUSTER_KUBELET_PORT:-11250}
RC_KUBELET_HEALTHZ_PORT=$((RC_KUBELET_PORT - 2))
# The node's name is its IP: the one way a 1.20 kubelet reports a loopback InternalIP without
# a patch (--node-ip 127.0.0.1 is rejected; a hostname override that parses as an IP is not).
RC_NODE=127.0.0.1
RC_KUBECONFIG=$RC_STATE/admin.kubeconfig

# rc_wait SECONDS WHAT COMMAND...: runs COMMAND every 0.2 s until it succeeds.
rc_wait() {
  local limit=$1 what=$2
  shift 2
  local deadline=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# The command line of PID as one string (NULs to spaces), empty if it is gone or a zombie.
rc_cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true; }
