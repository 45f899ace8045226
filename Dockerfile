# paperbot: a slim image that runs `paperbot run` as a user without privileges, with the exact
# versions of constraints.txt. docker-compose.yml adds PostgreSQL (README: Deploy).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY bot ./bot
COPY digest ./digest
COPY storage ./storage
COPY config ./config
RUN pip install -c constraints.txt . && useradd --create-home --uid 10001 paperbot && mkdir /data && chown paperbot /data

USER paperbot
WORKDIR /data
# SQLite in the /data volume unless PAPERBOT_DATABASE_URL names PostgreSQL; health and metrics on
# port 8080 of the container; one JSON object a log line, for `docker logs` and log shippers.
# Slack in HTTP mode listens on 3000 (PAPERBOT_SLACK_PORT); Socket Mode and Discord need no port.
ENV PAPERBOT_DATABASE_URL=sqlite+aiosqlite:////data/paperbot.db \
    PAPERBOT_HEALTH_PORT=8080 \
    PAPERBOT_HEALTH_HOST=0.0.0.0 \
    PAPERBOT_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080 3000
# `docker stop` sends SIGTERM: paperbot finishes the post in flight and exits 0 within
# PAPERBOT_SHUTDOWN_SECONDS (8), inside Docker's default 10 s.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["paperbot", "health"]
ENTRYPOINT ["paperbot"]
CMD ["run"]
