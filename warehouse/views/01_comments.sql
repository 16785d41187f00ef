-- comments: one row per comment or reply ever seen; deleted ones keep comment_id and deleted_at only.
create or replace view comments as
with source as (
    select * from stg_comments
),

scans as (
    select post_id, scanned_at from stg_post_scans
),

kinds as (
    select comment_id, kind, kind_reason from core_comment_kinds
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
        c.reaction_count,  -- every kind of reaction (like_count: Like only); null until a scan has read it
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
        c.has_attachment,
        -- idea, staff, tag, thanks, question, complaint, reaction, spam or off_topic (transforms.ideas), after
        -- planners' corrections, and why; null for a deleted comment and until an analysis has read the comment
        k.kind,
        k.kind_reason
    from source as c
    left join kinds as k on k.comment_id = c.comment_id and c.deleted_at is null
)

select * from final;
