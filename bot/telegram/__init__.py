"""The Telegram front end: the only layer that knows Telegram types.

Pure parts (texts, rendering, the callback codec, the flood limiter) are plain functions and
classes tested on their own; the handlers wire them to python-telegram-bot's ``Application``.
"""
