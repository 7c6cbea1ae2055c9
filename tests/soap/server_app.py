"""The dummy SOAP services as a module a real HTTP server (gunicorn, granian) can import."""

from __future__ import annotations

from soap import SoapApplication
from tests.soap.conftest import services

MAX_REQUEST = 32 * 1024 * 1024

app = SoapApplication(services(), max_request_bytes=MAX_REQUEST, max_envelope_bytes=1024 * 1024)
