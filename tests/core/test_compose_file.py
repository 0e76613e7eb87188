"""docker-compose.yml, read (Docker cannot run here): every service comes back after a
crash and says when it is healthy; the demo hospital is only in the demo profile."""

from pathlib import Path

import yaml

BASE_DIR = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
ONE_SHOT = {"migrate", "seed-demo"}


def test_every_long_running_service_restarts_and_has_a_health_check():
    for name, service in SERVICES.items():
        if name in ONE_SHOT:
            assert service["restart"] == "no", name
            continue
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"], name
        assert not service["healthcheck"].get("disable"), name


def test_worker_and_beat_checks_ask_the_processes_themselves():
    assert "inspect ping" in " ".join(SERVICES["worker"]["healthcheck"]["test"])
    assert "beat_health" in SERVICES["beat"]["healthcheck"]["test"]


def test_the_demo_hospital_is_seeded_only_in_the_demo_profile():
    assert "seed_demo" not in " ".join(SERVICES["migrate"]["command"])
    assert SERVICES["seed-demo"]["profiles"] == ["demo"]
    assert "seed_demo" in SERVICES["seed-demo"]["command"]


def test_every_setting_production_requires_can_be_given_to_the_stack():
    environment = SERVICES["web"]["environment"]
    required = ["SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL", "NURTURE_SMS_BACKEND"]
    required += ["NURTURE_UNSUBSCRIBE_KEY", "TWILIO_AUTH_TOKEN", "SITE_URL", "NUM_PROXIES"]
    for name in required:
        assert f"${{{name}:-" in environment[name], name


def test_secrets_and_logs_stay_out_of_the_image():
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    # Docker matches a pattern from the build context's root: "**/" reaches subfolders.
    for pattern in (".env", ".env.*", "**/.env", "*.log", "**/*.log", "logs"):
        assert pattern in ignored, pattern


def test_an_unsafe_production_setting_stops_the_stack_at_migrate():
    # migrate runs the system checks (the production ones refuse at error level) unless
    # told to skip them; every long-running app service waits for it to succeed.
    assert SERVICES["migrate"]["command"][-3:] == ["manage.py", "migrate", "--noinput"]
    assert "--skip-checks" not in SERVICES["migrate"]["command"]
    for name in ("web", "worker", "beat", "seed-demo"):
        assert SERVICES[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name
    assert SERVICES["web"]["environment"]["DEBUG"] == "false"
