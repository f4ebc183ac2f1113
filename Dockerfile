# Image for deployers: the web (gunicorn), worker and beat services of docker-compose.yml run it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-liberation2 fonts-dejavu-core curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY portal ./portal
COPY accounts ./accounts
COPY agencies ./agencies
COPY procedures ./procedures
COPY dossiers ./dossiers
COPY workcalendar ./workcalendar
RUN pip install --no-cache-dir .
COPY . .
RUN true \
 && DEBUG=0 SECRET_KEY=build-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz ALLOWED_HOSTS=localhost \
      python manage.py collectstatic --noinput -v 0 \
 && useradd --system --uid 10001 portal && mkdir -p /app/var/media && chown -R portal /app/var
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
