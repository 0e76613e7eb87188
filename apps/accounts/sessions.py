"""The session engine (SESSION_ENGINE): Django's database sessions, each row carrying the
user it signs in, so that every session of one person can be ended at once."""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DBStore


class SessionStore(DBStore):
    @classmethod
    def get_model_class(cls):
        from apps.accounts.models import StaffSession

        return StaffSession

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        try:
            session.user_id = int(data.get(SESSION_KEY))
        except (TypeError, ValueError):
            session.user_id = None
        return session
