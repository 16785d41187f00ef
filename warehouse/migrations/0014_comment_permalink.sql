-- stg_comments: the comment's link on Facebook (`permalink_url`, asked for with every comment), so an editor of the
-- Page can open a question or complaint and answer it (view `dialogue`). Rows stored before this migration take it
-- from their latest raw payload; null when the payload did not carry it.
alter table stg_comments add column permalink_url varchar;

update stg_comments as s set permalink_url = r.permalink_url
from (
    select comment_id, arg_max(payload->>'permalink_url', fetched_at) as permalink_url
    from raw_comments
    group by comment_id
) as r
where s.comment_id = r.comment_id and r.permalink_url is not null;
