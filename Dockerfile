# Production image of Đôn đốc: gunicorn for the web, the same image for the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DONDOC_VAR_DIR=/var/lib/dondoc

WORKDIR /app

# pg_dump / pg_restore (15, as the database) for `manage.py backup` and `manage.py restore`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

COPY requirements/base.txt requirements/base.txt
RUN pip install --require-hashes -r requirements/base.txt

COPY . .

# Static files are collected at build time and served by WhiteNoise from the image.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home /app dondoc \
    && mkdir -p /var/lib/dondoc/media \
    && chown -R dondoc /var/lib/dondoc

USER dondoc
EXPOSE 8000

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--timeout", "60", "--access-logfile", "-"]
# gunicorn believes X-Forwarded-Proto only from FORWARDED_ALLOW_IPS (.env.example).
