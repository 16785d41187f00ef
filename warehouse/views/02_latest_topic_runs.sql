-- latest_topic_runs: one row per consultation, its most recent topic run.
create or replace view latest_topic_runs as
with source as (
    select * from core_topic_runs
),

ranked as (
    select
        *,
        row_number() over (partition by consultation order by created_at desc, topic_run_id desc) as recency
    from source
),

final as (
    select topic_run_id, run_id, consultation, created_at, n_ideas, params
    from ranked
    where recency = 1
)

select * from final;
