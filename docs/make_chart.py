"""Draw docs/images/quarter-report.png: the quarter report chart of the tests' sample program.

Run from the repository root:  .venv/bin/python docs/make_chart.py [OUT.png]

It builds the sample program (tests/support/sample_program.py) in a throwaway SQLite database,
logs its meetings up to the end of the third quarter of 2026–27, and renders that quarter's
report chart exactly as the scheduled job does.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mentoring.cadence import AcademicQuarter  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import make_engine, make_session_factory, session_scope  # noqa: E402
from storage.reports import quarter_report  # noqa: E402
from tests.support import sample_program  # noqa: E402
from views.charts import quarter_chart_png  # noqa: E402

DEFAULT_OUT = ROOT / "docs" / "images" / "quarter-report.png"
QUARTER = AcademicQuarter(2026, 3)
MEETINGS_THROUGH = date(2027, 4, 1)
REPORT_DAY = date(2027, 4, 5)  # the first weekly summary after Q3: its check-ins are final


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{directory}/sample.db")
        try:
            migrate.upgrade(engine)
            factory = make_session_factory(engine)
            with session_scope(factory) as session:
                sample = sample_program.build(session, meetings_through=MEETINGS_THROUGH)
            with session_scope(factory) as session:
                report = quarter_report(
                    session, program=sample_program.program(session, sample), quarter=QUARTER, today=REPORT_DAY
                )
        finally:
            engine.dispose()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(quarter_chart_png(report))
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT)
