"""Report lines: every line ends as an item or an InputError saying where and why, never a crash."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.config import HubConfig
from liaison.errors import InputError
from liaison.ingest.reports import FIELDS, ReportContext, parse_report

NOW = datetime(2026, 11, 29, tzinfo=UTC)
GOOD = {
    "id": "r1",
    "kind": "report",
    "area": "maritime-security",
    "label": "NATO RESTRICTED // REL TO JPN, USA",
    "originators": ["JPN"],
    "time": "2026-11-28T00:00:00Z",
    "title": "t",
    "body": "b",
    "sources": [],
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def ctx(demo_config: HubConfig) -> ReportContext:
    feed = demo_config.feed("jpn-reports")
    assert feed is not None
    return ReportContext(
        feed, demo_config.policy, demo_config.areas, [p.id for p in demo_config.partners], NOW
    )


def test_a_good_line(ctx: ReportContext) -> None:
    report = parse_report(json.dumps(GOOD), "f:1", ctx)
    assert report.item.id == "r1"
    assert report.timed


@settings(max_examples=400)
@given(st.sampled_from(sorted(FIELDS)), json_values)
def test_any_value_in_any_field_is_an_item_or_an_input_error(
    ctx: ReportContext, field: str, value: Any
) -> None:
    line = json.dumps({**GOOD, field: value})
    try:
        parse_report(line, "f:7", ctx)
    except InputError as exc:
        error = exc
    else:
        return
    assert error.where == "f:7"
    assert error.reason


@given(st.text(max_size=60))
def test_any_text_is_an_item_or_an_input_error(ctx: ReportContext, line: str) -> None:
    try:
        parse_report(line, "f:3", ctx)
    except InputError as exc:
        error = exc
    else:
        return
    assert error.where == "f:3"


def test_a_repeated_field_is_refused(ctx: ReportContext) -> None:
    line = '{"title": "t", "label": "NATO SECRET // REL TO JPN", "label": "NATO RESTRICTED // REL TO JPN, NATO"}'
    with pytest.raises(InputError, match="'label' is given more than once"):
        parse_report(line, "f:1", ctx)


def test_a_non_string_kind_is_refused(ctx: ReportContext) -> None:
    with pytest.raises(InputError, match="kind"):
        parse_report(json.dumps({**GOOD, "kind": ["report"]}), "f:1", ctx)


def test_a_report_without_time_takes_the_ingest_time(ctx: ReportContext) -> None:
    report = parse_report(json.dumps({"title": "t"}), "f:1", ctx)
    assert report.item.time == NOW
    assert not report.timed
    assert report.item.originators == frozenset({"JPN"})
    assert report.item.id.startswith("report--")
    # The id is a function of the content: the same report gets the same id.
    assert parse_report(json.dumps({"title": "t"}), "f:9", ctx).item.id == report.item.id
