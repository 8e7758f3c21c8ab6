with games as (

    select * from {{ ref('int_games') }}

),

ranges as (

    select * from {{ ref('int_score_ranges') }}

),

scored_events as (

    select * from {{ ref('int_scored_events') }}

),

range_counts as (

    select
        game_name,
        score_range,
        count(*) as attempts,
        count(distinct user_key) as users

    from scored_events
    where score_status = 'in_range'
      and game_name is not null
    group by game_name, score_range

),

final as (

    select
        games.game_name,
        ranges.score_range,
        ranges.range_start,
        ranges.range_end,
        coalesce(range_counts.attempts, 0) as attempts,
        coalesce(range_counts.users, 0) as users,
        {{ dbt_invocation_column() }}

    from games
    cross join ranges
    left join range_counts
        on games.game_name = range_counts.game_name
        and ranges.score_range = range_counts.score_range

)

select * from final
