"""XDS.b Document Repository: ITI-41 provide-and-register, ITI-43 retrieve, document storage."""

__all__: list[str] = []
