"""Folder ingest reads only what was asked (issue 18): links out of the folder are skipped with a
warning unless --follow-links, links inside it are read once, special files are refused."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from eventfuse.cli import main
from eventfuse.errors import InputError
from eventfuse.ingest import read_sources
from eventfuse.records import Article
from eventfuse.settings import Options

pytestmark = pytest.mark.issue(18)

TEXT = b"Nurses marched through the centre of Ashcombe on Tuesday to demand safer staffing.\n"
SECRET = b"Dockers in Port Varen walked out on Monday over a pay offer, the union said.\n"


def layout(tmp_path: Path) -> tuple[Path, Path]:
    """``folder`` with one article, a link to a file outside, a link to a folder outside, and a
    link to its own article; ``outside`` holds what must not be read."""
    folder, outside = tmp_path / "folder", tmp_path / "outside"
    folder.mkdir()
    (outside / "sub").mkdir(parents=True)
    (folder / "story.txt").write_bytes(TEXT)
    (outside / "secret.txt").write_bytes(SECRET)
    (outside / "sub" / "more.txt").write_bytes(SECRET)
    (folder / "passwd.txt").symlink_to(outside / "secret.txt")
    (folder / "elsewhere").symlink_to(outside / "sub")
    (folder / "again.txt").symlink_to(folder / "story.txt")
    return folder, outside


def test_links_out_of_the_folder_are_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder, _ = layout(tmp_path)
    with caplog.at_level(logging.WARNING):
        results = list(read_sources([str(folder)], Options()))
    articles = [r for r in results if isinstance(r, Article)]
    assert not [r for r in results if isinstance(r, InputError)]
    assert all(b"Dockers" not in a.text.encode() for a in articles)
    assert sorted(Path(a.source_path or "").name for a in articles) == ["again.txt", "story.txt"]
    warned = [r.getMessage() for r in caplog.records]
    for link in ("passwd.txt", "elsewhere"):
        assert any(str(folder / link) in m and "--follow-links" in m for m in warned), warned


def test_follow_links_reads_them(tmp_path: Path) -> None:
    folder, _ = layout(tmp_path)
    results = list(read_sources([str(folder)], Options(), follow_links=True))
    texts = [r.text for r in results if isinstance(r, Article)]
    assert sum("Dockers" in t for t in texts) == 2


def test_cli_flag(tmp_path: Path) -> None:
    folder, _ = layout(tmp_path)
    for flag, expected in (([], 2), (["--follow-links"], 4)):
        db = str(tmp_path / f"s{len(flag)}.db")
        result = CliRunner().invoke(main, ["--db", db, "ingest", str(folder), *flag],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert f"read {expected} articles" in result.output


def test_a_link_loop_is_walked_once(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    (folder / "a").mkdir(parents=True)
    (folder / "a" / "story.txt").write_bytes(TEXT)
    (folder / "a" / "loop").symlink_to(folder)
    results = list(read_sources([str(folder)], Options(), follow_links=True))
    assert len([r for r in results if isinstance(r, Article)]) == 1


def test_a_fifo_in_a_folder_is_refused_without_blocking(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_bytes(TEXT)
    os.mkfifo(tmp_path / "pipe.txt")
    results = list(read_sources([str(tmp_path)], Options()))
    [error] = [r for r in results if isinstance(r, InputError)]
    assert error.path == str(tmp_path / "pipe.txt") and "FIFO" in error.reason


def test_a_device_is_refused() -> None:
    [error] = list(read_sources(["/dev/null"], Options()))
    assert isinstance(error, InputError) and "character device" in error.reason
