# mock-icloud in a container: the gateway on 8443 and the partition on 8444, bound to 0.0.0.0,
# serving the demo world. Configure it with the command's environment variables (README, "Docker").
# Bound beyond loopback, the mock requires a control token (the control plane exports every
# password): /__mock/ then wants `Authorization: Bearer <token>`; GET /__mock/health does not.
#
#   docker build -t mock-icloud .
#   docker run --rm -p 8443:8443 -p 8444:8444 -e MOCK_ICLOUD_CONTROL_TOKEN=local-dev-control-token mock-icloud
#   docker run --rm -p 8443:8443 -p 8444:8444 -e MOCK_ICLOUD_CONTROL_TOKEN=local-dev-control-token \
#     -v "$PWD/my-world:/world:ro" -e WORLD=/world/world.yaml mock-icloud
#
# Published on other host ports, set PUBLIC_GATEWAY_URL and PUBLIC_PARTITION_URL to the URLs
# clients use, so calendar-home-set points where they can follow it (the testcontainers module
# does this for you). With no registry at hand, .ci/build-base-image.sh assembles the base image
# offline under the same name.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: the mock needs no native module (better-sqlite3 is the sync core's).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY common common
COPY icalendar icalendar
COPY mock-icloud mock-icloud
COPY sync-core sync-core
COPY conformance conformance
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/better-sqlite3 node_modules/@types \
 && find dist -name '*.map' -delete

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8443 \
    PARTITION_PORT=8444 \
    WORLD=/app/fixtures/worlds/demo.yaml
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY bin bin
COPY fixtures fixtures
# /world: where a world file (and the .ics files it names) is mounted.
RUN mkdir -p /world && chown node:node /world
USER node
EXPOSE 8443 8444
# Healthy once the gateway answers GET /__mock/health, which it does only once both origins accept
# connections (the partition starts listening first).
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8443) + '/__mock/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/mock-icloud.js"]
