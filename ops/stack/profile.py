"""The profile the local stack runs (``config.Profile``), recorded in the stack directory by
``shopctl up --cluster``/``--single`` so every later command reads the same one."""

from config import Profile, Settings, get_settings, profile_file
from ops.stack.engines.kafka import refuse_other_profile
from ops.stack.process import EngineError


def switch(settings: Settings, wanted: Profile) -> Settings:
    """Record ``wanted`` and return the settings every command now reads; refuse (and keep
    the old record) when the environment overrides it or Kafka holds the other's data."""
    path = profile_file(settings.stack_dir)
    before = path.read_text() if path.exists() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"SHOP_PROFILE={wanted}\n")
    get_settings.cache_clear()
    chosen = get_settings()
    try:
        if chosen.profile is not wanted:
            raise EngineError(
                f"SHOP_PROFILE={chosen.profile} in the environment or .env overrides {wanted}"
            )
        refuse_other_profile(chosen)
    except EngineError:
        if before is None:
            path.unlink()
        else:
            path.write_text(before)
        get_settings.cache_clear()
        raise
    return chosen
