"""A local stand-in for the Graph API, apart from the real client (`sources.graph`) and the channels' readers
(`sources.facebook.client`, `sources.instagram.client`).

It serves a dataset over real HTTP on 127.0.0.1 the way graph.facebook.com does, for the demo, the tests and the
benchmarks; a production run never starts it unless asked for (`civic-ideas demo`).

- `server`: `GraphStandIn`, the HTTP server, tokens, rate limits and the request log; `load_dataset` reads
  `facebook.json`.
- `data`, `edges`, `fields`, `paging`: the Page's posts and comments, the `fields` syntax, cursor paging.
- `faults`: the error bodies and the `Scenario` of injectable faults.
- `instagram`: the Instagram mode (IG media, comments, replies); `load_instagram` reads `instagram.json`.

    with GraphStandIn(load_dataset("data/sample/facebook.json")) as standin:
        FacebookReader(GraphClient(standin.url, "v25.0", DEFAULT_TOKEN)).fetch_comments(post_id)
"""

from sources.standin.faults import FAULTS, RETRYABLE_FAULTS, RateLimit, Scenario
from sources.standin.instagram import load_instagram
from sources.standin.server import DEFAULT_TOKEN, GraphStandIn, RecordedRequest, load_dataset

__all__ = ["DEFAULT_TOKEN", "FAULTS", "RETRYABLE_FAULTS", "GraphStandIn", "RateLimit", "RecordedRequest", "Scenario",
           "load_dataset", "load_instagram"]
