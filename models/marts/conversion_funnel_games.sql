with event_types as (

    select * from {{ ref('int_event_types') }}

),

games as (

    select * from {{ ref('int_games') }}

),

events as (

    select * from {{ ref('int_game_events') }}

),

metrics as (

    select
        game_name,
        event_type,
        {{ event_metrics() }}

    from events
    where game_name is not null
    group by game_name, event_type

),

stages as (

    select
        games.game_name,
        event_types.stage_order,
        event_types.event_type,
        {{ metrics_or_zero('metrics') }}

    from games
    cross join event_types
    left join metrics
        on games.game_name = metrics.game_name
        and event_types.event_type = metrics.event_type

),

final as (

    select
        game_name,
        stage_order,
        event_type,
        events,
        users,
        visits,
        instances,
        {{ funnel_rates(partition_by='game_name') }},
        {{ dbt_invocation_column() }}

    from stages

)

select * from final
