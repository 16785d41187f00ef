-- core_idea_places grain: one row per idea and place it names (transforms.places: the packaged gazetteer plus the
-- consultation's own `places`), `position` its order of first mention in the idea. Latitude and longitude are null for
-- a consultation's own place given without them. Rebuilt per consultation at every analysis (delete, then insert: no
-- primary key, as core_comment_kinds); erasure deletes an idea's rows (warehouse.erase).
create table core_idea_places (
    idea_id varchar not null,
    consultation varchar not null,
    place varchar not null,
    position integer not null,
    latitude double,
    longitude double
);
