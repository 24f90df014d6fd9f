"""Business refusals: raised by pure domain code, turned into 404/409 JSON by the API edge."""


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
