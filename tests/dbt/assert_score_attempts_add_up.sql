{#- Score attempts add up to the valid, in-range scores of events that have a game. -#}

with attempts as (

    select sum(attempts) as attempts
    from {{ ref('score_distribution') }}

),

scores as (

    select count(*) as valid_scores
    from {{ ref('int_scored_events') }}
    where score_status = 'in_range'
      and game_name is not null

)

select
    attempts.attempts,
    scores.valid_scores

from attempts
cross join scores
where coalesce(attempts.attempts, 0) <> scores.valid_scores
