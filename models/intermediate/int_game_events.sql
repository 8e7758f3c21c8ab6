{#- The events: actions in the window whose name matched an event type rule. -#}

with actions as (

    select * from {{ ref('int_actions_classified') }}

),

events as (

    select
        action_id,
        site_id,
        visit_id,
        local_time,
        local_date,
        local_week_start,
        local_month_start,
        event_type,
        stage_order,
        game_name,
        user_key,
        instance_key,
        score_payload

    from actions
    where event_type is not null

)

select * from events
