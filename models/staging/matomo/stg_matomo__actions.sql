{%- set game_dimension = 'custom_dimension_' ~ setting_dimension_index('game_dimension_index') -%}
{%- set score_dimension = 'custom_dimension_' ~ setting_dimension_index('score_dimension_index') -%}

with source as (

    select * from {{ source('matomo', 'log_link_visit_action') }}

),

renamed as (

    select
        {{ as_integer('idlink_va') }} as action_id,
        {{ as_integer('idsite') }} as site_id,
        {{ as_integer('idvisit') }} as visit_id,
        server_time as server_time_utc,
        idaction_name as name_action_id,
        idaction_event_category as event_category_action_id,
        idaction_event_action as event_action_action_id,
        {% if setting_choice('game_source', ['dimension', 'event_category']) == 'dimension' -%}
        {{ nullif_blank(game_dimension) }} as game_activity_id,
        {%- else -%}
        {{ exact_text('null') }} as game_activity_id,
        {%- endif %}
        {{ score_dimension }} as score_payload

    from source

)

select * from renamed
