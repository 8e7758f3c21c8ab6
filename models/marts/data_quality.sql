{#-
  Counts of action rows that the other outputs leave out or cannot score,
  in the order check_order, then game_name with the all-games row (NULL) first.
-#}
{%- set score_checks = [
    (3, 'missing_scores', 'missing'),
    (4, 'invalid_scores', 'invalid'),
    (5, 'out_of_range_scores', 'out_of_range'),
] -%}

with actions as (

    select * from {{ ref('int_actions_classified') }}

),

events as (

    select * from {{ ref('int_game_events') }}

),

scored_events as (

    select * from {{ ref('int_scored_events') }}

),

games as (

    select * from {{ ref('int_games') }}

),

score_counts as (

    select
        game_name,
        score_status,
        count(*) as scored_events

    from scored_events
    group by game_name, score_status

),

checks as (

    select
        1 as check_order,
        'events_without_game' as check_name,
        {{ exact_text('null') }} as game_name,
        count(*) as value
    from events
    where game_name is null

    union all

    select
        2 as check_order,
        'blank_user_keys' as check_name,
        {{ exact_text('null') }} as game_name,
        count(*) as value
    from events
    where user_key is null

    {% for check_order, check_name, score_status in score_checks -%}
    union all

    select
        {{ check_order }} as check_order,
        '{{ check_name }}' as check_name,
        {{ exact_text('null') }} as game_name,
        coalesce(sum(scored_events), 0) as value
    from score_counts
    where score_status = '{{ score_status }}'

    union all

    select
        {{ check_order }} as check_order,
        '{{ check_name }}' as check_name,
        games.game_name,
        coalesce(score_counts.scored_events, 0) as value
    from games
    left join score_counts
        on games.game_name = score_counts.game_name
        and score_counts.score_status = '{{ score_status }}'

    {% endfor -%}

    union all

    select
        6 as check_order,
        'unmatched_actions' as check_name,
        {{ exact_text('null') }} as game_name,
        count(*) as value
    from actions
    where event_type is null

),

final as (

    select
        check_order,
        {{ exact_text('check_name') }} as check_name,
        game_name,
        {{ as_integer('value') }} as value,
        {{ dbt_invocation_column() }}

    from checks

)

select * from final
