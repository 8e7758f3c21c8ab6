{#
  SQL of a post-hook that adds one index on `columns` of the model just built.
  MySQL/MariaDB join tables with nested loops, and tables created by
  CREATE TABLE ... SELECT have no index, so the joins on these keys would scan
  the whole inner table once per outer row. Other engines get no statement.
  Configured per model in dbt_project.yml, e.g.
  +post-hook: "{{ index_columns(['game_name', 'event_type']) }}".
#}
{% macro index_columns(columns) -%}
    {{ return(adapter.dispatch('index_columns', 'hybrid_dashboard')(columns)) }}
{%- endmacro %}

{% macro default__index_columns(columns) -%}
{%- endmacro %}

{#
  Text columns of unknown length (TEXT, LONGTEXT) can only be indexed on a
  prefix: the first 255 characters, 1,020 bytes in utf8mb4, within InnoDB's
  3,072-byte key limit. Longer keys still compare in full, through the table.
#}
{% macro mysql__index_columns(columns) -%}
    {%- if execute -%}
        {%- set types = {} -%}
        {%- for column in adapter.get_columns_in_relation(this) -%}
            {%- do types.update({column.name | lower: column.dtype | lower}) -%}
        {%- endfor -%}
        {%- set parts = [] -%}
        {%- for column in columns -%}
            {%- if column | lower not in types -%}
                {{ exceptions.raise_compiler_error(
                    "Cannot index column " ~ column ~ " of " ~ this ~ ": the model has no such column. "
                    ~ "Fix the index_columns post-hook in dbt_project.yml."
                ) }}
            {%- endif -%}
            {%- if types[column | lower].endswith('text') or types[column | lower].endswith('blob') -%}
                {%- do parts.append(adapter.quote(column) ~ '(255)') -%}
            {%- else -%}
                {%- do parts.append(adapter.quote(column)) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set index_name = ('ix_' ~ (columns | join('__')))[:64] -%}
        create index {{ adapter.quote(index_name) }} on {{ this }} ({{ parts | join(', ') }})
    {%- endif -%}
{%- endmacro %}
