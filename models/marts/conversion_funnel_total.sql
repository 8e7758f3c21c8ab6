with event_types as (

    select * from {{ ref('int_event_types') }}

),

events as (

    select * from {{ ref('int_game_events') }}

),

metrics as (

    select
        event_type,
        {{ event_metrics() }}

    from events
    group by event_type

),

stages as (

    select
        event_types.stage_order,
        event_types.event_type,
        {{ metrics_or_zero('metrics') }}

    from event_types
    left join metrics
        on event_types.event_type = metrics.event_type

),

final as (

    select
        stage_order,
        event_type,
        events,
        users,
        visits,
        instances,
        {{ funnel_rates() }},
        {{ dbt_invocation_column() }}

    from stages

)

select * from final
