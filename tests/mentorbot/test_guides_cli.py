"""`mentorbot guides check FILE`: a coordinator's edit checked before it goes live."""

from __future__ import annotations

from importlib import resources

from mentorbot.cli import main


def test_the_shipped_guides_check_out(capsys):
    path = resources.files("mentoring").joinpath("meeting_guides.txt")
    assert main(["guides", "check", str(path)]) == 0
    assert "[PGY-1 Q1]" in capsys.readouterr().out


def test_a_broken_file_names_the_line_and_exits_2(tmp_path, capsys):
    path = tmp_path / "guides.txt"
    path.write_text("[PGY-1] Interns\n- a point\nforgot the dash\n", encoding="utf-8")
    assert main(["guides", "check", str(path)]) == 2
    assert "line 3: expected a [heading]" in capsys.readouterr().err


def test_a_missing_file_exits_2(tmp_path, capsys):
    assert main(["guides", "check", str(tmp_path / "none.txt")]) == 2
    assert "no such file" in capsys.readouterr().err.lower()
