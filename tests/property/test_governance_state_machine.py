"""The silence procedure as a state machine, on a real store, against an independent model.

Random sequences of acts — submissions, concurrences, breaks, withdrawals and amendments by
members and non-members of the governing body (and by a stranger to the hub), clock advances,
ticks, restarts and a second process ticking on the same file — are run on the demo hub and on a
model written from the issue's rules. After every act the store's acts (who, what, when, which
version), the policy head and the engine's version are the model's; at the end, past every
deadline, each proposal ended in exactly one of passed / failed / withdrawn / superseded, a
proposal with a break is failed, and each passed proposal made exactly one policy version: the
version before it plus its change set, as the oracle below expects it (written from the
change sets, not from `apply_change`).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from liaison.config import ConfigSource, HubConfig, parse_config
from liaison.demo import load_demo
from liaison.errors import ConfigError, Conflict, Forbidden, InputError
from liaison.governance.changes import apply_change, parse_change
from liaison.governance.model import CLOSING
from liaison.governance.procedure import HUB
from liaison.hub import Hub
from liaison.model.agreements import Agreement
from liaison.model.feeds import Feed
from liaison.policy.labels_io import label_from_short

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PARTNERS = ("NATO", "USA", "FRA", "GBR", "DEU", "LTU", "JPN", "KOR", "AUS", "NZL")
STRANGER = "CHN"  # not a partner of the hub at all
ACTORS = (*PARTNERS, STRANGER)
NATO_MEMBERS = frozenset({"USA", "FRA", "GBR", "DEU", "LTU"})
KOR_AIS_LABEL = "NATO RESTRICTED // REL TO KOR"

Shape = tuple[tuple[str, ...], tuple[object, ...], tuple[object, ...], tuple[object, ...]]


def shape(config: HubConfig) -> Shape:
    """What a change set may change: areas, partners, agreements, feeds."""
    return config.areas, config.partners, config.agreements, config.feeds


# --- the change sets, each with its governing body and its effect, written by hand from
# demo-hub.toml and the issue (not computed by the code under test) --------------------------


@dataclass(frozen=True)
class Option:
    key: str
    text: str
    body: frozenset[str]
    touches: frozenset[str]
    effect: Callable[[HubConfig, datetime], Shape]  # the configuration after it, passed at `at`
    valid: Callable[[Model], bool] = lambda _: True  # can it be applied to the model's config?


def _agreement(
    change: Callable[[Agreement, datetime], Agreement], agreement_id: str
) -> Callable[[HubConfig, datetime], Shape]:
    def effect(old: HubConfig, at: datetime) -> Shape:
        agreements = tuple(change(a, at) if a.id == agreement_id else a for a in old.agreements)
        return old.areas, old.partners, agreements, old.feeds

    return effect


def _add_arctic(old: HubConfig, at: datetime) -> Shape:
    # An agreement covering "all" areas covers the new one too.
    every = frozenset(old.areas)
    agreements = tuple(
        replace(a, areas=a.areas | {"arctic"}) if a.areas == every else a for a in old.agreements
    )
    return (*old.areas, "arctic"), old.partners, agreements, old.feeds


def _drop_nzl_feed(old: HubConfig, at: datetime) -> Shape:
    feeds = tuple(f for f in old.feeds if f.id != "nzl-reports")
    return old.areas, old.partners, old.agreements, feeds


def _add_kor_ais(old: HubConfig, at: datetime) -> Shape:
    label = label_from_short(KOR_AIS_LABEL, old.policy)
    feed = Feed("kor-ais", "KOR", "maritime-security", label, "position")
    return old.areas, old.partners, old.agreements, (*old.feeds, feed)


OPTIONS = {
    o.key: o
    for o in [
        Option(
            "jpn-kinds",
            'rationale = "Tracks for Japan."\n[[amend_agreement]]\nid = "itpp-jpn"\n'
            'add_kinds = ["position", "track", "event"]\n',
            NATO_MEMBERS | {"JPN"},  # an ITPP: the organisation's members and the partner
            frozenset({"agreement:itpp-jpn"}),
            _agreement(
                lambda a, at: replace(
                    a, kinds=(a.kinds or frozenset()) | {"position", "track", "event"}
                ),
                "itpp-jpn",
            ),
        ),
        Option(
            "jpn-usa-space",
            'rationale = "Space too."\n[[amend_agreement]]\nid = "jpn-usa"\nadd_areas = ["space"]\n',
            frozenset({"JPN", "USA"}),  # a bilateral: its two parties only
            frozenset({"agreement:jpn-usa"}),
            _agreement(lambda a, at: replace(a, areas=a.areas | {"space"}), "jpn-usa"),
        ),
        Option(
            "aus-confidential",
            'rationale = "Raise the ceiling."\n[[amend_agreement]]\nid = "itpp-aus"\n'
            'max_classification = "CONFIDENTIAL"\n',
            NATO_MEMBERS | {"AUS"},
            frozenset({"agreement:itpp-aus"}),
            _agreement(lambda a, at: replace(a, max_classification="CONFIDENTIAL"), "itpp-aus"),
        ),
        Option(
            "end-nzl",
            'rationale = "The programme ends."\n[[terminate_agreement]]\nid = "itpp-nzl"\n',
            NATO_MEMBERS | {"NZL"},
            frozenset({"agreement:itpp-nzl"}),
            _agreement(lambda a, at: replace(a, in_force_until=at), "itpp-nzl"),
            lambda m: not m.nzl_ended,  # ended: terminating it again is refused
        ),
        Option(
            "arctic",
            'rationale = "The High North."\n[[add_area]]\nname = "arctic"\n',
            NATO_MEMBERS,  # areas: the members of the hub's organisations
            frozenset({"areas"}),
            _add_arctic,
            lambda m: not m.arctic,
        ),
        Option(
            "drop-nzl-feed",
            'rationale = "Unused."\n[[remove_feed]]\nid = "nzl-reports"\n',
            frozenset({"NZL"}),  # a feed: its originator
            frozenset({"feed:nzl-reports"}),
            _drop_nzl_feed,
            lambda m: "nzl-reports" in m.feeds,
        ),
        Option(
            "kor-ais",
            'rationale = "Korean AIS."\n[[add_feed]]\nid = "kor-ais"\noriginator = "KOR"\n'
            f'area = "maritime-security"\nkind = "position"\nlabel = "{KOR_AIS_LABEL}"\n',
            frozenset({"KOR"}),
            frozenset({"feed:kor-ais"}),
            _add_kor_ais,
            lambda m: "kor-ais" not in m.feeds,
        ),
    ]
}

# --- acts --------------------------------------------------------------------------------------

PROPOSER = "<proposer>"
Who = str | int  # a name, the n-th member (sorted, modulo) of the body concerned, or PROPOSER


@dataclass(frozen=True)
class Submit:
    option: str
    who: Who
    hours: int  # the deadline, from now


@dataclass(frozen=True)
class Concur:
    target: int  # the n-th proposal (modulo)
    who: Who


@dataclass(frozen=True)
class Break:
    target: int
    who: Who
    reason: str


@dataclass(frozen=True)
class Withdraw:
    target: int
    who: Who


@dataclass(frozen=True)
class Amend:
    target: int
    who: Who
    option: str
    hours: int


@dataclass(frozen=True)
class Advance:
    hours: int


@dataclass(frozen=True)
class Tick:
    pass


@dataclass(frozen=True)
class Restart:
    """The hub stops and starts again on the same file, and looks at its deadlines."""


@dataclass(frozen=True)
class OtherProcess:
    """A second hub on the same file ticks (and stops)."""


Step = Submit | Concur | Break | Withdraw | Amend | Advance | Tick | Restart | OtherProcess

who = st.one_of(st.sampled_from(ACTORS), st.integers(0, 5), st.just(PROPOSER))
target = st.integers(0, 5)
option = st.sampled_from(sorted(OPTIONS))
hours = st.sampled_from([1, 24, 72, 168, 0])  # 0: not in the future
steps = st.one_of(
    st.builds(Submit, option, who, hours),
    st.builds(Concur, target, who),
    st.builds(Break, target, who, st.sampled_from(["not ready", "objection", "wrong area", " "])),
    st.builds(Withdraw, target, who),
    st.builds(Amend, target, who, option, hours),
    st.builds(Advance, st.sampled_from([1, 12, 48, 100, 200])),
    st.just(Tick()),
    st.just(Restart()),
    st.just(OtherProcess()),
)
first = st.builds(Submit, option, st.integers(0, 5), st.sampled_from([1, 24, 168]))

# --- the model ---------------------------------------------------------------------------------

ActRow = tuple[str, str, str, datetime, int | None]  # proposal, kind, member, at, version


@dataclass
class ModelProposal:
    id: str
    option: Option
    proposer: str
    deadline: datetime
    state: str = "circulating"
    concurred: set[str] = field(default_factory=set)
    broken: bool = False  # a member's break was accepted
    version: int | None = None
    passed_at: datetime | None = None  # when its change took effect


@dataclass
class Model:
    clock: list[datetime]
    proposals: list[ModelProposal] = field(default_factory=list)
    acts: list[ActRow] = field(default_factory=list)
    head: int = 1
    arctic: bool = False
    nzl_ended: bool = False
    feeds: set[str] = field(default_factory=lambda: {"nzl-reports"})

    @property
    def now(self) -> datetime:
        return self.clock[0]

    def act(self, p: ModelProposal, kind: str, member: str, version: int | None = None) -> None:
        self.acts.append((p.id, kind, member, self.now, version))

    def tick(self) -> None:
        due = [p for p in self.proposals if p.state == "circulating" and p.deadline <= self.now]
        for p in sorted(due, key=lambda p: p.deadline):  # stable: in submission order
            self.passes(p)

    def passes(self, p: ModelProposal) -> None:
        # Proposals touching the same object are serialised and the options never touch each
        # other's objects, so a proposal valid when submitted still applies at its deadline.
        self.head += 1
        p.state, p.version, p.passed_at = "passed", self.head, min(self.now, p.deadline)
        self.act(p, "passed", HUB, self.head)
        self.arctic |= p.option.key == "arctic"
        self.nzl_ended |= p.option.key == "end-nzl"
        if p.option.key == "drop-nzl-feed":
            self.feeds.discard("nzl-reports")
        if p.option.key == "kor-ais":
            self.feeds.add("kor-ais")

    def open_to(self, p: ModelProposal, member: str) -> type[Exception] | None:
        self.tick()
        if member not in p.option.body:
            return Forbidden
        if p.state != "circulating":
            return Conflict
        return None

    def submit(
        self, o: Option, by: str, deadline: datetime, old: ModelProposal | None = None
    ) -> type[Exception] | None:
        self.tick()
        if deadline <= self.now:
            return InputError
        if by not in PARTNERS:
            return Forbidden
        if not o.valid(self):
            return ConfigError
        if by not in o.body:
            return Forbidden
        if old is not None and old.proposer != by:
            return Forbidden
        if old is not None and old.state != "circulating":
            return Conflict
        for other in self.proposals:
            if (
                other.state == "circulating"
                and other is not old
                and other.option.touches & o.touches
            ):
                return Conflict
        p = ModelProposal(f"P-{len(self.proposals) + 1}", o, by, deadline)
        self.proposals.append(p)
        self.act(p, "submitted", by)
        if old is not None:
            old.state = "superseded"
            self.act(old, "superseded", by)
        return None

    def concur(self, p: ModelProposal, member: str) -> type[Exception] | None:
        refused = self.open_to(p, member)
        if refused is not None or member in p.concurred:
            return refused or Conflict
        p.concurred.add(member)
        self.act(p, "concur", member)
        if p.option.body <= p.concurred | {p.proposer}:
            self.passes(p)  # everyone agreed: no need to wait for the deadline
        return None

    def break_silence(self, p: ModelProposal, member: str, reason: str) -> type[Exception] | None:
        refused = self.open_to(p, member)  # membership first: a non-member is refused outright
        if refused is None and not reason.strip():
            return InputError  # a member breaking silence says why
        if refused is None:
            p.state, p.broken = "failed", True
            self.act(p, "break", member)
        return refused

    def withdraw(self, p: ModelProposal, member: str) -> type[Exception] | None:
        refused = self.open_to(p, member)
        if refused is None and member != p.proposer:
            refused = Forbidden
        if refused is None:
            p.state = "withdrawn"
            self.act(p, "withdraw", member)
        return refused


# --- the run -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template() -> Iterator[Path]:
    """The demo hub at T0, made once: each example runs on a copy of the file."""
    with tempfile.TemporaryDirectory(prefix="liaison-gov-") as tmp:
        path = Path(tmp) / "template.db"
        hub = Hub.open(path, clock=lambda: T0)
        load_demo(hub)
        hub.close()
        yield path


class Run:
    def __init__(self, path: Path, model: Model) -> None:
        self.path, self.model = path, model
        self.hub = Hub.open(path, clock=lambda: model.clock[0])

    def restart(self) -> None:
        self.hub.close()
        self.hub = Hub.open(self.path, clock=lambda: self.model.clock[0])
        self.hub.governance.tick()
        self.model.tick()

    def other_process(self) -> None:
        other = Hub.open(self.path, clock=lambda: self.model.clock[0])
        try:
            other.governance.tick()
        finally:
            other.close()
        self.model.tick()

    def rows(self) -> list[ActRow]:
        return [
            (a.proposal, a.kind.value, a.member, a.at, a.version) for a in self.hub.store.acts()
        ]

    def step(self, step: Step) -> None:
        m, gov = self.model, self.hub.governance
        if isinstance(step, Advance):
            m.clock[0] += timedelta(hours=step.hours)
            return
        if isinstance(step, Tick):
            gov.tick()
            m.tick()
            return
        if isinstance(step, Restart):
            self.restart()
            return
        if isinstance(step, OtherProcess):
            self.other_process()
            return
        if isinstance(step, Submit):
            o = OPTIONS[step.option]
            by = name(step.who, o.body, None)
            deadline = m.now + timedelta(hours=step.hours)
            self.expect(m.submit(o, by, deadline), by, lambda: gov.submit(by, o.text, deadline))
            return
        if not m.proposals:
            return
        p = m.proposals[step.target % len(m.proposals)]
        member = name(step.who, p.option.body, p.proposer)
        if isinstance(step, Concur):
            self.expect(m.concur(p, member), member, lambda: gov.concur(p.id, member))
        elif isinstance(step, Break):
            reason = step.reason
            expected = m.break_silence(p, member, reason)
            self.expect(expected, member, lambda: gov.break_silence(p.id, member, reason))
        elif isinstance(step, Withdraw):
            self.expect(m.withdraw(p, member), member, lambda: gov.withdraw(p.id, member))
        else:
            o = OPTIONS[step.option]
            deadline = m.now + timedelta(hours=step.hours)
            expected = m.submit(o, member, deadline, old=p)
            self.expect(expected, member, lambda: gov.amend(p.id, member, o.text, deadline))

    def expect(self, error: type[Exception] | None, member: str, act: Callable[[], object]) -> None:
        before = [r for r in self.rows() if r[2] != HUB]
        if error is None:
            act()
            return
        with pytest.raises(error) as raised:
            act()
        assert type(raised.value) is error, raised.value
        # A refused act leaves no trace of its own (the hub may have decided a due proposal).
        assert [r for r in self.rows() if r[2] != HUB] == before, member

    def check(self) -> None:
        m, store = self.model, self.hub.store
        assert self.rows() == m.acts
        assert store.policy_head() == m.head
        assert self.hub.policy_version == m.head  # the engine follows the store
        for p in m.proposals:
            standing = self.hub.governance.standing(p.id)
            assert standing.state.value == p.state, p.id
            assert standing.proposal.body == p.option.body, p.id  # the body, as written by hand
            assert standing.proposal.touches == p.option.touches, p.id


def name(who: Who, body: frozenset[str], proposer: str | None) -> str:
    if who == PROPOSER:
        return proposer or sorted(body)[0]
    return who if isinstance(who, str) else sorted(body)[who % len(body)]


@settings(max_examples=60, deadline=None)
@given(first=first, rest=st.lists(steps, min_size=5, max_size=16))
def test_silence_procedure_against_the_model(
    template: Path, first: Submit, rest: list[Step]
) -> None:
    with tempfile.TemporaryDirectory(prefix="liaison-gov-") as tmp:
        path = Path(tmp) / "hub.db"
        shutil.copy(template, path)
        model = Model([T0])
        run = Run(path, model)
        try:
            run.step(first)
            assert len(model.proposals) == 1, "the first submission is by a member of the body"
            for step in rest:
                run.step(step)
                run.check()
            # Past every deadline, however the hub comes to look: each proposal is decided.
            model.clock[0] += timedelta(days=30)
            run.restart()
            run.other_process()
            run.hub.governance.tick()
            run.check()
            final(run)
        finally:
            run.hub.close()


def final(run: Run) -> None:
    m, store = run.model, run.hub.store
    closing = {k.value for k in CLOSING}
    for p in m.proposals:
        standing = run.hub.governance.standing(p.id)
        assert standing.state.value in {"passed", "failed", "withdrawn", "superseded"}
        # Exactly one closing act, however many ticks, restarts and processes looked.
        assert len([a for a in standing.acts if a.kind.value in closing]) == 1, standing.acts
        if p.broken:
            assert standing.state.value == "failed"
        early = p.passed_at is not None and p.passed_at < p.deadline
        event(f"{p.state}{' early' if early else ''}")  # see --hypothesis-show-statistics
    passed = sorted((p for p in m.proposals if p.state == "passed"), key=lambda p: p.version or 0)
    # Each passed proposal made exactly one version, and every new version is one of theirs.
    assert [p.version for p in passed] == list(range(2, store.policy_head() + 1))
    for p in passed:
        assert p.version is not None
        assert p.passed_at is not None
        before, after = store.policy_version(p.version - 1), store.policy_version(p.version)
        old, new = parse_config(before.source), parse_config(after.source)
        assert shape(new) == p.option.effect(old, p.passed_at), p
        text = apply_change(parse_change(p.option.text), before.source.text, p.passed_at)
        applied = parse_config(ConfigSource(text, before.source.spif, "applied"))
        assert shape(new) == shape(applied)
        assert after.source.spif == before.source.spif
