"""altar: practitioner-led research into abuse, loss, trauma, attachment and
resilience (ALTAR) of children in youth justice services."""

__version__ = "0.1.0"
