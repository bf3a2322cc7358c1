"""``client.ephemeral_keys``: keys that let a mobile app run a VerificationSession's native flow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._errors import InvalidRequestError
from .._ids import path_id
from .._models import EphemeralKey
from .._options import RequestOptions, to_request_options
from .._params._lazy import ParamsClass
from .._requestor import Requestor

if TYPE_CHECKING:
    from .._params import (
        EphemeralKeyCreateParams,
        EphemeralKeyCreateParamsDict,
        EphemeralKeyDeleteParams,
        EphemeralKeyDeleteParamsDict,
    )

__all__ = ["AsyncEphemeralKeyService"]

_PATH = "/v1/ephemeral_keys"
_ONE = _PATH + "/{key}"


def _with_explicit_version(opts: RequestOptions | Mapping[str, Any] | None) -> RequestOptions:
    # The key is read by Stripe's mobile SDK, which understands one API version: the one it was
    # built for, not necessarily this client's. Like Stripe's own SDKs, insist on hearing it.
    options = to_request_options(opts)
    if options.stripe_version is None:
        raise InvalidRequestError(
            "Creating an ephemeral key needs the API version of the mobile SDK that will use it: "
            "pass opts={'stripe_version': '...'}.",
            param="stripe_version",
        )
    return options


class AsyncEphemeralKeyService:
    """Create and delete the ephemeral keys Stripe's iOS and Android Identity SDKs start from."""

    CreateParams: ParamsClass[EphemeralKeyCreateParams] = ParamsClass("EphemeralKeyCreateParams")
    DeleteParams: ParamsClass[EphemeralKeyDeleteParams] = ParamsClass("EphemeralKeyDeleteParams")

    def __init__(self, requestor: Requestor) -> None:
        self._requestor = requestor

    async def create(
        self,
        params: EphemeralKeyCreateParams | EphemeralKeyCreateParamsDict | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> EphemeralKey:
        """Create an ephemeral key for ``{"verification_session": "vs_..."}``.

        ``opts`` must carry ``stripe_version``: the API version of the mobile SDK that reads the key.
        Hand the returned ``secret`` and the session id to the app.
        """
        options = _with_explicit_version(opts)
        return await self._requestor.request("POST", _PATH, params, options, EphemeralKey)

    async def delete(
        self,
        key: str,
        params: EphemeralKeyDeleteParams | EphemeralKeyDeleteParamsDict | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> EphemeralKey:
        """Delete (revoke) an ephemeral key: its secret stops working at once."""
        path = f"{_PATH}/{path_id(key, 'key')}"
        return await self._requestor.request("DELETE", path, params, opts, EphemeralKey, _ONE)
