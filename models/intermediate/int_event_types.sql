{#- The funnel's event types, one row each; stage 1 is the lowest stage_order. -#}

with rules as (

    select * from {{ ref('int_event_type_rules') }}

),

event_types as (

    select
        event_type,
        min(stage_order) as stage_order

    from rules
    group by event_type

)

select * from event_types
