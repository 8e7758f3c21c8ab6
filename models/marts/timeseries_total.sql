with periods as (

    select * from {{ ref('int_calendar_periods') }}

),

event_types as (

    select * from {{ ref('int_event_types') }}

),

events as (

    select * from {{ ref('int_game_events') }}

),

metrics as (

    {{ metrics_by_period('events', ['event_type']) }}

),

final as (

    select
        periods.period_type,
        periods.period_start,
        event_types.event_type,
        event_types.stage_order,
        {{ metrics_or_zero('metrics') }},
        {{ dbt_invocation_column() }}

    from periods
    cross join event_types
    left join metrics
        on periods.period_type = metrics.period_type
        and periods.period_start = metrics.period_start
        and event_types.event_type = metrics.event_type

)

select * from final
