#!/usr/bin/env bash
# The compose stack end to end on a Docker engine this script starts itself (run by .ci/run after `mvn -B verify`,
# and by hand: `bash docker/e2e.sh`).
#
#  1. installs Docker (docker.io), Compose v1.29 (docker-compose) and debootstrap from Debian when missing (as root);
#  2. starts its own dockerd: data root, exec root, pidfile and socket under target/docker/engine, so it never meets
#     another engine on the machine;
#  3. makes the base image (Debian bookworm minbase + a Java 17 JRE, by debootstrap) unless the engine already has
#     it; the root file system's tarball is cached in target/docker/ between local runs;
#  4. builds the oomsim image on it (Dockerfile, --target prebuilt: the jar mvn built, cli/target/oomsim.jar);
#  5. runs docker-compose.yml with docker/compose.oomsim-broker.yml, which swaps only the broker image for our own
#     `oomsim broker`, and waits for every service's health check;
#  6. produces a leak workload with the `load` service, waits until the coordinator counts every request answered
#     once, asserts kill events on `kills` and that the coordinator's /api/pressure shows every node;
#  7. `docker kill`s one agent, produces a second round while it is down, starts it again and asserts that it
#     resumes from its snapshot: it goes healthy on a replay that starts at a snapshot's offset and ends at the
#     offset it had committed, then answers the round: every request once by the coordinator's count, no kill twice,
#     none of round 1 lost;
#  8. runs AgentRestartContainersIT (Testcontainers, our images) on the same engine: the scenario with an agent
#     container killed mid-request ends as the in-process model, one outcome per request, one kill event;
#  9. tears the stack down and stops the engine by its pid.
# Every step must pass: a missing piece fails the run. Where Docker cannot start, the script says why and exits 1,
# unless OOMSIM_SKIP_DOCKER=1. Prints its wall time at the end.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="${root}/target/docker"
engine="${work}/engine"
socket="${engine}/docker.sock"
pidfile="${engine}/dockerd.pid"
base_image="oomsim-base:bookworm-jre17"
image="oomsim:e2e"
project="oomsim-e2e"
jar="${root}/cli/target/oomsim.jar"
nodes=4
started_at=$(date +%s)

say() { echo "e2e: $*"; }
fail() { echo "e2e: FAILED: $*" >&2; exit 1; }

cannot_run() {
    echo "e2e: Docker cannot run here: $*" >&2
    if [[ "${OOMSIM_SKIP_DOCKER:-0}" == "1" ]]; then
        echo "e2e: skipped (OOMSIM_SKIP_DOCKER=1)" >&2
        exit 0
    fi
    exit 1
}

mkdir -p "${work}"

# ---- 1. tools -------------------------------------------------------------------------------------------------
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if ((${#missing[@]})); then
    [[ "$(id -u)" == "0" ]] || cannot_run "${missing[*]} missing and not root to install them"
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"${work}.apt.log" 2>&1 \
        || { apt-get update -q >>"${work}.apt.log" 2>&1 \
             && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>"${work}.apt.log" 2>&1; } \
        || cannot_run "apt-get install ${missing[*]} failed: $(tail -3 "${work}.apt.log")"
fi
# The engine's own client (Debian's docker.io) speaks its API version; a newer client elsewhere on PATH works too.
docker_bin="$(command -v /usr/bin/docker || command -v docker)"
export DOCKER_HOST="unix://${socket}"
docker() { "${docker_bin}" "$@"; }
compose() {
    docker-compose -p "${project}" -f "${root}/docker-compose.yml" -f "${root}/docker/compose.oomsim-broker.yml" "$@"
}

# docker-compose config needs no engine: the compose files are checked even where Docker cannot start.
for extra in "" docker/compose.oomsim-broker.yml docker/compose.3-brokers.yml; do
    files=(-f "${root}/docker-compose.yml")
    [[ -z "${extra}" ]] || files+=(-f "${root}/${extra}")
    docker-compose "${files[@]}" config -q || fail "docker-compose config rejects docker-compose.yml ${extra}"
done
say "docker-compose config: docker-compose.yml alone, with the oomsim broker, with 3 brokers: valid"

# ---- 2. the engine ----------------------------------------------------------------------------------------------
mkdir -p "${engine}"
stop_engine() {
    if [[ -f "${pidfile}" ]]; then
        local pid
        pid="$(cat "${pidfile}")"
        if kill -0 "${pid}" 2>/dev/null; then
            kill "${pid}"
            for _ in $(seq 1 60); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.5; done
        fi
        rm -f "${pidfile}"
    fi
    # dockerd leaves mounts under its roots behind (the data root mounted on itself, netns/default); they would keep
    # `rm -rf target` (mvn clean) from removing them.
    awk -v under="${engine}/" 'index($2, under) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
        umount "${m}" 2>/dev/null || umount -l "${m}" 2>/dev/null || true
    done
}
cleanup() {
    local status=$?
    if [[ -S "${socket}" ]]; then
        if ((status != 0)); then
            say "logs of the stack (last lines of each service):"
            compose logs --no-color --tail 30 2>&1 | tail -200 || true
        fi
        compose --profile load --profile cli down -v --remove-orphans >/dev/null 2>&1 || true
    fi
    stop_engine
    say "wall time $(( $(date +%s) - started_at )) s"
    exit "${status}"
}
trap cleanup EXIT
stop_engine # an engine of an earlier run that was interrupted
[[ "$(id -u)" == "0" ]] || cannot_run "dockerd needs root"
dockerd --data-root "${engine}/data" --exec-root "${engine}/exec" --pidfile "${pidfile}" -H "${DOCKER_HOST}" \
    >"${engine}/dockerd.log" 2>&1 &
for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    kill -0 $! 2>/dev/null || cannot_run "dockerd exited: $(tail -5 "${engine}/dockerd.log")"
    sleep 0.5
done
docker info >/dev/null 2>&1 || cannot_run "dockerd did not answer within 30 s: $(tail -5 "${engine}/dockerd.log")"
say "engine $(docker version --format '{{.Server.Version}}') pid $(cat "${pidfile}") on ${socket}"

# ---- 3. the base image ----------------------------------------------------------------------------------------
if ! docker image inspect "${base_image}" >/dev/null 2>&1; then
    if [[ ! -s "${work}/base-rootfs.tar" ]]; then
        say "debootstrap bookworm + openjdk-17-jre-headless (cached in target/docker/base-rootfs.tar)"
        rm -rf "${work}/rootfs"
        debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates bookworm \
            "${work}/rootfs" http://deb.debian.org/debian >"${work}/debootstrap.log" 2>&1 \
            || fail "debootstrap failed: $(tail -5 "${work}/debootstrap.log")"
        tar -C "${work}/rootfs" -cf "${work}/base-rootfs.tar.part" . && mv "${work}/base-rootfs.tar.part" "${work}/base-rootfs.tar"
        rm -rf "${work}/rootfs"
    fi
    docker import - "${base_image}" <"${work}/base-rootfs.tar" >/dev/null
fi

# ---- 4. the oomsim image --------------------------------------------------------------------------------------
if [[ ! -f "${jar}" ]] || [[ -n "$(find "${root}" -path '*/src/main/*' -newer "${jar}" -print -quit)" ]]; then
    say "building ${jar#"${root}/"}"
    (cd "${root}" && mvn -B -q -pl cli -am -DskipTests package) || fail "mvn package failed"
fi
docker build -q --target prebuilt --build-arg RUNTIME_IMAGE="${base_image}" -t "${image}" "${root}" >/dev/null
export OOMSIM_IMAGE="${image}"
# Host ports of the published services: free ones, so a stack or service on the host never clashes.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
export COORDINATOR_PORT="$(free_port)" KAFKA_HOST_PORT="$(free_port)"

# ---- 5. the stack ---------------------------------------------------------------------------------------------
services=(broker topics)
for n in $(seq 0 $((nodes - 1))); do services+=("agent-${n}"); done
services+=(coordinator)
# What an interrupted earlier run left in this engine (containers, the broker's volume) would leak into this one.
compose --profile load --profile cli down -v --remove-orphans >/dev/null 2>&1 || true
compose up -d --no-build "${services[@]}" >"${work}/compose-up.log" 2>&1 \
    || fail "compose up: $(tail -5 "${work}/compose-up.log")"

container_of() { compose ps -q "$1"; }
health_of() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$1"; }
await_healthy() { # service, deadline in s
    local c deadline=$(( $(date +%s) + $2 ))
    c="$(container_of "$1")"
    until [[ "$(health_of "${c}")" == "healthy" ]]; do
        (( $(date +%s) < deadline )) || fail "$1 not healthy within $2 s (now $(health_of "${c}"))"
        sleep 1
    done
}
for s in "${services[@]}"; do
    [[ "${s}" == "topics" ]] || await_healthy "${s}" 180
done
say "healthy: ${services[*]} ($(( $(date +%s) - started_at )) s)"

# An agent's /health, read inside its container (the image has no curl; bash's /dev/tcp does).
agent_health() {
    docker exec "$(container_of "agent-$1")" bash -c \
        'exec 3<>/dev/tcp/127.0.0.1/9400; printf "GET /health HTTP/1.0\r\n\r\n" >&3; cat <&3' | tail -1
}
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

# ---- 6. workload, kills, pressure -----------------------------------------------------------------------------
# The compose `load` service's workload, leak-one-task, for 2 simulated seconds (about 1 600 requests) as its default
# command; each round has its own seed, so request ids (load-<seed>-<n>) never repeat.
load_args=(--workload /etc/oomsim/scenarios/workloads/leak-one-task.yaml --duration 2s)
produced=0
load_round() { # round number [compose run option]
    local n
    compose run --rm -T ${2:+"$2"} load "${load_args[@]}" --seed "$1" >"${work}/load-$1.log" 2>&1 \
        || fail "load round $1: $(tail -5 "${work}/load-$1.log")"
    n="$(sed -n 's/.* task events, \([0-9]*\) requests in .*/\1/p' "${work}/load-$1.log")"
    [[ -n "${n}" ]] || fail "load round $1 did not say how many requests it produced: $(tail -3 "${work}/load-$1.log")"
    produced=$((produced + n))
    say "load round $1 (seed $1): ${n} requests produced (${produced} in all)"
}
pressure() { curl -fsS "http://127.0.0.1:${COORDINATOR_PORT}/api/pressure"; }
# The coordinator's count of answered requests (it folds every request's outcome on `progress` exactly once):
# each request produced so far answered once, none lost, none twice.
await_answered() {
    local seen deadline=$(( $(date +%s) + 240 ))
    while :; do
        seen="$(pressure 2>/dev/null \
            | python3 -c 'import json,sys; print(json.load(sys.stdin)["cluster"]["requests"])' 2>/dev/null || echo '?')"
        [[ "${seen}" == "${produced}" ]] && break
        [[ "${seen}" == "?" || "${seen}" -lt "${produced}" ]] \
            || fail "the coordinator counts ${seen} answered requests, more than the ${produced} produced"
        (( $(date +%s) < deadline )) || fail "${seen} of ${produced} requests answered within 240 s"
        sleep 2
    done
    say "every request answered once: ${seen} of ${produced} ($(( $(date +%s) - started_at )) s)"
}
kill_lines() { # file to write the kill events to, one JSON object a line
    compose run --rm -T kills --from-beginning --format json 2>"${work}/kills.err" | grep '^{' >"$1" || true
}
load_round 1
await_answered
kill_lines "${work}/kills-1.jsonl"
kills_1="$(wc -l <"${work}/kills-1.jsonl")"
((kills_1 > 0)) || fail "no kill event on kills after the leak workload: $(tail -3 "${work}/kills.err")"
say "kills after round 1: ${kills_1} ($(python3 -c '
import json, sys
print(", ".join("%s killed %s (%s)" % (k["request_id"], k["victim"]["comm"], k["victim"]["pid"])
                for k in map(json.loads, open(sys.argv[1]))))' "${work}/kills-1.jsonl"))"

expected_scopes="$(for n in $(seq 0 $((nodes - 1))); do printf 'node-%s ' "${n}"; done | sed 's/ $//')"
pressure_nodes() {
    pressure | python3 -c 'import json,sys; print(" ".join(sorted(v["scope"] for v in json.load(sys.stdin)["nodes"])))'
}
deadline=$(( $(date +%s) + 60 ))
until [[ "$(pressure_nodes 2>/dev/null)" == "${expected_scopes}" ]]; do
    (( $(date +%s) < deadline )) \
        || fail "/api/pressure does not show every node (${expected_scopes}): $(pressure | head -c 600)"
    sleep 2
done
say "/api/pressure shows ${expected_scopes}"

# ---- 7. an agent killed and started again while a round waits for it ------------------------------------------
# agent-1 is killed, round 2 goes in while it is down (the other agents' calls into its node wait for it, its own
# commands queue on its partition), then it is started again: it must resume from its snapshot and answer them.
victim=1
committed_before="$(json_field committedOffset <<<"$(agent_health "${victim}")")"
((committed_before > 20)) \
    || fail "agent-${victim} handled too few commands for a snapshot (committed offset ${committed_before})"
c="$(container_of "agent-${victim}")"
docker kill "${c}" >/dev/null
[[ "$(docker inspect -f '{{.State.Status}}' "${c}")" == "exited" ]] || fail "agent-${victim} still runs after docker kill"
say "agent-${victim} killed at committed offset ${committed_before}"
load_round 2 --no-deps # the load service waits for healthy agents otherwise, and compose would start agent-1 itself
docker start "${c}" >/dev/null
await_healthy "agent-${victim}" 120
after="$(agent_health "${victim}")"
replayed_from="$(json_field replayedFrom <<<"${after}")"
replayed_until="$(json_field replayedUntil <<<"${after}")"
say "agent-${victim} live again: restored the snapshot at offset ${replayed_from}, replayed to ${replayed_until}"
# Resumed from a snapshot (not from 0) and nothing it had committed lost: the replay runs to where the killed agent
# had committed. Nothing doubled: below, the coordinator's count and the kill events.
((replayed_from > 0 && replayed_from <= replayed_until)) \
    || fail "agent-${victim} did not resume from a snapshot (replay from ${replayed_from}): ${after}"
((replayed_until == committed_before)) \
    || fail "agent-${victim} replayed to ${replayed_until}, not to its committed ${committed_before}: ${after}"
await_answered
kill_lines "${work}/kills-2.jsonl"
# No kill twice (one per request id), and every kill of round 1 still there.
python3 -c '
import json, sys
ids = lambda f: [json.loads(line)["request_id"] for line in open(f)]
one, two = ids(sys.argv[1]), ids(sys.argv[2])
twice = len(two) - len(set(two))
lost = set(one) - set(two)
sys.exit("%d kill events appear twice, %d of round 1 are gone" % (twice, len(lost)) if twice or lost else 0)
' "${work}/kills-1.jsonl" "${work}/kills-2.jsonl" || fail "kill events after the restart"
committed_end="$(json_field committedOffset <<<"$(agent_health "${victim}")")"
((committed_end > replayed_until)) || fail "agent-${victim} handled nothing of round 2 (offset ${committed_end})"
say "kills after round 2: $(wc -l <"${work}/kills-2.jsonl"), none twice, none lost;" \
    "agent-${victim} went on to offset ${committed_end}"

# ---- 8. the same restart scenario through Testcontainers, on this engine and these images ----------------------
compose --profile load --profile cli down -v --remove-orphans >/dev/null 2>&1
say "AgentRestartContainersIT on ${image}"
(cd "${root}" && mvn -B -pl cli -am verify -Dtest=NoSuchTest -Dit.test=AgentRestartContainersIT \
    -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Doomsim.image="${image}" \
    -Dspotless.check.skip=true >"${work}/containers-it.log" 2>&1) \
    || fail "AgentRestartContainersIT: $(grep -E 'Tests run|FAIL|ERROR\]' "${work}/containers-it.log" | head -5)"
grep -q "Tests run: 1, Failures: 0, Errors: 0, Skipped: 0" "${work}/containers-it.log" \
    || fail "AgentRestartContainersIT did not run: $(grep -E 'Tests run' "${work}/containers-it.log" | head -3)"
say "AgentRestartContainersIT passed"

say "PASSED"
