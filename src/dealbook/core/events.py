"""Domain events: a small typed registry, dispatched after the transaction commits.

Lower apps publish (a deal was won); higher apps subscribe (earnings, callbacks) without
the lower app importing them. No Django signals for business logic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction


@dataclass(frozen=True)
class DomainEvent:
    org_id: int


_handlers: dict[type[DomainEvent], list[Callable[[Any], None]]] = defaultdict(list)


type Handler[E] = Callable[[E], None]


def subscribe[E: DomainEvent](event_type: type[E]) -> Callable[[Handler[E]], Handler[E]]:
    def register(handler: Handler[E]) -> Handler[E]:
        if handler not in _handlers[event_type]:
            _handlers[event_type].append(handler)
        return handler

    return register


def publish(event: DomainEvent) -> None:
    """Run the event's handlers once the current transaction commits."""
    for handler in list(_handlers[type(event)]):
        transaction.on_commit(lambda handler=handler: handler(event))
