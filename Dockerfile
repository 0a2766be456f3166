# The Partage application image: one image for `partage api`, `partage worker`,
# `partage scheduler` and `partage db upgrade` (docker-compose.yml picks the command).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# A virtual environment copied whole into the final stage: no compilers or caches there.
RUN python -m venv /opt/partage
COPY pyproject.toml README.md ./
COPY partage ./partage
COPY scheduler ./scheduler
COPY solver ./solver
COPY api ./api
COPY workers ./workers
RUN /opt/partage/bin/pip install .

FROM python:3.11-slim
ENV PATH=/opt/partage/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/partage partage
COPY --from=build /opt/partage /opt/partage
USER partage
WORKDIR /home/partage
EXPOSE 8000
# Every service stops on SIGTERM: it finishes the message or job in hand, then exits 0.
STOPSIGNAL SIGTERM
CMD ["partage", "--help"]
