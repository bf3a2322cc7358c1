"""``python -m stripe_identity`` is the ``stripe-identity`` command."""

from __future__ import annotations

from ._cli import main

raise SystemExit(main())
