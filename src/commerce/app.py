"""The ASGI application factory, under the name every entry point knows it by.

``commerce.app:create_app_from_env`` is what uvicorn, the Lambda handler, the CLI,
tests and benchmarks start; the application itself is built in ``commerce.web.app``.
"""

from __future__ import annotations

from commerce.web.app import create_app, create_app_from_env

__all__ = ["create_app", "create_app_from_env"]
