"""Settings for paperbot, read once from the environment in the composition root."""

from config.settings import ConfigError, Settings, load_settings

__all__ = ["ConfigError", "Settings", "load_settings"]
