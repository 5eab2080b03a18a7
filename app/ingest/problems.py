"""Problems found in an uploaded return, each pointing at a place an officer can find."""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    sheet: str | None
    cell: str | None
    message: str
    severity: str = "error"  # "error" | "warning"
    # A row label or column heading the template does not know (so an admin can name it):
    # its text, and "row" or "column". Not compared: the same problem with or without them.
    header: str | None = field(default=None, compare=False)
    header_kind: str | None = field(default=None, compare=False)

    def location(self) -> str:
        """'Sheet!C7', 'Sheet', or 'File' when the problem is with the file as a whole.

        Sheet names are printed plainly, without Excel's quoting: this is for people.
        """
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or self.cell or "File"

    def __str__(self) -> str:
        return f"{self.location()}: {self.message}"


class IngestError(Exception):
    """The file cannot be read at all; ``problems`` says why and what to do."""

    def __init__(self, problems: "list[Problem] | Problem"):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def file_error(message: str) -> IngestError:
    """An IngestError with one problem about the file as a whole."""
    return IngestError(Problem(None, None, message))
