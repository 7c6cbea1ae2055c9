"""Carnet application: settings, the app factory and the ``carnet`` command line."""

from carnet.settings import Profile, Settings, SettingsError

__all__ = ["Profile", "Settings", "SettingsError"]
