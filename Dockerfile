# paperbot: slim image, non-root, runs `paperbot run`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY digest ./digest
COPY storage ./storage
COPY config ./config
RUN pip install . && useradd --create-home --uid 10001 paperbot && mkdir /data && chown paperbot /data

USER paperbot
WORKDIR /data
ENV PAPERBOT_DATABASE_URL=sqlite+aiosqlite:////data/paperbot.db
# Slack in HTTP mode listens here (PAPERBOT_SLACK_PORT); Socket Mode and Discord need no port.
EXPOSE 3000
ENTRYPOINT ["paperbot"]
CMD ["run"]
