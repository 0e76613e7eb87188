"""Intake throttles: per intake key, a burst rate and a sustained one (settings)."""

from apps.core.throttles import SettingRateThrottle


class _IntakeKeyThrottle(SettingRateThrottle):
    def get_cache_key(self, request, view) -> str | None:
        intake_key = request.auth
        if intake_key is None:
            return None  # no key: the permission check refuses it first
        return self.cache_format % {"scope": self.scope, "ident": intake_key.pk}


class IntakeKeyBurstThrottle(_IntakeKeyThrottle):
    scope = "intake_burst"
    rate_setting = "INTAKE_THROTTLE_BURST"


class IntakeKeySustainedThrottle(_IntakeKeyThrottle):
    scope = "intake_sustained"
    rate_setting = "INTAKE_THROTTLE_SUSTAINED"
