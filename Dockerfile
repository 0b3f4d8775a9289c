# One image for every oomsim service; the command picks it: agent, coordinator, load, kills, broker, or any
# other `oomsim` subcommand (see docker/entrypoint.sh).
#
#   docker build -t oomsim .                       # users: Maven builds the jar inside Docker (stage "build")
#   docker build --target prebuilt -t oomsim .     # the jar already built on the host: cli/target/oomsim.jar
#
# The base images are build arguments, so a locally made base can stand in where no registry is reachable
# (docker/e2e.sh builds one with debootstrap and passes it as RUNTIME_IMAGE, then builds --target prebuilt,
# because building the Maven stage inside Docker is slow on a small machine; the user path above is unchanged).
# Stages are ordered so that --target prebuilt never needs BUILD_IMAGE (the classic builder runs every stage
# before the target).
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17

FROM ${RUNTIME_IMAGE} AS runtime-base
ARG UID=10001
RUN useradd --system --uid "${UID}" --user-group --home-dir /var/lib/oomsim --create-home --shell /usr/sbin/nologin oomsim
COPY docker/entrypoint.sh /usr/local/bin/oomsim-entrypoint
COPY docker/machine-4-nodes.yaml /etc/oomsim/machine.yaml
COPY scenarios /etc/oomsim/scenarios
RUN chmod 0755 /usr/local/bin/oomsim-entrypoint \
    && mkdir -p /opt/oomsim /var/lib/oomsim /var/lib/kafka/data \
    && chown -R oomsim:oomsim /var/lib/oomsim /var/lib/kafka
ENV OOMSIM_JAR=/opt/oomsim/oomsim.jar \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError"
# /var/lib/kafka/data belongs to the service user so that compose's kafka-data volume, initialised from it, is
# writable when `oomsim broker` of this image is the broker (docker/compose.oomsim-broker.yml).
WORKDIR /var/lib/oomsim
USER oomsim
# Every service serves /health (the agent on its metrics port, 9400 in compose); HEALTH_PORT names the port
# per service where it differs.
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=5 CMD ["oomsim-entrypoint", "healthcheck"]
ENTRYPOINT ["oomsim-entrypoint"]
CMD ["--help"]

# The jar built on the host beforehand (mvn -B -pl cli -am -DskipTests package).
FROM runtime-base AS prebuilt
COPY --chown=root:root cli/target/oomsim.jar /opt/oomsim/oomsim.jar

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -pl cli -am -DskipTests package

# The default target: the jar built from source by the stage above.
FROM runtime-base AS runtime
COPY --from=build --chown=root:root /src/cli/target/oomsim.jar /opt/oomsim/oomsim.jar
