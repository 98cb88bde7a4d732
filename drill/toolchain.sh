#!/usr/bin/env bash
# drill/toolchain.sh - build a pinned toolset of the local DR drill from the Go module proxy into a cache keyed by
# its pins (drill/versions.env), outside the repository:
#   ${VELERO_DR_CACHE:-$HOME/.cache/velero-dr}/toolchain/<key>/{bin,plugins,logs,work,manifest.json}
# Four toolsets, each with its own key (so changing one never rebuilds the others):
#   cluster (default)  etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, velero,
#                      velero-plugin-for-aws, minio, kwok, kwokctl, velero-restore-helper
#   engine (--engine)  pulumi (the Pulumi CLI) and pulumi-resource-kubernetes (the kubernetes provider plugin)
#   replication (--replication)
#                      minio-replicate (drill/minio-replicate/main.go: MinIO bucket replication set up through
#                      MinIO's admin API with madmin-go); its key includes a hash of that source file
#   yaml (--yaml)      pulumi-language-yaml (the Pulumi YAML language host the real CLI runs a YAML program with)
#
# Usage:
#   drill/toolchain.sh [--engine|--replication|--yaml]       build what is missing; progress on stderr; last
#                                              stdout line = absolute bin dir (BIN=$(drill/toolchain.sh | tail -1))
#   drill/toolchain.sh [--engine|--replication|--yaml] --print-dir  print the keyed dir (no build, no network)
#   drill/toolchain.sh [--engine|--replication|--yaml] --check      exit 0 only if every binary is present (no build,
#                                              no network)
#
# Environment:
#   VELERO_DR_CACHE                 cache root (default $HOME/.cache/velero-dr)
#   VELERO_DR_VERSIONS_FILE         pins file (default: versions.env next to this script)
#   VELERO_DR_PIN_<VAR>             override one pin, e.g. VELERO_DR_PIN_VELERO_PLUGIN_AWS_VERSION=v1.14.3
#                                   (the key is computed from the effective pins, so an override gets its own dir)
#   GO                              go binary (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail

# Bump when a recipe changes in a way that changes the binaries (it is part of the cache key).
readonly RECIPE_VERSION=1
TOOLSET=cluster
if [[ ${1:-} == --engine ]]; then
  TOOLSET=engine
  shift
elif [[ ${1:-} == --replication ]]; then
  TOOLSET=replication
  shift
elif [[ ${1:-} == --yaml ]]; then
  TOOLSET=yaml
  shift
fi
readonly TOOLSET
if [[ $TOOLSET == cluster ]]; then
  PIN_VARS=(K8S_VERSION ETCD_VERSION KWOK_VERSION VELERO_VERSION VELERO_PLUGIN_AWS_VERSION MINIO_VERSION)
  # Build order (sequential). "plugins/" holds only velero-plugin-for-aws: velero runs every executable there.
  TOOLS=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl velero velero-plugin-for-aws
    minio kwok kwokctl velero-restore-helper)
elif [[ $TOOLSET == engine ]]; then
  PIN_VARS=(PULUMI_VERSION PULUMI_KUBERNETES_MODULE_VERSION PULUMI_KUBERNETES_PLUGIN_VERSION)
  TOOLS=(pulumi pulumi-resource-kubernetes)
elif [[ $TOOLSET == yaml ]]; then
  PIN_VARS=(PULUMI_YAML_VERSION)
  TOOLS=(pulumi-language-yaml)
else
  PIN_VARS=(MINIO_MADMIN_VERSION MINIO_GO_VERSION)
  TOOLS=(minio-replicate)
fi
readonly PIN_VARS TOOLS

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR REPLICATE_SRC=$SCRIPT_DIR/minio-replicate/main.go

log() { printf '%s\n' "$*" >&2; }
die() {
  log "toolchain: ERROR: $*"
  exit 1
}

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; }

MODE=build
case "${1:-}" in
  "") ;;
  --print-dir) MODE=print-dir ;;
  --check) MODE=check ;;
  -h | --help)
    usage
    exit 0
    ;;
  *)
    usage
    die "unknown argument: $1"
    ;;
esac
[[ $# -le 1 ]] || die "expected at most one argument"

# ---------------------------------------------------------------------------------------------------------------
# Pins and cache key
# ---------------------------------------------------------------------------------------------------------------
VERSIONS_FILE=${VELERO_DR_VERSIONS_FILE:-$SCRIPT_DIR/versions.env}
[[ -r $VERSIONS_FILE ]] || die "pins file not found: $VERSIONS_FILE"
# shellcheck source=/dev/null # plain VAR=value lines; validated below
source "$VERSIONS_FILE"
for var in "${PIN_VARS[@]}"; do
  ovr="VELERO_DR_PIN_$var"
  if [[ -n ${!ovr:-} ]]; then
    log "toolchain: WARNING: $var overridden by \$$ovr: ${!var:-<unset>} -> ${!ovr}"
    printf -v "$var" '%s' "${!ovr}"
  fi
  [[ -n ${!var:-} ]] || die "$var is not set in $VERSIONS_FILE"
  [[ ${!var} =~ ^v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]*)?$ ]] || die "$var=${!var} is not a Go module version"
done
if [[ $TOOLSET == cluster ]]; then
  [[ $K8S_VERSION =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || die "K8S_VERSION=$K8S_VERSION: expected v1.MINOR.PATCH"
  K8S_MINOR=${BASH_REMATCH[1]}
  K8S_STAGING_VERSION="v0.${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
elif [[ $TOOLSET == engine ]]; then
  # The kubernetes plugin is installed under the version @pulumi/kubernetes asks the engine for.
  [[ $PULUMI_KUBERNETES_PLUGIN_VERSION =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
    die "PULUMI_KUBERNETES_PLUGIN_VERSION=$PULUMI_KUBERNETES_PLUGIN_VERSION: expected vMAJOR.MINOR.PATCH"
  K8S_MINOR="" K8S_STAGING_VERSION=""
else
  K8S_MINOR="" K8S_STAGING_VERSION=""
fi
readonly K8S_MINOR K8S_STAGING_VERSION

case "$(uname -m)" in
  x86_64 | amd64) ARCH=amd64 ;;
  aarch64 | arm64) ARCH=arm64 ;;
  *) ARCH=$(uname -m) ;;
esac
PLATFORM="$(uname -s | tr '[:upper:]' '[:lower:]')/$ARCH"
readonly PLATFORM

pins_text() {
  local var
  printf 'recipe=%s\nplatform=%s\n' "$RECIPE_VERSION" "$PLATFORM"
  # The cluster toolset's key predates the engine toolset: its text stays as it was.
  [[ $TOOLSET == cluster ]] || printf 'toolset=%s\n' "$TOOLSET"
  # The replication tool is the project's own source: a change to it is a new key.
  [[ $TOOLSET != replication ]] || printf 'source=%s\n' "$(sha256sum <"$REPLICATE_SRC" | cut -c1-64)"
  for var in "${PIN_VARS[@]}"; do printf '%s=%s\n' "$var" "${!var}"; done
}
KEY=$(pins_text | sha256sum | cut -c1-16)
readonly KEY

CACHE_ROOT=${VELERO_DR_CACHE:-$HOME/.cache/velero-dr}
CACHE_ROOT=$(realpath -m "$CACHE_ROOT")
readonly CACHE_ROOT
readonly KEY_DIR=$CACHE_ROOT/toolchain/$KEY
readonly BIN_DIR=$KEY_DIR/bin PLUGIN_DIR=$KEY_DIR/plugins LOG_DIR=$KEY_DIR/logs WORK_DIR=$KEY_DIR/work
readonly META_DIR=$KEY_DIR/meta

tool_path() {
  case "$1" in
    velero-plugin-for-aws) printf '%s/%s\n' "$PLUGIN_DIR" "$1" ;;
    *) printf '%s/%s\n' "$BIN_DIR" "$1" ;;
  esac
}
tool_version() {
  case "$1" in
    etcd) echo "$ETCD_VERSION" ;;
    kube-* | kubectl) echo "$K8S_VERSION" ;;
    velero | velero-restore-helper) echo "$VELERO_VERSION" ;;
    velero-plugin-for-aws) echo "$VELERO_PLUGIN_AWS_VERSION" ;;
    minio) echo "$MINIO_VERSION" ;;
    kwok | kwokctl) echo "$KWOK_VERSION" ;;
    pulumi) echo "$PULUMI_VERSION" ;;
    pulumi-resource-kubernetes) echo "$PULUMI_KUBERNETES_MODULE_VERSION" ;;
    pulumi-language-yaml) echo "$PULUMI_YAML_VERSION" ;;
    minio-replicate) echo "$MINIO_MADMIN_VERSION" ;;
  esac
}
# Work module (throwaway main module) each tool is built in.
tool_group() {
  case "$1" in
    kube-* | kubectl) echo kubernetes ;;
    kwok | kwokctl) echo kwok ;;
    velero-restore-helper) echo velero ;;
    *) echo "$1" ;;
  esac
}
group_module() {
  case "$1" in
    kubernetes) echo k8s.io/kubernetes ;;
    etcd) echo go.etcd.io/etcd/server/v3 ;;
    velero) echo github.com/vmware-tanzu/velero ;;
    velero-plugin-for-aws) echo github.com/vmware-tanzu/velero-plugin-for-aws ;;
    minio) echo github.com/minio/minio ;;
    kwok) echo sigs.k8s.io/kwok ;;
    pulumi) echo github.com/pulumi/pulumi/pkg/v3 ;;
    pulumi-resource-kubernetes) echo github.com/pulumi/pulumi-kubernetes/provider/v4 ;;
    pulumi-language-yaml) echo github.com/pulumi/pulumi-yaml ;;
    # The project's own main package (copied into the work module) on this module.
    minio-replicate) echo github.com/minio/madmin-go/v3 ;;
  esac
}
group_version() {
  case "$1" in
    kubernetes) echo "$K8S_VERSION" ;;
    *) tool_version "$1" ;;
  esac
}
tool_package() {
  case "$1" in
    etcd) echo go.etcd.io/etcd/server/v3 ;;
    kube-* | kubectl) echo "k8s.io/kubernetes/cmd/$1" ;;
    velero) echo github.com/vmware-tanzu/velero/cmd/velero ;;
    # The restore helper of the node agent's restores (the init container Velero adds to a restored pod).
    velero-restore-helper) echo github.com/vmware-tanzu/velero/cmd/velero-restore-helper ;;
    velero-plugin-for-aws) echo github.com/vmware-tanzu/velero-plugin-for-aws/velero-plugin-for-aws ;;
    minio) echo github.com/minio/minio ;;
    kwok | kwokctl) echo "sigs.k8s.io/kwok/cmd/$1" ;;
    pulumi) echo github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ;;
    # Built from a copy of the module's cmd folder in the work module (see prepare_group).
    pulumi-resource-kubernetes) echo ./cmd/pulumi-resource-kubernetes ;;
    pulumi-language-yaml) echo github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml ;;
    minio-replicate) echo . ;;
  esac
}

missing_tools() {
  local t
  for t in "${TOOLS[@]}"; do [[ -x $(tool_path "$t") ]] || echo "$t"; done
}

if [[ $MODE == print-dir ]]; then
  echo "$KEY_DIR"
  exit 0
fi
if [[ $MODE == check ]]; then
  missing=$(missing_tools)
  if [[ -n $missing ]]; then
    log "toolchain: missing in $KEY_DIR: $(echo "$missing" | tr '\n' ' ')"
    exit 1
  fi
  exit 0
fi

# ---------------------------------------------------------------------------------------------------------------
# Build mode
# ---------------------------------------------------------------------------------------------------------------
START=$(date +%s)
mkdir -p "$BIN_DIR" "$PLUGIN_DIR" "$LOG_DIR" "$WORK_DIR" "$META_DIR"
pins_text >"$KEY_DIR/pins.txt"

# One build per keyed dir at a time.
exec 9>"$KEY_DIR/.lock"
if ! flock -n 9; then
  log "toolchain: another build holds $KEY_DIR/.lock; waiting ..."
  flock 9
fi

write_manifest() {
  local first=1 t meta var
  {
    printf '{\n  "key": "%s",\n  "recipe_version": %s,\n  "platform": "%s",\n' "$KEY" "$RECIPE_VERSION" "$PLATFORM"
    printf '  "dir": "%s",\n  "bin_dir": "%s",\n  "plugin_dir": "%s",\n  "pins": {' "$KEY_DIR" "$BIN_DIR" "$PLUGIN_DIR"
    for var in "${PIN_VARS[@]}"; do
      [[ $first == 1 ]] || printf ','
      first=0
      printf '\n    "%s": "%s"' "$var" "${!var}"
    done
    printf '\n  },\n  "tools": ['
    first=1
    for t in "${TOOLS[@]}"; do
      meta=$META_DIR/$t.json
      [[ -x $(tool_path "$t") && -f $meta ]] || continue
      [[ $first == 1 ]] || printf ','
      first=0
      printf '\n    %s' "$(cat "$meta")"
    done
    printf '\n  ]\n}\n'
  } >"$KEY_DIR/manifest.json.tmp"
  mv "$KEY_DIR/manifest.json.tmp" "$KEY_DIR/manifest.json"
}

mapfile -t TODO < <(missing_tools)
if [[ ${#TODO[@]} -eq 0 ]]; then
  write_manifest
  log "toolchain: all ${#TOOLS[@]} tools present in $KEY_DIR (key $KEY), nothing to build"
  echo "$BIN_DIR"
  exit 0
fi

# --- Go environment: local toolchain only, caches under the cache root (shared by all keys) --------------------
if [[ -z ${GO:-} ]]; then
  if command -v go >/dev/null 2>&1; then GO=go; else GO=/usr/local/go/bin/go; fi
fi
GO=$(command -v "$GO") || die "no Go toolchain (looked for 'go' on PATH and /usr/local/go/bin/go; set GO=...)"
export GOTOOLCHAIN=local GOFLAGS="-mod=mod -modcacherw -buildvcs=false" CGO_ENABLED=0 GOWORK=off
export GOPATH=$CACHE_ROOT/go/path GOMODCACHE=$CACHE_ROOT/go/path/pkg/mod GOCACHE=$CACHE_ROOT/go/build-cache
unset GOBIN GOOS GOARCH GOAMD64 GOARM GOEXPERIMENT
mkdir -p "$GOPATH" "$GOCACHE"
cd "$WORK_DIR" # no go.mod here or above (unless the cache root is inside a module; GOWORK=off anyway)
GO_VERSION=$("$GO" env GOVERSION) || die "'$GO env GOVERSION' failed"
GOPROXY_VALUE=$("$GO" env GOPROXY)
readonly GO_VERSION GOPROXY_VALUE
[[ $GOPROXY_VALUE != off && -n $GOPROXY_VALUE ]] || die "GOPROXY is '$GOPROXY_VALUE': the Go module proxy is required"

# Explain a failed go command from its log: proxy refusals and network failures get a precise message.
explain_go_failure() {
  local logf=$1 refused
  refused=$(grep -oE '[^ ]+/@v/[^ ]+\.(zip|info|mod): 403' "$logf" | sed -E 's#%21#!#g; s#^.*//[^/]+/##; s#: 403$##' | sort -u |
    sed -E 's#/@v/(.*)\.(zip|info|mod)$#@\1 (.\2)#; s#!([a-z])#\U\1#g') || true
  if [[ -n $refused ]]; then
    log "toolchain: the Go module proxy ($GOPROXY_VALUE) refuses these module versions (HTTP 403 \"This module version is not available\"):"
    log "$(printf '%s\n' "$refused" | sed 's/^/    /')"
    log "toolchain: they cannot be fetched here; pin versions the proxy serves (drill/versions.env, see drill/TOOLCHAIN.md)."
  fi
  refused=$(grep -oE 'sumdb/[^ ]+/lookup/[^ ]+: 404' "$logf" | sed -E 's#%21#!#g; s#^.*/lookup/##; s#: 404$##' | sort -u |
    sed -E 's#!([a-z])#\U\1#g') || true
  if [[ -n $refused ]]; then
    log "toolchain: the checksum database (GOSUMDB via the proxy) has no entry (404) for:"
    log "$(printf '%s\n' "$refused" | sed 's/^/    /')"
  fi
  if grep -qE 'dial tcp|no such host|i/o timeout|connection refused|TLS handshake timeout|network is unreachable' "$logf"; then
    log "toolchain: the Go module proxy ($GOPROXY_VALUE) looks unreachable (network error in $logf)."
  fi
}

fail_tool() { # name version module logfile reason
  log ""
  log "toolchain: ERROR: building $1 $2 (module $3) failed: $5."
  log "toolchain: last 40 lines of $4:"
  tail -n 40 "$4" | sed 's/^/    | /' >&2
  explain_go_failure "$4"
  exit 1
}

# Fails loudly if the proxy cannot be reached: 'go list -m -versions' always asks the proxy (never the cache).
check_proxy() {
  local logf=$LOG_DIR/preflight-proxy.log
  if ! "$GO" list -m -versions "$(group_module "$(tool_group "${TOOLS[0]}")")" >"$logf" 2>&1; then
    log "toolchain: ERROR: the Go module proxy ($GOPROXY_VALUE) is unreachable; cannot build ${TODO[*]}."
    sed 's/^/    | /' "$logf" >&2
    exit 1
  fi
}

# Print go.mod replace directives of a dependency as 'go mod edit' flags (dependency replaces are ignored by Go,
# so the throwaway main module has to repeat them). Local-path replaces: k8s staging ones (./staging/src/...) are
# mapped to the published module at $2 when the module is required at v0.0.0; others (e.g. etcd's ../api
# siblings, FORBIDDEN_DEPENDENCY) are skipped and reported on stderr.
replace_flags() { # gomod staging_version
  awk -v S="$2" '
    function handle(kind,   i, arrow, left, target, tver) {
      if (kind == "req") { if (NF >= 2 && $2 == "v0.0.0") req[$1] = 1; return }
      arrow = 0
      for (i = 1; i <= NF; i++) if ($i == "=>") arrow = i
      if (!arrow) return
      left = $1; if (arrow == 3) left = $1 "@" $2
      target = $(arrow + 1); tver = (NF >= arrow + 2) ? $(arrow + 2) : ""
      if (tver != "") { printf "-replace=%s=%s@%s\n", left, target, tver; return }
      if (S != "" && target ~ /^\.\/staging\/src\//) { staging[$1] = 1; return }
      printf "skipped local replace: %s => %s\n", left, target > "/dev/stderr"
    }
    { sub(/\/\/.*/, "") }
    blk != "" && /^[ \t]*\)/ { blk = ""; next }
    blk != "" { handle(blk); next }
    /^require[ \t]*\([ \t]*$/ { blk = "req"; next }
    /^replace[ \t]*\([ \t]*$/ { blk = "rep"; next }
    /^require[ \t]/ { sub(/^require[ \t]+/, ""); handle("req"); next }
    /^replace[ \t]/ { sub(/^replace[ \t]+/, ""); handle("rep"); next }
    END {
      for (m in staging) {
        if (m in req) printf "-replace=%s=%s@%s\n", m, m, S
        else printf "skipped staging module not required by the root: %s\n", m > "/dev/stderr"
      }
    }' "$1"
}

# Create the throwaway main module of a group in $WORK_DIR/<group> (recreated on every build of the group).
# Its go directive is the upstream root module's, so the binaries get the GODEBUG defaults upstream's own
# `go build` would give them; the upstream replaces are repeated; the root module zip (and for Kubernetes every
# staging module zip) is downloaded, so a version the proxy refuses fails here, naming the module.
prepare_group() { # group logfile
  local group=$1 logf=$2 mod ver dir gomod gover staging=""
  mod=$(group_module "$group")
  ver=$(group_version "$group")
  dir=$WORK_DIR/$group
  rm -rf "$dir"
  mkdir -p "$dir"
  # Every step is checked explicitly: this runs as an `if` condition, where bash ignores `set -e`.
  (
    cd "$dir" || exit 1
    echo "+ prepare $group: $mod@$ver in $dir"
    "$GO" mod init "local/velero-dr-$group" || exit 1
    "$GO" mod download "$mod@$ver" || exit 1
    gomod=$("$GO" list -m -f '{{.GoMod}}' "$mod@$ver") || exit 1
    gover=$("$GO" list -m -f '{{.GoVersion}}' "$mod@$ver") || exit 1
    if [[ -n $gover ]]; then "$GO" mod edit -go="$gover" || exit 1; fi
    [[ $group != kubernetes ]] || staging=$K8S_STAGING_VERSION
    flags_text=$(replace_flags "$gomod" "$staging" | LC_ALL=C sort) || exit 1
    mapfile -t flags <<<"$flags_text"
    [[ -n $flags_text ]] || flags=()
    if [[ ${#flags[@]} -gt 0 ]]; then
      printf '+ replace %s\n' "${flags[@]}"
      "$GO" mod edit "${flags[@]}" || exit 1
    fi
    "$GO" get "$mod@$ver" || exit 1
    if [[ $group == pulumi-resource-kubernetes ]]; then
      # The provider's main package embeds schema-embed.json and terraform-mapping-embed.json, which upstream
      # makes with `go generate` (generate.go: the schema with "version" set, both re-marshalled) and does not
      # ship in the module zip. Copy the folder into the work module and run that generator here.
      src=$("$GO" list -m -f '{{.Dir}}' "$mod@$ver")/cmd/pulumi-resource-kubernetes
      mkdir -p cmd/pulumi-resource-kubernetes || exit 1
      cp "$src"/{main.go,generate.go,schema.json,terraform-mapping.json} cmd/pulumi-resource-kubernetes/ || exit 1
      chmod u+w cmd/pulumi-resource-kubernetes/* || exit 1
      echo "+ (cd cmd/pulumi-resource-kubernetes && VERSION=${PULUMI_KUBERNETES_PLUGIN_VERSION#v} go run generate.go)"
      (cd cmd/pulumi-resource-kubernetes && VERSION=${PULUMI_KUBERNETES_PLUGIN_VERSION#v} "$GO" run generate.go) || exit 1
    fi
    if [[ $group == minio-replicate ]]; then
      # The project's own main package, built against the S3 client of the same MinIO line.
      [[ -r $REPLICATE_SRC ]] || exit 1
      cp "$REPLICATE_SRC" main.go || exit 1
      "$GO" get "github.com/minio/minio-go/v7@$MINIO_GO_VERSION" || exit 1
    fi
    # Resolve and download everything the group's commands import (all network use happens here, so a module
    # version the proxy refuses - e.g. a Kubernetes staging module - is named before anything is compiled).
    pkgs=()
    for t in "${TOOLS[@]}"; do
      if [[ $(tool_group "$t") == "$group" ]]; then pkgs+=("$(tool_package "$t")"); fi
    done
    echo "+ go list -deps ${pkgs[*]}"
    "$GO" list -deps "${pkgs[@]}" >/dev/null || exit 1
    cat go.mod
  ) >"$logf" 2>&1
}

# Linker flags per tool.
module_time() { "$GO" list -m -f '{{if .Time}}{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}{{end}}' "$1@$2"; }
ldflags_for() { # tool
  local t=$1 f="-s -w" p build_date time tag commit
  case "$t" in
    kube-* | kubectl)
      # Without these, --version and /version say v0.0.0-master+$Format:%H$ (kwokctl and Velero parse them).
      build_date=$(module_time k8s.io/kubernetes "$K8S_VERSION") || return 1
      for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        f+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$K8S_MINOR"
        f+=" -X $p.gitTreeState=clean -X $p.buildDate=$build_date -X $p.gitCommit="
      done
      ;;
    velero)
      p=github.com/vmware-tanzu/velero/pkg/buildinfo
      f+=" -X $p.Version=$VELERO_VERSION -X $p.GitTreeState=clean -X $p.ImageRegistry=velero"
      ;;
    minio)
      # Upstream (buildscripts/gen-ldflags.go) stamps the release time; a non-tag build is DEVELOPMENT.<time>.
      time=$(module_time github.com/minio/minio "$MINIO_VERSION") || return 1
      commit=unknown
      [[ $MINIO_VERSION =~ -([0-9a-f]{12})$ ]] && commit=${BASH_REMATCH[1]}
      tag="DEVELOPMENT.${time//:/-}"
      p=github.com/minio/minio/cmd
      f+=" -X $p.Version=$time -X $p.ReleaseTag=$tag -X $p.CommitID=$commit -X $p.ShortCommitID=$commit"
      f+=" -X $p.CopyrightYear=${time:0:4}"
      ;;
    kwok | kwokctl)
      # kwokctl's default Kubernetes version (binaries it would fetch) = ours.
      f+=" -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${K8S_VERSION#v}"
      ;;
    pulumi) f+=" -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" ;;
    pulumi-resource-kubernetes)
      # It reports the version it is installed as (the one @pulumi/kubernetes requests), see versions.env.
      f+=" -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=${PULUMI_KUBERNETES_PLUGIN_VERSION#v}"
      ;;
    # What the language host reports to the engine (GetPluginInfo), as upstream's release stamps it.
    pulumi-language-yaml) f+=" -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$PULUMI_YAML_VERSION" ;;
  esac
  printf '%s\n' "$f"
}

# Smoke test of a fresh binary: run its version command; fail unless the expected text is printed.
# Prints the first matching output line (recorded in the manifest).
smoke_test() { # tool path logfile
  local expected outp
  local -a args=()
  case "$1" in
    etcd) expected="etcd Version: ${ETCD_VERSION#v}" args=(--version) ;;
    kube-*) expected="Kubernetes $K8S_VERSION" args=(--version) ;;
    kubectl) expected="Client Version: $K8S_VERSION" args=(version --client) ;;
    velero) expected="Version: $VELERO_VERSION" args=(version --client-only) ;;
    velero-plugin-for-aws) expected="This binary is a plugin" ;; # go-plugin refuses to run outside velero
    velero-restore-helper) expected="exactly one argument must be provided" ;; # it needs the restore's UID
    minio) expected="minio version" args=(--version) ;;
    kwok | kwokctl) expected="$KWOK_VERSION" args=(--version) ;;
    pulumi) expected="$PULUMI_VERSION" args=(version) ;;
    minio-replicate) expected="github.com/minio/madmin-go/v3@$MINIO_MADMIN_VERSION" args=(--version) ;;
    pulumi-resource-kubernetes)
      # A provider has no version flag: started alone it serves gRPC and prints its port. Its embedded schema
      # must carry the version it is installed as.
      printf '+ %s (alone, 5 s)\n' "$2" >>"$3"
      outp=$(timeout 5 "$2" 2>&1 </dev/null | head -n 1) || true
      printf '%s\n' "$outp" >>"$3"
      if [[ ! $outp =~ ^[0-9]+$ ]] || ! grep -qF "\"version\":\"${PULUMI_KUBERNETES_PLUGIN_VERSION#v}\"" "$2"; then
        log "toolchain: ERROR: smoke test of $1 failed: it printed '$outp' (expected a port) or its schema is not ${PULUMI_KUBERNETES_PLUGIN_VERSION#v}"
        return 1
      fi
      echo "serves on a port; schema version ${PULUMI_KUBERNETES_PLUGIN_VERSION#v}"
      return 0
      ;;
    pulumi-language-yaml)
      # A language host has no version flag either: started alone it serves gRPC and prints its port.
      printf '+ %s (alone, 5 s)\n' "$2" >>"$3"
      outp=$(timeout 5 "$2" 2>&1 </dev/null | head -n 1) || true
      printf '%s\n' "$outp" >>"$3"
      if [[ ! $outp =~ ^[0-9]+$ ]]; then
        log "toolchain: ERROR: smoke test of $1 failed: it printed '$outp' (expected a port)"
        return 1
      fi
      echo "serves on a port"
      return 0
      ;;
    *) return 0 ;;
  esac
  printf '+ %s %s\n' "$2" "${args[*]}" >>"$3"
  outp=$(timeout 60 "$2" "${args[@]}" 2>&1 </dev/null) || true
  printf '%s\n' "$outp" >>"$3"
  if ! grep -qF -- "$expected" <<<"$outp"; then
    log "toolchain: ERROR: smoke test of $1 failed: '$2 ${args[*]}' does not print '$expected':"
    printf '%s\n' "$outp" | head -n 10 | sed 's/^/    | /' >&2
    return 1
  fi
  grep -F -m1 -- "$expected" <<<"$outp" | sed 's/^[[:space:]]*//'
}

json_escape() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }

# --- Preflight: proxy reachable, every needed root module (and k8s staging module) served -----------------------
log "toolchain: key $KEY -> $KEY_DIR"
log "toolchain: $GO_VERSION, GOPROXY=$GOPROXY_VALUE, to build: ${TODO[*]}"
check_proxy
declare -A GROUP_READY=()
GROUPS_NEEDED=()
for t in "${TODO[@]}"; do
  g=$(tool_group "$t")
  [[ -n ${GROUP_READY[$g]:-} ]] && continue
  GROUP_READY[$g]=pending
  GROUPS_NEEDED+=("$g")
done
# First every root module zip (cheap to find a refused pin before any long download), then the work modules.
failed_groups=()
log "toolchain: [preflight] downloading root modules: $(for g in "${GROUPS_NEEDED[@]}"; do
  printf '%s@%s ' "$(group_module "$g")" "$(group_version "$g")"
done)"
for g in "${GROUPS_NEEDED[@]}"; do
  logf=$LOG_DIR/preflight-$g.log
  if ! "$GO" mod download -x "$(group_module "$g")@$(group_version "$g")" >"$logf" 2>&1; then
    log "toolchain: ERROR: cannot download $(group_module "$g")@$(group_version "$g") (needed for: $(
      for t in "${TODO[@]}"; do [[ $(tool_group "$t") != "$g" ]] || printf '%s ' "$t"; done
    )); $logf:"
    grep -v '^# get ' "$logf" | tail -n 5 | sed 's/^/    | /' >&2
    explain_go_failure "$logf"
    failed_groups+=("$g")
  fi
done
if [[ ${#failed_groups[@]} -gt 0 ]]; then
  die "preflight failed for: ${failed_groups[*]} (nothing was built; logs in $LOG_DIR)"
fi
for g in "${GROUPS_NEEDED[@]}"; do
  logf=$LOG_DIR/prepare-$g.log
  s=$(date +%s)
  log "toolchain: [prepare] $(group_module "$g")@$(group_version "$g") ..."
  if prepare_group "$g" "$logf"; then
    GROUP_READY[$g]=yes
    log "toolchain: [prepare] $(group_module "$g") ok in $(($(date +%s) - s))s"
  else
    log "toolchain: ERROR: preparing $(group_module "$g")@$(group_version "$g") failed; last 15 lines of $logf:"
    tail -n 15 "$logf" | sed 's/^/    | /' >&2
    explain_go_failure "$logf"
    failed_groups+=("$g")
  fi
done
if [[ ${#failed_groups[@]} -gt 0 ]]; then
  die "preflight failed for: ${failed_groups[*]} (nothing was built; logs in $LOG_DIR)"
fi

# --- Build, sequentially ----------------------------------------------------------------------------------------
n=${#TOOLS[@]}
i=0
built=0
for t in "${TOOLS[@]}"; do
  i=$((i + 1))
  out=$(tool_path "$t")
  ver=$(tool_version "$t")
  if [[ -x $out ]]; then
    log "[$i/$n] $t $ver: present, reused"
    continue
  fi
  g=$(tool_group "$t")
  mod=$(group_module "$g")
  logf=$LOG_DIR/$t.log
  tmp=$KEY_DIR/.tmp/$t # built here under its final name (minio prints argv[0]), moved into place when it works
  rm -rf "$KEY_DIR/.tmp"
  mkdir -p "$(dirname "$tmp")"
  log "[$i/$n] building $t $ver ..."
  s=$(date +%s)
  rc=0
  ( # errexit does not apply here (left side of ||): check each step
    cd "$WORK_DIR/$g" || exit 1
    ldf=$(ldflags_for "$t") || exit 1
    echo "+ go build -trimpath -ldflags '$ldf' -o $tmp $(tool_package "$t")"
    nice -n 10 "$GO" build -trimpath -ldflags "$ldf" -o "$tmp" "$(tool_package "$t")"
  ) >"$logf" 2>&1 || rc=$?
  if [[ $rc -ne 0 ]]; then
    fail_tool "$t" "$ver" "$mod" "$logf" "go build exited with code $rc"
  fi
  if ! vline=$(smoke_test "$t" "$tmp" "$logf"); then
    fail_tool "$t" "$ver" "$mod" "$logf" "the binary was built (left in $tmp) but its smoke test failed"
  fi
  mv "$tmp" "$out"
  secs=$(($(date +%s) - s))
  built=$((built + 1))
  printf '{"name": "%s", "version": "%s", "module": "%s", "package": "%s", "path": "%s", "build_seconds": %s, "go": "%s", "built_at": "%s", "size_bytes": %s, "version_output": "%s"}' \
    "$t" "$(json_escape "$ver")" "$mod" "$(tool_package "$t")" "$(json_escape "$out")" "$secs" "$GO_VERSION" \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(stat -c %s "$out")" "$(json_escape "$vline")" >"$META_DIR/$t.json"
  log "[$i/$n] $t done in ${secs}s"
done

rm -rf "$KEY_DIR/.tmp"
write_manifest
log "toolchain: built $built tool(s) in $(($(date +%s) - START))s; manifest: $KEY_DIR/manifest.json"
echo "$BIN_DIR"
