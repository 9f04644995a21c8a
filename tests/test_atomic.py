import pytest

from geotel._atomic import atomic_dir
from geotel._errors import InputError


def test_existing_folder_needs_force_and_survives_failure(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    with pytest.raises(InputError, match="--force"):
        with atomic_dir(out):
            pass
    with pytest.raises(KeyboardInterrupt):
        with atomic_dir(out, force=True) as tmp:
            (tmp / "new.txt").write_text("half")
            raise KeyboardInterrupt
    assert [p.name for p in out.iterdir()] == ["old.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary left behind
    with atomic_dir(out, force=True) as tmp:
        (tmp / "new.txt").write_text("new")
    assert [p.name for p in out.iterdir()] == ["new.txt"]
