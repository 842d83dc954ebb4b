"""Signals the foundation sends for the apps to act on without the foundation knowing them."""

from django.dispatch import Signal

# `wenyun serve` is about to answer requests (sent once, in the serving process).
serving = Signal()
