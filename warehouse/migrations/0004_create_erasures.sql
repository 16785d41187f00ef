-- core_erasures grain: one row per erasure request carried out (no personal data: no id, no key, no text).
create table core_erasures (
    erased_at timestamptz not null,
    kind varchar not null,
    n_rows integer not null
);

-- core_suppressions grain: one row per erased author (by pseudonym) or comment, so later scans do not bring it back.
create table core_suppressions (
    kind varchar not null,
    value varchar not null,
    primary key (kind, value)
);
