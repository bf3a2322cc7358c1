"""Every default of the SDK, in one place (and nothing else: this module imports nothing)."""

from __future__ import annotations

__all__ = [
    "DEFAULT_API_BASE",
    "DEFAULT_FILES_BASE",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_STRIPE_VERSION",
    "DEFAULT_TIMEOUT",
    "ENV_API_BASE",
    "ENV_API_KEY",
    "ENV_FILES_BASE",
    "ENV_INSECURE_HTTP_HOSTS",
]

#: Where the API lives, and where Stripe serves file contents.
DEFAULT_API_BASE = "https://api.stripe.com"
DEFAULT_FILES_BASE = "https://files.stripe.com"

#: The API version of the spec this SDK was built from.
DEFAULT_STRIPE_VERSION = "2026-09-30.endive"

#: Retries after the first attempt, as Stripe's own SDKs make by default.
DEFAULT_MAX_RETRIES = 2
#: Seconds an attempt may spend connecting, or waiting for the next bytes (stripe-python's 80).
DEFAULT_TIMEOUT = 80.0
#: aiohttp's own pool size: more concurrent calls queue for a connection.
DEFAULT_MAX_CONNECTIONS = 100
#: Stripe's largest objects are a few kB; a list of 100 stays well under 1 MB.
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024
#: Identity's document and selfie images are a few MB at most.
DEFAULT_MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024

#: The environment variables a client reads for arguments it is not given.
ENV_API_KEY = "STRIPE_API_KEY"
ENV_API_BASE = "STRIPE_API_BASE"
ENV_FILES_BASE = "STRIPE_FILES_BASE"
#: Host names (comma-separated) that plain http may reach besides loopback.
ENV_INSECURE_HTTP_HOSTS = "STRIPE_INSECURE_HTTP_HOSTS"
