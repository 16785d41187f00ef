"""Synthetic Facebook consultations of any size, for `make bench` (deterministic: same arguments, same data).

Danish-like text: about 30 latent topics, each with its own nouns, written in proposal, wish, question, thank-you,
agreement, complaint and tag-only styles, padded with filler words drawn from a Zipf distribution over a vocabulary
of real Danish words and made-up Danish-looking compounds (so the long tail of rare words is there). Posts have
lognormal sizes; about 30 % of comments are replies (some by the Page itself), a few tag a person, carry an
attachment instead of text, are hidden, or contain a phone number or e-mail; authors and likes are Zipf-distributed.

Shapes, one per stage:
- `consultation(n)`: a `facebook.json` dataset (docs/interfaces.md) for `sources.standin.GraphStandIn`;
- `graph_comments(dataset)`: comments as `FacebookReader.fetch_comments` returns them, for the transforms;
- `new_comments(dataset, n)`: extra comments to add to a running stand-in (an incremental run);
- `ideas_frame(n)`: `idea_id, text, author_key, like_count`, what `models.topics.analyse` takes.

    python benchmarks/synth.py 100000 --out /tmp/facebook.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PAGE_ID = "100000000000001"
PAGE_NAME = "Københavns Kommune"
START = dt.datetime(2019, 1, 7, 8, 0, tzinfo=dt.UTC)
COMMENTS_PER_POST = 2_000

TOPICS = [
    "cykelsti cykelparkering cykler cyklister cykelbro ladcykler",
    "legeplads gynger rutsjebane sandkasse klatrestativ børnefamilier",
    "træer blomster græsplæne bede frugttræer beplantning",
    "bænke borde siddepladser pavillon skygge læ",
    "belysning lamper gadelys lyskæder mørke tryghed",
    "parkering parkeringspladser p-huse biler beboerlicens",
    "busser stoppested køreplan busrute letbane metro",
    "fartbump hastighed fodgængere fodgængerfelt krydset trafiksikkerhed",
    "skole skolevej klasser lærere skolegård fritidsordning",
    "bibliotek bøger læsesal studiepladser arrangementer",
    "svømmehal svømning vandland sauna omklædning",
    "hundeskov hunde hundeposer hundeejere løbegård",
    "affald skraldespande genbrug sortering containere",
    "kunst vægmaleri skulptur gadekunst kunstnere",
    "marked loppemarked madmarked boder torvet",
    "café kiosk kaffe iskiosk spisested",
    "toiletter offentlige toiletter håndvask drikkevand vandpost",
    "skaterbane skateboard rampe løbehjul parkour",
    "fodbold fodboldbane kunstgræs mål boldbane",
    "basketball basketbane kurve streetbasket",
    "ældre ældrecenter seniorer gangbesvær rollatorer",
    "unge ungdomsklub fritid ungdomshus værested",
    "koncerter musik scene festival friluftsscene",
    "havnebad badebro badezone kajak vandsport",
    "søen åen vandløb regnvand klimasikring skybrud",
    "støj støjværn motorvej trafikstøj larm",
    "boliger almene boliger lejeboliger byggeri højhuse",
    "fitness udendørs fitness motionsredskaber løbesti",
    "naturlegeplads bålplads shelter udeliv",
    "elbiler ladestandere delebiler bilfri",
]
PLACES = ["pladsen", "åen", "søen", "skolen", "stationen", "parken", "havnen", "torvet", "hallen", "centret",
          "Nørrebro", "Valby", "Amager", "Vesterbro", "Bispebjerg", "Brønshøj", "Sydhavnen", "Østerbro"]
FILLER_CORE = """kommune område borgere plads sted by bydel vej gade hverdag sommer vinter weekend aften morgen
familier børn naboer lokale mennesker liv byliv fællesskab rum grønt miljø udsigt tid penge budget plan projekt
forslag løsning mulighed behov ønske brug adgang sikkerhed kvalitet stemning hygge glæde idé""".split()
SYLLABLES = ["for", "be", "ud", "op", "om", "an", "over", "under", "sam", "gen", "hoved", "by", "land", "vand",
             "skov", "mark", "hus", "gård", "vej", "bro", "tor", "kirke", "sko", "lys", "grøn", "fælles", "nær"]
ENDINGS = ["ning", "hed", "else", "skab", "sted", "plads", "område", "rum", "anlæg", "tilbud", "forhold", "ordning"]
FIRST = ["Anne", "Mette", "Lars", "Søren", "Jens", "Hanne", "Peter", "Kirsten", "Mikkel", "Ida", "Freja", "Emil",
         "Sofie", "Rasmus", "Louise", "Mads", "Camilla", "Niels", "Birgitte", "Jørgen", "Aske", "Maja", "Oskar"]
LAST = ["Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen",
        "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen", "Østergård", "Bæk"]
IDEA_TEMPLATES = [
    "Kunne man lave {a} ved {p}? {f}",
    "Der burde være flere {a} og {b} {f}",
    "{A} og {b} langs {p} {f}",
    "Mit forslag: {a} med {b} {f}",
    "Hvad med {a} til {p}? {f}",
    "Vi ønsker os {a} og {b} ved {p}",
    "Gerne {a} og mere {b} {f} {f2}",
    "Det vil være dejligt med {a} {f}",
    "Savner {a} i {p}, og {b} {f}",
    "{A} {f} {b} {f2}",
]
OTHER_TEMPLATES = [
    "Tak for initiativet!", "Enig! 👍", "Helt enig", "Super flot 😍", "{N} se her", "👍👍",
    "Hvornår starter byggeriet?", "Typisk kommunen, spild af penge", "Hvor kan man læse mere om {a}?",
    "Desværre alt for dyrt {f}", "Tak {N}!", "Haha ja",
]
EMOJI = ["", "", "", " 🚲", " 🌳", " 👍", " ❤️", " 😊"]


def _vocabulary(rng: np.random.Generator, size: int = 6_000) -> list[str]:
    """Real filler words first (the frequent ranks), then made-up compounds for the long tail."""
    made = {f"{a}{b}{e}" for a, b, e in zip(rng.choice(SYLLABLES, size * 2), rng.choice(SYLLABLES, size * 2),
                                             rng.choice(ENDINGS, size * 2), strict=True)}
    return FILLER_CORE + sorted(made)[: size - len(FILLER_CORE)]


def _zipf(rng: np.random.Generator, n: int, size: int, a: float = 1.15) -> np.ndarray:
    """`size` ranks in [0, n) with P(rank r) proportional to 1 / (r + 1) ** a."""
    weights = 1.0 / np.arange(1, n + 1) ** a
    return rng.choice(n, size=size, p=weights / weights.sum())


def texts(n: int, seed: int = 0, *, idea_share: float = 0.6) -> tuple[list[str], np.ndarray, np.ndarray]:
    """`n` comment texts, their latent topic and whether they were written as an idea (styles mixed by `seed`)."""
    rng = np.random.default_rng(seed)
    vocab = _vocabulary(rng)
    topic = _zipf(rng, len(TOPICS), n, a=0.8)
    nouns = [t.split() for t in TOPICS]
    is_idea = rng.random(n) < idea_share
    template = np.where(is_idea, rng.integers(0, len(IDEA_TEMPLATES), n), rng.integers(0, len(OTHER_TEMPLATES), n))
    fill, fill2 = _zipf(rng, len(vocab), n), _zipf(rng, len(vocab), n)
    pick_a, pick_b = rng.integers(0, 1 << 30, n), rng.integers(0, 1 << 30, n)
    place, emoji = rng.integers(0, len(PLACES), n), rng.integers(0, len(EMOJI), n)
    name = rng.integers(0, len(FIRST) * len(LAST), n)
    pii = rng.random(n)
    out = []
    for i in range(n):
        words = nouns[topic[i]]
        a, b = words[pick_a[i] % len(words)], words[pick_b[i] % len(words)]
        pattern = IDEA_TEMPLATES[template[i]] if is_idea[i] else OTHER_TEMPLATES[template[i]]
        text = pattern.format(a=a, A=a.capitalize(), b=b, p=PLACES[place[i]], f=vocab[fill[i]], f2=vocab[fill2[i]],
                              N=f"{FIRST[name[i] % len(FIRST)]} {LAST[name[i] // len(FIRST)]}") + EMOJI[emoji[i]]
        if pii[i] < 0.004:
            text += f" Ring på {20 + i % 70} {10 + i % 89} {10 + i % 83} {10 + i % 79}"
        elif pii[i] < 0.006:
            text += f" Skriv til borger{i}@example.dk"
        out.append(text)
    return out, topic, is_idea


def _time(minutes: float) -> str:
    return (START + dt.timedelta(minutes=float(minutes))).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _post_sizes(rng: np.random.Generator, n: int, per_post: int) -> np.ndarray:
    n_posts = max(1, round(n / per_post))
    weights = rng.lognormal(0.0, 0.8, n_posts)
    sizes = np.floor(weights / weights.sum() * n).astype(int)
    sizes[: n - sizes.sum()] += 1  # the rounding remainder, one each
    return sizes


def consultation(n: int, seed: int = 0, *, per_post: int = COMMENTS_PER_POST) -> dict[str, Any]:
    """A `facebook.json` dataset with `n` comments and replies over about `n / per_post` posts of one Page."""
    rng = np.random.default_rng(seed + 1)
    messages, _, _ = texts(n, seed)
    sizes = _post_sizes(rng, n, per_post)
    n_authors = max(50, n // 4)
    author = np.minimum((n_authors * rng.random(n) ** 3).astype(int), n_authors - 1)  # a few write a lot
    likes = np.minimum(rng.zipf(1.8, n) - 1, 5_000)
    kind = rng.random(n)
    gap = rng.exponential(4.0, n)  # minutes between comments
    posts, comments = [], []
    i = 0
    for p, size in enumerate(sizes):
        post_obj = str(200000000000000 + p)
        post_id = f"{PAGE_ID}_{post_obj}"
        post_start = 60.0 * 24 * 3 * p
        posts.append({"id": post_id, "created_time": _time(post_start),
                      "message": f"Hvad vil du have i dit lokalområde? Del dine idéer ({p + 1})",
                      "permalink_url": f"https://www.facebook.com/{PAGE_ID}/posts/{post_obj}",
                      "consultation": "bench"})
        minutes, tops = post_start, []
        for _ in range(size):
            minutes += gap[i]
            comment = _comment(i, post_obj, post_id, minutes, messages[i], int(author[i]), int(likes[i]),
                               float(kind[i]), tops, rng)
            if comment["parent_id"] is None:
                tops.append(comment["id"])
            comments.append(comment)
            i += 1
    return {"page": {"id": PAGE_ID, "name": PAGE_NAME}, "posts": posts, "comments": comments}


def _comment(i: int, post_obj: str, post_id: str, minutes: float, message: str, author: int, likes: int,
             kind: float, tops: list[str], rng: np.random.Generator) -> dict[str, Any]:
    is_reply = bool(tops) and kind < 0.30
    comment: dict[str, Any] = {
        "id": f"{post_obj}_{10**15 + i}", "post_id": post_id,
        "parent_id": tops[int(rng.integers(max(0, len(tops) - 50), len(tops)))] if is_reply else None,
        "created_time": _time(minutes), "like_count": likes, "is_hidden": 0.995 < kind,
        "from": {"id": str(700000000 + author), "name": f"{FIRST[author % len(FIRST)]} {LAST[author % len(LAST)]}"},
        "message": message,
    }
    if is_reply and kind < 0.006:  # the Page answers
        comment["from"] = {"id": PAGE_ID, "name": PAGE_NAME}
        comment["message"] = "Tak for dit input, vi tager det med i det videre arbejde."
    elif is_reply and kind < 0.03:
        name = f"{FIRST[(author + 3) % len(FIRST)]} {LAST[(author + 5) % len(LAST)]}"
        comment["message"] = f"{name} {message}"
        comment["message_tags"] = [{"id": str(700000000 + author + 1), "name": name, "type": "user",
                                    "offset": 0, "length": len(name)}]
    elif 0.97 < kind < 0.985:
        del comment["message"]
        comment["attachment"] = {"type": "sticker", "url": "https://www.facebook.com/sticker/1",
                                 "media": {"image": {"src": "https://scontent.example/1.png", "width": 240,
                                                     "height": 240}}}
    if 0.985 < kind < 0.99:
        del comment["from"]  # the commenter's privacy settings hide them
    return comment


def new_comments(dataset: dict[str, Any], n: int, seed: int = 1, after: str | None = None) -> list[dict[str, Any]]:
    """`n` more comments for the posts of `dataset` (keyword arguments for `GraphStandIn.add_comment`), each later
    than everything already there (or than `after`, the newest comment added since); about 30 % reply to an
    existing top-level comment."""
    rng = np.random.default_rng(seed + 1000)
    messages, _, _ = texts(n, seed + 1000)
    posts = [p["id"] for p in dataset["posts"]]
    tops: dict[str, list[str]] = {}
    for c in dataset["comments"]:
        if c["parent_id"] is None:
            tops.setdefault(c["post_id"], []).append(c["id"])
    latest = max(c["created_time"] for c in dataset["comments"]) if dataset["comments"] else _time(0)
    latest = max(latest, after) if after else latest
    base = (dt.datetime.strptime(latest, "%Y-%m-%dT%H:%M:%S%z") - START).total_seconds() / 60
    out = []
    for i in range(n):
        post_id = posts[int(rng.integers(len(posts)))]
        candidates = tops.get(post_id) or []
        author = 900000000 + int(rng.integers(max(50, n // 2)))
        out.append({
            "post_id": post_id, "message": messages[i],
            "parent_id": candidates[int(rng.integers(len(candidates)))] if candidates and rng.random() < 0.3 else None,
            "author": {"id": str(author), "name": f"{FIRST[author % len(FIRST)]} {LAST[author % len(LAST)]}"},
            "created_time": _time(base + 1 + i * 0.5), "like_count": int(rng.zipf(1.8) - 1),
        })
    return out


def graph_comments(dataset: dict[str, Any]) -> list[dict[str, Any]]:
    """The dataset's comments as `FacebookReader.fetch_comments` returns them (its COMMENT_FIELDS)."""
    replies: dict[str, int] = {}
    for c in dataset["comments"]:
        if c.get("parent_id"):
            replies[c["parent_id"]] = replies.get(c["parent_id"], 0) + 1
    out = []
    for c in dataset["comments"]:
        post_obj = c["post_id"].split("_")[-1]
        item = {"id": c["id"]}
        for key in ("message", "created_time", "from"):
            if key in c:
                item[key] = c[key]
        item["like_count"] = c["like_count"]
        item["comment_count"] = replies.get(c["id"], 0)
        if c.get("parent_id"):
            item["parent"] = {"id": c["parent_id"]}
        item["is_hidden"] = c["is_hidden"]
        for key in ("message_tags", "attachment"):
            if key in c:
                item[key] = c[key]
        thread = (c.get("parent_id") or c["id"]).split("_")[-1]
        item["permalink_url"] = f"https://www.facebook.com/{PAGE_ID}/posts/{post_obj}?comment_id={thread}"
        out.append(item)
    return out


def ideas_frame(n: int, seed: int = 0) -> pd.DataFrame:
    """`n` ideas as `models.topics.analyse` takes them (idea_id, text, author_key, like_count), all idea-style."""
    rng = np.random.default_rng(seed + 2)
    idea_texts, topic, _ = texts(n, seed, idea_share=1.0)
    return pd.DataFrame({
        "idea_id": [f"200000000000000_{10**15 + i}" for i in range(n)],
        "text": idea_texts,
        "author_key": [f"{k:016x}" for k in rng.integers(0, max(50, n // 4), n)],
        "like_count": np.minimum(rng.zipf(1.8, n) - 1, 5_000).astype(np.int64),
        "topic": topic,
    })


def main() -> None:
    """Write a dataset as facebook.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("comments", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    data = consultation(args.comments, args.seed)
    args.out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
