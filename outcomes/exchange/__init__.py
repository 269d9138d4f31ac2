"""The meeting exchange format (docs/exchange-format.md): one YAML file holds one meeting.

`read_yaml` parses a file (`dialect.py`); `import_meeting` checks the whole of it (`schema.py`), raising one
`ExchangeError` that lists every problem with its place, then writes everything in one transaction
(`importer.py`). `dump_meeting` and `export_meeting` write a meeting back in the same format (`exporter.py`).
"""

from .dialect import FORMAT, VERSION, ExchangeError, parse_yaml, read_yaml, to_yaml
from .exporter import dump_meeting, dump_organisation, dump_theme, export_meeting
from .importer import ImportResult, import_meeting, import_vocabulary
from .schema import validate, validate_vocabulary

__all__ = [
    "FORMAT",
    "VERSION",
    "ExchangeError",
    "ImportResult",
    "dump_meeting",
    "dump_organisation",
    "dump_theme",
    "export_meeting",
    "import_meeting",
    "import_vocabulary",
    "parse_yaml",
    "read_yaml",
    "to_yaml",
    "validate",
    "validate_vocabulary",
]
