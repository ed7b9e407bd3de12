"""Subscriptions: who follows the proposals, what they are sent, and delivery that loses nothing.

``store`` keeps subscribers and the delivery journal in SQLite, ``delivery`` sends a broadcast
exactly once within Telegram's limits, ``digest`` builds the summary and "what changed"
messages, ``schedule`` decides when digests go out, ``handlers`` are the Telegram commands and
``commands`` is ``python -m bot broadcast``.
"""
