"""The signal that new paging work is waiting, kept apart from the engine so that any module can send it.

The web process sets it when it commits new work, so an engine in the same
process (``oohdesk serve``) starts at once instead of at its next poll.
"""

import threading

work_waiting = threading.Event()


def wake() -> None:
    work_waiting.set()
