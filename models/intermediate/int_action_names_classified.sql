{#- Each log_action name with the event type of the first rule whose pattern matches it (NULL when none does). -#}

with action_names as (

    select * from {{ ref('stg_matomo__action_names') }}

),

rules as (

    select * from {{ ref('int_event_type_rules') }}

),

matches as (

    select
        action_names.action_name_id,
        rules.event_type,
        rules.stage_order,
        row_number() over (
            partition by action_names.action_name_id
            order by rules.rule_rank
        ) as match_rank

    from action_names
    inner join rules
        on {{ like_match('action_names.action_name', 'rules.pattern') }}

),

classified as (

    select
        action_names.action_name_id,
        action_names.action_name,
        matches.event_type,
        matches.stage_order

    from action_names
    left join matches
        on action_names.action_name_id = matches.action_name_id
        and matches.match_rank = 1

)

select * from classified
