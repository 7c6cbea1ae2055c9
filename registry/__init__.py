"""XDS.b Document Registry: metadata model, validation, stored queries, persistence."""

__all__: list[str] = []
