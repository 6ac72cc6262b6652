# escape=`
ARG REG=docker.io
FROM ${REG}/library/python:3.12-slim `
    AS app
FROM ${REG:-ghcr.io}/octo-org/base:${TAG:-latest}
