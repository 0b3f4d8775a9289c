#!/usr/bin/env bash
# The oomsim image's entrypoint: the first argument picks the service.
#   agent [settings.properties]   a node agent (dev.oomsim.agent.NodeAgent); OOMSIM_<KEY> variables set its keys
#   coordinator [settings]        the coordinator (dev.oomsim.coordinator.Main); OOMSIM_<KEY> variables set its keys
#   broker | load | kills | …     that `oomsim` subcommand (oomsim broker, oomsim load, oomsim kills, …)
#   healthcheck                   GET http://127.0.0.1:${HEALTH_PORT:-9400}/health, healthy on HTTP 200
set -euo pipefail

jar="${OOMSIM_JAR:-/opt/oomsim/oomsim.jar}"

healthcheck() {
    local port="${HEALTH_PORT:-9400}" proto status
    exec 3<>"/dev/tcp/127.0.0.1/${port}" || { echo "nothing listens on 127.0.0.1:${port}"; return 1; }
    printf 'GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    read -r -t 3 proto status _ <&3 || { echo "no answer from 127.0.0.1:${port}/health"; return 1; }
    exec 3>&-
    [[ "${status}" == "200" ]] || { echo "/health answered ${proto} ${status}"; return 1; }
}

case "${1:-}" in
    agent)
        shift
        exec java -cp "${jar}" dev.oomsim.agent.NodeAgent "$@"
        ;;
    coordinator)
        shift
        exec java -cp "${jar}" dev.oomsim.coordinator.Main "$@"
        ;;
    healthcheck)
        healthcheck
        ;;
    *)
        exec java -jar "${jar}" "$@"
        ;;
esac
