"""Reading a FHIR R4 referral (a transaction Bundle, or a ServiceRequest with contained
resources) into the intake's own inquiry, remembering where each value came from so
that an intake error can name the FHIR element (`issue.expression`).

Parsing and structural validation are fhir.resources' (R4B models); this module picks
the resources a referral needs, checks the rules of a referral on top (one
ServiceRequest and one Patient, references that resolve, codes LeadCRM knows), and
builds the intake body. Nothing here writes.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.servicerequest import ServiceRequest
from pydantic import ValidationError

from apps.fhir.selectors import service_line_slug_for_codings

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
SUPPORTED = {"ServiceRequest", "Patient", "Practitioner", "PractitionerRole", "Organization"}
SUPPORTED_IN_BUNDLE = SUPPORTED | {"Task"}
# FHIR request priority -> the lead's urgency.
URGENCY = {"routine": "routine", "urgent": "soon", "asap": "urgent", "stat": "urgent"}
ORDER_INTENTS = {"order", "original-order", "reflex-order", "filler-order", "instance-order"}


@dataclass(frozen=True)
class Issue:
    expression: str
    diagnostics: str
    code: str = "invalid"  # an OperationOutcome issue-type code


class ReferralInvalid(Exception):
    """`referral` is what could be read despite the issues, so intake's own checks can
    name the rest of the invalid elements in the same answer."""

    def __init__(self, issues: list[Issue], referral: "ReferralIn | None" = None):
        super().__init__(f"{len(issues)} issues")
        self.issues = issues
        self.referral = referral


@dataclass
class ReferralIn:
    """The intake body, where each intake field came from, and the request's identity."""

    intake: dict
    paths: dict[tuple, str] = field(default_factory=dict)
    identifier: str = ""  # Bundle.identifier as system|value, for idempotency
    # From an If-None-Exist header: a later request naming the same identifier gets the
    # existing referral (200) whatever its body, as FHIR's conditional create says.
    conditional: bool = False


def _path(loc: Iterable, root: str) -> str:
    text = root
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.replace(".resource_type", ".resourceType")


def _validate(model, data, root: str):
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ReferralInvalid(
            [
                Issue(_path(error["loc"], root), error["msg"].split("\n")[0].strip())
                for error in exc.errors()
            ]
        ) from None


def _check_resource_types(resources: list, root: str, allowed: set[str]) -> None:
    # fhir.resources raises a bare KeyError on a resource type it does not know: the
    # types are checked first, so every unknown one is named instead.
    issues = []
    for index, resource in enumerate(resources):
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        if kind not in allowed:
            issues.append(
                Issue(
                    root.format(index=index) + ".resourceType",
                    f"A referral carries {', '.join(sorted(allowed))}; not {kind!r}.",
                    "not-supported",
                )
            )
    if issues:
        raise ReferralInvalid(issues)


def bundle_read(data) -> ReferralIn:
    """A transaction Bundle -> ReferralIn; raises ReferralInvalid naming every problem."""
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise ReferralInvalid([Issue("Bundle", "POST a Bundle of type transaction here.")])
    entries = data.get("entry") if isinstance(data.get("entry"), list) else []
    _check_resource_types(
        [e.get("resource") if isinstance(e, dict) else None for e in entries],
        "Bundle.entry[{index}].resource",
        SUPPORTED_IN_BUNDLE,
    )
    bundle = _validate(Bundle, data, "Bundle")
    issues: list[Issue] = []
    if bundle.type != "transaction":
        issues.append(Issue("Bundle.type", "The Bundle must be a transaction."))
    found: dict[str, list[tuple[object, str, str]]] = {}
    for index, entry in enumerate(bundle.entry or []):
        resource = entry.resource
        if resource is None:
            issues.append(Issue(f"Bundle.entry[{index}]", "This entry has no resource."))
            continue
        kind = resource.get_resource_type()
        urls = {entry.fullUrl or ""} | ({f"{kind}/{resource.id}"} if resource.id else set())
        found.setdefault(kind, []).append((resource, f"Bundle.entry[{index}].resource", urls))
    for kind in ("Task",):
        for task, path, _ in found.get(kind, []):
            if task.intent != "order":
                issues.append(Issue(f"{path}.intent", "The referral's Task has intent order."))
            if task.status != "requested":
                issues.append(Issue(f"{path}.status", "A new referral's Task is requested."))
    referral = _referral_read(found, issues, root="Bundle.entry")
    identifier = bundle.identifier
    if identifier is not None and identifier.value:
        referral.identifier = f"{identifier.system or ''}|{identifier.value}"
    return referral


def service_request_read(data) -> ReferralIn:
    """A ServiceRequest whose Patient (and Practitioner) are contained resources."""
    if not isinstance(data, dict) or data.get("resourceType") != "ServiceRequest":
        raise ReferralInvalid([Issue("ServiceRequest", "POST a ServiceRequest here.")])
    contained = data.get("contained") if isinstance(data.get("contained"), list) else []
    _check_resource_types(contained, "ServiceRequest.contained[{index}]", SUPPORTED)
    request = _validate(ServiceRequest, data, "ServiceRequest")
    found: dict[str, list] = {"ServiceRequest": [(request, "ServiceRequest", set())]}
    for index, resource in enumerate(request.contained or []):
        urls = {f"#{resource.id}"} if resource.id else set()
        found.setdefault(resource.get_resource_type(), []).append(
            (resource, f"ServiceRequest.contained[{index}]", urls)
        )
    return _referral_read(found, [], root="ServiceRequest.contained")


def _one(found: dict, kind: str, issues: list[Issue], root: str, *, required: bool):
    items = found.get(kind, [])
    if len(items) > 1:
        issues.append(Issue(items[1][1], f"A referral carries one {kind}."))
    elif not items and required:
        issues.append(Issue(root, f"A referral carries a {kind}."))
    return items[0] if items else None


def _referral_read(found: dict, issues: list[Issue], *, root: str) -> ReferralIn:
    request_item = _one(found, "ServiceRequest", issues, root, required=True)
    patient_item = _one(found, "Patient", issues, root, required=True)
    practitioner_item = _one(found, "Practitioner", issues, root, required=False)
    organization_item = _one(found, "Organization", issues, root, required=False)
    if request_item is None or patient_item is None:
        raise ReferralInvalid(issues)
    request, request_path, _ = request_item
    referral = ReferralIn(
        intake={"lead_type": "physician_referral", "channel": "referral"},
        paths={("service_line",): f"{request_path}.code", ("urgency",): f"{request_path}.priority"},
    )
    _request_read(request, request_path, patient_item, referral, issues)
    _patient_read(*patient_item[:2], referral)
    if practitioner_item is not None:
        _practitioner_read(*practitioner_item[:2], organization_item, referral, issues)
    if issues:
        raise ReferralInvalid(issues, referral)
    return referral


def _request_read(request, path: str, patient_item, referral: ReferralIn, issues: list) -> None:
    if request.intent not in ORDER_INTENTS:
        issues.append(Issue(f"{path}.intent", "A referral is an order (intent order)."))
    if request.status not in ("active", "draft"):
        issues.append(Issue(f"{path}.status", "A new referral is active."))
    subject = request.subject.reference if request.subject else None
    if subject not in patient_item[2]:
        issues.append(
            Issue(f"{path}.subject.reference", "The subject must be the Patient sent with it.")
        )
    codings = []
    for coding in (request.code.coding or []) if request.code else []:
        codings.append((coding.system or "", coding.code or ""))
    for category in request.category or []:
        codings += [(c.system or "", c.code or "") for c in category.coding or []]
    slug = service_line_slug_for_codings(codings)
    if slug is None:
        issues.append(
            Issue(
                f"{path}.code",
                "No service line is mapped to any coding of code or category "
                f"({', '.join(f'{s}|{c}' for s, c in codings) or 'none given'}).",
                "code-invalid",
            )
        )
    referral.intake["service_line"] = slug or ""
    if request.priority is not None:
        if request.priority not in URGENCY:
            issues.append(Issue(f"{path}.priority", "Use routine, urgent, asap or stat."))
        referral.intake["urgency"] = URGENCY.get(request.priority, "routine")
    texts = [r.text or (r.coding[0].display if r.coding else "") for r in request.reasonCode or []]
    texts += [note.text for note in request.note or []]
    referral.intake["message"] = "\n".join(text for text in texts if text)
    referral.paths[("message",)] = f"{path}.note"
    if request.identifier:
        referral.intake["external_id"] = request.identifier[0].value or ""
        referral.paths[("external_id",)] = f"{path}.identifier[0].value"


def _patient_read(patient, path: str, referral: ReferralIn) -> None:
    person: dict = {}
    paths = referral.paths
    if patient.name:
        name = next((n for n in patient.name if n.use == "official"), patient.name[0])
        index = patient.name.index(name)
        person["first_name"] = (name.given or [""])[0]
        person["last_name"] = name.family or ""
        paths[("person", "first_name")] = f"{path}.name[{index}].given[0]"
        paths[("person", "last_name")] = f"{path}.name[{index}].family"
    for index, telecom in enumerate(patient.telecom or []):
        kind = {"phone": "phone", "sms": "phone", "email": "email"}.get(telecom.system or "")
        if kind and kind not in person:
            person[kind] = telecom.value or ""
            paths[("person", kind)] = f"{path}.telecom[{index}].value"
    if patient.birthDate is not None:
        person["date_of_birth"] = patient.birthDate.isoformat()
        paths[("person", "date_of_birth")] = f"{path}.birthDate"
    for index, communication in enumerate(patient.communication or []):
        codings = communication.language.coding or []
        if codings and codings[0].code:
            person["preferred_language"] = codings[0].code.lower()
            paths[("person", "preferred_language")] = (
                f"{path}.communication[{index}].language.coding[0].code"
            )
            break
    for index, address in enumerate(patient.address or []):
        if address.postalCode:
            person["postal_code"] = address.postalCode
            paths[("person", "postal_code")] = f"{path}.address[{index}].postalCode"
            break
    paths[("person",)] = path
    referral.intake["person"] = person


def _practitioner_read(practitioner, path, organization_item, referral, issues) -> None:
    source: dict = {}
    for index, identifier in enumerate(practitioner.identifier or []):
        if identifier.system == NPI_SYSTEM:
            source["npi"] = identifier.value or ""
            referral.paths[("referral_source", "npi")] = f"{path}.identifier[{index}].value"
            break
    if practitioner.name:
        name = practitioner.name[0]
        source["name"] = " ".join([*(name.given or []), name.family or ""]).strip()
        referral.paths[("referral_source", "name")] = f"{path}.name[0]"
    if organization_item is not None:
        source["organization"] = organization_item[0].name or ""
        referral.paths[("referral_source", "organization")] = f"{organization_item[1]}.name"
    if "npi" not in source:
        issues.append(
            Issue(f"{path}.identifier", f"Give the practitioner's NPI (system {NPI_SYSTEM}).")
        )
    referral.intake["referral_source"] = source
