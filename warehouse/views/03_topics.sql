-- topics: one row per topic of the latest topic run of each consultation.
create or replace view topics as
with source as (
    select t.*, r.run_id
    from core_topics as t
    inner join latest_topic_runs as r using (topic_run_id)
),

final as (
    select
        consultation,
        topic_id,
        label,
        keywords,
        n_ideas,
        n_authors,
        total_likes,
        run_id,
        status,
        is_corrected,
        representative_ids,
        topic_run_id
    from source
)

select * from final
order by consultation, topic_id = 0, n_ideas desc, topic_id;
