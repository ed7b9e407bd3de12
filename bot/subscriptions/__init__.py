"""Subscriptions: who follows the proposals, what they are sent, and delivery that loses nothing.

``store`` is the interface to subscribers, the delivery journal and counters (``sqlite_store``
the embedded implementation, ``migrations`` the versioned schema), ``delivery`` sends a broadcast
exactly once within Telegram's limits (``uncancellable`` keeps a send and its journal entry
together, ``lock`` lets one process deliver at a time), ``digest`` builds the summary and "what
changed" messages, ``schedule`` decides when digests go out, ``service`` runs all of it while
the bot is up, ``handlers`` are the Telegram commands (their strings in ``texts``) and
``commands`` is ``python -m bot broadcast``.
"""
