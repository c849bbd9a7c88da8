# Mentorbot's container image. The same image runs every role; the command picks one:
#   mentorbot run --http --no-scheduler   an HTTP replica (the default below; run several behind a load balancer)
#   mentorbot scheduler                   the scheduled jobs (one or more; they coordinate in PostgreSQL)
#   mentorbot run                         Socket Mode with the scheduler, for a single workspace without a public URL
#   mentorbot db upgrade                  apply migrations (run/scheduler also do it at start, under a lock)
# Configuration comes from the environment (see README, "Configuration").
# Build stage: exactly the versions CI tested (constraints.txt), in a virtualenv of their own.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY . /src
RUN python -m venv /opt/mentorbot \
    && /opt/mentorbot/bin/pip install --constraint /src/constraints.txt /src

# Runtime stage: the virtualenv only; no source tree, no build leftovers.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/mentorbot/bin:$PATH

# A system user with no login shell owns nothing but its working directory.
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/mentorbot --create-home --shell /usr/sbin/nologin mentorbot

COPY --from=build /opt/mentorbot /opt/mentorbot

USER mentorbot
WORKDIR /var/lib/mentorbot
EXPOSE 3000

# HTTP mode answers GET /healthz with 200 while the database answers at the current migration (503 otherwise).
# Socket Mode and scheduler containers serve no HTTP: disable this check for them (see compose.yaml).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4).status == 200 else 1)"]

CMD ["mentorbot", "run", "--http", "--no-scheduler", "--port", "3000"]
