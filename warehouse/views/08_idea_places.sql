-- idea_places: one row per current idea and place it names, in the order the idea names them.
create or replace view idea_places as
with source as (
    select * from core_idea_places
),

current_ideas as (
    select idea_id, consultation from core_ideas
),

final as (
    select p.idea_id, p.consultation, p.place, p.latitude, p.longitude
    from source as p
    inner join current_ideas as i using (idea_id, consultation)
    order by p.consultation, p.idea_id, p.position
)

select * from final;
