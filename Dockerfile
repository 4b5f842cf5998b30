# One image for web, worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production CHROMIUM_PATH=/usr/bin/chromium

# Debian's Chromium renders chart exports (kaleido); nothing is downloaded at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-dejavu-core fonts-noto-cjk postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DJANGO_SECRET_KEY=collectstatic-only-build-time-key-not-used-at-run-time-0123456789 \
    python manage.py collectstatic --noinput -v 0

RUN useradd --create-home --uid 1000 observatory && mkdir -p /app/media \
    && chown -R observatory /app/media
USER observatory
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
