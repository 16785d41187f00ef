-- dialogue: one row per live question or complaint (comments.kind) on Facebook and on every social channel
-- (Instagram: stg_imported_items rows that carry `is_page_reply`), with whether and when the municipality answered it
-- in its thread, for the people who answer. A staff reply is a comment by the Page or the account (is_page_reply) or
-- one judged `staff` (signed by an employee); it answers a comment when it replies to it, or replies to the same
-- parent after it (Facebook and Instagram keep a thread two levels deep: a reply to a reply joins the thread).
-- Hidden comments are left out: the Page has dealt with them; deleted and erased ones are gone. `message` is as
-- published, as in `comments` (an Instagram @mention is `@[navn]`). `channel` says where the comment was written;
-- `permalink_url` is Facebook's, null for Instagram (the Graph API gives a comment no permalink). Comment ids of
-- other channels are `<channel>:<id>`, so threads never mix channels. Files' items have no thread: not here.
create or replace view dialogue as
with facebook as (
    select
        c.comment_id, c.consultation, 'facebook' as channel, c.post_id, c.parent_id, c.is_page_reply, c.is_hidden,
        c.kind, c.kind_reason, c.created_at, c.message, c.like_count, s.permalink_url
    from comments as c
    inner join stg_comments as s using (comment_id)
    where c.deleted_at is null
),

social as (
    select
        c.comment_id, c.consultation, c.channel, null::varchar as post_id, c.parent_id, c.is_page_reply,
        coalesce(c.is_hidden, false) as is_hidden, c.kind, c.kind_reason, c.created_at, c.message, c.like_count,
        null::varchar as permalink_url
    from channel_comments as c
    where c.is_page_reply is not null
),

source as (
    select * from facebook
    union all
    select * from social
),

asked as (
    select * from source
    where kind in ('question', 'complaint') and not is_hidden
),

staff_replies as (
    select comment_id, parent_id, created_at from source
    where parent_id is not null and (is_page_reply or kind = 'staff')
),

answers as (
    select a.comment_id, min(r.created_at) as first_staff_reply_at
    from asked as a
    inner join staff_replies as r
        on r.comment_id <> a.comment_id and (
            r.parent_id = a.comment_id
            or (r.parent_id = a.parent_id and r.created_at > a.created_at)
        )
    group by a.comment_id
),

final as (
    select
        a.comment_id,
        a.consultation,
        a.channel,
        a.post_id,
        a.parent_id,
        a.kind,
        a.kind_reason,
        a.created_at,
        a.message,
        a.like_count,
        a.permalink_url,
        r.first_staff_reply_at is not null as answered,
        r.first_staff_reply_at,
        round(date_diff('second', a.created_at, r.first_staff_reply_at) / 3600.0, 2) as hours_to_first_reply
    from asked as a
    left join answers as r using (comment_id)
)

select * from final
order by consultation, answered, created_at, comment_id;
