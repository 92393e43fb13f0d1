"""The one exception tree of Spyglass.

::

    SpyglassError
     ├── ConfigError            a setting has a value that cannot be used
     │    └── PolicyError       a guard policy or check configuration is invalid
     ├── CheckError             a check could not run (timeout, crash, missing extra)
     │    └── LLMError          a model endpoint failed; carries ``status``
     ├── GuardBlocked           a guard policy blocked an input or output; carries ``result``
     ├── StoreError             the database failed or is unreachable
     │    └── MigrationError    the schema could not be brought up to date
     └── ApiError               an HTTP answer other than 2xx; carries ``status`` and ``code``
          ├── BadRequest            400 the request is malformed
          ├── Unauthorized          401 missing, unknown or revoked API key
          ├── NotFound              404 no such object in the caller's project
          ├── PayloadTooLarge       413 body over the configured limit
          ├── UnsupportedMediaType  415 content type or encoding we do not speak
          └── Overloaded            503 the ingest queue is full; retry after ``retry_after``

Messages are written for the person who sent the request: they say what is wrong and never
carry secrets or internals (no SQL, no stack traces).
"""

from __future__ import annotations


class SpyglassError(Exception):
    """Root of every error Spyglass raises on purpose."""


class ConfigError(SpyglassError):
    """A setting has a value that cannot be used."""


class PolicyError(ConfigError):
    """A guard policy, a check's parameters or a check name cannot be used."""


class CheckError(SpyglassError):
    """A check could not produce a verdict: it timed out, crashed, or needs a missing extra."""


class LLMError(CheckError):
    """The model endpoint failed: HTTP error after retries, timeout, unreachable, no key.

    ``status`` is the HTTP status when the endpoint answered, else None.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class GuardBlocked(SpyglassError):
    """A guard policy blocked a text. ``result`` is the :class:`spyglass.guard.GuardResult`.

    The message names the checks that blocked, never the text itself (it may hold the very
    secret the guard stopped).
    """

    def __init__(self, message: str, result: object) -> None:
        super().__init__(message)
        self.result = result


class StoreError(SpyglassError):
    """The database failed or is unreachable."""


class MigrationError(StoreError):
    """The schema could not be brought up to date."""


class ApiError(SpyglassError):
    """An error that becomes an HTTP answer with ``status`` and a stable ``code``."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequest(ApiError):
    status = 400
    code = "bad_request"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"


class Overloaded(ApiError):
    status = 503
    code = "overloaded"

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after
