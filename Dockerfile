# syntax=docker/dockerfile:1
# Build with the Node version the project pins (node@24 in package.json), serve with Debian's
# nginx (the one CI tests the configuration with) and its brotli_static module, as user 101.
# Not exercised by CI here: the CI machines have no Docker engine.
#   docker build --build-arg SITE_URL=https://docs.example.internal -t mesh-field-guide .

FROM node:24-bookworm-slim AS build
WORKDIR /src
ENV ASTRO_TELEMETRY_DISABLED=1
# The address readers use. No default: the image refuses to build without it (see the script).
ARG SITE_URL
ARG SITE_BASE=/
COPY deploy/require-site-url.sh /usr/local/bin/require-site-url
RUN require-site-url "$SITE_URL"
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# Manifests are validated against upstream CRDs in the test suite; the image build only builds.
RUN SITE_URL="$SITE_URL" SITE_BASE="$SITE_BASE" npm run build

FROM debian:bookworm-slim AS serve
RUN apt-get update \
	&& DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx libnginx-mod-http-brotli-static \
	&& rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled \
	&& groupadd --system --gid 101 web \
	&& useradd --system --uid 101 --gid 101 --no-create-home --shell /usr/sbin/nologin web
COPY deploy/nginx/nginx.conf /etc/nginx/nginx.conf
COPY deploy/nginx/mesh-field-guide.conf /etc/nginx/conf.d/mesh-field-guide.conf
COPY --from=build /src/dist /usr/share/nginx/html
USER 101
EXPOSE 8080
# -e: log to stderr from the start, before the configuration is read (the root filesystem is read-only).
CMD ["nginx", "-e", "stderr", "-g", "daemon off;"]
