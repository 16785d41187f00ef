-- core_idea_detection grain: one row per consultation and channel. Idea detection is a function of each comment
-- alone, so a run only re-reads comments changed after `detected_through` (the newest stg_comments.changed_at it
-- saw), as long as the detection rules are the same (`rules_version`, a hash of their source); otherwise all.
create table core_idea_detection (
    consultation varchar not null,
    channel varchar not null,
    detected_through timestamptz,
    rules_version varchar not null,
    primary key (consultation, channel)
);
