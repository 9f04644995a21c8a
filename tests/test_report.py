"""The plan as the province's report (issue 13, part 4): report.docx and report.pdf read
back with python-docx and pypdf, their figures checked against summary.json and the
layers, unknown facts read "không có số liệu", the Vietnamese text intact; and the
charts the report shares with the notebooks draw the plan's data."""

from __future__ import annotations

import json
import re
import time
import unicodedata
from pathlib import Path

import docx
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from matplotlib._pylab_helpers import Gcf
from matplotlib.figure import Figure
from pypdf import PdfReader

from geotel.cli import cli
from geotel.config import load_config
from geotel.errors import FileFormatError
from geotel.outputs import charts
from geotel.outputs.report import REPORT_FILES, write_report
from geotel.pipeline import run_plan, write_plan
from tests.badinputs import _communes, write_good_project

#: Thresholds that leave much of the small project uncovered, so that siting has work.
_WEAK = {"thresholds_dbm": {"2G": -60.0, "3G": -60.0, "4G": -60.0}}
#: UTF-8 read as cp1252/Latin-1 ("Ä‘" for "đ", "á»" in "á»‡" for "ệ"), and lost characters.
#: "Ã" alone is Vietnamese ("XÃ"); followed by a Latin-1 continuation byte it is not.
_MOJIBAKE = re.compile("á»|áº|Æ°|Æ¡|Ä‘|Ä\u0090|â€|\ufffd|Ã[\u0080-\u00bf\u2018-\u203a]")


def _plan_folder(folder: Path, *, fiber: bool = True, communes: gpd.GeoDataFrame | None = None,
                 population: str | None = None, lang: str = "vi") -> Path:
    """Run the small Pleiku project (4 communes, 1 district) and write its plan folder."""
    config = write_good_project(folder / "project", **({} if fiber else {"fiber": None}),
                                _config={"coverage": _WEAK, "siting": {"new_sites": 2}})
    if communes is not None:
        (folder / "project" / "communes.gpkg").unlink()
        communes.to_file(folder / "project" / "communes.gpkg", layer="communes", driver="GPKG")
    if population is not None:
        cfg = yaml.safe_load(config.read_text(encoding="utf-8"))
        cfg["inputs"]["population"] = population
        config.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    plan = run_plan(load_config(config), progress=False)
    write_plan(plan, folder / "plan", lang=lang)  # type: ignore[arg-type]
    return folder / "plan"


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small project with fiber: fixed Internet known (from the fiber reach)."""
    return _plan_folder(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def no_facts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """No fiber layer and no service columns: fixed Internet, radio, postal unknown."""
    return _plan_folder(tmp_path_factory.mktemp("nofacts"), fiber=False)


def _docx_text(path: Path) -> tuple[str, docx.document.Document]:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    return " ".join(" ".join(parts).split()), d


def _pdf_text(path: Path) -> tuple[str, PdfReader]:
    r = PdfReader(str(path))
    return " ".join(" ".join(p.extract_text() for p in r.pages).split()), r


def _vi(n: int) -> str:
    """An integer the Vietnamese way, formatted here independently of geotel."""
    return f"{n:,}".replace(",", ".")


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def _table(d: docx.document.Document, caption: str) -> list[list[str]]:
    """The rows of the table whose caption ("Bảng N. …") contains ``caption``."""
    body = d.element.body
    seen = False
    for el in body.iterchildren():
        text = "".join(el.itertext())
        if el.tag.endswith("}p") and text.startswith(("Bảng ", "Table ")) and caption in text:
            seen = True
        elif seen and el.tag.endswith("}tbl"):
            table = next(t for t in d.tables if t._tbl is el)
            return [[c.text for c in row.cells] for row in table.rows]
    raise AssertionError(f"no table captioned {caption!r}")


def _intact(text: str) -> None:
    assert unicodedata.is_normalized("NFC", text)
    assert not _MOJIBAKE.search(text), _MOJIBAKE.search(text)
    assert "XÃ" in text.upper()
    assert "ệ" in text


# --- the Vietnamese report ---------------------------------------------------------------

def test_write_plan_writes_the_report(plan_dir: Path) -> None:
    for name in REPORT_FILES:
        assert (plan_dir / name).stat().st_size > 10_000, name
    assert not [p for p in plan_dir.iterdir() if p.name.startswith(".")]


def test_docx_figures_match_summary_json(plan_dir: Path) -> None:
    s = _summary(plan_dir)
    text, d = _docx_text(plan_dir / "report.docx")
    _intact(text)
    k, n = s["communes_without_fixed_internet"], s["communes"]
    assert k == 4
    assert n == 4
    assert f"Còn {k} xã/{n} xã chưa có kết nối Internet hữu tuyến đến trung tâm xã" in text
    assert f"dân số {_vi(s['population'])} người" in text
    people = _vi(s["dead_zone_pop"])
    assert s["dead_zone_pop"] >= 1000
    assert "." in people
    assert (f"Còn {people} người sống trong {s['dead_zones']} vùng lõm sóng 4G" in text)
    assert f"4G {s['pop_covered_pct_4g']:.1f}%".replace(".", ",") in text
    assert "đài truyền thanh không dây: không có số liệu" in text  # null in summary.json
    assert f"{s['communes_c8_met']}/{n} xã đạt Tiêu chí 8" in text
    props = d.core_properties
    assert props.author == "geotel"
    assert props.language == "vi-VN"
    assert props.title.startswith("BÁO CÁO QUY HOẠCH HẠ TẦNG VIỄN THÔNG THỤ ĐỘNG")


def test_docx_tables_have_the_expected_rows(plan_dir: Path) -> None:
    s = _summary(plan_dir)
    _, d = _docx_text(plan_dir / "report.docx")
    gpkg = plan_dir / "plan.gpkg"
    communes = gpd.read_file(gpkg, layer="communes")
    districts = gpd.read_file(gpkg, layer="districts")
    towers = gpd.read_file(gpkg, layer="towers_proposed")
    fiber = gpd.read_file(gpkg, layer="fiber_proposed")
    # districts: header, one row per district, the province row from summary.json
    rows = _table(d, "theo huyện")
    assert len(rows) == 1 + len(districts) + 1 == 3
    assert rows[1][0] == "Thành phố Pleiku"
    assert rows[-1][0] == "Toàn tỉnh"
    assert rows[-1][1] == str(s["communes"])
    assert rows[-1][2] == _vi(s["population"])
    assert rows[-1][5] == _vi(s["dead_zone_pop"])
    # Criterion 8: every commune not meeting it, with why
    failing = communes[communes["c8_met"] != True]  # noqa: E712 - nullable
    rows = _table(d, "Các xã chưa đạt")
    assert len(rows) == 1 + len(failing)
    assert all("8.2" in r[3] for r in rows[1:])  # coverage below 95 % or no fixed Internet
    # dead zones: communes with people in them, most first; the first match summary.json
    rows = _table(d, "nhiều người trong vùng lõm")
    with_people = int((communes["dead_zone_pop"] > 0).sum())
    assert len(rows) == 1 + min(20, with_people)
    top = s["top_dead_zone_communes"]
    assert [r[1] for r in rows[1:len(top) + 1]] == [t["commune_name"] for t in top]
    assert [r[4] for r in rows[1:len(top) + 1]] == [_vi(t["people"]) for t in top]
    # the years, with the budget line and the totals
    phases = pd.read_csv(plan_dir / "phases.csv")
    rows = _table(d, "Phân kỳ đầu tư")
    assert len(rows) == 1 + len(phases) + 1
    assert [r[0] for r in rows[1:-1]] == [str(y) for y in phases["year"]]
    assert rows[1][3] == "20,00"  # the default tower budget, 20 billion VND per year
    spend = phases["tower_spend_vnd"].sum() / 1e9
    assert rows[-1][2] == f"{spend:.2f}".replace(".", ",")
    assert len(_table(d, "Các trạm BTS đề xuất")) == 1 + len(towers)
    assert len(_table(d, "Các tuyến cáp quang đề xuất")) == 1 + len(fiber)
    # every table repeats its header row on each page
    for t in d.tables:
        assert t.rows[0]._tr.trPr.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None
    assert len(d.inline_shapes) == 4  # three charts and the print map


def test_pdf_matches_summary_json(plan_dir: Path) -> None:
    s = _summary(plan_dir)
    text, reader = _pdf_text(plan_dir / "report.pdf")
    _intact(text)
    assert (f"Còn {s['communes_without_fixed_internet']} xã/{s['communes']} xã chưa có kết "
            f"nối Internet hữu tuyến đến trung tâm xã") in text
    assert f"Còn {_vi(s['dead_zone_pop'])} người sống trong" in text
    assert "PHƯƠNG PHÁP VÀ GIẢ ĐỊNH" in text
    assert "Analysys Mason 2011" in text
    n = len(reader.pages)
    assert 5 <= n <= 12
    assert f"Trang 1 / {n}" in text
    assert f"Trang {n} / {n}" in text
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 1
    assert abs(float(box.height) - 841.9) < 1
    fonts = {str(p["/Resources"]["/Font"][k].get_object()["/BaseFont"]) for p in reader.pages
             for k in p["/Resources"]["/Font"]}
    # only the faces of the @font-face rules (DejaVu Sans files): no system fallback
    assert fonts, fonts
    assert all(f.split("+")[-1].startswith("Report-Sans") for f in fonts), fonts
    assert reader.metadata.author == "geotel"


def test_unknown_facts_read_no_data(no_facts_dir: Path) -> None:
    s = _summary(no_facts_dir)
    assert s["communes_without_fixed_internet"] is None
    assert s["communes_with_radio_station"] is None
    assert s["communes_with_postal_point"] is None
    for text in (_docx_text(no_facts_dir / "report.docx")[0],
                 _pdf_text(no_facts_dir / "report.pdf")[0]):
        _intact(text)
        assert "Kết nối Internet hữu tuyến đến trung tâm xã: không có số liệu" in text
        assert "đài truyền thanh không dây: không có số liệu" in text
        assert "điểm phục vụ bưu chính: không có số liệu" in text
        assert "Còn 0 xã" not in text
        assert "0/4 xã có đài" not in text
        # the method page: the unknowns, the stand-in assumption, the shortfall
        assert "Truyền dẫn của 2 trạm đề xuất chưa rõ (không có lớp cáp quang)" in text
        assert "cho cột `has_radio_station` trong lớp xã" in text
        # the method page and the summary, in Vietnamese
        assert "Bước quy hoạch cáp quang: yêu cầu" in text
        assert "không có lớp cáp quang hiện có" in text
        assert "Bước quy hoạch cáp quang chưa đạt yêu cầu" in text
    _, d = _docx_text(no_facts_dir / "report.docx")
    unknown = {r[0]: r[1] for r in _table(d, "Số liệu chưa biết")[1:]}
    assert unknown["Đài truyền thanh"] == "4"
    assert unknown["Internet cố định"] == "4"
    # district counts of an unknown fact say so, not 0
    row = _table(d, "theo huyện")[1]
    assert row[-2] == "không có số liệu"
    # undecided communes are listed with what is missing
    rows = _table(d, "Các xã chưa đạt")[1:]
    undecided = [r for r in rows if r[2] == "không có số liệu"]
    assert len(undecided) == s["no_data"]["c8_met"]
    assert all("đài truyền thanh" in r[4] for r in rows)


def test_area_only_plan_reports_area_not_people(tmp_path: Path) -> None:
    folder = _plan_folder(tmp_path, communes=_communes().drop(columns="dan_so"),
                          population="none")
    text, _d = _docx_text(folder / "report.docx")
    _intact(text)
    assert "dân số không có số liệu" in text
    assert "người sống trong" not in text  # no people figure invented
    assert "Tỷ lệ diện tích được phủ sóng 4G" in text
    assert "Diện tích phủ thêm (km²)" in text
    assert "quy hoạch theo diện tích" in text


def test_english_report(plan_dir: Path, tmp_path: Path) -> None:
    s = _summary(plan_dir)
    paths = write_report(plan_dir, tmp_path, lang="en")
    assert [p.name for p in paths] == list(REPORT_FILES)
    for text in (_docx_text(paths[0])[0], _pdf_text(paths[1])[0]):
        assert (f"{s['communes_without_fixed_internet']} of {s['communes']} communes have no "
                "wired Internet connection") in text
        assert f"{s['dead_zone_pop']:,} people live in" in text
        assert "wireless radio stations: no data" in text
        assert "không có số liệu" not in text
        assert "Toàn tỉnh" not in text
    assert docx.Document(str(paths[0])).core_properties.language == "en-GB"


def test_not_a_plan_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match=r"summary\.json, plan\.gpkg missing"):
        write_report(tmp_path)
    assert not list(tmp_path.iterdir())


# --- the command ------------------------------------------------------------------------

def test_cli_report_rewrites_only_the_report(plan_dir: Path, tmp_path: Path) -> None:
    others = {p.name: p.stat().st_mtime_ns for p in plan_dir.iterdir()
              if p.name not in REPORT_FILES}
    before = (plan_dir / "report.docx").stat().st_mtime_ns
    time.sleep(0.01)
    r = CliRunner().invoke(cli, ["report", str(tmp_path / "unused.yml"), "--out", str(plan_dir),
                                 "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert (plan_dir / "report.docx").stat().st_mtime_ns > before
    assert {p.name: p.stat().st_mtime_ns for p in plan_dir.iterdir()
            if p.name not in REPORT_FILES} == others
    assert "wired Internet" in _docx_text(plan_dir / "report.docx")[0]
    write_report(plan_dir)  # back to Vietnamese for the other tests


def test_cli_report_runs_the_plan_when_there_is_none(tmp_path: Path) -> None:
    config = write_good_project(tmp_path / "project")
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["report", str(config), "--out", str(out)])
    assert r.exit_code == 0, r.output
    for name in ("plan.gpkg", "summary.json", *REPORT_FILES):
        assert (out / name).is_file(), name
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    r = CliRunner().invoke(cli, ["report", str(config), "--out", str(taken)])
    assert r.exit_code == 2
    assert "already exists" in r.output
    assert [p.name for p in taken.iterdir()] == ["keep.txt"]


def test_district_figure_caption_says_what_it_shows(plan_dir: Path, tmp_path: Path) -> None:
    """Before and after the plan when the plan has proposals; "now" when it stopped at
    the indicators (the chart has one series)."""
    assert "Phủ sóng 4G theo huyện, trước và sau quy hoạch" in _docx_text(
        plan_dir / "report.docx")[0]
    config = write_good_project(tmp_path / "project", _config={"coverage": _WEAK})
    write_plan(run_plan(load_config(config), until="indicators", progress=False),
               tmp_path / "plan")
    text = _docx_text(tmp_path / "plan" / "report.docx")[0]
    assert "Phủ sóng 4G theo huyện, hiện trạng" in text
    assert "trước và sau quy hoạch" not in text


# --- charts -------------------------------------------------------------------------------

def test_district_chart_bars_are_the_district_figures(plan_dir: Path) -> None:
    d = gpd.read_file(plan_dir / "plan.gpkg", layer="districts")
    d = pd.concat([d, d.assign(district_code="999", district_name="Huyện B",
                               pop_covered_pct_4g=np.nan, pop_covered_pct_4g_planned=55.0)])
    fig = charts.district_coverage_chart(d, lang="vi")
    assert isinstance(fig, Figure)
    assert Gcf.get_num_fig_managers() == 0
    ax = fig.axes[0]
    now, after = ax.containers[0], ax.containers[1]
    assert [b.get_width() for b in now] == pytest.approx(
        [float(d["pop_covered_pct_4g"].iloc[0]), 0.0])
    assert [b.get_width() for b in after] == pytest.approx(
        d["pop_covered_pct_4g_planned"].tolist())
    labels = [t.get_text() for t in ax.texts]
    assert "không có số liệu" in labels  # the unknown share is said, not drawn as 0
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Thành phố Pleiku", "Huyện B"]
    assert ax.get_xlabel() == "Tỷ lệ dân số được phủ sóng 4G (%)"
    en = charts.district_coverage_chart(d, lang="en").axes[0]
    assert en.get_xlabel() == "Population covered by 4G (%)"


def test_phases_chart_draws_spend_budget_and_coverage(plan_dir: Path) -> None:
    p = pd.read_csv(plan_dir / "phases.csv")
    fig = charts.phases_chart(p, tower_budget_vnd_per_year=2e10, fiber_budget_vnd_per_year=1e10)
    ax, ax2 = fig.axes
    assert [b.get_height() for b in ax.containers[0]] == pytest.approx(
        (p["tower_spend_vnd"] / 1e9).tolist())
    assert [b.get_height() for b in ax.containers[1]] == pytest.approx(
        (p["fiber_spend_vnd"] / 1e9).tolist())
    budgets = sorted(line.get_ydata()[0] for line in ax.lines)
    assert budgets == pytest.approx([10.0, 20.0])
    assert list(ax2.lines[0].get_ydata()) == pytest.approx(p["pop_covered_pct_4g"].tolist())
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(y) for y in p["year"]]


def test_gain_curve_ends_at_the_totals(plan_dir: Path) -> None:
    t = gpd.read_file(plan_dir / "plan.gpkg", layer="towers_proposed")
    x, y = charts.gain_curve_chart(t.iloc[::-1]).axes[0].lines[0].get_data()
    assert (x[0], y[0]) == (0.0, 0.0)
    assert x[-1] == pytest.approx(t["total_cost_vnd"].sum() / 1e9)
    assert y[-1] == pytest.approx(t["pop_gain"].sum())
    by_rank = t.sort_values("rank")
    assert y[1] == pytest.approx(by_rank["pop_gain"].iloc[0])  # rank order, not row order
    assert np.all(np.diff(x) > 0)
    assert np.all(np.diff(y) >= 0)
    area = t.assign(pop_gain=np.nan, area_gain_km2=[2.0, 3.0])
    ax = charts.gain_curve_chart(area, lang="en").axes[0]
    assert ax.lines[0].get_data()[1][-1] == pytest.approx(5.0)
    assert ax.get_ylabel() == "Area newly covered (km²)"


def test_charts_refuse_an_unknown_language(plan_dir: Path) -> None:
    p = pd.read_csv(plan_dir / "phases.csv")
    with pytest.raises(ValueError, match="lang"):
        charts.phases_chart(p, lang="fr")  # type: ignore[arg-type]
