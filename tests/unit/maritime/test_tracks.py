from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from liaison.maritime.tracks import Fix, Tracker


def fix(mmsi: int, t: float) -> Fix:
    return Fix(mmsi, t, 25.0, 125.0, 10.0, 90.0, 90, "b")


@given(st.lists(st.tuples(st.integers(1, 3), st.floats(0, 3600)), max_size=60), st.floats(0, 900))
def test_fixes_come_out_in_time_order_per_vessel(
    fixes: list[tuple[int, float]], window: float
) -> None:
    """An independent oracle: whatever comes out is each vessel's input in time order, minus the late."""
    tracker = Tracker(window_s=window)
    released = [pair for m, t in fixes for pair in tracker.add(fix(m, t))]
    released += list(tracker.drain())
    assert len(released) + tracker.late == len(fixes)
    by_vessel: dict[int, list[float]] = {}
    for f, previous in released:
        times = by_vessel.setdefault(f.mmsi, [])
        if previous is not None:
            assert previous.time == times[-1]
        else:
            assert not times
        times.append(f.time)
    for times in by_vessel.values():
        assert times == sorted(times)


def test_out_of_order_within_the_window_is_reordered() -> None:
    tracker = Tracker(window_s=600)
    out = [f.time for t in (0, 120, 60, 180, 2000) for f, _ in tracker.add(fix(1, t))]
    out += [f.time for f, _ in tracker.drain()]
    assert out == [0, 60, 120, 180, 2000]
    assert tracker.late == 0


def test_a_fix_older_than_what_was_released_is_late() -> None:
    tracker = Tracker(window_s=60)
    list(tracker.add(fix(1, 0)))
    list(tracker.add(fix(1, 1000)))  # releases t=0
    list(tracker.add(fix(1, 2000)))  # releases t=1000
    assert list(tracker.add(fix(1, 500))) == []
    assert tracker.late == 1
    assert tracker.tracks[1].last is not None
    assert tracker.tracks[1].last.time == 1000
