"""Params the type checkers must refuse: a line whose comment reads ``E: <text>`` has an error naming it.

Left out of the project's mypy and pyright runs (see pyproject): ``test_bad_params.py`` checks this
file alone and compares the errors with the marks, both ways. A dict written in the call is reported
as a whole, against the params class | the TypedDict | None; assigned to an annotated name, the
checkers point at the key or value at fault.
"""

from __future__ import annotations

import stripe_identity as si


async def written_in_the_call(client: si.AsyncStripeIdentity) -> None:
    sessions = client.verification_sessions
    await sessions.create({"typ": "document"})  # E: VerificationSessionCreateParamsDict
    await sessions.create({"type": "documnet"})  # E: VerificationSessionCreateParamsDict
    await sessions.create({"options": {"document": {"allowed_types": ["pasport"]}}})  # E: Create
    await sessions.create({"options": {"document": "none"}})  # E: VerificationSessionCreateParamsDict
    await sessions.create({"metadata": {"user": 42}})  # E: VerificationSessionCreateParamsDict
    await sessions.create({"related_person": {"account": "acct_1"}})  # E: VerificationSessionCreate
    await sessions.list({"status": "done"})  # E: VerificationSessionListParamsDict
    await sessions.update("vs_1", {"type": "selfie"})  # E: VerificationSessionUpdateParamsDict
    await sessions.retrieve("vs_1", {"expand": "verified_outputs"})  # E: RetrieveParamsDict
    await sessions.cancel("vs_1", {"expand": [1]})  # E: VerificationSessionCancelParamsDict
    await client.verification_reports.list({"type": "selfie"})  # E: VerificationReportListParamsDict
    await client.file_links.create({"expires_at": 30})  # E: FileLinkCreateParamsDict
    await client.file_links.update("link_1", {"expires_at": "later"})  # E: FileLinkUpdateParamsDict
    await client.files.list({"purpose": "selfy"})  # E: FileListParamsDict
    await client.events.list({"created": {"after": 1}})  # E: EventListParamsDict
    await client.ephemeral_keys.create({"session": "vs_1"})  # E: EphemeralKeyCreateParamsDict


def written_in_a_sync_call(client: si.StripeIdentity) -> None:
    client.verification_sessions.create({"type": "documnet"})  # E: VerificationSessionCreateParamsDict
    client.files.list({"purpose": "selfy"})  # E: FileListParamsDict


def annotated() -> None:
    typo: si.VerificationSessionCreateParamsDict = {"typ": "document"}  # E: "typ"
    misspelt: si.VerificationSessionCreateParamsDict = {"type": "documnet"}  # E: documnet
    nested: si.VerificationSessionCreateParamsDict = {
        "options": {"document": {"allowed_types": ["pasport"]}}  # E: DocumentOptionsParamsDict
    }
    status: si.VerificationSessionListParamsDict = {"status": "done"}  # E: done
    person: si.RelatedPersonParamsDict = {"account": "acct_1"}  # E: "person"
    link: si.FileLinkCreateParamsDict = {"expires_at": 30}  # E: "file"
    print(typo, misspelt, nested, status, person, link)
