{#-
  The selected sites and the timezone each one reports in. A timezone is
  either a named zone (`timezone_name`, converted with daylight saving) or a
  fixed offset from UTC in minutes (`utc_offset_minutes`, for `UTC` and
  Matomo's manual offsets such as `UTC+5.5` or `UTC-3`).
-#}
{%- set site_ids = setting_site_ids() -%}
{%- set reporting_timezone = var('reporting_timezone') -%}

with actions as (

    select * from {{ ref('stg_matomo__actions') }}

),

sites as (

    select * from {{ ref('stg_matomo__sites') }}

),

selected_site_ids as (

    {% if site_ids -%}
    {% for site_id in site_ids -%}
    select {{ as_integer(site_id) }} as site_id
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
    {%- else -%}
    select distinct site_id from actions
    {%- endif %}

),

sites_with_timezone as (

    select
        selected_site_ids.site_id,
        sites.site_id is not null as has_site_row,
        {% if reporting_timezone -%}
        {{ exact_text(sql_string(reporting_timezone | string | trim)) }} as timezone_setting
        {%- else -%}
        sites.site_timezone as timezone_setting
        {%- endif %}

    from selected_site_ids
    left join sites
        on selected_site_ids.site_id = sites.site_id

),

timezone_parts as (

    select
        site_id,
        has_site_row,
        timezone_setting,
        case
            when timezone_setting = 'UTC' then 0
            when {{ regex_full_match('timezone_setting', 'UTC[+-][0-9]{1,2}([.][0-9]+)?') }}
                then
                    case when substr(timezone_setting, 4, 1) = '-' then -1 else 1 end
                    * {{ as_integer('round(cast(substr(timezone_setting, 5) as decimal(10, 4)) * 60, 0)') }}
        end as utc_offset_minutes

    from sites_with_timezone

),

final as (

    select
        site_id,
        has_site_row,
        timezone_setting,
        utc_offset_minutes,
        case when utc_offset_minutes is null then timezone_setting end as timezone_name

    from timezone_parts

)

select * from final
