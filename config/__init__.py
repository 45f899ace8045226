"""Settings for paperbot, read once from the environment in the composition root."""

from config.settings import ConfigError, Settings, child_environment, load_settings

__all__ = ["ConfigError", "Settings", "child_environment", "load_settings"]
