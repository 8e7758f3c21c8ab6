{#-
  Every action of the selected sites whose local date falls in the reporting
  window, with its local time, event type (NULL when no rule matches), game,
  user key and instance key. The build stops here, before any row is
  dropped, when a site has no known timezone or the engine cannot convert one.
-#}
{%- set start_date = setting_date('start_date') -%}
{%- set end_date = setting_date('end_date', required=false) -%}
{%- set event_type_column = {
    'action_name': 'name_action_id',
    'event_action': 'event_action_action_id',
}[setting_choice('event_type_source', ['action_name', 'event_action'])] -%}
{%- set game_source = setting_choice('game_source', ['dimension', 'event_category']) -%}
{%- set instance_key = setting_choice('instance_key', ['idlink_va', 'event_name']) -%}
{%- set user_identity = setting_choice('user_identity', ['visitor', 'user_id_then_visitor']) -%}

{{ fail_if_rows(
    ref('int_sites'),
    'select site_id from ' ~ ref('int_sites') ~ ' where timezone_setting is null order by site_id',
    "Site(s) {values} have no row in Matomo's site table, so their timezone is unknown. "
    ~ "Add the site rows, drop the sites from the var site_ids, or set the var reporting_timezone "
    ~ "(e.g. --vars '{reporting_timezone: Asia/Kolkata}')."
) }}

{{ fail_if_rows(
    ref('int_sites'),
    unconvertible_timezones_sql(ref('int_sites'), 'timezone_name'),
    "Timezone(s) {values} cannot be converted by this database. Check the spelling in Matomo's "
    ~ "site table or the var reporting_timezone: expected an IANA name such as Asia/Kolkata, UTC, "
    ~ "or a manual offset such as UTC+5.5. On MySQL/MariaDB, load the timezone tables with "
    ~ "`mariadb-tzinfo-to-sql /usr/share/zoneinfo | mariadb -u root mysql` "
    ~ "(MySQL: mysql_tzinfo_to_sql)."
) }}

{{ fail_if_rows(
    ref('int_sites'),
    'select timezone_setting from ' ~ ref('int_sites')
    ~ ' where utc_offset_minutes < -720 or utc_offset_minutes > 840 order by timezone_setting',
    "Timezone offset(s) {values} are outside UTC-12 to UTC+14, the range of Matomo's manual "
    ~ "offsets. Fix the site's timezone in Matomo or the var reporting_timezone."
) }}

with actions as (

    select * from {{ ref('stg_matomo__actions') }}

),

sites as (

    select * from {{ ref('int_sites') }}

),

visits as (

    select * from {{ ref('stg_matomo__visits') }}

),

action_names as (

    select * from {{ ref('int_action_names_classified') }}

),

catalogue as (

    select * from {{ ref('int_game_catalogue') }}

),

actions_with_local_time as (

    select
        actions.*,
        {{ utc_to_local('actions.server_time_utc', 'sites.timezone_name', 'sites.utc_offset_minutes') }} as local_time

    from actions
    inner join sites
        on actions.site_id = sites.site_id

),

actions_with_local_date as (

    select
        actions_with_local_time.*,
        {{ to_date('local_time') }} as local_date

    from actions_with_local_time

),

actions_in_window as (

    select * from actions_with_local_date
    where local_date >= {{ date_literal(start_date) }}
    {%- if end_date %}
      and local_date <= {{ date_literal(end_date) }}
    {%- endif %}

),

classified as (

    select
        actions_in_window.action_id,
        actions_in_window.site_id,
        actions_in_window.visit_id,
        actions_in_window.server_time_utc,
        actions_in_window.local_time,
        actions_in_window.local_date,
        {{ week_start('actions_in_window.local_date') }} as local_week_start,
        {{ month_start('actions_in_window.local_date') }} as local_month_start,
        type_names.event_type,
        type_names.stage_order,

        {% if game_source == 'dimension' -%}
        catalogue.game_name,
        {%- else -%}
        category_names.action_name as game_name,
        {%- endif %}

        {% if user_identity == 'visitor' -%}
        visits.visitor_key as user_key,
        {%- else -%}
        coalesce(visits.user_id, visits.visitor_key) as user_key,
        {%- endif %}

        {% if instance_key == 'idlink_va' -%}
        {{ exact_text('actions_in_window.action_id') }} as instance_key,
        {%- else -%}
        event_names.action_name as instance_key,
        {%- endif %}

        actions_in_window.score_payload

    from actions_in_window
    left join action_names as type_names
        on actions_in_window.{{ event_type_column }} = type_names.action_name_id
    {%- if game_source == 'dimension' %}
    left join catalogue
        on actions_in_window.game_activity_id = catalogue.activity_id
    {%- else %}
    left join action_names as category_names
        on actions_in_window.event_category_action_id = category_names.action_name_id
    {%- endif %}
    {%- if instance_key == 'event_name' %}
    left join action_names as event_names
        on actions_in_window.name_action_id = event_names.action_name_id
    {%- endif %}
    left join visits
        on actions_in_window.visit_id = visits.visit_id

)

select * from classified
