"""report.csv: one row a paper beside report.md, readable by a spreadsheet as it is."""

from __future__ import annotations

import csv
import io

import make_samples

from pipeline.cli import main


def test_csv_has_a_row_a_paper_with_a_bom(samples, tmp_path, fake_model):
    (samples / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    bad = make_samples.SAMPLES[0]
    fake_model.replies[bad.title] = "=HYPERLINK(\"http://x\")"  # fails its checks: no brief, and a formula never runs
    out = tmp_path / "out"
    assert main(["run", str(samples), "-o", str(out), "--base-url", fake_model.base_url, "--api-key", "k"]) == 1
    data = (out / "report.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == ["file", "title", "institutions", "author_count", "topic", "relevant", "arxiv_id", "doi",
                             "brief", "failure"]
    by_file = {r["file"]: r for r in rows}
    assert set(by_file) == {s.file for s in make_samples.SAMPLES} | {"broken.pdf"}
    good = next(s for s in make_samples.SAMPLES if s is not bad)
    assert by_file[good.file]["title"] == good.title and by_file[good.file]["brief"] == good.brief
    assert by_file[good.file]["failure"] == "" and by_file[good.file]["author_count"].isdigit()
    assert by_file[bad.file]["brief"] == "" and by_file[bad.file]["failure"].startswith("未通过检查: ")
    assert by_file["broken.pdf"]["failure"].startswith("无法读取: ")
    assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values())
