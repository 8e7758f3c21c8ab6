{#
  MySQL/MariaDB versions of the JSON access macros. JSON_EXTRACT returns SQL
  NULL for a missing path and the text `null` for a JSON null. Text results
  are made exact, since JSON_UNQUOTE keeps the payload column's collation,
  under which "Action" would equal "action".
#}

{% macro mysql__json_kind(document, path) -%}
    case json_type(json_extract({{ document }}, {{ path }}))
        when 'OBJECT' then 'object'
        when 'ARRAY' then 'array'
        when 'STRING' then 'string'
        when 'BOOLEAN' then 'boolean'
        when 'NULL' then 'null'
        when 'INTEGER' then 'number'
        when 'UNSIGNED INTEGER' then 'number'
        when 'DOUBLE' then 'number'
        when 'DECIMAL' then 'number'
    end
{%- endmacro %}


{#
  Strings come back unquoted and unescaped, as on DuckDB. Numbers come back as
  written in the payload (DuckDB rewrites some, e.g. 1E2 as 100.0), which
  parses to the same double. A JSON null is SQL NULL, as on DuckDB.
#}
{% macro mysql__json_text(document, path) -%}
    case
        when json_type(json_extract({{ document }}, {{ path }})) <> 'NULL'
            then {{ exact_text('json_unquote(json_extract(' ~ document ~ ', ' ~ path ~ '))') }}
    end
{%- endmacro %}


{% macro mysql__json_fragment(document, path) -%}
    {{ exact_text('json_extract(' ~ document ~ ', ' ~ path ~ ')') }}
{%- endmacro %}


{% macro mysql__json_array_length_at(document, path) -%}
    case
        when json_type(json_extract({{ document }}, {{ path }})) = 'ARRAY'
            then json_length({{ document }}, {{ path }})
    end
{%- endmacro %}


{#
  MariaDB's JSON_VALID accepts escapes that RFC 8259 and DuckDB reject, such
  as "\x", so the valid escapes are removed and no backslash may remain.
  NOTE: MariaDB's JSON functions stop at 32 levels of nesting, so a deeper
  payload is invalid here while DuckDB parses it.
#}
{% macro mysql__json_is_valid(document) -%}
    (
        coalesce(json_valid({{ document }}), 0) = 1
        and not {{ regex_contains(
            regex_replace_all(document, '\\\\(["\\\\/bfnrt]|u[0-9a-fA-F]{4})', ''),
            '\\\\'
        ) }}
    )
{%- endmacro %}
