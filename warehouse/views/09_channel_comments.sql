-- channel_comments: one row per comment (or item) of every channel other than Facebook, as `comments` has Facebook's:
-- Instagram comments and replies, and the items imported from files (a meeting's notes, e-mails). `comment_id` is the
-- id the item has as an idea, in erasures and corrections (`<channel>:<item_id>`); `parent_id` is the parent's such
-- id. `like_count`, `parent_id`, `is_hidden` and `is_page_reply` (written by the municipality's own account) are a
-- social channel's; null for items imported from files. `message` is as stored: an Instagram @mention is already
-- `@[navn]` (no username is stored). Erased and deleted items are gone from staging, so they are gone here.
-- Facebook's comments stay in view `comments`, whose columns and meaning are unchanged.
create or replace view channel_comments as
with source as (
    select * from stg_imported_items
),

kinds as (
    select comment_id, consultation, kind, kind_reason from core_comment_kinds
),

replies as (
    select consultation, parent_id, count(*) as reply_count
    from source
    where parent_id is not null
    group by consultation, parent_id
),

final as (
    select
        i.channel || ':' || i.item_id as comment_id,
        i.channel,
        i.consultation,
        i.source_file as source,
        i.parent_id,
        i.author_key,
        i.is_page_reply,
        i.text as message,
        i.created_at,
        i.like_count,
        -- replies stored under the item (a social channel's; 0 for a file's items)
        coalesce(r.reply_count, 0) as reply_count,
        i.is_hidden,
        i.first_imported_at as first_seen_at,
        i.last_imported_at as last_seen_at,
        -- as in `comments`: the kind idea detection gave the item, after planners' corrections, and why; null until
        -- an analysis has read it
        k.kind,
        k.kind_reason
    from source as i
    left join kinds as k on k.comment_id = i.channel || ':' || i.item_id and k.consultation = i.consultation
    left join replies as r on r.consultation = i.consultation and r.parent_id = i.channel || ':' || i.item_id
)

select * from final;
