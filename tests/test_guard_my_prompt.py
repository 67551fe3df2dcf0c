"""How to guard your own prompt in CI with a recorded cassette (our prompts are guarded this way).

1. Record once against your live endpoint:
       paperbrief record papers/ --cassette tests/cassettes/my.yaml -o /tmp/rec
2. Commit the cassette (Authorization and keys are filtered out).
3. Keep this test: it replays offline and fails when a prompt edit invalidates the recording
   (re-record, review the new briefs, commit) or when any recorded brief breaks the contract.
"""

from __future__ import annotations

from pathlib import Path

import make_samples
import pytest

from pipeline.brief.prompts import load_prompt
from pipeline.run.regress import regress

PAPERS = Path(__file__).resolve().parent.parent / "inputs"
CASSETTE = make_samples.CASSETTE
PROMPT = None  # your prompt file; None is prompts/brief.yaml


@pytest.fixture(scope="module")
def rows(sample_dir):
    folder = PAPERS if any(PAPERS.glob("*.pdf")) else sample_dir
    return regress(folder, CASSETTE, load_prompt(PROMPT))


def test_prompt_still_matches_the_recording(rows):
    changed = {r.file: r.prompt_diff for r in rows if not r.prompt_matches}
    assert not changed, f"prompt changed, re-record the cassette: {changed}"


def test_every_recorded_brief_passes_the_validators(rows):
    broken = {r.file: r.failed_checks for r in rows if not r.validators_pass}
    assert not broken, broken
