# shellcheck shell=bash
# The three-node Kafka cluster of the local harness (`compose/local/up --brokers 3`, `broker
# stop|start|status N`, `down`). Sourced by lib.sh; uses its helpers (info, die, start_daemon,
# stop_pid, pid_alive, wait_for, secret, ...).
#
# Three combined controller+broker KRaft nodes (node ids 1, 2, 3) on loopback, each with
#   SASL_SSL   clients (SCRAM-SHA-512, TLS with a certificate of the harness's own CA)
#   PLAINTEXT  tools (kcat, Kafka's CLI) and the traffic between the brokers
#   CONTROLLER the KRaft quorum (controller.quorum.voters = all three)
# Port layout, base B = SWITCHBOARD_KAFKA_CLUSTER_PORT (19100), node N = 1..3:
#   SASL_SSL B+10N+1, PLAINTEXT B+10N+2, CONTROLLER B+10N+3
#   node 1: 19111 19112 19113   node 2: 19121 19122 19123   node 3: 19131 19132 19133
# Topics default to replication factor 3 and min.insync.replicas 2: one node may be down.
#
# Everything lives in STATE/kafka-cluster: ports (the base of the last start), cluster.id, env
# (mode 600: the cluster's secrets, generated once with lib.sh's `secret`: KAFKA_SASL_PASSWORD of
# the SCRAM user `switchboard` and the keystores' password; kept with the data they belong to, so
# that a rewrite of STATE/env cannot lose them; write_env copies KAFKA_SASL_PASSWORD into
# STATE/env), tls/ (ca.crt, ca.key, node-N.{key,crt,p12}, truststore.p12), node-N/
# (server.properties (mode 600: it holds the keystore password), log4j.properties, data/),
# kafka-N.pid. Logs: STATE/logs/kafka-N.log. Deleting STATE/kafka-cluster starts a new cluster
# (new CA, new secrets, empty data).

SB_CLUSTER_NODES=(1 2 3)
SB_CLUSTER_USER=switchboard

# cluster_dir STATE: the directory of STATE's cluster.
cluster_dir() { printf '%s/kafka-cluster' "$1"; }

# cluster_base STATE: the base port of STATE's cluster: the one of its last start, else
# SWITCHBOARD_KAFKA_CLUSTER_PORT, else 19100.
cluster_base() {
  local ports
  ports="$(cluster_dir "$1")/ports"
  if [[ -s $ports ]]; then
    cat "$ports"
  else
    printf '%s' "${SWITCHBOARD_KAFKA_CLUSTER_PORT:-19100}"
  fi
}

# cluster_port STATE N KIND: the port of node N for KIND (sasl, plaintext or controller).
cluster_port() {
  local base offset
  base=$(cluster_base "$1")
  case $3 in
    sasl) offset=1 ;;
    plaintext) offset=2 ;;
    controller) offset=3 ;;
    *) die "unknown listener kind $3" ;;
  esac
  printf '%s' "$((base + 10 * $2 + offset))"
}

# cluster_addresses STATE KIND: the comma-separated 127.0.0.1:PORT of every node for KIND.
cluster_addresses() {
  local n out=()
  for n in "${SB_CLUSTER_NODES[@]}"; do out+=("127.0.0.1:$(cluster_port "$1" "$n" "$2")"); done
  (IFS=, && printf '%s' "${out[*]}")
}

# cluster_node_valid N: N is a node id of the cluster.
cluster_node_valid() { [[ $1 =~ ^[1-3]$ ]]; }

# cluster_secret STATE NAME: a secret of STATE's cluster (generated once, hex, into
# STATE/kafka-cluster/env).
cluster_secret() {
  local dir
  dir=$(cluster_dir "$1")
  [[ -d $dir ]] || (umask 077 && mkdir -p "$dir")
  secret "$dir" "$2" hex
}

# cluster_env STATE: the sourceable lines of STATE/env for the cluster case (KAFKA_BROKERS
# excepted: write_env puts the SASL_SSL addresses there).
cluster_env() {
  local state=$1
  printf "export %s='%s'\n" \
    KAFKA_SECURITY_PROTOCOL SASL_SSL \
    KAFKA_SASL_MECHANISM SCRAM-SHA-512 \
    KAFKA_SASL_USERNAME "$SB_CLUSTER_USER" \
    KAFKA_SASL_PASSWORD "$(cluster_secret "$state" KAFKA_SASL_PASSWORD)" \
    KAFKA_SSL_CA_LOCATION "$(cluster_dir "$state")/tls/ca.crt" \
    KAFKA_REPLICATION_FACTOR 3 \
    KAFKA_MIN_INSYNC_REPLICAS 2 \
    KAFKA_PLAINTEXT_BROKERS "$(cluster_addresses "$state" plaintext)"
}

# cluster_in_env STATE: STATE/env describes a cluster (not the single broker).
cluster_in_env() { [[ -n $(env_value "$1" KAFKA_PLAINTEXT_BROKERS) ]]; }

# cluster_certs DIR PASSWORD NAME [SAN...]: in DIR, once, a CA (ca.key, ca.crt) and for NAME a
# key and certificate signed by it (NAME.key, NAME.crt; SAN IP:127.0.0.1, DNS:localhost and each
# extra SAN, e.g. DNS:kafka-1) and NAME.p12 (PKCS12 keystore, key and chain, PASSWORD); also,
# once, truststore.p12 (PKCS12, the CA, PASSWORD). Keys are mode 600.
cluster_certs() {
  local dir=$1 password=$2 name=$3 san="IP:127.0.0.1,DNS:localhost" extra
  shift 3
  for extra in "$@"; do san+=",$extra"; done
  mkdir -p "$dir"
  (
    umask 077
    if [[ ! -s $dir/ca.crt ]]; then
      openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout "$dir/ca.key" \
        -out "$dir/ca.crt" -subj "/CN=Switchboard local Kafka CA" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
        2>/dev/null || die "openssl could not create the CA in $dir"
      rm -f "$dir/truststore.p12"
    fi
    if [[ ! -s $dir/$name.p12 ]]; then
      openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$dir/$name.key" \
        -out "$dir/$name.csr" -subj "/CN=$name" 2>/dev/null ||
        die "openssl could not create the key of $name"
      openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
        -CAcreateserial -days 3650 -sha256 -out "$dir/$name.crt" \
        -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$san") \
        2>/dev/null || die "openssl could not sign the certificate of $name"
      openssl pkcs12 -export -in "$dir/$name.crt" -inkey "$dir/$name.key" \
        -certfile "$dir/ca.crt" -name "$name" -out "$dir/$name.p12" -passout "pass:$password" ||
        die "openssl could not write the keystore of $name"
      rm -f "$dir/$name.csr"
    fi
    if [[ ! -s $dir/truststore.p12 ]]; then
      keytool -importcert -noprompt -alias ca -file "$dir/ca.crt" -storetype PKCS12 \
        -keystore "$dir/truststore.p12" -storepass "$password" >/dev/null 2>&1 ||
        die "keytool could not write the truststore in $dir"
    fi
  )
  chmod 644 "$dir/ca.crt" "$dir/$name.crt"
}

# write_cluster_config STATE N: node N's server.properties (mode 600) and log4j.properties.
write_cluster_config() {
  local state=$1 n=$2 cdir tls dir password voters="" m sasl plain ctrl jaas
  cdir=$(cluster_dir "$state")
  sasl=$(cluster_port "$state" "$n" sasl) plain=$(cluster_port "$state" "$n" plaintext)
  ctrl=$(cluster_port "$state" "$n" controller)
  tls="$cdir/tls" dir="$cdir/node-$n"
  password=$(cluster_secret "$state" SWITCHBOARD_KAFKA_KEYSTORE_PASSWORD)
  jaas='org.apache.kafka.common.security.scram.ScramLoginModule required;'
  for m in "${SB_CLUSTER_NODES[@]}"; do
    voters+="${voters:+,}$m@127.0.0.1:$(cluster_port "$state" "$m" controller)"
  done
  mkdir -p "$dir/data"
  (umask 077 && cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$voters
listeners=SASL_SSL://127.0.0.1:$sasl,PLAINTEXT://127.0.0.1:$plain,CONTROLLER://127.0.0.1:$ctrl
advertised.listeners=SASL_SSL://127.0.0.1:$sasl,PLAINTEXT://127.0.0.1:$plain
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$jaas
ssl.keystore.type=PKCS12
ssl.keystore.location=$tls/node-$n.p12
ssl.keystore.password=$password
ssl.key.password=$password
ssl.truststore.type=PKCS12
ssl.truststore.location=$tls/truststore.p12
ssl.truststore.password=$password
ssl.client.auth=none
log.dirs=$dir/data
num.partitions=1
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
  )
  write_kafka_log4j "$dir"
}

# cluster_jvm STATE N: set the array `jvm` (a local of the caller) to node N's java command.
cluster_jvm() {
  jvm=(java "-Dlog4j.configuration=file:$(cluster_dir "$1")/node-$2/log4j.properties"
    -cp "$SB_KAFKA_LIB/*")
}

# cluster_node_alive STATE N: print the pid of node N when it runs.
cluster_node_alive() {
  local cdir
  cdir=$(cluster_dir "$1")
  pid_alive "$cdir/kafka-$2.pid" "$cdir/node-$2/server.properties"
}

# cluster_node_ready STATE N: node N answers metadata on its PLAINTEXT listener, lists the three
# brokers, every partition has a leader, and every replica is in sync (a restarted node has caught
# up: stopping another one now leaves min.insync.replicas, the rule of a rolling restart).
cluster_node_ready() {
  local metadata
  metadata=$(kcat -b "127.0.0.1:$(cluster_port "$1" "$2" plaintext)" -L -m 2) || return 1
  grep -q "^ *${#SB_CLUSTER_NODES[@]} brokers:" <<<"$metadata" &&
    ! grep -q -e 'leader -1' -e 'error:' -e 'try again' <<<"$metadata" &&
    awk '/partition .*replicas: .*isrs: / {
           replicas = $0; sub(/.*replicas: /, "", replicas); sub(/, isrs: .*/, "", replicas)
           isrs = $0; sub(/.*isrs: /, "", isrs); sub(/[^0-9,].*/, "", isrs)
           if (split(replicas, r, ",") != split(isrs, i, ",")) lagging = 1
         }
         END { exit lagging }' <<<"$metadata"
}

# prepare_cluster STATE: once per STATE, the cluster's base port, id, CA and certificates,
# secrets, node configs, and storage formatted with the SCRAM user (--add-scram).
prepare_cluster() {
  local state=$1 cdir n password jvm base scram
  cdir=$(cluster_dir "$state")
  init_state "$state"
  mkdir -p "$cdir"
  chmod 700 "$cdir"
  if [[ ! -s $cdir/ports ]]; then
    base=$(cluster_base "$state")
    printf '%s\n' "$base" >"$cdir/ports"
  fi
  password=$(cluster_secret "$state" SWITCHBOARD_KAFKA_KEYSTORE_PASSWORD)
  for n in "${SB_CLUSTER_NODES[@]}"; do
    cluster_certs "$cdir/tls" "$password" "node-$n"
    write_cluster_config "$state" "$n"
  done
  cluster_jvm "$state" 1
  if [[ ! -s $cdir/cluster.id ]]; then
    # log4j writes to stdout too: the id is the last line.
    "${jvm[@]}" kafka.tools.StorageTool random-uuid 2>>"$state/logs/kafka-1.log" |
      tail -n1 >"$cdir/cluster.id"
  fi
  scram=$(cluster_secret "$state" KAFKA_SASL_PASSWORD)
  scram="SCRAM-SHA-512=[name=$SB_CLUSTER_USER,password=$scram]"
  for n in "${SB_CLUSTER_NODES[@]}"; do
    [[ ! -f $cdir/node-$n/data/meta.properties ]] || continue
    info "formatting node $n (cluster $(<"$cdir/cluster.id"), SCRAM user $SB_CLUSTER_USER)"
    cluster_jvm "$state" "$n"
    "${jvm[@]}" kafka.tools.StorageTool format -t "$(<"$cdir/cluster.id")" \
      -c "$cdir/node-$n/server.properties" --ignore-formatted --add-scram "$scram" \
      >>"$state/logs/kafka-$n.log" 2>&1 ||
      die "formatting node $n failed (see $state/logs/kafka-$n.log)"
  done
}

# launch_cluster_node STATE N: start node N's JVM unless it runs (does not wait).
launch_cluster_node() {
  local state=$1 n=$2 cdir kind jvm
  cdir=$(cluster_dir "$state")
  if cluster_node_alive "$state" "$n" >/dev/null; then
    info "Kafka node $n already running (pid $(<"$cdir/kafka-$n.pid"))"
    return
  fi
  for kind in sasl plaintext controller; do
    require_port_free "$(cluster_port "$state" "$n" "$kind")" SWITCHBOARD_KAFKA_CLUSTER_PORT
  done
  write_cluster_config "$state" "$n"
  cluster_jvm "$state" "$n"
  info "starting Kafka node $n (SASL_SSL $(cluster_port "$state" "$n" sasl)," \
    "PLAINTEXT $(cluster_port "$state" "$n" plaintext)," \
    "controller $(cluster_port "$state" "$n" controller))"
  start_daemon "$cdir/kafka-$n.pid" "$state/logs/kafka-$n.log" "${jvm[@]}" -Xms128m -Xmx384m \
    -Dkafka.logs.dir="$state/logs" kafka.Kafka "$cdir/node-$n/server.properties"
}

# wait_cluster_node STATE N: wait up to 120 s until node N is ready (cluster_node_ready).
wait_cluster_node() {
  wait_for 120 "Kafka node $2 (see $1/logs/kafka-$2.log)" "$(cluster_dir "$1")/kafka-$2.pid" \
    cluster_node_ready "$1" "$2"
  info "Kafka node $2 ready (SASL_SSL 127.0.0.1:$(cluster_port "$1" "$2" sasl)," \
    "PLAINTEXT 127.0.0.1:$(cluster_port "$1" "$2" plaintext))"
}

# start_cluster STATE: prepare (once) and start every node, then wait until each is ready.
start_cluster() {
  local state=$1 n
  prepare_cluster "$state"
  for n in "${SB_CLUSTER_NODES[@]}"; do launch_cluster_node "$state" "$n"; done
  for n in "${SB_CLUSTER_NODES[@]}"; do wait_cluster_node "$state" "$n"; done
}

# start_cluster_node STATE N: start node N of an already prepared cluster; returns once it
# answers again with the three brokers listed and every replica in sync.
start_cluster_node() {
  [[ -s $(cluster_dir "$1")/cluster.id ]] ||
    die "no cluster in $1: run compose/local/up --brokers 3"
  launch_cluster_node "$1" "$2"
  wait_cluster_node "$1" "$2"
}

# stop_cluster_node STATE N: SIGTERM node N, wait up to 60 s for its exit (controlled
# shutdown), then SIGKILL.
stop_cluster_node() {
  local cdir
  cdir=$(cluster_dir "$1")
  stop_pid "$cdir/kafka-$2.pid" "$cdir/node-$2/server.properties" 60
}

# stop_cluster STATE: stop every node of STATE's cluster (none when it has none), all at once:
# one after the other, the last node would wait for a quorum that has gone.
stop_cluster() {
  local n pids=()
  [[ -d $(cluster_dir "$1") ]] || return 0
  for n in "${SB_CLUSTER_NODES[@]}"; do
    stop_cluster_node "$1" "$n" &
    pids+=("$!")
  done
  for n in "${pids[@]}"; do wait "$n"; done
}

# compose_certs DIR: the certificates of the `cluster` profile of compose/docker-compose.yml, once,
# in DIR (e.g. .switchboard/compose-certs): the CA (ca.crt, ca.key), kafka-N.p12 for node N
# (SAN DNS:kafka-N, DNS:localhost, IP:127.0.0.1), truststore.p12, keystore_creds (the keystores'
# password, generated once into DIR/env) and kafka_server_jaas.conf (SCRAM on the broker side).
# The containers run as another user: the keystores and the password file are made readable.
compose_certs() {
  local dir=$1 password n
  mkdir -p "$dir"
  password=$(secret "$dir" KEYSTORE_PASSWORD hex)
  for n in "${SB_CLUSTER_NODES[@]}"; do
    cluster_certs "$dir" "$password" "kafka-$n" "DNS:kafka-$n"
  done
  (umask 022 && printf '%s' "$password" >"$dir/keystore_creds")
  printf '%s\n' 'KafkaServer {' \
    '  org.apache.kafka.common.security.scram.ScramLoginModule required;' '};' \
    >"$dir/kafka_server_jaas.conf"
  chmod 755 "$dir"
  chmod 644 "$dir"/kafka-?.p12 "$dir/truststore.p12" "$dir/keystore_creds" \
    "$dir/kafka_server_jaas.conf"
  info "certificates for the compose cluster profile in $dir (CA: $dir/ca.crt)"
}
