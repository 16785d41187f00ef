"""Idempotent loads into the warehouse: upserts on natural keys, edit history, soft deletes. One module per concern:

- `comments`: Facebook comment scans (raw versions, edits, upserts, tombstones, where a scan of new comments starts);
- `posts`: Facebook posts, posts (or an Instagram media) answering "does not exist", deleted posts;
- `items`: a channel's items (imported files, Instagram);
- `ideas`: a consultation's ideas and comment kinds per channel (`replace_ideas`);
- `topics`: topic runs, the fitted topic model, planners' corrections;
- `runs`: flow runs.

Callers import the module they need (`from warehouse.load import comments`). The names below are re-exported so that
`from warehouse import load` and `load.save_scans(...)` keep working; new code should not add to them.
"""

from __future__ import annotations

from warehouse.db import WarehouseError, transaction
from warehouse.load.comments import (
    PostScan,
    new_comments_since,
    plausible_deletions,
    save_scan,
    save_scans,
    tombstone,
)
from warehouse.load.ideas import replace_ideas
from warehouse.load.items import save_imported_items
from warehouse.load.posts import log_missing_post, mark_post_deleted, post_was_missing, save_post, save_posts
from warehouse.load.runs import finish_run, start_run
from warehouse.load.topics import add_correction, save_topic_run

__all__ = [
    "PostScan", "WarehouseError", "add_correction", "finish_run", "log_missing_post", "mark_post_deleted",
    "new_comments_since", "plausible_deletions", "post_was_missing", "replace_ideas", "save_imported_items",
    "save_post", "save_posts", "save_scan", "save_scans", "save_topic_run", "start_run", "tombstone", "transaction",
]
