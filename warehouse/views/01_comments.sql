-- comments: one row per comment or reply ever seen; deleted ones keep comment_id and deleted_at only.
create or replace view comments as
with source as (
    select * from stg_comments
),

scans as (
    select post_id, scanned_at from stg_post_scans
),

final as (
    select
        c.comment_id,
        c.post_id,
        c.consultation,
        c.parent_id,
        c.author_key,
        c.is_page_reply,
        c.message,
        c.created_at,
        c.like_count,
        c.reply_count,
        c.is_hidden,
        c.deleted_at,
        c.first_seen_at,
        -- the latest scan of the comment's post before it was deleted (scans are logged per post, not per comment)
        (
            select max(s.scanned_at) from scans as s
            where s.post_id = c.post_id
              and s.scanned_at >= c.first_seen_at
              and (c.deleted_at is null or s.scanned_at < c.deleted_at)
        ) as last_seen_at,
        c.changed_at,
        c.has_attachment
    from source as c
)

select * from final;
