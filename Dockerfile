# syntax=docker/dockerfile:1
# Build with the Node version the project pins (node@24 in package.json), serve with an
# unprivileged nginx. Not exercised by CI here: the CI machines have no Docker engine.

FROM node:24-bookworm-slim AS build
WORKDIR /src
ENV ASTRO_TELEMETRY_DISABLED=1
ARG SITE_URL=http://localhost:8080
ARG SITE_BASE=/
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# Manifests are validated against upstream CRDs in the test suite; the image build only builds.
RUN SITE_URL="$SITE_URL" SITE_BASE="$SITE_BASE" npm run build

FROM nginxinc/nginx-unprivileged:1.27-alpine AS serve
COPY deploy/nginx/nginx.conf /etc/nginx/nginx.conf
COPY deploy/nginx/mesh-field-guide.conf /etc/nginx/conf.d/mesh-field-guide.conf
COPY --from=build /src/dist /usr/share/nginx/html
USER 101
EXPOSE 8080
CMD ["nginx", "-g", "daemon off;"]
