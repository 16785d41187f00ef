"""Filler words (how people feel or talk) never name a topic or show as a keyword."""

from __future__ import annotations

import pandas as pd

from models.topics import analyse


def test_filler_words_never_become_labels_or_keywords() -> None:
    texts = [f"Jeg elsker idéen, fedt hvis vi kunne komme til at få {thing}" for thing in
             ["en hundeskov", "en stor hundeskov", "hundeskov med hegn", "hundeskov ved søen", "en ny hundeskov"]]
    texts += [f"Tænk hvis vi kunne tage bussen {when}, det ville være fedt" for when in
              ["om natten", "hver halve time", "til skolen om morgenen", "i weekenden", "til stationen"]]
    texts += [f"Siden jeg flyttede har jeg set at vi mangler {thing}, elsker det" for thing in
              ["en cykelsti", "cykelstier til byen", "en bred cykelsti", "belyste cykelstier", "cykelsti til skolen"]]
    ideas = pd.DataFrame({"idea_id": [f"i{i}" for i in range(len(texts))], "text": texts,
                          "author_key": [f"a{i}" for i in range(len(texts))], "like_count": 0})
    run = analyse(ideas, language="da", k=3)
    shown = " ".join([*run.topics["label"], *run.topics["keywords"]]).lower()
    for filler in ("elsker", "fedt", "siden", "set", "tænk", "komme", "tage"):
        assert filler not in shown.replace("·", " ").replace(";", " ").split(), (filler, shown)
    assert any(word in shown for word in ("hundeskov", "cykelsti", "bus"))
