with periods as (

    select * from {{ ref('int_calendar_periods') }}

),

event_types as (

    select * from {{ ref('int_event_types') }}

),

games as (

    select * from {{ ref('int_games') }}

),

events as (

    select * from {{ ref('int_game_events') }}

),

game_events as (

    select * from events
    where game_name is not null

),

metrics as (

    {{ metrics_by_period('game_events', ['game_name', 'event_type']) }}

),

final as (

    select
        periods.period_type,
        periods.period_start,
        games.game_name,
        event_types.event_type,
        event_types.stage_order,
        {{ metrics_or_zero('metrics') }},
        {{ dbt_invocation_column() }}

    from periods
    cross join games
    cross join event_types
    left join metrics
        on periods.period_type = metrics.period_type
        and periods.period_start = metrics.period_start
        and games.game_name = metrics.game_name
        and event_types.event_type = metrics.event_type

)

select * from final
