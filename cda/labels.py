"""WCAG 2.1 SC 3.1.1 and 3.1.2 (language of page, of parts) — the words a rendering adds.

A rendered page mixes the document's own text with labels of ours ("Patient", "Auteur"…).
The page's ``lang`` is the document's ``languageCode`` (CDA R2 §4.2.1.9), so the labels are
chosen in that language where we have it — French, the CI-SIS and DMP language — and in
English otherwise, the elements holding them then marked ``lang="en"`` (WCAG 2.1 SC 3.1.2,
language of parts) so a screen reader switches voice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Labels", "labels_for"]

_FRENCH: Mapping[str, str] = {
    "skip_to_content": "Aller au contenu du document",
    "contents": "Sommaire",
    "document": "Document",
    "document_type": "Type de document",
    "document_date": "Date du document",
    "document_id": "Identifiant du document",
    "version": "Version",
    "confidentiality": "Confidentialité",
    "service_event": "Acte documenté",
    "encounter": "Prise en charge",
    "patient": "Patient",
    "birth_name": "Nom de naissance",
    "given_names": "Prénoms",
    "first_given_name": "Premier prénom",
    "used_name": "Nom utilisé",
    "used_given_name": "Prénom utilisé",
    "name": "Nom",
    "birth_date": "Date de naissance",
    "sex": "Sexe",
    "identifiers": "Identifiants",
    "authors": "Auteurs",
    "role": "Rôle",
    "organisation": "Organisation",
    "time": "Date",
    "custodian": "Organisation chargée de la conservation",
    "legal_authenticator": "Responsable du document",
    "signed": "Signé",
    "untitled_section": "Section sans titre",
    "untitled_document": "Document sans titre",
    "from": "du",
    "to": "au",
    "since": "depuis le",
    "until": "jusqu'au",
    "no_body": "Ce document n'a pas de corps.",
    "pdf_document": "Document PDF",
    "download": "Télécharger",
    "open_pdf": "Ouvrir ou télécharger le document PDF",
    "image": "Image",
    "attachment": "Pièce jointe",
    "external_content": "Contenu externe",
    "media_missing": "Contenu multimédia introuvable",
    "media_unavailable": "Contenu non affichable",
    "rendered_by": "Rendu par Carnet à partir d'un document HL7 CDA R2.",
    "footnotes": "Notes",
    "sex.M": "Masculin",
    "sex.F": "Féminin",
    "sex.U": "Inconnu",
    "confidentiality.N": "Normal",
    "confidentiality.R": "Restreint",
    "confidentiality.V": "Très restreint",
    "ins.1.2.250.1.213.1.4.8": "INS-NIR",
    "ins.1.2.250.1.213.1.4.9": "INS-NIA",
    "ins.1.2.250.1.213.1.4.10": "INS-NIR de test",
    "ins.1.2.250.1.213.1.4.11": "INS-NIR de démonstration",
}

_ENGLISH: Mapping[str, str] = {
    "skip_to_content": "Skip to the document",
    "contents": "Contents",
    "document": "Document",
    "document_type": "Document type",
    "document_date": "Document date",
    "document_id": "Document identifier",
    "version": "Version",
    "confidentiality": "Confidentiality",
    "service_event": "Documented service",
    "encounter": "Encounter",
    "patient": "Patient",
    "birth_name": "Birth name",
    "given_names": "Given names",
    "first_given_name": "First given name",
    "used_name": "Used name",
    "used_given_name": "Used given name",
    "name": "Name",
    "birth_date": "Birth date",
    "sex": "Sex",
    "identifiers": "Identifiers",
    "authors": "Authors",
    "role": "Role",
    "organisation": "Organisation",
    "time": "Date",
    "custodian": "Custodian",
    "legal_authenticator": "Legal authenticator",
    "signed": "Signed",
    "untitled_section": "Untitled section",
    "untitled_document": "Untitled document",
    "from": "from",
    "to": "to",
    "since": "since",
    "until": "until",
    "no_body": "This document has no body.",
    "pdf_document": "PDF document",
    "download": "Download",
    "open_pdf": "Open or download the PDF document",
    "image": "Image",
    "attachment": "Attachment",
    "external_content": "External content",
    "media_missing": "Multimedia content not found",
    "media_unavailable": "Content that cannot be displayed",
    "rendered_by": "Rendered by Carnet from an HL7 CDA R2 document.",
    "footnotes": "Notes",
    "sex.M": "Male",
    "sex.F": "Female",
    "sex.U": "Unknown",
    "confidentiality.N": "Normal",
    "confidentiality.R": "Restricted",
    "confidentiality.V": "Very restricted",
    "ins.1.2.250.1.213.1.4.8": "INS-NIR",
    "ins.1.2.250.1.213.1.4.9": "INS-NIA",
    "ins.1.2.250.1.213.1.4.10": "test INS-NIR",
    "ins.1.2.250.1.213.1.4.11": "demonstration INS-NIR",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Labels:
    """The labels of one language."""

    language: str
    """Their language (BCP 47): ``fr`` or ``en``."""
    words: Mapping[str, str]
    """Label key → text."""
    day_first: bool
    """Dates written day first (``09/04/2021``) rather than ISO 8601 (``2021-04-09``)."""

    def __getitem__(self, key: str) -> str:
        return self.words[key]

    def get(self, key: str, default: str | None = None) -> str | None:
        """The label ``key``, or ``default`` when there is none (codes without a label)."""
        return self.words.get(key, default)


_LABELS = {
    "fr": Labels(language="fr", words=_FRENCH, day_first=True),
    "en": Labels(language="en", words=_ENGLISH, day_first=False),
}


def labels_for(language_code: str | None) -> Labels:
    """The labels for a document in ``language_code``: French when absent.

    >>> labels_for("fr-FR").language, labels_for("de-DE").language, labels_for(None).language
    ('fr', 'en', 'fr')
    """
    if language_code is None:
        return _LABELS["fr"]
    primary = language_code.split("-")[0].lower()
    return _LABELS.get(primary, _LABELS["en"])
