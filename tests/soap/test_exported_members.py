"""The soap package's public surface (STYLE principle 3)."""

from __future__ import annotations

import soap


def test_soap_exports() -> None:
    assert sorted(soap.__all__) == [
        "Addressing",
        "AddressingUri",
        "Attachment",
        "FaultCode",
        "Handler",
        "MtomBody",
        "Namespace",
        "OutgoingAttachment",
        "Service",
        "SoapApplication",
        "SoapFault",
        "SoapRequest",
        "SoapResponse",
        "Transaction",
        "build_mtom",
        "include_content_id",
        "registry_error_response",
        "xop_include",
    ]
    for name in set(soap.__all__) - {"Handler"}:  # Handler is a Callable alias
        assert getattr(soap, name).__module__.startswith("soap."), name
