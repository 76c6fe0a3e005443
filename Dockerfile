# The production image: gunicorn serves the app; the same image runs the worker.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=ldnsite.settings.prod

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
RUN pip install --no-cache-dir -c requirements.lock . \
    && useradd --system --uid 1000 ldnsite \
    && mkdir -p /app/var/static /app/var/media /app/var/imports \
    && DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && chown -R ldnsite /app/var

USER ldnsite
EXPOSE 8000
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "ldnsite.wsgi:application"]
