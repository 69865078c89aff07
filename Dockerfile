# laadplan service image: `laadplan serve` (API + one worker), migrations applied at start.
# Build: docker build -t laadplan .      Run with PostgreSQL: docker compose up
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/laadplan
ENV PATH=/opt/laadplan/bin:$PATH
COPY pyproject.toml README.md ./
COPY planner ./planner
COPY grid_data ./grid_data
COPY charging_sites ./charging_sites
COPY dashboards ./dashboards
COPY geography ./geography
COPY validation ./validation
COPY service ./service
RUN pip install --no-cache-dir --upgrade pip && pip install --no-cache-dir .

FROM python:3.11-slim AS runtime
RUN useradd --create-home --uid 10001 laadplan \
    && mkdir -p /data/case && chown -R laadplan:laadplan /data
COPY --from=build /opt/laadplan /opt/laadplan
ENV PATH=/opt/laadplan/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    LAADPLAN_DATA_DIR=/data \
    LAADPLAN_CASE_DIR=/data/case
USER laadplan
WORKDIR /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status == 200 else 1)"]
# `serve` runs `alembic upgrade head` (service.db.upgrade) before it listens.
CMD ["laadplan", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "1"]
