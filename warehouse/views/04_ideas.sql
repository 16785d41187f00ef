-- ideas: one row per current idea, with its topic in the latest topic run and the places it names; text is redacted.
create or replace view ideas as
with source as (
    select * from core_ideas
),

placed as (
    select it.idea_id, it.topic_id, it.score, it.rank, t.label as topic_label
    from core_idea_topics as it
    inner join latest_topic_runs as r using (topic_run_id)
    inner join core_topics as t on t.topic_run_id = it.topic_run_id and t.topic_id = it.topic_id
),

named as (
    select idea_id, consultation, list(place order by position) as places
    from core_idea_places
    group by idea_id, consultation
),

final as (
    select
        i.idea_id,
        i.consultation,
        i.channel,
        i.text,
        i.created_at,
        i.like_count,
        i.reply_count,
        i.author_key,
        p.topic_id,
        p.topic_label,
        p.score as topic_score,
        p.rank as topic_rank,
        coalesce(n.places, []::varchar[]) as places
    from source as i
    left join placed as p using (idea_id)
    left join named as n using (idea_id, consultation)
)

select * from final;
