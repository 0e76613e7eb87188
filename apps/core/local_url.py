"""Where `make run` serves LeadCRM, for the examples commands print."""

import os


def local_base_url() -> str:
    """http://<LEADCRM_HOST>:<LEADCRM_PORT>, the address the Procfile binds (defaults
    127.0.0.1 and 8000), so a printed curl works as pasted."""
    host = os.environ.get("LEADCRM_HOST", "") or "127.0.0.1"
    port = os.environ.get("LEADCRM_PORT", "") or "8000"
    return f"http://{host}:{port}"
