-- raw layer: Graph API payloads as received, minus secrets and names (authors already pseudonymised).
-- raw_posts grain: one row per distinct payload of a post.
create table raw_posts (
    post_id varchar not null,
    consultation varchar not null,
    payload json not null,
    payload_hash varchar not null,
    fetched_at timestamptz not null,
    primary key (post_id, payload_hash)
);

-- raw_comments grain: one row per distinct payload of a comment (a new row only when the payload changed).
create table raw_comments (
    comment_id varchar not null,
    post_id varchar not null,
    consultation varchar not null,
    payload json not null,
    payload_hash varchar not null,
    fetched_at timestamptz not null,
    primary key (comment_id, payload_hash)
);
