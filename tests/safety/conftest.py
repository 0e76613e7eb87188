from tests.sla.scenario import (  # noqa: F401 - fixtures
    clock,
    fallback_team,
    make_lead,
    manager,
    open_all_hours,
    owner,
    service_line,
    team,
    team_lead,
)
