"""cluster-file speed (issue 20): a comment is split into clauses once per verdict, not once per step."""

from __future__ import annotations

import pytest

import transforms.ideas as ideas


@pytest.fixture
def clause_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = ideas._clauses

    def counted(message: str) -> list[str]:
        calls.append(message)
        return real(message)

    monkeypatch.setattr(ideas, "_clauses", counted)
    return calls


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Lav en hundeskov ved søen. Det ville være dejligt!", "idea"),  # a demand: the judgement reads its clauses
        ("Hvornår åbner biblioteket igen? Vi har ventet længe.", "question"),  # no demand: judged from the clauses
        ("Bussen kom for sent i går. Igen.", "complaint"),
    ],
)
def test_one_split_per_comment_and_the_same_verdict(message: str, kind: str, clause_calls: list[str]) -> None:
    verdict = ideas.rule_verdict(message)
    assert verdict.kind == kind
    assert len(clause_calls) == 1


def test_demand_reads_the_clauses_it_is_given() -> None:
    body = "Tak for mødet. Lav en sti langs åen!"
    assert ideas._demand(body) == ideas._demand(body, ideas._clauses(body)) == "imperative 'lav'"
    assert ideas._demand(body, ["Tak for mødet."]) is None  # the given clauses, not a split of its own
