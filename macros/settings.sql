{#
  Settings. Every var is documented with its default in dbt_project.yml; these
  macros read and check them so a wrong value fails the build with the var's
  name and the values it accepts.
#}

{% macro setting_choice(name, allowed) -%}
    {%- set value = var(name) -%}
    {%- if value not in allowed -%}
        {{ exceptions.raise_compiler_error(
            "Invalid value " ~ (value | tojson) ~ " for var '" ~ name ~ "'. Expected one of: "
            ~ (allowed | join(', ')) ~ ". Set it in dbt_project.yml or with --vars."
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}


{# A custom dimension index var, checked to be 1-5 (Matomo's action-scoped columns). #}
{% macro setting_dimension_index(name) -%}
    {%- set value = var(name) -%}
    {%- if value | string not in ['1', '2', '3', '4', '5'] -%}
        {{ exceptions.raise_compiler_error(
            "Invalid value " ~ (value | tojson) ~ " for var '" ~ name
            ~ "'. Expected a custom dimension index from 1 to 5 (column custom_dimension_N of log_link_visit_action)."
        ) }}
    {%- endif -%}
    {{ return(value | int) }}
{%- endmacro %}


{# A YYYY-MM-DD date var, or none when it is null and `required` is false. #}
{% macro setting_date(name, required=true) -%}
    {%- set value = var(name) -%}
    {%- if value is none or (value | string | trim) == '' -%}
        {%- if required -%}
            {{ exceptions.raise_compiler_error("Missing var '" ~ name ~ "'. Expected a date written YYYY-MM-DD.") }}
        {%- endif -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = value | string | trim -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', text) -%}
        {{ exceptions.raise_compiler_error(
            "Invalid value " ~ (value | tojson) ~ " for var '" ~ name ~ "'. Expected a date written YYYY-MM-DD, e.g. 2025-07-01."
        ) }}
    {%- endif -%}
    {%- set year, month, day = text.split('-') | map('int') | list -%}
    {%- set next_month_first = modules.datetime.date(year + (month // 12), (month % 12) + 1, 1) if 1 <= month <= 12 else none -%}
    {%- if next_month_first is none or day < 1 or day > (next_month_first - modules.datetime.timedelta(days=1)).day -%}
        {{ exceptions.raise_compiler_error(
            "Invalid value " ~ (value | tojson) ~ " for var '" ~ name ~ "': no such date. Expected a date written YYYY-MM-DD, e.g. 2025-07-01."
        ) }}
    {%- endif -%}
    {{ return(text) }}
{%- endmacro %}


{# The list var `site_ids` as integers; empty means every site. #}
{% macro setting_site_ids() -%}
    {%- set value = var('site_ids') -%}
    {%- if value is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- if value is string or value is number -%}
        {%- set value = (value | string).split(',') | map('trim') | reject('equalto', '') | list -%}
    {%- endif -%}
    {%- set ids = [] -%}
    {%- for item in value -%}
        {%- if not modules.re.fullmatch('[0-9]+', item | string | trim) -%}
            {{ exceptions.raise_compiler_error(
                "Invalid site id " ~ (item | tojson) ~ " in var 'site_ids'. Expected whole numbers, e.g. [1, 3], or [] for every site."
            ) }}
        {%- endif -%}
        {%- if (item | string | trim | int) not in ids -%}
            {%- do ids.append(item | string | trim | int) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(ids) }}
{%- endmacro %}


{# The scored event types as a list of names. #}
{% macro setting_name_list(name) -%}
    {%- set value = var(name) -%}
    {%- if value is string -%}
        {%- set value = value.split(',') | map('trim') | reject('equalto', '') | list -%}
    {%- endif -%}
    {{ return(value | list) }}
{%- endmacro %}


{#
  Rows of a small table that is a seed by default and can be replaced by a
  list var of the same name. `columns` is a list of (name, type) pairs where
  type is 'text', 'integer' or 'double'.
#}
{% macro seed_or_var_rows(name, columns) -%}
    {%- set rows = var(name, none) -%}
    {%- if rows is none %}
        select
        {%- for column, column_type in columns %}
            {{ cast_setting_value(column, column_type) }} as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
        from {{ ref(name) }}
    {%- else -%}
        {%- if rows | length == 0 -%}
            {{ exceptions.raise_compiler_error("Var '" ~ name ~ "' is an empty list. Remove it to use seeds/" ~ name ~ ".csv, or give at least one row.") }}
        {%- endif -%}
        {%- for row in rows %}
        select
            {%- for column, column_type in columns %}
            {%- if column not in row -%}
                {{ exceptions.raise_compiler_error("Row " ~ loop.index ~ " of var '" ~ name ~ "' has no key '" ~ column ~ "'. Expected keys: " ~ (columns | map('first') | join(', ')) ~ ".") }}
            {%- endif %}
            {{ cast_setting_value(setting_literal(row[column], column_type), column_type) }} as {{ column }}{{ "," if not loop.last }}
            {%- endfor %}
        {{ "union all" if not loop.last }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{% macro setting_literal(value, column_type) -%}
    {%- if value is none -%}
        null
    {%- elif column_type == 'text' -%}
        {{ sql_string(value | string) }}
    {%- elif value is number -%}
        {{ value }}
    {%- elif modules.re.fullmatch('[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?', value | string | trim) -%}
        {{ value | string | trim }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("Invalid number " ~ (value | tojson) ~ " in a settings var. Expected a number.") }}
    {%- endif -%}
{%- endmacro %}


{% macro cast_setting_value(expression, column_type) -%}
    {%- if column_type == 'text' -%}
        {{ exact_text(expression) }}
    {%- elif column_type == 'integer' -%}
        {{ as_integer(expression) }}
    {%- else -%}
        cast({{ expression }} as double)
    {%- endif -%}
{%- endmacro %}
