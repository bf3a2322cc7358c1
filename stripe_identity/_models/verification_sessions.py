"""VerificationSession and the objects nested in it, as the spec has them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import attrs

from ._base import APIResource, StripeObject
from ._common import (
    Address,
    CalendarDate,
    CheckType,
    DocumentOptions,
    IdNumberOptions,
    IdNumberType,
    LastErrorCode,
    MatchingMode,
    RedactionStatus,
    Sex,
    VerificationSessionStatus,
)
from .verification_reports import VerificationReport

__all__ = [
    "EmailOptions",
    "MatchingOptions",
    "PhoneOptions",
    "ProvidedDetails",
    "Redaction",
    "RelatedPerson",
    "VerificationSession",
    "VerificationSessionLastError",
    "VerificationSessionOptions",
    "VerifiedOutputs",
]


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class VerificationSessionLastError(StripeObject):
    """Why the last submission failed (``last_error``); ``None`` while nothing failed."""

    code: LastErrorCode | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class EmailOptions(StripeObject):
    """Options of the email check (``options.email``)."""

    require_verification: bool | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class PhoneOptions(StripeObject):
    """Options of the phone check (``options.phone``)."""

    require_verification: bool | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class MatchingOptions(StripeObject):
    """How strictly the provided details must match the document (``options.matching``)."""

    dob: MatchingMode | None = None
    name: MatchingMode | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class VerificationSessionOptions(StripeObject):
    """The checks a session asks for and their options (``options``)."""

    document: DocumentOptions | None = None
    email: EmailOptions | None = None
    id_number: IdNumberOptions | None = None
    matching: MatchingOptions | None = None
    phone: PhoneOptions | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class ProvidedDetails(StripeObject):
    """Email and phone the integration supplied on creation (``provided_details``)."""

    email: str | None = None
    phone: str | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class Redaction(StripeObject):
    """Where a redaction stands (``redaction``): ``processing``, then ``redacted``."""

    status: RedactionStatus


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class RelatedPerson(StripeObject):
    """The Connect person this session verifies (``related_person``)."""

    account: str
    person: str


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class VerifiedOutputs(StripeObject):
    """The user's verified data (``verified_outputs``).

    Stripe returns it only when expanded (``expand=["verified_outputs"]``); ``dob``, ``id_number``,
    ``sex`` and the place of birth stay ``None`` unless also expanded by name with a restricted key
    (see :mod:`stripe_identity.sensitive`).
    """

    address: Address | None = None
    dob: CalendarDate | None = None
    email: str | None = None
    first_name: str | None = None
    id_number: str | None = None
    id_number_type: IdNumberType | None = None
    last_name: str | None = None
    phone: str | None = None
    sex: Sex | None = None
    unparsed_place_of_birth: str | None = None
    unparsed_sex: str | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class VerificationSession(APIResource):
    """A request to verify a user's identity, and where it stands."""

    id: str
    object: Literal["identity.verification_session"] | str
    created: int
    livemode: bool
    metadata: Mapping[str, str]
    status: VerificationSessionStatus
    type: CheckType
    client_reference_id: str | None = None
    client_secret: str | None = attrs.field(default=None, repr=False)
    last_error: VerificationSessionLastError | None = None
    last_verification_report: str | VerificationReport | None = None
    options: VerificationSessionOptions | None = None
    provided_details: ProvidedDetails | None = None
    redaction: Redaction | None = None
    related_customer: str | None = None
    related_customer_account: str | None = None
    related_person: RelatedPerson | None = None
    url: str | None = None
    verification_flow: str | None = None
    verified_outputs: VerifiedOutputs | None = None

    @property
    def last_verification_report_id(self) -> str | None:
        """The report's id whether or not ``last_verification_report`` was expanded."""
        report = self.last_verification_report
        if report is None or isinstance(report, str):
            return report
        return report.id
