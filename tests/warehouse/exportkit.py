"""A small, realistic consultation in a real DuckDB warehouse, for the export tests (no clustering model needed).

Comments start as Graph API payloads with real-looking names and user ids, go through the real pseudonymisation and
loads, and the ideas through the real redaction; two topic runs show change since the last run.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pandas as pd

from models.corrections import corrected_kinds
from transforms.pseudonym import pseudonymise_comments
from transforms.records import comments_table
from transforms.redact import redact_tags
from transforms.select import comment_kinds
from warehouse import db, load, queries

SLUG = "motorvej"
TITLE = "Idéer til overdækningen af motorvejen"
PAGE_ID = "169211373112345"
POST_ID = f"{PAGE_ID}_10152398154407346"
SALT = b"export-test-salt"
GENERATED_AT = dt.datetime(2014, 5, 21, 8, 30, tzinfo=dt.UTC)

PEOPLE = {  # Facebook user id -> name: none of this may reach an export
    "100004455667788": "Mette Kirstine Hansen",
    "100001122334455": "Jens Peter Sørensen",
    "100009988776655": "Birgitte Lykke Nørgaard",
    "100003344556677": "Lars Ove Kristiansen",
    "100006677889900": "Signe Marie Dalgaard",
}
USER_IDS = list(PEOPLE)

# (comment number, author index, day in May 2014, likes, text, topic in run 1, topic in run 2); topic None = not an idea
COMMENTS = [
    (1, 0, 2, 14, "Hvad med en stor park med masser af træer og bænke oven på motorvejen?", 1, 1),
    (2, 1, 2, 9, "Det kunne være fedt med en skaterbane til de unge, gerne med lys om aftenen", 2, 2),
    (3, 2, 3, 21, "Plant frugttræer og lav en lille bypark hvor man kan sidde i solen", 1, 1),
    (4, 3, 3, 3, "Der mangler parkering ved stationen, lav en p-plads i den ene ende", 4, None),
    (5, 4, 4, 7, "En legeplads med klatrestativ og sandkasse til de mindste børn", None, 3),
    (6, 0, 5, 2, "Tak for at I spørger os 👍", None, None),
    (7, 1, 5, 0, "@Mette Kirstine Hansen se her!", None, None),
    (8, 2, 6, 11, "Græsplæne og træer så det bliver en grøn lunge midt i byen 🌳", 1, 1),
    (9, 3, 6, 4, "Flere p-pladser til pendlerne tak, ring til mig på 23 45 67 89 hvis I vil høre mere", 4, None),
    (10, 4, 7, 6, "Boldbane og udendørs fitness, så der er sport for alle aldre", 2, 2),
    (11, 0, 8, 1, "Jeg synes bare det er spild af penge", None, None),
    (12, 1, 9, 5, "Skriv til mette.hansen@example.com, hun har tegnet en park med træer og en sø", 1, 1),
    (13, 2, 11, 8, "Legeplads med vandleg til børnene om sommeren", None, 3),
    (14, 3, 12, 12, "En bypark med blomster, træer og bænke hvor man kan spise sin madpakke", None, 1),
    (15, 4, 13, 3, "Parkering under overdækningen ville give plads oven på", 4, None),
    (16, 0, 14, 9, "Lav en skaterpark og en parkour-bane for de unge", 2, 2),
    (17, 1, 15, 4, "Børnene mangler en legeplads i Nordbyen, gerne med gynger", None, 3),
    (18, 2, 16, 2, "Mit CPR er 010203-1234 og jeg synes der skal være en hundeskov", 0, 0),
    (19, 3, 17, 6, "Træer og en park med en lille sø og ænder, det ville løfte hele kvarteret", None, 1),
    (20, 4, 18, 5, "En legeplads for både små og store børn med bålplads", None, 3),
    (21, 0, 19, 1, "Hvornår starter byggeriet?", None, None),
    (22, 1, 19, 3, "Et sted til loppemarked om søndagen", None, 0),
    (23, 2, 20, 7, "Park med træer, blomster og en kiosk med is @Jens Peter Sørensen", None, 1),
]
TAGGED = {7: ("Mette Kirstine Hansen", "100004455667788"), 23: ("Jens Peter Sørensen", "100001122334455")}
PAGE_REPLY = (24, 2, 3, "Tak for din idé! Vi tager den med i arbejdet. /Anne, Silkeborg Kommune")

RUN_1_AT = dt.datetime(2014, 5, 12, 6, 0, tzinfo=dt.UTC)
RUN_2_AT = dt.datetime(2014, 5, 20, 6, 0, tzinfo=dt.UTC)
LABELS = {0: "Andet", 1: "Park og træer", 2: "Skaterbane og sport", 3: "Legeplads og børn", 4: "Parkering"}
KEYWORDS = {0: "hundeskov; loppemarked", 1: "park; træer; bænke; bypark", 2: "skaterbane; unge; sport",
            3: "legeplads; børn; gynger", 4: "parkering; p-pladser; pendlere"}


def _payload(number: int, author: int, day: int, likes: int, text: str) -> dict:
    user_id = USER_IDS[author]
    comment = {
        "id": f"10152398154407346_{number:04d}",
        "message": text,
        "created_time": f"2014-05-{day:02d}T{8 + number % 10:02d}:{number:02d}:00+0000",
        "from": {"id": user_id, "name": PEOPLE[user_id]},
        "like_count": likes,
        "comment_count": number % 3,
    }
    if number in TAGGED:
        name, tag_id = TAGGED[number]
        comment["message_tags"] = [{"id": tag_id, "name": name, "type": "user", "offset": text.index(name),
                                    "length": len(name)}]
    return comment


def payloads() -> list[dict]:
    """The Graph API comments as Facebook sends them (names and user ids included), plus one reply by the Page."""
    comments = [_payload(n, a, d, likes, text) for n, a, d, likes, text, _, _ in COMMENTS]
    n, parent, day, text = PAGE_REPLY
    comments.append({
        "id": f"10152398154407346_{n:04d}", "message": text, "created_time": f"2014-05-{day:02d}T12:00:00+0000",
        "from": {"id": PAGE_ID, "name": "Silkeborg Kommune"}, "parent": {"id": f"10152398154407346_{parent:04d}"},
        "like_count": 1, "comment_count": 0,
    })
    return comments


def _ideas(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    rows = con.execute("select comment_id, author_key, created_at, like_count, reply_count from stg_comments").df()
    by_id = rows.set_index("comment_id")
    raw = {c["id"]: c for c in payloads()}
    out = []
    for n, *_ignored, run_2 in COMMENTS:
        if run_2 is None:
            continue
        cid = f"10152398154407346_{n:04d}"
        out.append({
            "idea_id": cid, "consultation": SLUG, "channel": "facebook",
            "text": redact_tags(raw[cid]["message"], raw[cid].get("message_tags")),
            "created_at": by_id.loc[cid, "created_at"], "like_count": int(by_id.loc[cid, "like_count"]),
            "reply_count": int(by_id.loc[cid, "reply_count"]), "author_key": by_id.loc[cid, "author_key"],
        })
    return pd.DataFrame(out)


def _kinds(con: duckdb.DuckDBPyConnection, ideas: set[str]) -> pd.DataFrame:
    """Every comment's kind as detection gives it, with the ideas of this consultation as planners would have them
    (the rules' ideas that are not ideas here are excluded: off topic, with the reason)."""
    kinds = comment_kinds(queries.comments_for_analysis(con, SLUG))
    return corrected_kinds(kinds, {i: i in ideas for i in kinds["comment_id"]})


def _topic_run(ideas: pd.DataFrame, column: int, previous: dict[int, int] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    placed = {f"10152398154407346_{c[0]:04d}": c[column] for c in COMMENTS if c[column] is not None}
    keys = {f"10152398154407346_{c[0]:04d}": USER_IDS[c[1]] for c in COMMENTS}
    likes = {f"10152398154407346_{c[0]:04d}": c[3] for c in COMMENTS}
    assignments = pd.DataFrame({"idea_id": list(placed), "topic_id": list(placed.values())})
    assignments["score"] = 1.0 - assignments.index / 100
    assignments["rank"] = assignments.groupby("topic_id").cumcount() + 1
    topics = []
    for topic_id, group in assignments.groupby("topic_id"):
        ids = group["idea_id"].tolist()
        before = (previous or {}).get(topic_id)
        status = "new" if before is None else "growing" if len(ids) > before else (
            "shrinking" if len(ids) < before else "stable")
        topics.append({
            "topic_id": topic_id, "label": LABELS[topic_id], "keywords": KEYWORDS[topic_id], "n_ideas": len(ids),
            "n_authors": len({keys[i] for i in ids}), "total_likes": sum(likes[i] for i in ids), "status": status,
            "representative_ids": json.dumps(ids[:5]),
        })
    return pd.DataFrame(topics), assignments


def build(path: Path) -> duckdb.DuckDBPyConnection:
    """A migrated warehouse with the consultation's post, comments, ideas and two topic runs; returns a connection."""
    con = db.connect(path)
    load.save_post(con, {"id": POST_ID, "created_time": "2014-05-02T09:00:00+0000",
                         "message": "Hvad skal der være oven på motorvejen? 🛣🌳\n\nSkriv din idé herunder!\n"
                                    "/Anne, Silkeborg Kommune",
                         "permalink_url": "https://www.facebook.com/silkeborgkommune/posts/10152398154407346"},
                   SLUG, RUN_1_AT)
    pseudonymous = pseudonymise_comments(payloads(), SALT, PAGE_ID)
    load.save_scan(con, comments_table(pseudonymous, POST_ID, SLUG), post_id=POST_ID, run_id="r1", complete=True,
                   n_requests=1, now=RUN_1_AT)
    ideas = _ideas(con)
    load.replace_ideas(con, SLUG, ideas, "facebook", kinds=_kinds(con, set(ideas["idea_id"])))
    previous: dict[int, int] | None = None
    for run, column, at in (("r1", 5, RUN_1_AT), ("r2", 6, RUN_2_AT)):
        topics, assignments = _topic_run(ideas, column, previous)
        load.save_topic_run(con, topic_run_id=f"{run}:{SLUG}", run_id=run, consultation=SLUG, topics=topics,
                            assignments=assignments, params={"test": True}, now=at)
        previous = dict(zip(topics["topic_id"], topics["n_ideas"], strict=True))
    return con
