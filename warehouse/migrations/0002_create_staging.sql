-- staging layer: typed, deduplicated, with soft deletes and edit history.
-- stg_posts grain: one row per consultation post.
create table stg_posts (
    post_id varchar primary key,
    consultation varchar not null,
    message varchar,
    created_at timestamptz,
    permalink_url varchar,
    first_seen_at timestamptz not null,
    deleted_at timestamptz
);

-- stg_post_scans grain: one row per scan of a post (append-only log; a scan that did not complete is kept too).
create table stg_post_scans (
    post_id varchar not null,
    run_id varchar not null,
    scanned_at timestamptz not null,
    is_complete boolean not null,
    n_comments integer not null,
    n_requests integer not null,
    primary key (post_id, run_id)
);

-- stg_comments grain: one row per comment or reply ever seen; deleted ones keep a tombstone.
create table stg_comments (
    comment_id varchar primary key,
    post_id varchar not null,
    consultation varchar not null,
    parent_id varchar,
    author_key varchar,
    is_page_reply boolean not null,
    message varchar,
    tag_spans json,
    has_attachment boolean not null,
    created_at timestamptz,
    like_count integer not null,
    reply_count integer not null,
    is_hidden boolean not null,
    first_seen_at timestamptz not null,
    changed_at timestamptz not null,
    deleted_at timestamptz
);

-- stg_comment_history grain: one row per earlier version of an edited comment's message.
create table stg_comment_history (
    comment_id varchar not null,
    message varchar,
    valid_until timestamptz not null,
    primary key (comment_id, valid_until)
);
