"""The application factory: one WSGI app serving every endpoint of a Carnet node.

``create_app`` builds everything from a :class:`~carnet.settings.Settings`;
nothing is opened at import time. Endpoints (the paths are a contract with
conformance harnesses):

* ``/xds/registry`` — ITI-18 Registry Stored Query, ITI-42 Register Document Set-b,
  ITI-57 Update Document Set, ITI-62 Delete Document Set
* ``/xds/patient-feed`` — ITI-44 Patient Identity Feed HL7 V3
* ``/xds/repository`` — ITI-41 Provide and Register Document Set-b, ITI-43 Retrieve Document
  Set, ITI-86 Remove Documents
* ``/dmp/patients``, ``/dmp/habilitations`` (profile ``dmp``) — the DMP's record and
  authorisation services (``soap/dmp_patients_endpoint.py``, ``soap/dmp_habilitations_endpoint.py``)

Documents are stored under ``<data_dir>/documents``; :func:`sweep_documents` removes
what a crash left there and runs before the server accepts requests. ITI-41 registers
with this node's own registry, or with the one at ``registry_url``
(:func:`document_registry`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from carnet.access_policy import AccessPolicy, CallerKind
from carnet.client_certificate import ClientCertificateBinding
from carnet.dmp_access_guard import dmp_guard_factory
from carnet.settings import Settings, SettingsError
from carnet.vihf_audit import audit_caller
from carnet.vihf_check import VihfCheck, caller_from_vihf, vihf_of
from cda.certificates import load_trust_store
from cda.errors import SigningMaterialError
from registry.metadata_update import DMP_STATUSES, STATUSES
from registry.storage.database import Database
from repository.cda_checks import CdaHeaderCheck
from repository.folder_store import FolderDocumentStore
from repository.registration import DocumentRegistry, InProcessRegistry
from repository.remote_registration import RemoteRegistry
from repository.submission_signature import SubmissionSignatureCheck
from repository.sweep import SweepReport, sweep
from soap.audit_trail import AuditTrail
from soap.dmp_habilitations_endpoint import dmp_habilitations_service
from soap.dmp_patients_endpoint import dmp_patients_service
from soap.registry_client import RegistryClient
from soap.registry_endpoint import patient_feed_service, registry_service
from soap.repository_endpoint import repository_service
from soap.saml import AssertionPolicy
from soap.transactions import SoapRequest
from soap.ws_security import understood_headers
from soap.wsgi import SoapApplication

__all__ = [
    "cda_header_check",
    "create_app",
    "create_app_from_environment",
    "document_registry",
    "document_store",
    "open_database",
    "signature_check",
    "sweep_documents",
    "vihf_check",
]


def open_database(settings: Settings) -> Database:
    """Open the registry database, creating ``data_dir`` and migrating the schema."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database(settings.effective_database_url)
    database.migrate()
    return database


def document_store(settings: Settings) -> FolderDocumentStore:
    """The repository's document store: content-addressed files in ``<data_dir>/documents``."""
    return FolderDocumentStore(settings.data_dir / "documents")


def document_registry(settings: Settings, database: Database) -> DocumentRegistry:
    """Where ITI-41 registers the metadata (ITI-42): this node's registry, or ``registry_url``.

    A registry elsewhere is reached by one pooled :class:`~soap.registry_client.RegistryClient`
    per call (so per server process), the repository's ledger staying in ``database``.
    """
    if settings.registry_url is None:
        return InProcessRegistry(database, repository_unique_id=settings.repository_unique_id)
    return RemoteRegistry(
        database,
        RegistryClient(settings.registry_url),
        repository_unique_id=settings.repository_unique_id,
    )


def sweep_documents(settings: Settings, database: Database) -> SweepReport:
    """Remove interrupted writes and unreferenced documents (before serving: ITI TF-2b 3.41).

    With a registry elsewhere, registrations a crash left in doubt are settled first by
    asking it; while it is unreachable their documents are kept.
    """
    registry = document_registry(settings, database)
    try:
        return sweep(document_store(settings), registry)
    finally:
        if isinstance(registry, RemoteRegistry) and isinstance(registry.connection, RegistryClient):
            registry.connection.close()


def signature_check(settings: Settings) -> SubmissionSignatureCheck:
    """ITI-41's signature rule for the profile (IHE DSG SubmissionSet Signature).

    ``ihe``: a signature is verified when present, its signer against ``trust_store`` when
    one is configured. ``dmp``: every submission must be signed by a signer the trust store
    trusts. The trust store is read once per process.
    """
    trust_store = None
    if settings.trust_store is not None:
        try:
            trust_store = load_trust_store(settings.trust_store)
        except SigningMaterialError as error:
            raise SettingsError(f"trust_store: {error}") from None
    dmp = settings.profile == "dmp"
    return SubmissionSignatureCheck(
        trust_store=trust_store, require_signature=dmp, require_trust=dmp
    )


def cda_header_check(settings: Settings) -> CdaHeaderCheck | None:
    """ITI-41's CDA rule for the profile: the header must not contradict the DocumentEntry.

    Compared: uniqueId, patientId, typeCode, creationTime and confidentialityCode; under
    ``dmp`` also an INS in the header, the DMP's value sets and the classCode and formatCode
    the ANS concept maps derive (``repository/cda_checks.py``). ``check_cda_headers`` decides
    whether it runs: by default under ``dmp`` only, since plain IHE XDS.b has no such rule and
    conformance test plans submit fixed CDA files under fresh uniqueIds (NIST testkit 11730).
    """
    enabled = settings.check_cda_headers == "on" or (
        settings.check_cda_headers == "auto" and settings.profile == "dmp"
    )
    return CdaHeaderCheck(dmp_rules=settings.profile == "dmp") if enabled else None


def vihf_check(settings: Settings) -> VihfCheck | None:
    """The caller resolver of the identified services (``carnet/vihf_check.py``), or None when
    ``check_vihf`` is off for the profile. The VIHF's signer must chain to ``trust_store``."""
    if not settings.vihf_required:
        return None
    if settings.trust_store is None:
        raise SettingsError(
            "check_vihf needs trust_store: the CAs the VIHF signers' certificates chain to"
        )
    try:
        trust_store = load_trust_store(settings.trust_store)
    except SigningMaterialError as error:
        raise SettingsError(f"trust_store: {error}") from None
    return VihfCheck(
        policy=AssertionPolicy(
            trust_store=trust_store,
            audience=settings.vihf_audience,
            clock_skew=timedelta(seconds=settings.vihf_clock_skew_seconds),
        ),
        client_certificate=_client_certificate_binding(settings),
    )


def _client_certificate_binding(settings: Settings) -> ClientCertificateBinding | None:
    """What binds the TLS client certificate to the VIHF signer (``carnet/client_certificate.py``),
    or None unless ``match_client_certificate`` is on."""
    if settings.match_client_certificate != "on" or settings.client_certificate_header is None:
        return None
    return ClientCertificateBinding(
        header=settings.client_certificate_header,
        trusted_proxies=settings.trusted_proxy_networks,
    )


def create_app(settings: Settings, *, database: Database | None = None) -> SoapApplication:
    """The WSGI application of one node (each server worker calls this once).

    When callers are identified (``check_vihf``, on under the dmp profile) the registry, the
    repository and the DMP services refuse a request without a valid VIHF, the registry and
    repository apply the DMP access policy (``carnet/dmp_access_guard.py``), and the DMP
    services take the caller and the patient from the VIHF.
    """
    if database is None:
        database = Database(settings.effective_database_url)
    identify = vihf_check(settings)
    access = (
        dmp_guard_factory(AccessPolicy.load(settings.access_matrix))
        if identify is not None
        else None
    )
    services = [
        registry_service(
            database,
            max_query_results=settings.max_query_results,
            access=access,
            # TD3.3c/d: ITI-57 sets the DMP's Archived and Deleted under its profile only.
            update_statuses=DMP_STATUSES if settings.profile == "dmp" else STATUSES,
        ),
        patient_feed_service(database),
        repository_service(
            database,
            store=document_store(settings),
            repository_unique_id=settings.repository_unique_id,
            registry=document_registry(settings, database),
            checks=tuple(
                check
                for check in (cda_header_check(settings), signature_check(settings))
                if check is not None
            ),
            access=access,
        ),
    ]
    if settings.profile == "dmp":
        if identify is None:
            services += [dmp_patients_service(database), dmp_habilitations_service(database)]
        else:
            services += [
                dmp_patients_service(database, caller_identity=_subject_id),
                dmp_habilitations_service(
                    database, caller_identity=_professional_id, patient_identity=_patient_id
                ),
            ]
    if identify is not None:
        services = [
            service if service.path == "/xds/patient-feed" else replace(service, identify=identify)
            for service in services
        ]
    if settings.audited:
        # Issue 5 item 7: every transaction, allowed or refused (soap/audit_trail.py).
        trail = AuditTrail(database=database, describe=audit_caller)
        services = [
            service if service.path == "/xds/patient-feed" else replace(service, audit=trail)
            for service in services
        ]
    return SoapApplication(
        services,
        max_request_bytes=settings.max_request_bytes,
        max_envelope_bytes=settings.max_metadata_bytes,
        understood_headers=understood_headers(vihf_enabled=identify is not None),
    )


def _subject_id(request: SoapRequest) -> str | None:
    """The caller of a DMP service: the VIHF's ``Subject/NameID``."""
    return vihf_of(request.caller).subject_id


def _professional_id(request: SoapRequest) -> str | None:
    """The professional a ``setAuthorization`` concerns: the caller when a professional (TD0.3
    authorises the caller); when the patient calls, the message's ``professionalId``."""
    identity = vihf_of(request.caller)
    if caller_from_vihf(identity).kind is CallerKind.PROFESSIONAL:
        return identity.subject_id
    return None


def _patient_id(request: SoapRequest) -> str | None:
    """The patient the VIHF names (``resource-id``), as the registry's CX; None: the message's."""
    ins = vihf_of(request.caller).patient_ins
    return None if ins is None else f"{ins[0]}^^^&{ins[1]}&ISO"


def create_app_from_environment() -> SoapApplication:
    """The app with settings from ``CARNET_*`` variables (servers that take a factory name)."""
    return create_app(Settings.load())
