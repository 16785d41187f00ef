-- topic_channels: one row per topic of the latest topic run and channel (facebook, each imported channel) with at
-- least one of the topic's ideas; citizens as topics count them (each known author once, an idea without one as a
-- citizen of its own).
create or replace view topic_channels as
with source as (
    select consultation, topic_id, topic_label, channel, author_key
    from ideas
    where topic_id is not null
),

final as (
    select
        consultation,
        topic_id,
        any_value(topic_label) as label,
        channel,
        count(*) as n_ideas,
        count(distinct author_key) + count(*) filter (where author_key is null) as n_authors
    from source
    group by consultation, topic_id, channel
)

select * from final
order by consultation, topic_id, channel;
