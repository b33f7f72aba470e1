"""Domain events: a small typed registry, dispatched after the transaction commits.

Lower apps publish (a deal was won); higher apps subscribe (earnings, callbacks) without
the lower app importing them. No Django signals for business logic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction


@dataclass(frozen=True)
class DomainEvent:
    org_id: int


E = TypeVar("E", bound=DomainEvent)
_handlers: dict[type[DomainEvent], list[Callable[[Any], None]]] = defaultdict(list)


def subscribe(event_type: type[E]) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    def register(handler: Callable[[E], None]) -> Callable[[E], None]:
        if handler not in _handlers[event_type]:
            _handlers[event_type].append(handler)
        return handler

    return register


def publish(event: DomainEvent) -> None:
    """Run the event's handlers once the current transaction commits."""
    for handler in list(_handlers[type(event)]):
        transaction.on_commit(lambda handler=handler: handler(event))
