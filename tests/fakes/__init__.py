"""Fakes of external services for the test suite; only Telegram's Bot API is faked."""

from tests.fakes.bot_api import Call, FakeBotApi, FloodControl

__all__ = ["Call", "FakeBotApi", "FloodControl"]
