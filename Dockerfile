# The production image: gunicorn serves the app; the same image runs the worker.
# Debian trixie: its postgresql-client (pg_dump/pg_restore for `manage.py backup`
# and `restore`) is 17, the same major version as the db service's server.
FROM python:3.13-slim-trixie

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=ldnsite.settings.prod

RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
COPY ldnsite ldnsite
COPY core core
COPY posts posts
COPY references references
COPY comments comments
COPY subscriptions subscriptions
COPY importers importers
COPY deploy deploy
COPY templates templates
COPY static static
COPY manage.py ./
# The app runs as uid 1000. Every folder it writes to exists here and is its
# own, so that the named volumes mounted on them (docker-compose.yml) start
# out owned by it: media, private attachments, imports, backups, and
# /srv/static, which the web service fills for the proxy.
RUN pip install --no-cache-dir -c requirements.lock . \
    && useradd --system --uid 1000 ldnsite \
    && mkdir -p /app/var/static /app/var/media /app/var/private /app/var/imports \
        /app/var/backups /srv/static \
    && DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && chown -R ldnsite /app/var /srv/static

USER ldnsite
EXPOSE 8000
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "ldnsite.wsgi:application"]
