"""Notices: the catalogue of every notice kind (``catalogue``) and the one writer of outbox
rows (``outbox``); delivery is ``jobs.dispatcher`` with the ``bot.senders`` of each channel."""
