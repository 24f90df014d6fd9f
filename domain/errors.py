"""Business refusals: raised by rules and handlers, turned into 4xx JSON by the API edge."""


class Refusal(Exception):
    """A rule said no. ``code`` is stable for clients; ``details`` name what was refused."""

    code = "refused"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(Refusal):
    """The thing asked for does not exist (or is not the caller's, which reads the same)."""

    code = "not_found"


class Unauthenticated(Refusal):
    """The caller could not show who they are (or their session has ended)."""

    code = "unauthorized"


class Forbidden(Refusal):
    """The caller is known, but may not do this (yet)."""

    code = "forbidden"


class InvalidRequest(Refusal):
    """What the caller sent cannot be honoured as it is (a spent or unknown token)."""

    code = "invalid_request"


class Throttled(Refusal):
    """Too many attempts: the caller may try again after ``retry_after_seconds``."""

    code = "throttled"

    def __init__(self, message: str, retry_after_seconds: int, **details: object) -> None:
        super().__init__(message, **details)
        self.retry_after_seconds = retry_after_seconds
