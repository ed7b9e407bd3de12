"""Fakes of external services for the test suite; only Telegram's Bot API is faked."""

from tests.fakes.bot_api import Call, FakeBotApi
from tests.fakes.faults import FloodControl

__all__ = ["Call", "FakeBotApi", "FloodControl"]
