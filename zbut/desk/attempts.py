"""Call attempts that reached no decision: history, not an outcome (PRODUCT.md).

The vocabulary lives beside the outcomes (zbut.bases.outcomes) so that the client history can
be told by the layers below the desk; the desk speaks of it from here.
"""

from zbut.bases.outcomes import AttemptResult

__all__ = ["AttemptResult"]
