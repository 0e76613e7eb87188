# The LeadCRM image: one image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH="/opt/venv/bin:$PATH"

RUN pip install --no-cache-dir uv==0.13.9 \
    && useradd --create-home --uid 10001 leadcrm

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .
# Static files are collected into the image and served by whitenoise.
RUN DEBUG=false python manage.py collectstatic --noinput --verbosity 0

USER leadcrm
EXPOSE 8000
CMD ["gunicorn", "-c", "python:leadcrm.gunicorn_conf", "leadcrm.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
