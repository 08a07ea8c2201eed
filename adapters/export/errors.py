"""The exporter's user-facing failures: one line each, mapped to the harness's error codes."""


class ExportError(Exception):
    """A failure the user can fix (bad checkpoint, no network, parity check failed)."""

    def __init__(self, message: str, code: str = "export-failed") -> None:
        super().__init__(message)
        self.code = code


class PythonEnvironmentError(ExportError):
    """torch/open_clip/onnx missing or broken in the virtualenv."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="python-missing")
